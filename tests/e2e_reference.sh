#!/usr/bin/env bash
# e2e_reference.sh: ctest entry for the differential test of rareconn's MDE hunt against the naive
# Python oracle (tests/reference/ref_mde.py) on generated data (scripts/gen_mde.py).
# Usage: bash tests/e2e_reference.sh <path-to-rareconn-binary> <repo-root>
# Exit 0 only if every check passed; the last line printed is "N passed, M failed".
set -u
bin="${1:?usage: e2e_reference.sh <rareconn-binary> <repo-root>}"
root="${2:?usage: e2e_reference.sh <rareconn-binary> <repo-root>}"
py="$(command -v python3 || true)"
if [ -z "$py" ]; then
  echo "python3 not found"
  echo "0 passed, 1 failed"
  exit 1
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
"$py" "$root/tests/reference/diff_test.py" "$bin" --repo "$root" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
last="$(tail -n 1 "$log")"
if ! [[ "$last" =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
  echo "diff_test.py ended abnormally (exit $rc)"
  echo "0 passed, 1 failed"
  exit 1
fi
exit "$rc"
