// The user-assigned managed identity Rakel's container app runs as: it reads Key Vault and reaches
// Azure OpenAI, Azure AI Search and PostgreSQL with Entra ID tokens (no keys).
param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
