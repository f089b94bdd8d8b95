#!/usr/bin/env bash
# The test command: set up (packages), build, run the whole suite (unit, golden, differential).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j "$(nproc)"
