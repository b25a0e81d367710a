#!/usr/bin/env bash
# The project's whole test suite, from a fresh clone: installs and builds what it needs first.
#   npm test                     every test
#   npm test -- dist/test/engine only the tests under that compiled directory
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source tools/bootstrap.sh || exit 1
set +e

failed=0
t0=$(date +%s)
if [ $# -eq 0 ] && [ -f test/conformance/run.sh ]; then
  echo "[test] conformance: a MAAS client no one here wrote (juju gomaasapi) against the simulator" >&2
  bash test/conformance/run.sh || failed=1
  echo "[test] conformance: $(( $(date +%s) - t0 ))s" >&2
fi

t1=$(date +%s)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(dist/test)
# Only compiled test files (a directory would also make node run every helper module as a test file).
mapfile -t files < <(find "${targets[@]}" -name '*.test.js' | sort)
node --test --test-reporter=spec --test-timeout=900000 "${files[@]}" || failed=1
echo "[test] node tests: $(( $(date +%s) - t1 ))s" >&2
exit $failed
