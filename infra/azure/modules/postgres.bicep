// Azure Database for PostgreSQL Flexible Server 15 with the database "rakel". Entra ID authentication
// is on and the managed identity is an Entra administrator, so Rakel signs in with a token as that
// identity; password authentication stays on for the administrator login (kept in Key Vault).
param name string
param location string
param tags object = {}
param administratorLogin string = 'rakeladmin'
@secure()
param administratorPassword string
param identityName string
param identityPrincipalId string
param skuName string = 'Standard_B2s'
param skuTier string = 'Burstable'
param storageSizeGB int = 32
param databaseName string = 'rakel'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, tier: skuTier }
  properties: {
    version: '15'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorPassword
    storage: { storageSizeGB: storageSizeGB }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: 'Disabled' }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Enabled'
      tenantId: subscription().tenantId
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: server
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

// Container Apps on the consumption plan reach the server over its public endpoint from Azure.
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2023-06-01-preview' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource entraAdmin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2023-06-01-preview' = {
  parent: server
  name: identityPrincipalId
  properties: {
    principalName: identityName
    principalType: 'ServicePrincipal'
    tenantId: subscription().tenantId
  }
  dependsOn: [ database, allowAzure ]
}

output fqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
// Keyless: the user is the managed identity, the password an Entra ID token (RAKEL_AZURE_CLIENT_ID).
output keylessUrl string = 'postgresql://${identityName}@${server.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
