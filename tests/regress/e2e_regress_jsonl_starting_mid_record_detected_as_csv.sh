#!/usr/bin/env bash
# Regression: a JSON-lines file that starts in the middle of a record (a piece of a larger export,
# `tail -c +N`) was detected as CSV by its first line and refused whole. The lines after the first
# decide: JSON objects one per line make it JSON lines, and the broken first line is one malformed
# record, located.
set -u
source "$(dirname "$0")/lib.sh"
python3 "$root/scripts/gen_mde.py" --format jsonl --rows 400 --seed 3 --out "$tmp/base.jsonl"
tail -c +1001 "$tmp/base.jsonl" > "$tmp/cut.jsonl"
head -c 200 "$tmp/cut.jsonl" | head -1 | grep -q '^{' && { echo "the cut must fall inside a record"; exit 1; }
check cut 0 "$bin" scan --stats "$tmp/stats.json" "$tmp/cut.jsonl" -o "$tmp/auto.csv"
expect_grep cut-one-malformed "$tmp/stats.json" "\"malformed\":1,"
expect_grep cut-located "$tmp/stats.json" "\"line\":1"
check forced 0 "$bin" scan --input-format json "$tmp/cut.jsonl" -o "$tmp/forced.csv"
expect_same cut-as-forced "$tmp/auto.csv" "$tmp/forced.csv"
check cut-strict 3 "$bin" scan --strict "$tmp/cut.jsonl"
# a CSV file stays CSV
check csv 0 "$bin" scan "$root/tests/data/real/mde/advanced_hunting_test.csv"
finish
