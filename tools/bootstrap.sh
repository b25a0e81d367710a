#!/usr/bin/env bash
# Installs what the project needs on a fresh machine and compiles it:
#   1. npm packages (npm ci, only when package-lock.json changed since the last install)
#   2. the Pulumi engine (tools/engine.sh: an installed pulumi, a cached build, or a build from Go modules)
#   3. the TypeScript (tsc -b)
# Prints how long each phase took. Source it to keep MAAS_PULUMI_BIN_DIR and PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
phase_start=$(date +%s)
phase() { local now; now=$(date +%s); echo "[bootstrap] $1: $(( now - phase_start ))s" >&2; phase_start=$now; }

if [ -L node_modules ]; then
  : # a checkout that borrows another's packages: `npm ci` would empty the original
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
phase "install"

MAAS_PULUMI_BIN_DIR="$(bash tools/engine.sh)"
export MAAS_PULUMI_BIN_DIR
export PATH="$MAAS_PULUMI_BIN_DIR:$PATH"
echo "[bootstrap] engine: $MAAS_PULUMI_BIN_DIR/pulumi $(PULUMI_SKIP_UPDATE_CHECK=1 "$MAAS_PULUMI_BIN_DIR/pulumi" version)" >&2
phase "engine"

npx --no-install tsc -b >&2
phase "compile"
