#!/usr/bin/env bash
# Regression: the output-cleanup handlers were installed over signals the parent had set to
# ignored, so `nohup rareconn ...` died of the SIGHUP of a closing terminal, and a background job
# of a script (SIGINT ignored) died of a SIGINT meant for the foreground. A signal ignored at start
# now stays ignored: the run completes and writes its whole output.
# The input is a FIFO, fed in two halves around the signal, so the signal always lands mid-run.
set -u
source "$(dirname "$0")/lib.sh"
real="$root/tests/data/real/mde/advanced_hunting_test.csv"
"$bin" scan "$real" > "$tmp/want.csv" 2>/dev/null
lines=$(wc -l < "$real"); half=$((lines / 2))
for sig in HUP INT; do
  rm -f "$tmp/in.csv" "$tmp/got.csv"; mkfifo "$tmp/in.csv"
  (trap '' "$sig"; exec "$bin" scan -o "$tmp/got.csv" "$tmp/in.csv" 2>"$tmp/err.$sig") &
  pid=$!
  # (if the scan never opens its input, a reader opened after 20 s unblocks the writer: no hang)
  timeout 25 sh -c 'sleep 20; exec 4<"$1"' _ "$tmp/in.csv" >/dev/null 2>&1 &
  guard=$!
  exec 3>"$tmp/in.csv"        # opens once the scan has opened its input (handlers are installed)
  head -n "$half" "$real" >&3
  sleep 0.3; kill -s "$sig" "$pid" 2>/dev/null; sleep 0.3
  tail -n +"$((half + 1))" "$real" >&3
  exec 3>&-
  wait "$pid"; got=$?
  kill "$guard" 2>/dev/null; wait "$guard" 2>/dev/null
  if [ "$got" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL ignored-$sig: status $got, wanted 0"; fi
  expect_same "ignored-$sig-output" "$tmp/got.csv" "$tmp/want.csv"
done
finish
