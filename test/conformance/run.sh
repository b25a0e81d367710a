#!/usr/bin/env bash
# Conformance: a MAAS client no one here wrote (juju's gomaasapi, Go) drives the simulator.
# Builds test/conformance/conformance, starts `$simcmd --port 0 --speed 600`
# (the repo must have been compiled with `npx tsc -b`; tools/test.sh does that), runs the program
# against it, stops the simulator and exits with the program's status.
#
#   bash test/conformance/run.sh                 build, start the simulator, run
#   MAAS_API_URL=… MAAS_API_KEY=… bash test/conformance/run.sh --no-sim   run against a running MAAS
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
log() { echo "[conformance] $*" >&2; }

# 1. The client. The Go module proxy does not serve github.com/canonical/gomaasclient (nor
#    github.com/juju/gomaasapi), so go.mod points at Debian's golang-github-juju-gomaasapi-dev.
gocode=/usr/share/gocode/src/github.com/juju
if [ ! -f "$gocode/gomaasapi/client.go" ] || [ ! -f "$gocode/schema/go.mod" ]; then
  log "installing golang-github-juju-gomaasapi-dev (Debian)"
  sudo=""
  [ "$(id -u)" != 0 ] && command -v sudo >/dev/null && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq golang-github-juju-gomaasapi-dev >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq golang-github-juju-gomaasapi-dev >/dev/null; } ||
    { log "FAIL: cannot install golang-github-juju-gomaasapi-dev"; echo "0 passed, 1 failed"; exit 1; }
fi

# 2. Build (downloads the remaining modules through the Go module proxy when the cache is empty).
command -v go >/dev/null || { log "FAIL: go not found"; echo "0 passed, 1 failed"; exit 1; }
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
t0=$(date +%s)
if ! (cd "$here" && go build -o conformance .); then
  log "FAIL: go build"
  echo "0 passed, 1 failed"
  exit 1
fi
log "built in $(( $(date +%s) - t0 ))s"

if [ "${1:-}" = "--no-sim" ]; then
  exec "$here/conformance"
fi

# 3. The simulator.
cd "$root"
# CONFORMANCE_SIM overrides the start command (e.g. "npx --no-install tsx simulator/main.ts").
simcmd="${CONFORMANCE_SIM:-node dist/simulator/main.js}"
if [ -z "${CONFORMANCE_SIM:-}" ] && [ ! -f dist/simulator/main.js ]; then
  log "dist/simulator/main.js missing; compiling with tsc -b"
  npx --no-install tsc -b || { log "FAIL: tsc -b"; echo "0 passed, 1 failed"; exit 1; }
fi
simlog="$(mktemp -t maas-sim-conformance.XXXXXX)"
# Own process group (setsid), so that stopping it also stops any children (npx, tsx).
setsid $simcmd --port 0 --speed "${CONFORMANCE_SPEED:-600}" >"$simlog" 2>&1 </dev/null &
simpid=$!
cleanup() {
  if kill -0 "$simpid" 2>/dev/null; then
    kill -TERM -- "-$simpid" 2>/dev/null || kill -TERM "$simpid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$simpid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$simpid" 2>/dev/null || kill -KILL "$simpid" 2>/dev/null
  fi
  wait "$simpid" 2>/dev/null
  rm -f "$simlog"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

url="" key="" admin=""
for _ in $(seq 1 150); do
  url="$(grep -m1 '^MAAS_API_URL=' "$simlog" | cut -d= -f2- | tr -d '\r')"
  key="$(grep -m1 '^MAAS_API_KEY=' "$simlog" | cut -d= -f2- | tr -d '\r')"
  admin="$(grep -m1 '^MAAS_SIM_ADMIN_TOKEN=' "$simlog" | cut -d= -f2- | tr -d '\r')"
  [ -n "$url" ] && [ -n "$key" ] && break
  kill -0 "$simpid" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$url" ] || [ -z "$key" ]; then
  log "FAIL: the simulator did not print MAAS_API_URL and MAAS_API_KEY; its output:"
  sed 's/^/  | /' "$simlog" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
log "simulator at $url"

MAAS_API_URL="$url" MAAS_API_KEY="$key" MAAS_SIM_ADMIN_TOKEN="$admin" "$here/conformance"
status=$?
if [ $status -ne 0 ] && [ -n "${CONFORMANCE_SHOW_SIM_LOG:-}" ]; then
  log "simulator output:"
  sed 's/^/  | /' "$simlog" >&2
fi
exit $status
