#!/usr/bin/env bash
# Regression: `--assume U-9=reject` (kql-semantics.md §9 U-9: more than 7 fractional digits) made
# such a datetime in the data a bad time, but `--now` with 9 fractional digits was still accepted
# and truncated. Now `--now` is read as the data is: under U-9=reject it is a usage error (exit 2)
# naming the value and the switch, whichever of `--now` and `--assume` comes first; the default
# (truncate) and a 7-digit `--now` are unchanged.
set -u
source "$(dirname "$0")/lib.sh"
h="Timestamp,DeviceName,ActionType,RemoteIP,RemoteIPType,RemoteUrl"
printf '%s\n%s\n%s\n' "$h" \
  "2024-05-30T00:00:00Z,srv,ConnectionSuccess,20.0.0.1,Public,a.example" \
  "2024-05-01T12:00:00.1234568Z,srv,ConnectionSuccess,20.0.0.2,Public,b.example" > "$tmp/in.csv"
long=2024-05-31T12:00:00.123456789Z
seven=2024-05-31T12:00:00.1234567Z
# U-9=reject: refused, in either order, by every command that takes --now
check reject-after 2 "$bin" scan --now "$long" --assume U-9=reject "$tmp/in.csv"
expect_grep reject-after-msg "$tmp/err" "--now: '$long'.*more than 7 fractional digits.*--assume U-9=reject"
check reject-before 2 "$bin" scan --assume U-9=reject --now "$long" "$tmp/in.csv"
expect_grep reject-before-msg "$tmp/err" "--now: '$long'.*--assume U-9=reject"
check reject-partial 2 "$bin" partial --assume U-9=reject --now "$long" -o "$tmp/p.part" "$tmp/in.csv"
check reject-state 2 "$bin" scan --state "$tmp/state" --now "$long" --assume U-9=reject "$tmp/in.csv"
[ ! -e "$tmp/p.part" ] && [ ! -e "$tmp/state/manifest" ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL reject wrote a partial or a state"; }
# the last --assume U-9 wins, as for the data
check reject-then-truncate 0 "$bin" scan --assume U-9=reject --now "$long" --assume U-9=truncate "$tmp/in.csv"
# truncate (the default): the same run as with the first 7 digits (the event at now-30d+1 tick is in)
check seven 0 "$bin" scan --now "$seven" --stats "$tmp/seven.json" -o "$tmp/seven.csv" "$tmp/in.csv"
check truncate 0 "$bin" scan --now "$long" --stats "$tmp/long.json" -o "$tmp/long.csv" "$tmp/in.csv"
expect_same truncate-findings "$tmp/seven.csv" "$tmp/long.csv"
expect_grep truncate-now "$tmp/long.json" "\"now\":\"$seven\""
expect_grep truncate-lookback "$tmp/long.json" '"lookback_window_events":2'
# 7 digits (or fewer) under U-9=reject: read as ever
check reject-seven 0 "$bin" scan --assume U-9=reject --now "$seven" -o "$tmp/reject_seven.csv" "$tmp/in.csv"
expect_same reject-seven-findings "$tmp/seven.csv" "$tmp/reject_seven.csv"
check reject-no-fraction 0 "$bin" scan --assume U-9=reject --now 2024-05-31T12:00:00Z "$tmp/in.csv"
finish
