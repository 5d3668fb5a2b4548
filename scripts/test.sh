#!/usr/bin/env bash
# The test command: installs and starts what the tests need (idempotently), runs the whole suite,
# and ends with the plain line "N passed, N failed, N skipped" computed from the test results.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter TestCategory!=Docker]
set -euo pipefail
cd "$(dirname "$0")/.."

results=TestResults
rm -rf "$results"
mkdir -p "$results"

echo "==> Docker engine"
scripts/ensure-docker.sh
echo "==> Chromium (browser tests)"
scripts/ensure-chromium.sh
echo "==> Azurite (Azure profile tests)"
scripts/ensure-azurite.sh
echo "==> component images"
scripts/build-test-images.sh all

echo "==> dotnet build"
dotnet build FlowActors.sln -c Release -nologo -v quiet

echo "==> dotnet test"
status=0
dotnet test FlowActors.sln -c Release --no-build -nologo \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" \
  --blame-hang-timeout 5m --blame-hang-dump-type none \
  --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
  a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$status" -ne 0 ]; then
  failed=1 # the run broke before any result was written
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
