#!/usr/bin/env bash
# Regression: `rareconn partial` of a shard whose files, found in a directory, are all skipped (not
# the hunt's table) was exit 3 "no input holds data", though `rareconn scan` over all the inputs
# skips and counts them; with --hunt auto such a shard also chose a hunt of its own. Now its
# partial lists them as skipped, merges with any hunt's partials, and the report equals the scan.
source "$(dirname "$0")/lib.sh"
mkdir -p "$tmp/d1" "$tmp/d2" "$tmp/ev"
/usr/bin/python3 "$root/scripts/gen_mde.py" --rows 2000 --seed 1 --out "$tmp/d1/a.csv" >/dev/null
echo notes >"$tmp/d2/NOTES.txt"
cp "$root/tests/data/real/evtx/DE_sysmon-3-rdp-tun.evtx" "$root/tests/data/real/evtx/sysmon.evtx" "$tmp/ev/"
cd "$tmp"
check "scan of both directories" 0 "$bin" scan -o scan.csv --stats scan.json d1 d2
check "partial of the directory with data" 0 "$bin" partial -o 1.part d1
check "partial of the directory with only a note" 0 "$bin" partial -o 2.part d2
check "report" 0 "$bin" report -o report.csv --stats report.json 1.part 2.part
expect_same "report equals the scan" scan.csv report.csv
for f in scan report; do /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k) for k in ('elapsed_s','throughput_mb_s','threads')]; print(json.dumps(d))" $f.json >$f.counts; done
expect_same "summary counts equal" scan.counts report.counts
# With --hunt auto, the note's partial merges with a Sysmon shard's too.
check "scan of events and the note" 0 "$bin" scan -o scan2.csv ev d2
check "partial of the events" 0 "$bin" partial -o 3.part ev
check "report: events and the note" 0 "$bin" report -o report2.csv 3.part 2.part
expect_same "report equals the scan (sysmon)" scan2.csv report2.csv
# Nothing at all to read stays an input error, as for scan.
check "scan of the note alone" 3 "$bin" scan -o x.csv d2
check "report of the note alone" 3 "$bin" report -o x.csv 2.part
expect_grep "says why" "$tmp/err" "no input holds data"
# A shard of a directory's files listed with --files-from: read as found in the directory.
printf '%s\n' d2/NOTES.txt >list2; printf '%s\n' d1/a.csv >list1
check "partial --files-from (data)" 0 "$bin" partial -o 5.part --files-from list1
check "partial --files-from (a note only)" 0 "$bin" partial -o 6.part --files-from list2
check "report of the listed shards" 0 "$bin" report -o report3.csv 5.part 6.part
expect_same "listed shards equal the scan" scan.csv report3.csv
# A named file that is not the hunt's table stays an error for partial, as for scan.
check "a named note is an input error" 3 "$bin" partial -o 4.part d2/NOTES.txt
finish
