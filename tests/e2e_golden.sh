#!/usr/bin/env bash
# Golden end-to-end cases: every tests/data/golden/<case>/ holds `args` (options; @REAL stands for
# tests/data/real), optional input files (input.*) and `expected.csv`, written by hand. Each case
# runs with 1-4 threads and chunk sizes down to 1 byte; the output must equal expected.csv byte for
# byte every time, and --format count must print its number of rows. Usage: e2e_golden.sh BINARY REPO_ROOT
set -u
bin="$1"; root="$2"
golden="$root/tests/data/golden"; real="$root/tests/data/real"
pass=0; fail=0
# The sanitizer stages (RARECONN_TEST_QUICK=1) run 5 of the 16 thread x chunk pairs of each case.
pairs="1:1 1:5 1:64 1:1000000 2:1 2:5 2:64 2:1000000 3:1 3:5 3:64 3:1000000 4:1 4:5 4:64 4:1000000"
[ "${RARECONN_TEST_QUICK:-}" = 1 ] && pairs="1:1000000 2:1 2:64 3:5 4:1000000"
for dir in "$golden"/*/; do
  name="$(basename "$dir")"
  args="$(sed "s|@REAL|$real|g" "$dir/args")"
  inputs=()
  for f in "$dir"/input.*; do [ -e "$f" ] && inputs+=("$f"); done
  for pair in $pairs; do
    threads="${pair%%:*}" chunk="${pair##*:}"
    # shellcheck disable=SC2086
    out="$("$bin" scan $args --threads "$threads" --chunk-size "$chunk" "${inputs[@]}" 2>/dev/null)"
    if [ "$out" == "$(cat "$dir/expected.csv")" ]; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL $name threads=$threads chunk=$chunk"
      diff <(printf '%s\n' "$out") "$dir/expected.csv" | head -5
    fi
  done
  # --format count: the number of the table's rows (a CSV reader counts them: a cell may hold a
  # line break), without reading the records again.
  rows="$(/usr/bin/python3 -c 'import csv, sys; print(max(0, sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))) - 1))' "$dir/expected.csv")"
  # shellcheck disable=SC2086
  count="$("$bin" scan $args --format count --threads 2 --chunk-size 64 "${inputs[@]}" 2>/dev/null)"
  if [ "$count" == "$rows" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name --format count: '$count', expected $rows"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
