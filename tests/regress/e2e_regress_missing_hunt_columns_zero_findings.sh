#!/usr/bin/env bash
# Regression: a Defender CSV whose header lacks RemoteIP, `--hunt sysmon` over a Defender CSV, and a
# CSV with only Timestamp,DeviceName all scanned "successfully" with 0 findings. Kusto refuses a
# query over a table without the columns it names; so must we: exit 3 naming file, hunt, columns.
set -u
source "$(dirname "$0")/lib.sh"
real="$root/tests/data/real/mde/advanced_hunting_test.csv"
python3 - "$real" "$tmp/noremoteip.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))
i = rows[0].index('RemoteIP')
with open(sys.argv[2], 'w', newline='') as f:
    w = csv.writer(f)
    for r in rows: w.writerow(r[:i] + r[i+1:])
PY
check no-remoteip 3 "$bin" scan "$tmp/noremoteip.csv"
expect_grep no-remoteip-msg "$tmp/err" "noremoteip.csv.*RemoteIP"
check sysmon-over-mde 3 "$bin" scan --hunt sysmon "$real"
expect_grep sysmon-over-mde-msg "$tmp/err" "advanced_hunting_test.csv.*sysmon.*EventData"
printf 'Timestamp,DeviceName\n2024-01-01T00:00:00Z,a\n' > "$tmp/two.csv"
check two-columns 3 "$bin" scan "$tmp/two.csv"
expect_grep two-columns-msg "$tmp/err" "two.csv.*RemoteIP"
check two-columns-input-format 3 "$bin" scan --input-format csv "$tmp/two.csv"
printf '{"Timestamp":"2024-01-01T00:00:00Z","DeviceName":"a","ActionType":"ConnectionSuccess"}\n' > "$tmp/few.json"
check json-no-field 3 "$bin" scan --hunt mde "$tmp/few.json"
expect_grep json-no-field-msg "$tmp/err" "few.json.*RemoteIP"
# in a directory: skipped with a warning and counted; the fitting file is still read
mkdir "$tmp/dir" && cp "$tmp/two.csv" "$real" "$tmp/dir/"
check dir 0 "$bin" scan --stats "$tmp/stats.json" "$tmp/dir"
expect_grep dir-warning "$tmp/err" "warning: skipping '.*two.csv'.*RemoteIP"
expect_grep dir-stats "$tmp/stats.json" "files_skipped_missing_columns\":1"
# --by ip+process also reads InitiatingProcessFileName
python3 - "$real" "$tmp/noproc.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))
i = rows[0].index('InitiatingProcessFileName')
with open(sys.argv[2], 'w', newline='') as f:
    w = csv.writer(f)
    for r in rows: w.writerow(r[:i] + r[i+1:])
PY
check by-process 3 "$bin" scan --by ip+process "$tmp/noproc.csv"
expect_grep by-process-msg "$tmp/err" "InitiatingProcessFileName"
check by-ip-ok 0 "$bin" scan "$tmp/noproc.csv"
finish
