#!/usr/bin/env bash
# Makes sure Node.js (18 or newer) is on PATH, for the Node.js component SDK's tests, the sample Node.js component
# (run as a local process) and its test image. Idempotent: does nothing when node is there; otherwise installs
# Debian's nodejs, refreshing the package lists only when apt does not know it.
set -euo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 18 ]; then
    echo "ensure-node: node $(node --version) is installed; nothing to do."
    exit 0
  fi
  echo "ensure-node: node $(node --version) is older than 18; installing Debian's nodejs." >&2
fi

if ! apt-cache show nodejs >/dev/null 2>&1; then
  echo "ensure-node: refreshing package lists (nodejs unknown)."
  as_root apt-get update
fi
echo "ensure-node: installing nodejs."
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs
echo "ensure-node: installed node $(node --version)."
