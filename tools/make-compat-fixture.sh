#!/usr/bin/env bash
# Makes the compatibility fixture: stack states written by a released version of this project (a git
# ref, default the previous release), against this checkout's MAAS simulator, with the simulator's
# own state file so a test can bring that MAAS back. Run it once per release; commit what it writes.
#
#   bash tools/make-compat-fixture.sh [REF] [OUT]     default REF=c762a46 (first landing), OUT=test/fixtures/compat/<REF>
#
# Stacks written: dev (examples/example_input.json: node01, node02 enlisted, laid out, bonded, deployed)
# and seed4 (the original SDK's use case 4: existing-node adopted and commissioned).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ref="${1:-c762a46}"
out="${2:-$root/test/fixtures/compat/$ref}"
source "$root/tools/bootstrap.sh"
work="$(mktemp -d)"
sim_pid=""
trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; git -C "$root" worktree remove --force "$work/old" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "[fixture] building $ref in $work/old" >&2
git -C "$root" worktree add --detach "$work/old" "$ref" >&2
( cd "$work/old" && npm ci --no-audit --no-fund --loglevel=error >&2 && npx --no-install tsc -b >&2 )

mkdir -p "$out"
rm -f "$out/maas-state.json"
node "$root/dist/simulator/main.js" --port 0 --speed 3000 --seed 1 --quiet --state "$out/maas-state.json" > "$work/sim.out" &
sim_pid=$!
for _ in $(seq 100); do grep -q MAAS_SIM_ADMIN_TOKEN "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
export $(grep -E '^MAAS_API_(URL|KEY)=' "$work/sim.out" | xargs)

export MAAS_AUTOMATION_STATE_DIR="$work/state" MAAS_AUTOMATION_PULUMI_HOME="$work/home"
cp "$root/examples/example_input.json" "$out/example_input.json"
cp "$root/test/fixtures/seed/usecase4-commission-only.json" "$out/usecase4.json"
run_old() { ( cd "$work/old" && node dist/cli/main.js "$@" --yes --config maas:pollInterval=0.2 >&2 ); }
run_old -i examples/example_input.json
run_old -i test/fixtures/seed/usecase4-commission-only.json --stack seed4

export PULUMI_BACKEND_URL="file://$work/state" PULUMI_HOME="$work/home" PULUMI_CONFIG_PASSPHRASE=maas-automation-dev PULUMI_SKIP_UPDATE_CHECK=true
for stack in dev seed4; do
  ( cd "$work/old" && pulumi stack export --stack "$stack" ) > "$out/stack-$stack.json"
  cp "$work/old/Pulumi.$stack.yaml" "$out/Pulumi.$stack.yaml"
done
kill -TERM "$sim_pid"; wait "$sim_pid" || true; sim_pid=""
echo "[fixture] wrote $out" >&2
ls -l "$out" >&2
