#!/usr/bin/env bash
# Regression: the Sysmon hunt reads the Sentinel `Event` table, but an export whose `Type` column
# names another table (a SecurityEvent export of the same shape) was hunted as Event rows: its
# rows were counted, joined and printed as findings (exit 0). Now such rows are skipped and counted
# in `records_of_other_tables` as the MDE hunt skips rows of other tables, and a file of them only is
# refused: exit 3 when named, a warning and `files_skipped_missing_columns` in a walk.
set -u
source "$(dirname "$0")/lib.sh"
src="$root/tests/data/real/sentinel/Microsoft_Sysmon_NetworkSession_IngestedLogs.first12rows.csv"
# retype SRC OUT ROWS TABLE: the Type column of data rows ROWS ("all" or a comma list) set to TABLE
retype() {
  python3 - "$@" <<'PY'
import csv, sys
src, out, rows, table = sys.argv[1:5]
with open(src, newline='', encoding='utf-8-sig') as f:
    data = list(csv.reader(f))
col = data[0].index('Type')
pick = None if rows == 'all' else set() if rows == 'none' else {int(r) for r in rows.split(',')}
for i, row in enumerate(data[1:], 1):
    if pick is None or i in pick:
        row[col] = table
with open(out, 'w', newline='', encoding='utf-8') as f:
    csv.writer(f, lineterminator='\r\n').writerows(data)
PY
}
retype "$src" "$tmp/event.csv" none Event
retype "$src" "$tmp/security.csv" all SecurityEvent
check event 0 "$bin" scan --hunt sysmon --stats "$tmp/event.json" -o "$tmp/want.csv" "$tmp/event.csv"
[ "$(wc -l < "$tmp/want.csv")" -ge 2 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL event: no finding (a weak case)"; }

# named: refused
check named 3 "$bin" scan --hunt sysmon "$tmp/security.csv"
expect_grep named-msg "$tmp/err" "security.csv' cannot be read by the sysmon hunt: its records are rows of another table \(SecurityEvent\), none of (Sysmon )?Event"
check named-tiny-chunks 3 "$bin" scan --hunt sysmon --threads 3 --chunk-size 97 "$tmp/security.csv"

# in a directory beside the Event export: skipped with a warning, the Event rows hunted as alone
mkdir "$tmp/dir" && cp "$tmp/event.csv" "$tmp/security.csv" "$tmp/dir/"
check dir 0 "$bin" scan --hunt sysmon --stats "$tmp/dir.json" -o "$tmp/got_dir.csv" "$tmp/dir"
expect_grep dir-warning "$tmp/err" "warning: skipping '.*security.csv': its records are rows of another table \(SecurityEvent\), none of (Sysmon )?Event"
expect_grep dir-skipped "$tmp/dir.json" "\"files_skipped_missing_columns\":1"
expect_same dir-findings "$tmp/want.csv" "$tmp/got_dir.csv"

# mixed: the rows of another table are neither hunted nor malformed, only counted
n=$(($(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig'))))" "$src") - 1))
retype "$src" "$tmp/mixed.csv" "$(seq -s, 1 2 "$n")" SecurityEvent
check mixed 0 "$bin" scan --hunt sysmon --stats "$tmp/mixed.json" -o "$tmp/got_mixed.csv" "$tmp/mixed.csv"
expect_grep mixed-other "$tmp/mixed.json" "\"records_of_other_tables\":$(( (n + 1) / 2 ))"
if grep -q SecurityEvent "$tmp/got_mixed.csv"; then
  fail=$((fail + 1)); echo "FAIL mixed: a SecurityEvent row was hunted into the findings"
else
  pass=$((pass + 1))
fi
finish
