#!/usr/bin/env bash
# Builds the component images the Docker tests run, from what this machine has (no registry needed):
#   flowactors/busybox-echo:test  Components/Shell (a POSIX-shell component) on a static busybox, FROM scratch;
#   flowactors/samples:test       Components/Samples (.NET) published NativeAOT, FROM scratch plus the libs ldd lists;
#   flowactors/node-samples:test  Components/Node (the Node.js SDK and its sample) on this machine's node binary,
#                                 FROM scratch plus the libs ldd lists.
# Idempotent: each image carries a hash of its inputs (label flowactors.source-hash) and is rebuilt only
# when that hash changes. Needs a running engine (scripts/ensure-docker.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${FLOWACTORS_IMAGE_WORK:-/tmp/flowactors-images}"
DOCKER="${DOCKER:-docker}"
only="${1:-all}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

current_hash() { "$DOCKER" image inspect --format '{{ index .Config.Labels "flowactors.source-hash" }}' "$1" 2>/dev/null || true; }

# Imports a root file system directory as an image: no Dockerfile, no builder, no base image.
import_rootfs() { # image, rootfs dir, hash, entrypoint json
  local image="$1" rootfs="$2" hash="$3" entrypoint="$4"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . | "$DOCKER" import \
    --change "ENTRYPOINT $entrypoint" \
    --change "ENV PATH=/bin" \
    --change "USER 65534:65534" \
    --change "LABEL flowactors.source-hash=$hash" \
    - "$image" >/dev/null
}

build_busybox() {
  local image="flowactors/busybox-echo:test"
  if [ ! -x /bin/busybox ] || ! /bin/busybox --list | grep -qx nc; then
    echo "build-test-images: installing busybox-static (a static busybox with nc, awk and head)."
    apt-cache show busybox-static >/dev/null 2>&1 || as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static
  fi
  local hash
  hash=$(cat /bin/busybox "$ROOT"/Components/Shell/* | sha256sum | cut -c1-16)
  if [ "$(current_hash "$image")" = "$hash" ]; then
    echo "build-test-images: $image is up to date ($hash)."
    return
  fi
  local rootfs="$WORK/busybox-rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"/{bin,app,tmp,etc}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in sh nc awk head wc cat sleep; do ln -s busybox "$rootfs/bin/$applet"; done
  install -m 0755 "$ROOT/Components/Shell/serve" "$ROOT/Components/Shell/handle" "$rootfs/app/"
  install -m 0644 "$ROOT/Components/Shell/invoke.awk" "$rootfs/app/"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$rootfs/etc/passwd"
  import_rootfs "$image" "$rootfs" "$hash" '["/bin/sh","/app/serve"]'
  echo "build-test-images: built $image ($hash, $(du -sh "$rootfs" | cut -f1))."
}

build_samples() {
  local image="flowactors/samples:test"
  local project="$ROOT/Components/Samples"
  if [ ! -d "$project" ]; then
    echo "build-test-images: skipped $image: $project does not exist on this branch yet." >&2
    return
  fi
  local hash
  hash=$( (cd "$ROOT" && git ls-files -s Components Directory.Build.props Directory.Packages.props scripts/build-test-images.sh; \
           git -C "$ROOT" diff HEAD -- Components) | sha256sum | cut -c1-16)
  if [ "$(current_hash "$image")" = "$hash" ]; then
    echo "build-test-images: $image is up to date ($hash)."
    return
  fi
  local publish="$WORK/samples-publish" rootfs="$WORK/samples-rootfs"
  rm -rf "$publish" "$rootfs" && mkdir -p "$rootfs"/{app,tmp,etc}
  echo "build-test-images: publishing $project (NativeAOT, linux-x64); this takes a minute."
  dotnet publish "$project" -c Release -r linux-x64 -p:PublishAot=true -p:StripSymbols=true \
    -p:InvariantGlobalization=true -o "$publish" --nologo -v quiet
  local exe
  exe=$(find "$publish" -maxdepth 1 -type f -name 'FlowActors.SampleComponents' | head -n 1)
  [ -n "$exe" ] || { echo "build-test-images: no FlowActors.SampleComponents in $publish" >&2; exit 1; }
  cp -a "$publish"/. "$rootfs/app/"
  # A scratch image has no libc: copy in exactly what the executable and its .so files link against, and OpenSSL, which
  # .NET loads when a component first hashes, signs or opens TLS (the signer sample does), so ldd cannot list it.
  local openssl
  openssl=$(ldconfig -p | grep -oE '/[^ ]*lib(ssl|crypto)\.so\.3$' | sort -u)
  for lib in $openssl; do mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib"; done
  { ldd "$exe"; find "$publish" -name '*.so' -exec ldd {} \; ; for lib in $openssl; do ldd "$lib"; done; } 2>/dev/null \
    | grep -o '/[^ ]*' | sort -u | while read -r lib; do
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
      done
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > "$rootfs/etc/passwd"
  import_rootfs "$image" "$rootfs" "$hash" '["/app/FlowActors.SampleComponents"]'
  echo "build-test-images: built $image ($hash, $(du -sh "$rootfs" | cut -f1))."
}

build_node() {
  local image="flowactors/node-samples:test"
  "$ROOT/scripts/ensure-node.sh" >/dev/null
  local node
  node=$(readlink -f "$(command -v node)")
  local hash
  hash=$(cat "$node" "$ROOT"/Components/Node/index.js "$ROOT"/Components/Node/package.json "$ROOT"/Components/Node/samples/*.js \
    | sha256sum | cut -c1-16)
  if [ "$(current_hash "$image")" = "$hash" ]; then
    echo "build-test-images: $image is up to date ($hash)."
    return
  fi
  local rootfs="$WORK/node-rootfs"
  rm -rf "$rootfs" && mkdir -p "$rootfs"/{bin,app/samples,tmp,etc}
  cp "$node" "$rootfs/bin/node"
  install -m 0644 "$ROOT/Components/Node/index.js" "$ROOT/Components/Node/package.json" "$rootfs/app/"
  install -m 0644 "$ROOT"/Components/Node/samples/*.js "$rootfs/app/samples/"
  # A scratch image has no libc: copy in exactly what node links against.
  ldd "$node" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' > "$rootfs/etc/passwd"
  import_rootfs "$image" "$rootfs" "$hash" '["/bin/node","/app/samples/greet.js"]'
  echo "build-test-images: built $image ($hash, $(du -sh "$rootfs" | cut -f1))."
}

case "$only" in
  all) build_busybox; build_samples; build_node ;;
  busybox) build_busybox ;;
  samples) build_samples ;;
  node) build_node ;;
  *) echo "usage: $0 [all|busybox|samples|node]" >&2; exit 2 ;;
esac
