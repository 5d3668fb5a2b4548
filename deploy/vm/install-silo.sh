#!/usr/bin/env bash
# Runs once per VM scale set instance, from cloud-init (deploy/azure/cloud-init.yaml), as root, after cloud-init has
# unpacked the silo package (deploy/package.sh) into /opt/flowactors. Installs Docker, reads the admin key from Key
# Vault with the instance's managed identity, writes /etc/flowactors/silo.env and starts the systemd service.
# Everything it needs comes from the environment that cloud-init sets from the Bicep parameters:
#   STORAGE_ACCOUNT      the storage account's name (tables, blobs and queues, reached with the managed identity)
#   KEY_VAULT_NAME       the vault holding the secret "flowactors-admin-key", the certificate "flowactors-silo-certificate"
#                        (the silos' TLS certificate, imported as PKCS#12) and the secret "flowactors-cluster-authority"
#                        (the PEM of the authority that issued it and the clients' certificates; docs/security.md)
#   IDENTITY_CLIENT_ID   the user-assigned managed identity's client id
#   CLUSTER_ID           e.g. "prod"; SERVICE_ID stays "flowactors" unless set
set -euo pipefail

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io curl jq ca-certificates
systemctl enable --now docker

id flowactors >/dev/null 2>&1 || useradd --system --home-dir /var/lib/flowactors --create-home --shell /usr/sbin/nologin flowactors
usermod -aG docker flowactors
install -d -o flowactors -g flowactors -m 700 /var/lib/flowactors
install -d -m 755 /etc/flowactors

imds() { curl -sf -H Metadata:true "http://169.254.169.254/metadata/$1"; }
token() { imds "identity/oauth2/token?api-version=2018-02-01&resource=$1&client_id=$IDENTITY_CLIENT_ID" | jq -r .access_token; }

# The admin key never touches a disk image or a template: read from Key Vault at boot, kept owner-only.
ADMIN_KEY=$(curl -sf -H "Authorization: Bearer $(token https://vault.azure.net)" \
  "https://$KEY_VAULT_NAME.vault.azure.net/secrets/flowactors-admin-key?api-version=7.4" | jq -r .value)
# The cluster's TLS material, the same on every instance: the silo certificate (a Key Vault certificate's secret is its
# PKCS#12, base64) and the authority every member must chain to.
install -d -o flowactors -g flowactors -m 700 /var/lib/flowactors/tls
secret() { curl -sf -H "Authorization: Bearer $(token https://vault.azure.net)" \
  "https://$KEY_VAULT_NAME.vault.azure.net/secrets/$1?api-version=7.4" | jq -r .value; }
secret flowactors-silo-certificate | base64 -d >/var/lib/flowactors/tls/silo.pfx
secret flowactors-cluster-authority >/var/lib/flowactors/tls/ca.pem
chown flowactors:flowactors /var/lib/flowactors/tls/silo.pfx /var/lib/flowactors/tls/ca.pem
chmod 600 /var/lib/flowactors/tls/silo.pfx /var/lib/flowactors/tls/ca.pem
PRIVATE_IP=$(imds "instance/network/interface/0/ipv4/ipAddress/0/privateIpAddress?api-version=2021-02-01&format=text")

umask 077
cat >/etc/flowactors/silo.env <<ENV
FlowActors__Profile=Azure
FlowActors__Silo__ClusterId=${CLUSTER_ID}
FlowActors__Silo__ServiceId=${SERVICE_ID:-flowactors}
FlowActors__Silo__AdvertisedAddress=${PRIVATE_IP}
FlowActors__Silo__ListenOnAnyAddress=true
FlowActors__Silo__DataFolder=/var/lib/flowactors
FlowActors__Azure__TableServiceUri=https://${STORAGE_ACCOUNT}.table.core.windows.net/
FlowActors__Azure__BlobServiceUri=https://${STORAGE_ACCOUNT}.blob.core.windows.net/
FlowActors__Azure__QueueServiceUri=https://${STORAGE_ACCOUNT}.queue.core.windows.net/
FlowActors__Azure__ManagedIdentityClientId=${IDENTITY_CLIENT_ID}
FlowActors__Containers__Kind=Docker
FlowActors__Api__Key=${ADMIN_KEY}
FlowActors__Silo__Tls__CertificatePath=/var/lib/flowactors/tls/silo.pfx
FlowActors__Silo__Tls__CertificateAuthorityPath=/var/lib/flowactors/tls/ca.pem
ENV
chown root:flowactors /etc/flowactors/silo.env
chmod 640 /etc/flowactors/silo.env

install -m 644 /opt/flowactors/deploy/vm/flowactors-silo.service /etc/systemd/system/flowactors-silo.service
systemctl daemon-reload
systemctl enable --now flowactors-silo
