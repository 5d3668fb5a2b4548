#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, for the Docker tests and the Docker runtime.
# Idempotent: installs Debian's docker.io only when dockerd is missing, starts dockerd only when no engine
# answers, and says what it did. The engine runs without a bridge or iptables rules: FlowActors containers
# have network namespaces of their own with only lo (or host networking bound to 127.0.0.1 when isolation is off),
# so the machine's network configuration is left untouched.
set -euo pipefail

SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
PIDFILE="${DOCKERD_PIDFILE:-/tmp/flowactors-dockerd.pid}"
LOGFILE="${DOCKERD_LOG:-/tmp/flowactors-dockerd.log}"
WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-60}"

# The engine's own ping, without depending on which docker CLI is on the PATH.
engine_answers() {
  [ -S "$SOCKET" ] || return 1
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1
  else
    timeout 5 docker -H "unix://$SOCKET" version >/dev/null 2>&1
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if engine_answers; then
  echo "ensure-docker: an engine already answers on $SOCKET; nothing to do."
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  # apt-get update only when the package is unknown to the local lists (it takes a while and needs the network).
  if ! apt-cache show docker.io >/dev/null 2>&1; then
    echo "ensure-docker: refreshing package lists (docker.io unknown)."
    as_root apt-get update
  fi
  echo "ensure-docker: installing docker.io."
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io
fi

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "ensure-docker: dockerd (pid $(cat "$PIDFILE")) runs but does not answer yet; waiting."
else
  echo "ensure-docker: starting dockerd (log: $LOGFILE, pidfile: $PIDFILE)."
  # setsid: the engine outlives this script and the test run that called it.
  as_root setsid dockerd --bridge=none --iptables=false --ip6tables=false \
    --host "unix://$SOCKET" --pidfile "$PIDFILE" >>"$LOGFILE" 2>&1 < /dev/null &
fi

for _ in $(seq 1 $((WAIT_SECONDS * 4))); do
  if engine_answers; then
    echo "ensure-docker: engine answers on $SOCKET ($(curl -fsS --unix-socket "$SOCKET" http://localhost/version | sed -n 's/.*"ApiVersion":"\([^"]*\)".*/API \1/p'))."
    exit 0
  fi
  sleep 0.25
done

echo "ensure-docker: dockerd did not answer on $SOCKET within ${WAIT_SECONDS}s; see $LOGFILE." >&2
tail -n 20 "$LOGFILE" >&2 || true
exit 1
