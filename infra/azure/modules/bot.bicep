// The Azure Bot (single-tenant app registration) with its Teams channel; the messaging endpoint is the
// container app. The app registration and its client secret are made beforehand (README step 1).
param name string
param tags object = {}
param appId string
param tenantId string
param messagingEndpoint string
param applicationInsightsKey string = ''
param sku string = 'S1'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: sku }
  properties: {
    displayName: 'Rakel'
    endpoint: messagingEndpoint
    msaAppId: appId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
    developerAppInsightKey: applicationInsightsKey
    disableLocalAuth: false
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true, enableCalling: false }
  }
}

output name string = bot.name
