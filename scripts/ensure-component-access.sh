#!/usr/bin/env bash
# Makes sure the unprivileged user that local component processes run as can reach what the tests run: a silo started
# as root runs components as uid:gid 65534:65534 (FlowActors:Containers:Isolation:ProcessUser), and refuses to start one
# whose files that user cannot read. A clone under a private folder (a 0700 home directory) or a build made with a
# restrictive umask would fail every local-process test with that error.
# Idempotent: for each folder above the repository and the interpreters (dotnet, node, busybox), from / down, grants "others" search (o+x: enter,
# not list) only where that user cannot enter yet; makes build output readable (o+rX) only where it is not. Says what it
# changed. Nothing to do when not root: components then run as the user that runs the tests.
# Usage: scripts/ensure-component-access.sh   (after dotnet build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USER_ID="${FLOWACTORS_COMPONENT_UID:-65534}"
GROUP_ID="${FLOWACTORS_COMPONENT_GID:-65534}"

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1; then
  echo "ensure-component-access: not root (or no setpriv): component processes run as $(id -un); nothing to do."
  exit 0
fi

as_component() { setpriv --reuid "$USER_ID" --regid "$GROUP_ID" --clear-groups -- "$@"; }

changed=0
open_path_to() { # every folder from / down to $1 (included) becomes enterable by the component user
  local target="$1" path="" part
  IFS='/' read -ra parts <<<"${target#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    [ -d "$path" ] || continue
    if ! as_component test -x "$path"; then
      chmod o+x "$path"
      echo "ensure-component-access: $path was closed to uid $USER_ID; granted others search (chmod o+x $path; its listing stays private)."
      changed=1
    fi
  done
}

open_path_to "$ROOT"
dotnet_host="$(readlink -f "$(command -v dotnet)")"
# The interpreters the sample components run under: dotnet, and node and busybox where installed (nvm puts node in ~).
for tool in dotnet node busybox; do
  command -v "$tool" >/dev/null 2>&1 && open_path_to "$(dirname "$(readlink -f "$(command -v "$tool")")")"
done

# Where the tests and the silo run the sample components from.
for output in Tests/bin Silo/bin bench/bin; do
  dll=$(find "$ROOT/$output" -name FlowActors.SampleComponents.dll -print -quit 2>/dev/null || true)
  [ -n "$dll" ] || continue
  open_path_to "$ROOT/$output"
  if ! as_component test -r "$dll"; then
    chmod -R o+rX "$ROOT/$output"
    echo "ensure-component-access: $ROOT/$output was not readable by uid $USER_ID (a restrictive umask?); made it readable (chmod -R o+rX)."
    changed=1
  fi
done

if ! as_component test -x "$dotnet_host"; then
  echo "ensure-component-access: uid $USER_ID cannot run $dotnet_host; install dotnet where others can run it (e.g. /usr/share/dotnet)." >&2
  exit 1
fi

[ "$changed" -eq 1 ] || echo "ensure-component-access: uid $USER_ID already reaches $ROOT and $dotnet_host; nothing to do."
