#!/usr/bin/env bash
# Regression: every reproducer the fuzzers and sanitizers found (tests/regress/data/) runs through
# the command line to a clean end: no signal, no hang (the EVTX nested-substitution input took
# over 100 s), exit 0 or 3. Under the ASan+UBSan build (scripts/ci_sanitizers.sh) any undefined
# behaviour on these inputs aborts the run and fails this test.
set -u
source "$(dirname "$0")/lib.sh"
for f in "$root"/tests/regress/data/*; do
  name="$(basename "$f")"
  fmt=auto
  case "$name" in *.json) fmt=json ;; *.evtx) fmt=evtx ;; *.csv) fmt=csv ;; *.xml) fmt=xml ;; esac
  timeout 60 "$bin" scan --input-format "$fmt" --hunt "$([ "$fmt" = evtx ] || [ "$fmt" = xml ] && echo sysmon || echo mde)" \
    "$f" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" -eq 0 ] || [ "$got" -eq 3 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $name: status $got"; head -5 "$tmp/err"; fi
done
finish
