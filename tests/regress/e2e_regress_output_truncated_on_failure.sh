#!/usr/bin/env bash
# Regression: `-o FILE` was truncated when the run started, so a run that failed (a missing input)
# or was killed left FILE empty and the previous findings were gone. Output is now atomic.
set -u
source "$(dirname "$0")/lib.sh"
real="$root/tests/data/real/mde/advanced_hunting_test.csv"
printf 'previous findings\n' > "$tmp/out.csv"; cp "$tmp/out.csv" "$tmp/before.csv"
printf '{"previous":1}\n' > "$tmp/stats.json"; cp "$tmp/stats.json" "$tmp/stats_before.json"
check missing-input 3 "$bin" scan -o "$tmp/out.csv" --stats "$tmp/stats.json" "$tmp/nope.csv"
expect_same missing-input-keeps-output "$tmp/out.csv" "$tmp/before.csv"
expect_same missing-input-keeps-stats "$tmp/stats.json" "$tmp/stats_before.json"
printf 'Timestamp,DeviceName,ActionType,RemoteIPType,RemoteIP,RemoteUrl\nnot-a-time,a,ConnectionSuccess,Public,8.8.8.8,\n' > "$tmp/bad.csv"
check strict-fails 3 "$bin" scan --strict -o "$tmp/out.csv" "$tmp/bad.csv"
expect_same strict-keeps-output "$tmp/out.csv" "$tmp/before.csv"
# a successful run replaces it, and leaves no temporary file behind
check ok 0 "$bin" scan -o "$tmp/out.csv" --stats "$tmp/stats.json" "$real"
"$bin" scan "$real" > "$tmp/stdout.csv" 2>/dev/null
expect_same ok-output "$tmp/out.csv" "$tmp/stdout.csv"
expect_grep ok-stats "$tmp/stats.json" '"findings"'
leftovers=$(ls -A "$tmp" | grep -c 'rareconn-tmp' || true)
if [ "$leftovers" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL temp files left: $(ls -A "$tmp")"; fi
finish
