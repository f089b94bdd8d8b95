#!/usr/bin/env bash
# Regression: every input file was opened and memory-mapped before the scan began, so a collection
# of more files than the kernel's limit of memory maps per process (vm.max_map_count, 65,530 by
# default) failed with "cannot map '...': Cannot allocate memory". Now files are opened and read
# or mapped lazily, a bounded number at a time: a tree of more files than that limit scans under
# `ulimit -n 64`, and its findings are byte for byte those of the same rows in one file.
set -u
source "$(dirname "$0")/lib.sh"
limit=$(cat /proc/sys/vm/max_map_count 2>/dev/null || echo 65530)
# Above the map limit when it is the default; capped so that a machine with a raised limit still
# runs a large tree (the comparison below must then hold as well).
count=$(( limit + 1500 )); [ "$count" -gt 80000 ] && count=80000
python3 "$root/scripts/gen_mde.py" --rows $((count * 2)) --seed 11 --servers 40 --out "$tmp/all.csv"
python3 "$root/tests/split_export.py" "$tmp/all.csv" "$tmp/tree" "$count"
now=--now=2024-05-31T12:00:00Z
check one-file 0 "$bin" scan "$now" --threads 2 -o "$tmp/one.csv" "$tmp/all.csv"
check tree 0 bash -c 'ulimit -n 64 && exec "$@"' _ "$bin" scan "$now" --threads 2 -o "$tmp/tree.csv" "$tmp/tree"
expect_grep tree-all-files-read "$tmp/err" "mde hunt, $count files"
expect_same tree-findings "$tmp/one.csv" "$tmp/tree.csv"
[ -s "$tmp/one.csv" ] && [ "$(wc -l < "$tmp/one.csv")" -gt 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: no findings to compare"; }
finish
