#!/usr/bin/env bash
# Makes sure Debian's chromium is installed where the browser tests look for it (/usr/lib/chromium/chromium).
# Idempotent: does nothing when it is there; refreshes the package lists only when apt does not know chromium.
# Playwright's own browser download is never used (it needs the internet).
set -euo pipefail

BROWSER="${CHROMIUM_PATH:-/usr/lib/chromium/chromium}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -x "$BROWSER" ]; then
  echo "ensure-chromium: $BROWSER is installed; nothing to do."
  exit 0
fi

if ! apt-cache show chromium >/dev/null 2>&1; then
  echo "ensure-chromium: refreshing package lists (chromium unknown)."
  as_root apt-get update
fi
echo "ensure-chromium: installing chromium."
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

if [ ! -x "$BROWSER" ]; then
  echo "ensure-chromium: chromium is installed but $BROWSER is missing; set CHROMIUM_PATH to its binary." >&2
  exit 1
fi
echo "ensure-chromium: installed $("$BROWSER" --version 2>/dev/null || echo chromium)."
