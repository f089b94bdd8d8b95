#!/usr/bin/env bash
# A mapped input of at least 64 MiB gives back the pages of each chunk once parsed, and (scans
# larger than a quarter of memory; RARECONN_TEST_DROP_CACHE_BYTES=1 forces it here) drops them
# from the page cache. The findings, whose records are read again after that, must be byte for
# byte the same, for several thread counts and chunk sizes; and the file must not stay cached.
set -u
source "$(dirname "$0")/regress/lib.sh"
python3 "$root/scripts/gen_mde.py" --rows 30000 --seed 31 --servers 30 --out "$tmp/part.csv"
{ cat "$tmp/part.csv"; for _ in $(seq 1 10); do tail -n +2 "$tmp/part.csv"; done; } > "$tmp/big.csv"
[ "$(stat -c %s "$tmp/big.csv")" -ge $((64 << 20)) ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: input under 64 MiB"; }
now=--now=2024-05-31T12:00:00Z
check kept 0 "$bin" scan "$now" -o "$tmp/kept.csv" "$tmp/big.csv"
[ "$(wc -l < "$tmp/kept.csv")" -gt 10 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: too few findings to compare"; }
for threads in 1 2 4; do
  for chunk in default 100000 3000000; do
    opts=(); [ "$chunk" != default ] && opts=(--chunk-size "$chunk")
    check "released-t$threads-c$chunk" 0 env RARECONN_TEST_DROP_CACHE_BYTES=1 "$bin" scan "$now" --threads "$threads" "${opts[@]}" -o "$tmp/released.csv" "$tmp/big.csv"
    expect_same "released-t$threads-c$chunk-findings" "$tmp/kept.csv" "$tmp/released.csv"
  done
done
if command -v fincore >/dev/null; then
  cat "$tmp/big.csv" >/dev/null
  RARECONN_TEST_DROP_CACHE_BYTES=1 "$bin" scan "$now" -o "$tmp/released.csv" "$tmp/big.csv" 2>/dev/null
  cached=$(fincore -b -n -o RES "$tmp/big.csv" | tr -d ' '); size=$(stat -c %s "$tmp/big.csv")
  # The findings' pages are read back; most of the file must have left the cache.
  if [ "$cached" -lt $((size / 4)) ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $cached of $size bytes still cached"; fi
fi
finish
