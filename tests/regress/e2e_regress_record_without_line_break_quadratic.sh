#!/usr/bin/env bash
# Regression: a record without line breaks (a run of NULs left by a crashed file system, or text
# without LF) cost quadratic time, and swallowed the records after it. Now such a record longer
# than --max-record-size is malformed, located and skipped, the records around it are read, and
# the result is the same for every chunk size and thread count.
set -u
source "$(dirname "$0")/lib.sh"
python3 "$root/scripts/gen_mde.py" --rows 3000 --seed 11 --out "$tmp/a.csv"
python3 "$root/scripts/gen_mde.py" --rows 3000 --seed 12 --out "$tmp/b.csv"
{ cat "$tmp/a.csv"; head -c 6000000 /dev/zero; printf '\n'; tail -n +2 "$tmp/b.csv"; } > "$tmp/nul.csv"
{ tail -n +2 "$tmp/a.csv"; tail -n +2 "$tmp/b.csv"; } > "$tmp/rows"
want_records=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=''))))" "$tmp/rows")
check nul-run 0 "$bin" scan --max-record-size 1M --stats "$tmp/s.json" "$tmp/nul.csv"
cp "$tmp/out" "$tmp/ref.csv"
expect_grep nul-run-located "$tmp/s.json" "\"reason\":\"record longer than 1048576 bytes\""
expect_grep nul-run-records "$tmp/s.json" "\"records\":$want_records,"
expect_grep nul-run-malformed "$tmp/s.json" "\"malformed\":1,"
for args in "--threads 1 --chunk-size 4096" "--threads 3 --chunk-size 1000" "--threads 4 --chunk-size 65536"; do
  check "chunks $args" 0 "$bin" scan --max-record-size 1M $args "$tmp/nul.csv"
  expect_same "same $args" "$tmp/out" "$tmp/ref.csv"
done
check strict 3 "$bin" scan --strict --max-record-size 1M "$tmp/nul.csv"
expect_grep strict-msg "$tmp/err" "nul.csv.*record longer than 1048576 bytes"
# The same run in JSON lines.
python3 "$root/scripts/gen_mde.py" --format jsonl --rows 2000 --seed 13 --out "$tmp/a.json"
{ cat "$tmp/a.json"; head -c 3000000 /dev/zero | tr '\0' 'x'; printf '\n'; cat "$tmp/a.json"; } > "$tmp/long.json"
check json 0 "$bin" scan --max-record-size 1M --stats "$tmp/j.json" "$tmp/long.json"
expect_grep json-records "$tmp/j.json" "\"records\":4000,"
expect_grep json-malformed "$tmp/j.json" "\"malformed\":1,"
check bad-bound 2 "$bin" scan --max-record-size 5G "$tmp/nul.csv"
finish
