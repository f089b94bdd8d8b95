#!/usr/bin/env bash
# A collection of thousands of small exports (one folder per host, as a triage collection looks),
# scanned under `ulimit -n 64`: its findings must be byte for byte those of the same rows in one
# file, for 1, 2 and 8 threads and chunk sizes down to a few bytes (files larger than a chunk are
# mapped and cut; smaller ones read whole by one task). A file without the hunt's columns and a
# note found in the tree are skipped and counted, and add no columns to the output.
set -u
source "$(dirname "$0")/regress/lib.sh"
count=3000
python3 "$root/scripts/gen_mde.py" --rows 24000 --seed 21 --servers 30 --out "$tmp/all.csv"
python3 "$root/tests/split_export.py" "$tmp/all.csv" "$tmp/tree" "$count"
now=--now=2024-05-31T12:00:00Z
check one-file 0 "$bin" scan "$now" -o "$tmp/one.csv" "$tmp/all.csv"
[ "$(wc -l < "$tmp/one.csv")" -gt 10 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: too few findings to compare"; }
limited() { bash -c 'ulimit -n 64 && exec "$@"' _ "$@"; }
for threads in 1 2 8; do
  for chunk in default 7 300 100000; do
    opts=(); [ "$chunk" != default ] && opts=(--chunk-size "$chunk")
    check "tree-t$threads-c$chunk" 0 limited "$bin" scan "$now" --threads "$threads" "${opts[@]}" -o "$tmp/tree.csv" "$tmp/tree"
    expect_same "tree-t$threads-c$chunk-findings" "$tmp/one.csv" "$tmp/tree.csv"
  done
done
expect_grep tree-files "$tmp/err" "mde hunt, $count files"
# Files in the tree that are not exports of the table: skipped, counted, the rest read.
printf 'Timestamp,DeviceName,Note\n2024-05-30T00:00:00Z,x,y\n' > "$tmp/tree/host0000/other_table.csv"
printf 'collection notes, not an export\n' > "$tmp/tree/host0001/README.txt"
check tree-with-others 0 limited "$bin" scan "$now" --threads 2 --chunk-size 64 -o "$tmp/tree.csv" "$tmp/tree"
expect_same tree-with-others-findings "$tmp/one.csv" "$tmp/tree.csv"
expect_grep tree-missing-columns-counted "$tmp/err" "files_skipped_missing_columns: 1"
expect_grep tree-unknown-counted "$tmp/err" "files_skipped_unknown_format: 1"
# Named on the command line, the same file is an input error naming it.
check named-other-table 3 "$bin" scan "$now" "$tmp/tree/host0000/other_table.csv"
expect_grep named-other-table-msg "$tmp/err" "other_table.csv.*lacks"
finish
