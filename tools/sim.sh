#!/usr/bin/env bash
# `npm run sim -- ARGS`: makes sure the simulator is installed and compiled (tools/bootstrap.sh), then
# replaces this shell with it. The npm script is `exec bash tools/sim.sh`, so npm's shell becomes this
# script and this script becomes the simulator: npm's only child is the simulator, and the SIGTERM or
# SIGINT npm passes on when its PID is killed reaches it. --exit-with-parent covers what npm cannot pass
# on (SIGKILL): the simulator closes when npm is gone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/bootstrap.sh" >&2
exec node "$root/dist/simulator/main.js" --exit-with-parent "$@"
