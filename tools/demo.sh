#!/usr/bin/env bash
# The README's main command: install and build what is needed, then run tools/demo.ts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source tools/bootstrap.sh
exec node dist/tools/demo.js "$@"
