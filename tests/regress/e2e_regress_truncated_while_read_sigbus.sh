#!/usr/bin/env bash
# Regression: a file truncated while it was being read (logrotate copytruncate on a live export)
# killed the process with SIGBUS (exit 135). Now: never a signal; exit 3 naming the file and how
# far it was read when the truncation was seen, or exit 0 when the scan finished before it.
set -u
source "$(dirname "$0")/lib.sh"
python3 "$root/scripts/gen_mde.py" --rows 20000 --seed 7 --out "$tmp/part.csv"
{ cat "$tmp/part.csv"; for _ in $(seq 1 24); do tail -n +2 "$tmp/part.csv"; done; } > "$tmp/base.csv"
hits=0
for delay in 0 0.01 0.02 0.04 0.06 0.08 0.12 0.2; do
  cp "$tmp/base.csv" "$tmp/live.csv"
  "$bin" scan --threads 1 "$tmp/live.csv" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  sleep "$delay"; truncate -s 4096 "$tmp/live.csv"
  wait "$pid"; got=$?
  if [ "$got" -ge 128 ]; then fail=$((fail + 1)); echo "FAIL delay $delay: killed by signal $((got - 128))"; continue; fi
  if [ "$got" -eq 3 ]; then
    hits=$((hits + 1))
    # (A stat racing the truncation can see its new size with the old modification time: the
    # findings' re-read then finds the same size with a new time, and says the file changed.)
    expect_grep "delay-$delay-msg" "$tmp/err" "live.csv.*((shrank|truncated).*byte|changed while it was scanned)"
  elif [ "$got" -eq 0 ]; then pass=$((pass + 1))
  else fail=$((fail + 1)); echo "FAIL delay $delay: status $got"; head -3 "$tmp/err"; fi
done
echo "truncation seen during the scan in $hits of 8 runs"
finish
