#!/usr/bin/env bash
# Azurite, Azure Storage's emulator, for the Azure profile on this machine: installs the npm package into the
# repository's git-ignored .azurite/ folder (pinned, nothing global), starts it on 127.0.0.1 with its data in
# .azurite/data, and records its PID in .azurite/azurite.pid and its ports in .azurite/ports. Idempotent: does nothing
# when our Azurite answers.
#
# Usage: scripts/ensure-azurite.sh         install if needed, start if not running, wait until it answers
#        scripts/ensure-azurite.sh stop    stop the Azurite this script started (by its PID)
#        scripts/ensure-azurite.sh env     print the connection string of the instance in use
#        scripts/ensure-azurite.sh install install the pinned package if needed, start nothing
# Ports: 10000, 10001, 10002 (blob, queue, table: what UseDevelopmentStorage=true expects) when free. When they are
# taken, by an Azure Storage emulator (another checkout's Azurite, say) that answers as one, that emulator is used; by
# anything else, this script picks free ports itself. AZURITE_BASE_PORT=N prefers N, N+1, N+2 the same way.
# AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT and AZURITE_TABLE_PORT set the ports exactly (then a port taken by something
# else is an error). AZURITE_HOME moves the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=3.37.0
HOME_DIR="${AZURITE_HOME:-$PWD/.azurite}"
PIDFILE="$HOME_DIR/azurite.pid"
PORTSFILE="$HOME_DIR/ports"
LOG="$HOME_DIR/azurite.log"
BIN="$HOME_DIR/node_modules/.bin/azurite"
# Azurite's well-known development account (public, documented by Microsoft; not a secret).
ACCOUNT=devstoreaccount1
KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
EXPLICIT=0
[ -n "${AZURITE_BLOB_PORT:-}${AZURITE_QUEUE_PORT:-}${AZURITE_TABLE_PORT:-}" ] && EXPLICIT=1

use_ports() { BLOB_PORT=$1; QUEUE_PORT=$2; TABLE_PORT=$3; }
if [ "$EXPLICIT" -eq 1 ]; then
  use_ports "${AZURITE_BLOB_PORT:-10000}" "${AZURITE_QUEUE_PORT:-10001}" "${AZURITE_TABLE_PORT:-10002}"
elif [ -f "$PORTSFILE" ]; then
  # shellcheck disable=SC2046
  use_ports $(cat "$PORTSFILE")
else
  BASE="${AZURITE_BASE_PORT:-10000}"
  [[ "$BASE" =~ ^[0-9]+$ ]] && [ "$BASE" -ge 1 ] && [ "$BASE" -le 65533 ] \
    || { echo "ensure-azurite: AZURITE_BASE_PORT is '$BASE'; expected a port from 1 to 65533 (blob; queue and table follow)." >&2; exit 2; }
  use_ports "$BASE" $((BASE + 1)) $((BASE + 2))
fi

connection_string() {
  echo "DefaultEndpointsProtocol=http;AccountName=$ACCOUNT;AccountKey=$KEY;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/$ACCOUNT;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/$ACCOUNT;TableEndpoint=http://127.0.0.1:$TABLE_PORT/$ACCOUNT;"
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A recycled PID is not ours: the process must be this folder's Azurite.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$HOME_DIR/node_modules" || return 1
  echo "$pid"
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when the port answers HTTP as the Azure Storage emulator's service $2 (Blob, Queue or Table) does.
speaks_storage() {
  curl -s -m 2 -D - -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null | tr -d '\r' | grep -qi "^server: azurite-$2/"
}

all_answer() { port_answers "$BLOB_PORT" && port_answers "$QUEUE_PORT" && port_answers "$TABLE_PORT"; }
all_speak_storage() { speaks_storage "$BLOB_PORT" Blob && speaks_storage "$QUEUE_PORT" Queue && speaks_storage "$TABLE_PORT" Table; }

# Three free loopback ports in a row, from 20000 up: the kernel's ephemeral range (32768+) is left to clients.
pick_free_ports() {
  local base
  for base in $(seq 20000 3 20600); do
    if ! port_answers "$base" && ! port_answers $((base + 1)) && ! port_answers $((base + 2)); then
      use_ports "$base" $((base + 1)) $((base + 2))
      return 0
    fi
  done
  echo "ensure-azurite: found no three free ports between 20000 and 20602." >&2
  exit 1
}

install_package() {
  if [ ! -x "$BIN" ] || ! grep -q "\"version\": \"$VERSION\"" "$HOME_DIR/node_modules/azurite/package.json" 2>/dev/null; then
    command -v npm >/dev/null || { echo "ensure-azurite: npm is missing; install Node.js 20 (apt-get install nodejs npm)." >&2; exit 1; }
    echo "ensure-azurite: installing azurite@$VERSION into $HOME_DIR."
    mkdir -p "$HOME_DIR"
    # Node 20 is below the engines range Azurite declares; it runs fine (EBADENGINE is a warning).
    npm install --prefix "$HOME_DIR" --no-save --no-audit --no-fund --loglevel=error "azurite@$VERSION"
  fi
}

case "${1:-start}" in
  stop)
    if pid=$(running_pid); then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      echo "ensure-azurite: stopped Azurite (PID $pid)."
    else
      echo "ensure-azurite: no Azurite of $HOME_DIR is running."
    fi
    rm -f "$PIDFILE" "$PORTSFILE"
    exit 0
    ;;
  env)
    connection_string
    exit 0
    ;;
  install)
    install_package
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 [start|stop|env|install]" >&2; exit 2 ;;
esac

mkdir -p "$HOME_DIR"
if pid=$(running_pid) && all_answer; then
  echo "ensure-azurite: Azurite is running (PID $pid, ports $BLOB_PORT/$QUEUE_PORT/$TABLE_PORT); nothing to do."
  exit 0
fi

if all_answer && all_speak_storage; then
  # Another checkout's Azurite, or any emulator that answers as one: the tests isolate themselves by resource prefix.
  echo "$BLOB_PORT $QUEUE_PORT $TABLE_PORT" >"$PORTSFILE"
  echo "ensure-azurite: an Azure Storage emulator already answers on $BLOB_PORT/$QUEUE_PORT/$TABLE_PORT; using it."
  exit 0
fi

for port in "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT"; do
  if port_answers "$port"; then
    if [ "$EXPLICIT" -eq 1 ]; then
      echo "ensure-azurite: port $port (set by AZURITE_*_PORT) is taken by another process that is not an Azure Storage emulator." >&2
      exit 1
    fi
    echo "ensure-azurite: port $port is taken by another process; picking free ports."
    pick_free_ports
    break
  fi
done

install_package

mkdir -p "$HOME_DIR/data"
echo "ensure-azurite: starting Azurite on 127.0.0.1 ($BLOB_PORT blob, $QUEUE_PORT queue, $TABLE_PORT table), data in $HOME_DIR/data."
echo "$BLOB_PORT $QUEUE_PORT $TABLE_PORT" >"$PORTSFILE"
# setsid: Azurite outlives this script and the test run that called it, and is stopped by its PID.
setsid "$BIN" --silent --skipApiVersionCheck --disableTelemetry --location "$HOME_DIR/data" \
  --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" \
  --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
  --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" \
  >"$LOG" 2>&1 </dev/null &
echo $! >"$PIDFILE"

for _ in $(seq 1 150); do
  if all_answer; then
    echo "ensure-azurite: ready (PID $(cat "$PIDFILE"))."
    exit 0
  fi
  if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "ensure-azurite: Azurite exited:" >&2
    tail -n 20 "$LOG" >&2
    rm -f "$PIDFILE" "$PORTSFILE"
    exit 1
  fi
  sleep 0.2
done
echo "ensure-azurite: Azurite did not answer within 30 s; see $LOG." >&2
exit 1
