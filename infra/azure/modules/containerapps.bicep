// Azure Container Apps: the environment (logs to Log Analytics) and Rakel with at least two replicas,
// running as the managed identity. Secrets are Key Vault references; liveness is /healthz, readiness
// /readyz (503 while an instance drains after SIGTERM, so ingress stops sending to it).
param environmentName string
param appName string
param location string
param tags object = {}
param logAnalyticsCustomerId string
@secure()
param logAnalyticsSharedKey string
param identityId string
param image string
param registryServer string = ''
param minReplicas int = 2
param maxReplicas int = 6
param cpu string = '1.0'
param memory string = '2Gi'
param env array  // [{ name, value }] plain settings
param secretRefs array  // [{ name: 'RAKEL_X', secret: 'key-vault-secret-name', keyVaultUrl }]

var port = 3978

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: { customerId: logAnalyticsCustomerId, sharedKey: logAnalyticsSharedKey }
    }
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'rakel' })
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identityId}': {} } }
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: { external: true, targetPort: port, transport: 'http', allowInsecure: false }
      registries: empty(registryServer) ? [] : [ { server: registryServer, identity: identityId } ]
      secrets: [for ref in secretRefs: { name: ref.secret, keyVaultUrl: ref.keyVaultUrl, identity: identityId }]
    }
    template: {
      terminationGracePeriodSeconds: 30  // > RAKEL_SHUTDOWN_DELAY_SECONDS + RAKEL_SHUTDOWN_GRACE_SECONDS
      containers: [
        {
          name: 'rakel'
          image: image
          args: [ 'serve' ]
          resources: { cpu: json(cpu), memory: memory }
          env: concat(env, map(secretRefs, ref => { name: ref.name, secretRef: ref.secret }))
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: port }, periodSeconds: 15, failureThreshold: 3 }
            { type: 'Readiness', httpGet: { path: '/readyz', port: port }, periodSeconds: 5, failureThreshold: 1 }
            { type: 'Startup', httpGet: { path: '/healthz', port: port }, periodSeconds: 5, failureThreshold: 24 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [ { name: 'http', http: { metadata: { concurrentRequests: '50' } } } ]
      }
    }
  }
}

output fqdn string = app.properties.configuration.ingress.fqdn
output name string = app.name
