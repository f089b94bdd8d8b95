#!/usr/bin/env bash
# Regression: `scan --state DIR` over a directory walk holding an entry that is not a regular file
# (a FIFO) printed the warning but left `directory_entries_skipped_not_files` out of its summary and
# --stats, which a plain scan of the same walk counts. Now the state run counts it as the plain scan
# does (same summary counts), on every run whose walk meets the entry.
set -u
source "$(dirname "$0")/lib.sh"
mkdir -p "$tmp/tree" "$tmp/w"
cp "$root/tests/data/real/mde/advanced_hunting_test.csv" "$tmp/tree/"
mkfifo "$tmp/tree/pipe.csv"
counts() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ('elapsed_s','throughput_mb_s','threads')]; print(json.dumps(d, sort_keys=True))" "$1"; }

check plain 0 "$bin" scan --stats "$tmp/w/plain.json" -o "$tmp/w/plain.csv" "$tmp/tree"
expect_grep plain-stats "$tmp/w/plain.json" "directory_entries_skipped_not_files\":1"
check state 0 "$bin" scan --state "$tmp/w/state" --stats "$tmp/w/state.json" -o "$tmp/w/state.csv" "$tmp/tree"
expect_grep state-warning "$tmp/err" "warning: skipping .*pipe.csv"
expect_grep state-summary "$tmp/err" "directory_entries_skipped_not_files: 1"
expect_grep state-stats "$tmp/w/state.json" "directory_entries_skipped_not_files\":1"
expect_same findings "$tmp/w/plain.csv" "$tmp/w/state.csv"
counts "$tmp/w/plain.json" > "$tmp/plain.counts"; counts "$tmp/w/state.json" > "$tmp/state.counts"
expect_same "summary counts" "$tmp/plain.counts" "$tmp/state.counts"
# A second run of the same walk still meets the FIFO and says so.
check state-again 0 "$bin" scan --state "$tmp/w/state" --stats "$tmp/w/state2.json" -o "$tmp/w/state2.csv" "$tmp/tree"
expect_grep state-again-stats "$tmp/w/state2.json" "directory_entries_skipped_not_files\":1"
finish
