#!/usr/bin/env bash
# The test command: set up (packages), build, run the whole suite (unit, golden, differential);
# with CI=true, then the sanitizer and fuzz stages (scripts/ci_sanitizers.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j "$(nproc)"
# CI also runs the sanitizer (ASan+UBSan, TSan) and fuzz stages.
if [ "${CI:-}" = true ]; then
  "$root/scripts/ci_sanitizers.sh"
fi
