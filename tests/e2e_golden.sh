#!/usr/bin/env bash
# Golden end-to-end cases: every tests/data/golden/<case>/ holds `args` (options; @REAL stands for
# tests/data/real), optional input files (input.*) and `expected.csv`, written by hand. Each case
# runs with 1-4 threads and chunk sizes down to 1 byte; the output must equal expected.csv byte for
# byte every time. Usage: e2e_golden.sh BINARY REPO_ROOT
set -u
bin="$1"; root="$2"
golden="$root/tests/data/golden"; real="$root/tests/data/real"
pass=0; fail=0
for dir in "$golden"/*/; do
  name="$(basename "$dir")"
  args="$(sed "s|@REAL|$real|g" "$dir/args")"
  inputs=()
  for f in "$dir"/input.*; do [ -e "$f" ] && inputs+=("$f"); done
  for threads in 1 2 3 4; do
    for chunk in 1 5 64 1000000; do
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
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
