// Azure AI Search with the semantic ranker; Entra ID and API keys both accepted. The managed identity
// may create the index and read and write documents.
param name string
param location string
param tags object = {}
param skuName string = 'basic'
param semanticSearch string = 'free'
param dataPrincipalId string

resource search 'Microsoft.Search/searchServices@2023-11-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName }
  properties: {
    replicaCount: 1
    partitionCount: 1
    semanticSearch: semanticSearch
    authOptions: { aadOrApiKey: { aadAuthFailureMode: 'http401WithBearerChallenge' } }
  }
}

var roles = {
  searchIndexDataContributor: '8ebe5a00-799e-43f5-93ac-243d3dce84a7'
  searchServiceContributor: '7ca78c08-252a-4471-8644-bb5ff32d4ba0'
}

resource access 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in items(roles): {
  scope: search
  name: guid(search.id, dataPrincipalId, role.value)
  properties: {
    principalId: dataPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
  }
}]

output endpoint string = 'https://${search.name}.search.windows.net'
output name string = search.name
#disable-next-line outputs-should-not-contain-secrets
output adminKey string = search.listAdminKeys().primaryKey
