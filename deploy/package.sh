#!/usr/bin/env bash
# Builds the package a VM scale set instance installs: the silo published self-contained for linux-x64 (no .NET on
# the VM), with deploy/vm/ beside it. Upload the result to the storage account's "releases" container and pass its
# URL to deploy/azure/main.bicep (siloPackageUrl).
# Usage: deploy/package.sh [output.tar.gz]   (default: artifacts/flowactors-silo-linux-x64.tar.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/flowactors-silo-linux-x64.tar.gz}"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

dotnet publish Silo -c Release -r linux-x64 --self-contained -o "$stage" -nologo
mkdir -p "$stage/deploy" "$(dirname "$out")"
cp -r deploy/vm "$stage/deploy/vm"
tar -czf "$out" -C "$stage" .
echo "package: $out"
