#!/usr/bin/env bash
# Regression: a CSV header naming a column twice (RemotePort renamed RemoteIP, a second Timestamp)
# was read with one output column dropped and `RemoteIP1` showing the second column, not the key.
# No table has two columns of one name, so which one the query means is unknowable: the file is
# refused naming the column and its positions (exit 3 when named, a warning in a directory).
set -u
source "$(dirname "$0")/lib.sh"
real="$root/tests/data/real/mde/advanced_hunting_test.csv"
for pair in "RemotePort:RemoteIP" "LocalIP:Timestamp"; do
  from="${pair%%:*}"; to="${pair##*:}"
  python3 - "$real" "$tmp/dup_$to.csv" "$from" "$to" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))
rows[0][rows[0].index(sys.argv[3])] = sys.argv[4]
csv.writer(open(sys.argv[2], 'w', newline='')).writerows(rows)
PY
  check "named-$to" 3 "$bin" scan "$tmp/dup_$to.csv"
  expect_grep "named-$to-msg" "$tmp/err" "dup_$to.csv.*column '$to' twice \\(columns [0-9]+ and [0-9]+\\)"
done
# unnamed columns (trailing commas of a spreadsheet's header) are not a name met twice
python3 - "$real" "$tmp/trailing.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))
csv.writer(open(sys.argv[2], 'w', newline='')).writerows([r + ['', ''] for r in rows])
PY
check trailing-empty 0 "$bin" scan "$tmp/trailing.csv"
mkdir "$tmp/dir" && cp "$tmp/dup_RemoteIP.csv" "$real" "$tmp/dir/"
check dir 0 "$bin" scan --stats "$tmp/stats.json" "$tmp/dir"
expect_grep dir-warning "$tmp/err" "warning: skipping '.*dup_RemoteIP.csv'.*twice"
expect_grep dir-counted "$tmp/stats.json" "files_skipped_missing_columns\":1"
finish
