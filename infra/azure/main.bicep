// Rakel 2 on Azure: two or more Container Apps replicas on PostgreSQL Flexible Server, Azure AI Search and
// Azure OpenAI, reached with a user-assigned managed identity (no keys); every secret in Key Vault; logs in
// Log Analytics, traces and metrics in Application Insights; the Azure Bot with its Teams channel.
//
//   az deployment group create -g <group> -f infra/azure/main.bicep -p @infra/azure/main.parameters.json
//
// Modules per resource (modules/*.bicep); their outputs feed the container app's settings.
targetScope = 'resourceGroup'

@minLength(3)
@maxLength(12)
@description('Short name used in every resource name, e.g. "rakel" or "rakel-test"')
param environmentName string

@description('Region of every resource (Azure OpenAI models must be offered there)')
param location string = resourceGroup().location

@description('The Rakel image, e.g. <registry>.azurecr.io/rakel:2.0.0 (see infra/container/README.md)')
param containerImage string

@description('Registry server the managed identity pulls from (AcrPull); empty = a public image')
param registryServer string = ''

@minValue(2)
@description('Container Apps replicas that always run (at least two: one may drain or restart)')
param minReplicas int = 2

@description('At most this many replicas under load')
param maxReplicas int = 6

@description('Client id of the single-tenant Entra app registration of the bot (README step 1)')
param botAppId string

@secure()
@description('Client secret of that app registration (stored in Key Vault)')
param botAppPassword string

@description('Entra tenant ids served (channelData.tenant.id); default: this subscription\'s tenant')
param allowedTenantIds array = [ subscription().tenantId ]

@secure()
@description('Password of the PostgreSQL administrator login (stored in Key Vault; Rakel itself signs in keyless)')
param postgresAdminPassword string

param postgresSkuName string = 'Standard_B2s'
param postgresSkuTier string = 'Burstable'

@allowed([ 'basic', 'standard', 'standard2', 'standard3' ])
param searchSkuName string = 'basic'
param searchIndexName string = 'rakel-knowledge'

param openAiApiVersion string = '2024-10-21'
param chatDeploymentName string = 'chat'
param chatModelName string = 'gpt-4o-mini'
param chatModelVersion string = '2024-07-18'
param chatCapacity int = 30
param embeddingDeploymentName string = 'embedding'
param embeddingModelName string = 'text-embedding-3-small'
param embeddingModelVersion string = '1'
param embeddingCapacity int = 30

@description('The Kundeservice Teams channel id (19:...@thread.tacv2); can be set after the first deploy')
param kundeserviceConversationId string = ''

@description('https://<tenant>.pureservice.com; empty = the local ticket desk in PostgreSQL')
param pureserviceUrl string = ''

@secure()
param pureserviceApiKey string = ''

@description('Client id of the Graph app registration (SharePoint, users, Intune); empty = no Graph')
param graphClientId string = ''

@secure()
param graphClientSecret string = ''

@description('JSON list of SharePoint sites to index (RAKEL_SHAREPOINT_SITES)')
param sharepointSites string = '[]'

@secure()
@description('The secret that keeps analytics user keys pseudonymous (RAKEL_ANALYTICS_KEY; a long random value)')
param analyticsKey string

param tags object = {}

var suffix = uniqueString(resourceGroup().id, environmentName)
var names = {
  identity: 'id-${environmentName}-${suffix}'
  logAnalytics: 'log-${environmentName}-${suffix}'
  applicationInsights: 'appi-${environmentName}-${suffix}'
  keyVault: 'kv-${take(environmentName, 8)}-${take(suffix, 10)}'
  postgres: 'psql-${environmentName}-${suffix}'
  search: 'srch-${environmentName}-${suffix}'
  openAi: 'oai-${environmentName}-${suffix}'
  containerEnvironment: 'cae-${environmentName}-${suffix}'
  containerApp: 'ca-${environmentName}'
  bot: 'bot-${environmentName}-${suffix}'
}
var allTags = union(tags, { application: 'rakel', environment: environmentName })

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: names.identity, location: location, tags: allTags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: allTags
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: names.postgres
    location: location
    tags: allTags
    administratorPassword: postgresAdminPassword
    identityName: identity.outputs.name
    identityPrincipalId: identity.outputs.principalId
    skuName: postgresSkuName
    skuTier: postgresSkuTier
  }
}

module search 'modules/search.bicep' = {
  name: 'search'
  params: {
    name: names.search
    location: location
    tags: allTags
    skuName: searchSkuName
    dataPrincipalId: identity.outputs.principalId
  }
}

module openAi 'modules/openai.bicep' = {
  name: 'openai'
  params: {
    name: names.openAi
    location: location
    tags: allTags
    userPrincipalId: identity.outputs.principalId
    chatDeploymentName: chatDeploymentName
    chatModelName: chatModelName
    chatModelVersion: chatModelVersion
    chatCapacity: chatCapacity
    embeddingDeploymentName: embeddingDeploymentName
    embeddingModelName: embeddingModelName
    embeddingModelVersion: embeddingModelVersion
    embeddingCapacity: embeddingCapacity
  }
}

// Every secret, by Key Vault secret name and the setting that receives it; empty ones are left out.
var secretValues = {
  'app-password': botAppPassword
  'postgres-admin-password': postgresAdminPassword
  'pureservice-api-key': pureserviceApiKey
  'graph-client-secret': graphClientSecret
  'analytics-key': analyticsKey
  'applicationinsights-connection-string': monitoring.outputs.applicationInsightsConnectionString
}
var secretSettings = [
  { name: 'RAKEL_APP_PASSWORD', secret: 'app-password', present: true }
  { name: 'RAKEL_PURESERVICE_API_KEY', secret: 'pureservice-api-key', present: !empty(pureserviceApiKey) }
  { name: 'RAKEL_GRAPH_CLIENT_SECRET', secret: 'graph-client-secret', present: !empty(graphClientSecret) }
  { name: 'RAKEL_ANALYTICS_KEY', secret: 'analytics-key', present: true }
  { name: 'RAKEL_APPLICATIONINSIGHTS_CONNECTION_STRING', secret: 'applicationinsights-connection-string', present: true }
]

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    readerPrincipalId: identity.outputs.principalId
    secrets: secretValues
  }
}

var settings = [
  { name: 'RAKEL_ENV', value: 'production' }
  { name: 'RAKEL_HOST', value: '0.0.0.0' }
  { name: 'RAKEL_PORT', value: '3978' }
  { name: 'RAKEL_LOG_FORMAT', value: 'json' }
  { name: 'RAKEL_SHUTDOWN_DELAY_SECONDS', value: '5' }
  { name: 'RAKEL_SHUTDOWN_GRACE_SECONDS', value: '20' }
  { name: 'RAKEL_AZURE_CLIENT_ID', value: identity.outputs.clientId }
  { name: 'RAKEL_DATABASE_URL', value: postgres.outputs.keylessUrl }
  { name: 'RAKEL_APP_ID', value: botAppId }
  { name: 'RAKEL_APP_TENANT_ID', value: subscription().tenantId }
  { name: 'RAKEL_ALLOWED_TENANT_IDS', value: string(allowedTenantIds) }
  { name: 'RAKEL_LLM_BASE_URL', value: openAi.outputs.endpoint }
  { name: 'RAKEL_LLM_API_VERSION', value: openAiApiVersion }
  { name: 'RAKEL_LLM_MODEL', value: openAi.outputs.chatDeploymentName }
  { name: 'RAKEL_LLM_EMBEDDING_MODEL', value: openAi.outputs.embeddingDeploymentName }
  { name: 'RAKEL_SEARCH_BACKEND', value: 'azure' }
  { name: 'RAKEL_AZURE_SEARCH_ENDPOINT', value: search.outputs.endpoint }
  { name: 'RAKEL_AZURE_SEARCH_INDEX', value: searchIndexName }
  { name: 'RAKEL_KUNDESERVICE_CONVERSATION_ID', value: kundeserviceConversationId }
  { name: 'RAKEL_PURESERVICE_URL', value: pureserviceUrl }
  { name: 'RAKEL_GRAPH_TENANT_ID', value: empty(graphClientId) ? '' : subscription().tenantId }
  { name: 'RAKEL_GRAPH_CLIENT_ID', value: graphClientId }
  { name: 'RAKEL_SHAREPOINT_SITES', value: sharepointSites }
  { name: 'RAKEL_OTEL_SERVICE_NAME', value: names.containerApp }
]

module app 'modules/containerapps.bicep' = {
  name: 'containerapps'
  params: {
    environmentName: names.containerEnvironment
    appName: names.containerApp
    location: location
    tags: allTags
    logAnalyticsCustomerId: monitoring.outputs.logAnalyticsCustomerId
    logAnalyticsSharedKey: monitoring.outputs.logAnalyticsSharedKey
    identityId: identity.outputs.id
    image: containerImage
    registryServer: registryServer
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    env: settings
    secretRefs: [for item in filter(secretSettings, s => s.present): {
      name: item.name
      secret: item.secret
      keyVaultUrl: '${keyVault.outputs.uri}secrets/${item.secret}'
    }]
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: names.bot
    tags: allTags
    appId: botAppId
    tenantId: subscription().tenantId
    messagingEndpoint: 'https://${app.outputs.fqdn}/api/messages'
  }
}

output RAKEL_URL string = 'https://${app.outputs.fqdn}'
output MESSAGING_ENDPOINT string = 'https://${app.outputs.fqdn}/api/messages'
output BOT_NAME string = bot.outputs.name
output KEY_VAULT_NAME string = keyVault.outputs.name
output POSTGRES_FQDN string = postgres.outputs.fqdn
output SEARCH_ENDPOINT string = search.outputs.endpoint
output OPENAI_ENDPOINT string = openAi.outputs.endpoint
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
