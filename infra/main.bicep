// Partner Ops on Azure: an App Service plan (Linux, Premium v3, two or more instances), the web app running the
// bot (a container image, or Node 20 with `node dist/src/main.js`), an Azure Bot with the Microsoft Teams
// channel, a Storage account with the blob container for the bot's shared state, and (optional, on by
// default) a Key Vault holding every secret, read by the web app through Key Vault references.
//
// The Entra ID app registration and the Partner Center app registration are not in here: docs/going-live.md
// is the whole checklist, in order. Deploy into an existing resource group (secrets from shell variables,
// read with `read -rs` or generated, never typed on the command line):
//
//   az deployment group create -g "$RG" -f infra/main.bicep -p @infra/main.parameters.json \
//     -p webAppName="$WEBAPP" botId="$BOT_ID" botPassword="$BOT_PASSWORD" \
//        tokenCacheKey="$TOKEN_CACHE_KEY" cardSigningKey="$CARD_SIGNING_KEY"
//
// API versions: Microsoft.Web 2023-12-01, Microsoft.BotService 2022-09-15, Microsoft.Storage 2023-05-01,
// Microsoft.KeyVault 2023-07-01, Microsoft.Authorization/roleAssignments 2022-04-01.

targetScope = 'resourceGroup'

// ---- names and placement ----------------------------------------------------------------------------

@description('Prefix of the names of the plan, the storage account, the key vault and the Azure Bot (the web app is named by webAppName): lowercase letters and digits only.')
@minLength(3)
@maxLength(11)
param namePrefix string = 'partnerops'

@description('Region of the plan, the web app, the storage account and the key vault.')
param location string = resourceGroup().location

@description('Tags put on every resource.')
param tags object = {}

@description('Name of the web app, chosen before anything else (docs/going-live.md, step 2): it must be free in all of Azure, and BOT_ENDPOINT is https://<name>.azurewebsites.net (or the sovereign cloud\'s suffix), which the Entra ID app\'s redirect URI and the Teams package need before this template runs. 2-60 characters: letters, digits and hyphens.')
@minLength(2)
@maxLength(60)
param webAppName string

@description('Public host name Teams and browsers reach the bot at, when it is a custom domain bound to the web app by hand. Empty: the web app\'s default host name.')
param publicHostName string = ''

// ---- App Service ----------------------------------------------------------------------------------------

@description('App Service plan size (Linux, Premium v3).')
@allowed([
  'P0v3'
  'P1v3'
  'P2v3'
  'P3v3'
])
param planSku string = 'P1v3'

@description('Instances of the plan. At least 2: the bot keeps its state in Blob Storage and its secrets are the same everywhere, so any instance can serve any request.')
@minValue(2)
@maxValue(30)
param instanceCount int = 2

@description('Container image to run, e.g. myregistry.azurecr.io/partner-ops:1.0.0 (built from the Dockerfile). Empty: Node 20 code deployment of a zip with package.json, package-lock.json, dist/, cards/ and production node_modules, started with `node dist/src/main.js`.')
param containerImage string = ''

@description('Path App Service probes on every instance; an instance that keeps failing it is taken out of the load balancer and replaced. /readyz checks the bot\'s dependencies; use /healthz on a build that does not serve /readyz yet (it answers 404 there).')
param healthCheckPath string = '/readyz'

// ---- the bot's identity -------------------------------------------------------------------------------

@description('Application (client) id of the bot\'s Entra ID app registration (BOT_ID; also the Azure Bot\'s msaAppId): a GUID.')
@minLength(36)
@maxLength(36)
param botId string

@description('Client secret of that app registration (BOT_PASSWORD).')
@secure()
param botPassword string

@description('Entra ID tenant of the bot\'s app registration (BOT_TENANT_ID; the bot is SingleTenant).')
param botTenantId string = subscription().tenantId

@description('Application (client) id of the Entra ID app used for Teams SSO and the on-behalf-of exchange (AAD_APP_CLIENT_ID). Default: the bot\'s own app registration.')
param aadAppClientId string = botId

@description('Client secret of that app (AAD_APP_CLIENT_SECRET). Empty: botPassword (one app registration for both).')
@secure()
param aadAppClientSecret string = ''

@description('The partner\'s Entra ID tenant id (AAD_APP_TENANT_ID), whose users sign in to Partner Center through the bot.')
param aadAppTenantId string = botTenantId

@description('Application ID URI of the SSO app (AAD_APP_ID_URI): the audience of Teams SSO tokens and webApplicationInfo.resource in the Teams app manifest.')
param aadAppIdUri string = 'api://botid-${botId}'

@description('Secret, 32 characters or more, the users\' Partner Center token cache is encrypted with (TOKEN_CACHE_KEY). Keep it: changing it signs everybody out.')
@secure()
@minLength(32)
param tokenCacheKey string

@description('Secret, 32 characters or more, that signs confirmation cards (CARD_SIGNING_KEY). Changing it invalidates confirmations not yet answered.')
@secure()
@minLength(32)
param cardSigningKey string

// ---- cloud and Partner Center -------------------------------------------------------------------------

@description('Which cloud the bot, Entra ID and Partner Center are in: global; usgov (Azure Government + Office 365 GCC High); usgovdod (Azure Government + DoD); china (21Vianet). Picks the defaults below and botbuilder\'s channel settings.')
@allowed([
  'global'
  'usgov'
  'usgovdod'
  'china'
])
param cloud string = 'global'

@description('AAD_APP_OAUTH_AUTHORITY_HOST. Empty: the cloud\'s sign-in authority.')
param aadAppOAuthAuthorityHost string = ''

@description('PARTNER_CENTER_BASE_URL. Empty: the cloud\'s Partner Center.')
param partnerCenterBaseUrl string = ''

@description('PARTNER_CENTER_SCOPE. Empty: the cloud\'s Partner Center user_impersonation scope.')
param partnerCenterScope string = ''

@description('LOG_LEVEL of the bot (pino).')
@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
  'silent'
])
param logLevel string = 'info'

// ---- the Azure Bot, storage, key vault --------------------------------------------------------------------

@description('Name of the Azure Bot resource (globally unique).')
param botName string = '${namePrefix}-bot-${uniqueString(resourceGroup().id)}'

@description('Display name of the bot.')
param botDisplayName string = 'Partner Ops'

@description('Pricing tier of the Azure Bot. Microsoft Teams is a standard channel, free in both.')
@allowed([
  'F0'
  'S1'
])
param botSku string = 'F0'

@description('Location of the Azure Bot resource: global, or a regional one for data residency (e.g. westeurope).')
param botLocation string = 'global'

@description('Redundancy of the storage account (ZRS where the region has availability zones).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('Blob container for the bot\'s state (AZURE_STORAGE_CONTAINER).')
param storageContainerName string = 'partner-ops'

@description('Keep the secrets in a Key Vault read through Key Vault references (needs the right to create role assignments, e.g. Owner or User Access Administrator on the resource group). false: secrets go straight into the app settings.')
param useKeyVault bool = true

// ---- derived values ----------------------------------------------------------------------------------

var suffix = uniqueString(resourceGroup().id)
var planName = '${namePrefix}-plan-${suffix}'
var storageAccountName = take('${toLower(namePrefix)}${suffix}', 24)
var keyVaultName = take('${namePrefix}-kv-${suffix}', 24)
var isContainer = !empty(containerImage)
var publicHost = empty(publicHostName) ? webApp.properties.defaultHostName : publicHostName
var botEndpoint = 'https://${publicHost}'

// botbuilder's own settings (ConfigurationBotFrameworkAuthentication) for the sovereign clouds, from
// Microsoft's bot docs (how-to-deploy-gov-cloud-high, how-to-deploy-china-cloud) and botframework-connector's
// GovernmentConstants. With BOT_TYPE SingleTenant, botbuilder takes the login host from
// ToChannelFromBotLoginUrl and the tenant from BOT_TENANT_ID for login.microsoftonline.com/.us; any other
// host (21Vianet) is used as written, hence the tenant in the China URL.
var clouds = {
  global: {
    authorityHost: 'https://login.microsoftonline.com'
    partnerCenterBaseUrl: 'https://api.partnercenter.microsoft.com'
    partnerCenterScope: 'https://api.partnercenter.microsoft.com/user_impersonation'
    botFramework: {}
  }
  usgov: {
    authorityHost: 'https://login.microsoftonline.us'
    partnerCenterBaseUrl: 'https://api.partnercenter.microsoft.com'
    partnerCenterScope: 'https://api.partnercenter.microsoft.com/user_impersonation'
    botFramework: {
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us'
      ToChannelFromBotOAuthScope: 'https://api.botframework.us'
      ToBotFromChannelTokenIssuer: 'https://api.botframework.us'
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration'
      ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0/.well-known/openid-configuration'
      OAuthUrl: 'https://tokengcch.botframework.azure.us/'
      CallerId: 'urn:botframework:azureusgov'
    }
  }
  usgovdod: {
    authorityHost: 'https://login.microsoftonline.us'
    partnerCenterBaseUrl: 'https://api.partnercenter.microsoft.com'
    partnerCenterScope: 'https://api.partnercenter.microsoft.com/user_impersonation'
    botFramework: {
      ToChannelFromBotLoginUrl: 'https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us'
      ToChannelFromBotOAuthScope: 'https://api.botframework.us'
      ToBotFromChannelTokenIssuer: 'https://api.botframework.us'
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.us/v1/.well-known/openidconfiguration'
      ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0/.well-known/openid-configuration'
      OAuthUrl: 'https://apiDoD.botframework.azure.us'
      CallerId: 'urn:botframework:azureusgov'
    }
  }
  china: {
    authorityHost: 'https://login.chinacloudapi.cn'
    partnerCenterBaseUrl: 'https://partner.partnercenterapi.microsoftonline.cn'
    partnerCenterScope: 'https://partner.partnercenterapi.microsoftonline.cn/user_impersonation'
    botFramework: {
      ToChannelFromBotLoginUrl: 'https://login.partner.microsoftonline.cn/${botTenantId}'
      ToChannelFromBotOAuthScope: 'https://api.botframework.azure.cn'
      ToBotFromChannelTokenIssuer: 'https://api.botframework.azure.cn'
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.cn/v1/.well-known/openidconfiguration'
      ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.partner.microsoftonline.cn/a55a4d5b-9241-49b1-b4ff-befa8db00269/v2.0/.well-known/openid-configuration'
      OAuthUrl: 'https://token.botframework.azure.cn/'
    }
  }
}
var cloudSettings = clouds[cloud]

// Key Vault Secrets User (built-in role): read secret values.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var kvRefPrefix = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName='
var storageConnectionString = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
var appSecret = empty(aadAppClientSecret) ? botPassword : aadAppClientSecret

// ---- App Service plan and web app -------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'linux'
  sku: {
    name: planSku
    capacity: instanceCount
  }
  properties: {
    reserved: true // Linux
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  tags: tags
  kind: isContainer ? 'app,linux,container' : 'app,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // State is shared (Blob Storage), so no sticky sessions: requests spread over every instance.
    clientAffinityEnabled: false
    siteConfig: {
      linuxFxVersion: isContainer ? 'DOCKER|${containerImage}' : 'NODE|20-lts'
      appCommandLine: isContainer ? '' : 'node dist/src/main.js'
      // Pull from Azure Container Registry with the app's managed identity (grant it AcrPull on the registry).
      acrUseManagedIdentityCreds: isContainer && contains(containerImage, '.azurecr.')
      alwaysOn: true
      healthCheckPath: healthCheckPath
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

// ---- app settings -------------------------------------------------------------------------------------

var baseSettings = {
  BOT_ID: botId
  BOT_TYPE: 'SingleTenant'
  BOT_TENANT_ID: botTenantId
  BOT_ENDPOINT: botEndpoint
  AAD_APP_CLIENT_ID: aadAppClientId
  AAD_APP_TENANT_ID: aadAppTenantId
  AAD_APP_ID_URI: aadAppIdUri
  AAD_APP_OAUTH_AUTHORITY_HOST: empty(aadAppOAuthAuthorityHost) ? cloudSettings.authorityHost : aadAppOAuthAuthorityHost
  PARTNER_CENTER_BASE_URL: empty(partnerCenterBaseUrl) ? cloudSettings.partnerCenterBaseUrl : partnerCenterBaseUrl
  PARTNER_CENTER_SCOPE: empty(partnerCenterScope) ? cloudSettings.partnerCenterScope : partnerCenterScope
  AZURE_STORAGE_CONTAINER: storageContainerName
  LOG_LEVEL: logLevel
  // The Dockerfile's heap cap, for code deployments too (a test keeps the two equal).
  NODE_OPTIONS: '--max-old-space-size=384'
}

// The secrets, as Key Vault references (resolved by App Service with the app's managed identity) ...
var keyVaultSecretSettings = {
  BOT_PASSWORD: '${kvRefPrefix}bot-password)'
  AAD_APP_CLIENT_SECRET: '${kvRefPrefix}aad-app-client-secret)'
  TOKEN_CACHE_KEY: '${kvRefPrefix}token-cache-key)'
  CARD_SIGNING_KEY: '${kvRefPrefix}card-signing-key)'
  AZURE_STORAGE_CONNECTION_STRING: '${kvRefPrefix}azure-storage-connection-string)'
}

// ... or as values, without a Key Vault.
var plainSecretSettings = {
  BOT_PASSWORD: botPassword
  AAD_APP_CLIENT_SECRET: appSecret
  TOKEN_CACHE_KEY: tokenCacheKey
  CARD_SIGNING_KEY: cardSigningKey
  AZURE_STORAGE_CONNECTION_STRING: storageConnectionString
}

var containerSettings = {
  WEBSITES_PORT: '3978' // the image's EXPOSE: the app listens on PORT, default 3978
  WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false'
}

var codeSettings = {
  // The zip is built beforehand (the Dockerfile's steps); App Service sets PORT for the app itself.
  SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
}

resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: webApp
  name: 'appsettings'
  properties: union(baseSettings, useKeyVault ? keyVaultSecretSettings : plainSecretSettings, isContainer ? containerSettings : codeSettings, cloudSettings.botFramework)
  dependsOn: [
    // Key Vault references resolve only once the secrets exist and the app may read them.
    keyVaultSecrets
    keyVaultSecretsUser
    stateContainer
  ]
}

// ---- Storage: the bot's shared state ------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: true // the bot connects with a connection string
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource stateContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: storageContainerName
  properties: {
    publicAccess: 'None'
  }
}

// ---- Key Vault (optional) ----------------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = if (useKeyVault) {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
  }
}

var vaultSecretNames = [
  'bot-password'
  'aad-app-client-secret'
  'token-cache-key'
  'card-signing-key'
  'azure-storage-connection-string'
]

var vaultSecretValues = {
  'bot-password': botPassword
  'aad-app-client-secret': appSecret
  'token-cache-key': tokenCacheKey
  'card-signing-key': cardSigningKey
  'azure-storage-connection-string': storageConnectionString
}

resource keyVaultSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for name in vaultSecretNames: if (useKeyVault) {
  parent: keyVault
  name: name
  properties: {
    value: vaultSecretValues[name]
  }
}]

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useKeyVault) {
  name: guid(keyVault.id, webApp.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: webApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---- Azure Bot with the Microsoft Teams channel ------------------------------------------------------------
// No OAuth connection setting: the bot does its own on-behalf-of exchange with msal-node.

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: botLocation
  tags: tags
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: '${botEndpoint}/api/messages'
    msaAppId: botId
    msaAppType: 'SingleTenant'
    msaAppTenantId: botTenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: botLocation
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// ---- outputs ------------------------------------------------------------------------------------------

output webAppName string = webApp.name
output webAppHostName string = webApp.properties.defaultHostName
@description('BOT_ENDPOINT: the public base URL of the bot.')
output botEndpoint string = botEndpoint
@description('BOT_DOMAIN of the Teams package: the host name of BOT_ENDPOINT.')
output botDomain string = publicHost
@description('The Azure Bot\'s messaging endpoint.')
output messagingEndpoint string = '${botEndpoint}/api/messages'
@description('Add this redirect URI (Web platform) to the Entra ID app registration.')
output signInRedirectUri string = '${botEndpoint}/auth/callback'
output botResourceName string = bot.name
output storageAccountName string = storage.name
output keyVaultName string = useKeyVault ? keyVault.name : ''
@description('Object id of the web app\'s managed identity (grant it AcrPull on the registry when running a container image from ACR).')
output webAppPrincipalId string = webApp.identity.principalId
