#!/usr/bin/env bash
# The switches of kql-semantics.md §9's UNCONFIRMED points (--assume U-N=VALUE): each default is the
# document's, and each alternative changes exactly what the point is about. Worked examples: §4 S4
# and §8 (U-4, U-5), §3 (U-9), §7.3 (U-12), §6.8 (U-15, through --rule-parse as well).
set -u
source "$(dirname "$0")/regress/lib.sh"
now="--now 2024-05-31T12:00:00Z"
h="Timestamp,DeviceName,ActionType,RemoteIP,RemoteIPType,RemoteUrl"
printf '%s\n%s\n%s\n%s\n' "$h" \
  "2024-05-30T00:00:00Z,srv,ConnectionSuccess,20.0.0.1,Public," \
  "2024-05-30T01:00:00Z,srv,ConnectionSuccess,20.0.0.1,Public,a.example" \
  "2024-05-30T02:00:00Z,srv,ConnectionSuccess,,Public,b.example" > "$tmp/in.csv"
# U-4: make_set keeps "" (default) or drops it
check u4-default 0 "$bin" scan $now --format jsonl "$tmp/in.csv"
expect_grep u4-default-kept "$tmp/out" '"set_RemoteUrl":\["","a.example"\]'
check u4-drop 0 "$bin" scan $now --assume U-4=drop-empty --format jsonl "$tmp/in.csv"
expect_grep u4-dropped "$tmp/out" '"set_RemoteUrl":\["a.example"\]'
# U-5: a "" key joins (default: one finding for RemoteIP "") or does not (the key stays rare)
check u5-default 0 "$bin" scan $now --format jsonl --stats "$tmp/s5a.json" "$tmp/in.csv"
expect_grep u5-default-joins "$tmp/out" '"RemoteIP":"","set_RemoteUrl":\["b.example"\]'
expect_grep u5-default-findings "$tmp/s5a.json" '"rare_keys":2,.*"findings":3'
check u5-no-match 0 "$bin" scan $now --assume U-5=no-match --format jsonl --stats "$tmp/s5b.json" "$tmp/in.csv"
expect_grep u5-no-match-findings "$tmp/s5b.json" '"rare_keys":2,.*"findings":2'
# U-9: more than 7 fractional digits are truncated (default) or a bad time
printf '%s\n%s\n' "$h" "2024-05-30T00:00:00.123456789Z,srv,ConnectionSuccess,20.0.0.9,Public,c.example" > "$tmp/frac.csv"
check u9-default 0 "$bin" scan $now --stats "$tmp/s9a.json" "$tmp/frac.csv"
expect_grep u9-default-read "$tmp/s9a.json" '"bad_time":0'
check u9-reject 0 "$bin" scan $now --assume U-9=reject --stats "$tmp/s9b.json" "$tmp/frac.csv"
expect_grep u9-rejected "$tmp/s9b.json" '"bad_time":1'
# U-12: a table without Timestamp is read by TimeGenerated (default) or refused
sed '1s/^Timestamp/TimeGenerated/' "$tmp/in.csv" > "$tmp/tg.csv"
check u12-default 0 "$bin" scan $now "$tmp/tg.csv"
check u12-required 3 "$bin" scan $now --assume U-12=timestamp-required "$tmp/tg.csv"
expect_grep u12-msg "$tmp/err" "tg.csv.*Timestamp"
# several at once, and a point that is not switchable
check several 0 "$bin" scan $now --assume U-4=drop-empty --assume U-5=no-match "$tmp/in.csv"
check unknown 2 "$bin" scan $now --assume U-1=unicode "$tmp/in.csv"
expect_grep unknown-msg "$tmp/err" "U-4.*U-5.*U-9.*U-12.*U-15"
check bad-value 2 "$bin" scan $now --assume U-4=maybe "$tmp/in.csv"
# the choice is kept by partials: merge refuses to mix them
check part-a 0 "$bin" partial $now --assume U-4=drop-empty -o "$tmp/a.part" "$tmp/in.csv"
check part-b 0 "$bin" partial $now -o "$tmp/b.part" "$tmp/in.csv"
check merge-mixed 2 "$bin" merge -o "$tmp/m.part" "$tmp/a.part" "$tmp/b.part"
finish
