// FlowActors on Azure: a VM scale set whose instances each run a Docker engine and the silo as a systemd service,
// one storage account (membership, reminders, grain state, stream queues), a Key Vault holding the admin key, and a
// user-assigned managed identity that reaches both (no account key anywhere). See deploy/README.md.
// Not run in this repository's CI; `az deployment group create -g RG -f deploy/azure/main.bicep -p ...` deploys it.

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Short lowercase name that prefixes the resources (letters and digits, 3-11 characters).')
@minLength(3)
@maxLength(11)
param name string

@description('Orleans cluster id (FlowActors:Silo:ClusterId). A new id starts a new cluster on the same storage.')
param clusterId string = 'prod'

@description('Number of silos. Three or more keep a majority when one is lost; see docs/operations.md for sizing.')
@minValue(1)
param instanceCount int = 3

@description('VM size: the silo and the steps\' containers share it.')
param vmSize string = 'Standard_D4s_v5'

param adminUsername string = 'azureuser'

@description('SSH public key of the operators (no passwords).')
@secure()
param sshPublicKey string

@description('URL of the silo package (deploy/package.sh) in this storage account\'s "releases" container; upload it after the first deployment, then scale or reimage.')
param siloPackageUrl string

@description('Azure Container Registry the component images come from (empty: none, images are pulled from elsewhere).')
param containerRegistryName string = ''

var storageName = '${name}state${uniqueString(resourceGroup().id)}'
var roles = {
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-silo'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(storageName, 24)
  location: location
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    allowSharedKeyAccess: false // the silos use their managed identity; no key to leak or rotate
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource releases 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'releases'
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [roles.storageTableDataContributor, roles.storageBlobDataContributor, roles.storageQueueDataContributor]: {
  scope: storage
  name: guid(storage.id, identity.id, role)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${name}-kv-${take(uniqueString(resourceGroup().id), 6)}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

// The secret itself is set by the operator (az keyvault secret set --name flowactors-admin-key ...), never by a template.
resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(containerRegistryName)) {
  name: containerRegistryName
}

resource registryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(containerRegistryName)) {
  scope: registry
  name: guid(resourceGroup().id, containerRegistryName, identity.id, roles.acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Silo-to-silo (11111) and gateway (30000) traffic stays inside the virtual network; the HTTP API and console (5080)
// are reached through the internal load balancer; webhooks (5081) are what a public front end (Application Gateway
// or Front Door, not part of this template) forwards from the internet.
resource nsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: '${name}-silos'
  location: location
  properties: {
    securityRules: [
      {
        name: 'orleans-within-vnet'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: 'VirtualNetwork'
          destinationPortRanges: ['11111', '30000', '5080', '5081']
        }
      }
      {
        name: 'load-balancer-probe'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'AzureLoadBalancer'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '5080'
        }
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2023-11-01' = {
  name: '${name}-vnet'
  location: location
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/16'] }
    subnets: [
      {
        name: 'silos'
        properties: {
          addressPrefix: '10.40.1.0/24'
          networkSecurityGroup: { id: nsg.id }
        }
      }
    ]
  }
}

resource lb 'Microsoft.Network/loadBalancers@2023-11-01' = {
  name: '${name}-api'
  location: location
  sku: { name: 'Standard' }
  properties: {
    frontendIPConfigurations: [
      {
        name: 'api'
        properties: {
          subnet: { id: vnet.properties.subnets[0].id }
          privateIPAllocationMethod: 'Dynamic'
        }
      }
    ]
    backendAddressPools: [{ name: 'silos' }]
    probes: [
      {
        name: 'api'
        properties: { protocol: 'Tcp', port: 5080, intervalInSeconds: 5, numberOfProbes: 2 }
      }
    ]
    loadBalancingRules: [
      {
        name: 'api'
        properties: {
          frontendIPConfiguration: { id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', '${name}-api', 'api') }
          backendAddressPool: { id: resourceId('Microsoft.Network/loadBalancers/backendAddressPools', '${name}-api', 'silos') }
          probe: { id: resourceId('Microsoft.Network/loadBalancers/probes', '${name}-api', 'api') }
          protocol: 'Tcp'
          frontendPort: 5080
          backendPort: 5080
        }
      }
    ]
  }
}

var customData = replace(replace(replace(replace(replace(loadTextContent('cloud-init.yaml'),
  '${storageAccount}', storage.name),
  '${keyVault}', vault.name),
  '${identityClientId}', identity.properties.clientId),
  '${clusterId}', clusterId),
  '${siloPackageUrl}', siloPackageUrl)

resource silos 'Microsoft.Compute/virtualMachineScaleSets@2024-03-01' = {
  name: '${name}-silos'
  location: location
  sku: { name: vmSize, capacity: instanceCount }
  zones: ['1', '2', '3']
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    orchestrationMode: 'Uniform'
    upgradePolicy: { mode: 'Manual' } // roll silos one at a time: docs/operations.md, "Upgrading"
    zoneBalance: true
    virtualMachineProfile: {
      osProfile: {
        computerNamePrefix: '${name}-silo'
        adminUsername: adminUsername
        customData: base64(customData)
        linuxConfiguration: {
          disablePasswordAuthentication: true
          ssh: { publicKeys: [{ path: '/home/${adminUsername}/.ssh/authorized_keys', keyData: sshPublicKey }] }
        }
      }
      storageProfile: {
        imageReference: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' }
        osDisk: { createOption: 'FromImage', managedDisk: { storageAccountType: 'Premium_LRS' } }
      }
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: 'nic'
            properties: {
              primary: true
              ipConfigurations: [
                {
                  name: 'ip'
                  properties: {
                    subnet: { id: vnet.properties.subnets[0].id }
                    loadBalancerBackendAddressPools: [{ id: lb.properties.backendAddressPools[0].id }]
                  }
                }
              ]
            }
          }
        ]
      }
    }
  }
  dependsOn: [storageRoles, vaultRole]
}

output storageAccount string = storage.name
output keyVault string = vault.name
output identityClientId string = identity.properties.clientId
output apiAddress string = lb.properties.frontendIPConfigurations[0].properties.privateIPAddress
