#!/usr/bin/env bash
# Command-line behaviour end to end: exit statuses, error messages that name the file and line,
# --strict, --stats JSON, output formats, list files, --fail-on-findings.
# Usage: e2e_cli.sh BINARY REPO_ROOT
set -u
source "$(dirname "$0")/regress/lib.sh"
real="$root/tests/data/real/mde/advanced_hunting_test.csv"
edges="$root/tests/data/golden/edges_csv/input.csv"

check help 0 "$bin" scan --help
expect_grep help-text "$tmp/out" "--servers-file"
check no-args 2 "$bin"
check unknown-command 2 "$bin" frobnicate
check unknown-option 2 "$bin" scan --frobnicate "$real"
expect_grep unknown-option-msg "$tmp/err" "unknown option '--frobnicate'"
check no-input 2 "$bin" scan --threshold 5
check bad-now 2 "$bin" scan --now yesterday "$real"
expect_grep bad-now-msg "$tmp/err" "--now: 'yesterday'"
check bad-lookback 2 "$bin" scan --lookback 30x "$real"
check bad-format 2 "$bin" scan --format xml "$real"
check mixed-hunts 2 "$bin" scan "$real" "$root/tests/data/real/evtx/DE_sysmon-3-rdp-tun.evtx"
expect_grep mixed-hunts-msg "$tmp/err" "choose one with --hunt"
check missing-file 3 "$bin" scan "$tmp/nope.csv"
expect_grep missing-file-msg "$tmp/err" "cannot open '.*nope.csv': No such file"
printf 'just some words\n' > "$tmp/words.txt"
check unknown-format 3 "$bin" scan "$tmp/words.txt"
expect_grep unknown-format-msg "$tmp/err" "use --input-format"

# Sysmon: a local-time column needs its zone; an unknown zone is a usage error
sentinel="$root/tests/data/real/sentinel/Microsoft_Sysmon_NetworkSession_IngestedLogs.first12rows.csv"
check local-time-needs-zone 2 "$bin" scan --time-source column "$sentinel"
expect_grep local-time-msg "$tmp/err" "give its zone with --input-timezone"
check unknown-zone 2 "$bin" scan --time-source column --input-timezone Mars/Base "$sentinel"
check sysmon-stats 0 "$bin" scan --stats "$tmp/sstats.json" "$sentinel"
python3 - "$tmp/sstats.json" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL sysmon-stats-values"; cat "$tmp/sstats.json"; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["hunt"] == "sysmon" and s["records"] == 12 and s["after_event_id"] == 12 and s["after_private_regex"] == 12, s
assert s["recent_window_events"] == 4 and s["distinct_keys"] == 3 and s["findings"] == 4, s
assert s["now"] == "2023-11-24T08:01:30.1151127Z", s
PY

# MDE from a Sentinel portal export written in local time: the zone is required, then used
printf 'TenantId,"TimeGenerated [Local Time]",DeviceName,ActionType,RemoteIP,RemoteUrl,RemoteIPType\nt,"5/31/2024, 4:30:00.000 PM",s1,ConnectionSuccess,4.4.4.4,a.net,Public\n' > "$tmp/local.csv"
check mde-local-time-needs-zone 2 "$bin" scan "$tmp/local.csv"
expect_grep mde-local-time-msg "$tmp/err" "give its zone with --input-timezone"
check mde-local-time-zone 0 "$bin" scan --input-timezone +05:30 --now 2024-06-01T00:00:00Z "$tmp/local.csv"
expect_grep mde-local-time-utc "$tmp/out" "2024-05-31T11:00:00.0000000Z"

# Findings, no findings, --fail-on-findings
check real-default 0 "$bin" scan "$real"
check real-fail-on-findings-none 0 "$bin" scan --fail-on-findings "$real"
check real-fail-on-findings 1 "$bin" scan --fail-on-findings --no-default-allow "$real"

# --stats JSON: the funnel of the real export (26 rows, one ConnectionSuccess, dropped by the allow-list)
check stats 0 "$bin" scan --stats "$tmp/stats.json" "$real"
python3 - "$tmp/stats.json" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL stats-values"; cat "$tmp/stats.json"; }
import json, sys
s = json.load(open(sys.argv[1]))
assert s["records"] == 26 and s["after_action_type"] == 1 and s["after_link_local"] == 1, s
assert s["distinct_keys"] == 1 and s["keys_dropped_by_allow_list"] == 1 and s["rare_keys"] == 0, s
assert s["findings"] == 0 and s["malformed"] == 0 and s["now"] == "2023-10-18T15:45:07.9862755Z", s
PY

# Output formats
check jsonl 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z --format jsonl "$edges"
python3 - "$tmp/out" <<'PY' && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL jsonl-values"; cat "$tmp/out"; }
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 4
assert rows[0]["set_RemoteUrl"] == ["", "a.microsoft.community"] and rows[0]["count_"] == 2
assert rows[0]["RemoteIP1"] == "20.0.0.3" and rows[0]["Timestamp"] == "2024-05-28T22:00:00.0000000Z"
PY
check table 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z --format table "$edges"
expect_grep table-count "$tmp/out" "^4 findings$"
check output-dir-missing 3 "$bin" scan -o "$tmp/no/such/dir/f.csv" "$edges"
expect_grep output-dir-missing-msg "$tmp/err" "cannot write '.*f.csv': No such file or directory"
check output-file 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z -o "$tmp/f.csv" "$edges"
if [ "$(wc -l < "$tmp/f.csv")" -eq 5 ] && [ ! -s "$tmp/out" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL output-file"; fi

# List files: BOM, comments, blanks, CRLF
printf '\xef\xbb\xbf# servers to watch\r\n\r\n   srv1  \r\n# srv2\r\n' > "$tmp/servers.txt"
check servers-file 0 "$bin" scan --servers-file "$tmp/servers.txt" --now 2024-05-31T12:00:00Z "$edges"
if cmp -s "$tmp/out" "$root/tests/data/golden/edges_csv/expected.csv"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL servers-file-output"; fi
printf 'microsoft.com\n' > "$tmp/allow.txt"
check allow-file 0 "$bin" scan --servers srv1 --allow-file "$tmp/allow.txt" --now 2024-05-31T12:00:00Z "$edges"
if ! grep -q '20.0.0.2' "$tmp/out" && grep -q '20.0.0.3' "$tmp/out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL allow-file-output"; fi

# Malformed records: skipped, counted, located; --strict makes them an error
{ head -c 100000 /dev/null; printf 'Timestamp,DeviceName,ActionType,RemoteIP,RemoteIPType,RemoteUrl\n';
  printf '2024-05-30T00:00:00Z,s,ConnectionSuccess,1.2.3.4,Public,\n';
  printf '2024-05-30T00:00:00Z,s,ConnectionSuccess,1.2.3.4\n';
  printf 'not-a-time,s,ConnectionSuccess,1.2.3.4,Public,\n'; } > "$tmp/bad.csv"
check malformed-skip 0 "$bin" scan "$tmp/bad.csv"
expect_grep malformed-count "$tmp/err" "malformed +2 records skipped"
expect_grep malformed-where "$tmp/err" "bad.csv:3 \(byte 121\): number of fields differs"
expect_grep malformed-time "$tmp/err" "bad.csv:4 .*time 'not-a-time'"
check malformed-strict 3 "$bin" scan --strict "$tmp/bad.csv"
expect_grep malformed-strict-msg "$tmp/err" "malformed record in .*bad.csv at line 3"

# Compressed inputs: the same findings; a corrupt file is a clear error
gzip -c "$edges" > "$tmp/edges.csv.gz"
gzip -c "$root/tests/data/golden/edges_streaming/input.json" > "$tmp/stream.json.gz"
check gzip-csv 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/edges.csv.gz"
if cmp -s "$tmp/out" "$root/tests/data/golden/edges_csv/expected.csv"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL gzip-csv-output"; fi
check gzip-json 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z --chunk-size 64 "$tmp/stream.json.gz"
if cmp -s "$tmp/out" "$root/tests/data/golden/edges_streaming/expected.csv"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL gzip-json-output"; fi
head -c 100 "$tmp/edges.csv.gz" > "$tmp/cut.csv.gz"
check gzip-truncated 3 "$bin" scan "$tmp/cut.csv.gz"
expect_grep gzip-truncated-msg "$tmp/err" "cannot decompress '.*cut.csv.gz': gzip"

# EVTX: a renamed file is recognised by content; a truncated or damaged file is read as far as it is
# valid, the damage counted and located, and --strict turns it into an error
evtx="$root/tests/data/real/evtx/DE_sysmon-3-rdp-tun.evtx"
cp "$evtx" "$tmp/collector.evtx_data"
check evtx-renamed 0 "$bin" scan "$tmp/collector.evtx_data"
if cmp -s "$tmp/out" <("$bin" scan "$evtx" 2>/dev/null); then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL evtx-renamed-output"; fi
head -c 40000 "$evtx" > "$tmp/truncated.evtx"
check evtx-truncated 0 "$bin" scan "$tmp/truncated.evtx"
expect_grep evtx-truncated-where "$tmp/err" "truncated.evtx \(byte 4096\): EVTX chunk 0"
expect_grep evtx-truncated-recovered "$tmp/err" "evtx_truncated_chunks_read_unverified: 1"
if [ "$(grep -c 'Microsoft-Windows-Sysmon/Operational,PC01.example.corp' "$tmp/out")" -eq 4 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL evtx-truncated: the complete records of the cut chunk were not read and written"; fi
check evtx-truncated-strict 3 "$bin" scan --strict "$tmp/truncated.evtx"
python3 - "$evtx" "$tmp/damaged.evtx" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[4096 + 30000] ^= 0xFF          # inside chunk 0's records: its data CRC no longer matches
open(sys.argv[2], 'wb').write(d)
PY
check evtx-damaged 0 "$bin" scan "$tmp/damaged.evtx"
expect_grep evtx-damaged-where "$tmp/err" "damaged.evtx \(byte 4096\): EVTX chunk 0: .*(checksum|CRC)"

# Directories are scanned recursively; the same files named in any order give the same bytes
mkdir -p "$tmp/dir/sub"; cp "$edges" "$tmp/dir/sub/a.csv"; cp "$root/tests/data/golden/edges_streaming/input.json" "$tmp/dir/b.json"
"$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/dir" > "$tmp/d1" 2>/dev/null
"$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/dir/sub/a.csv" "$tmp/dir/b.json" > "$tmp/d2" 2>/dev/null
"$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/dir/b.json" "$tmp/dir/sub/a.csv" > "$tmp/d3" 2>/dev/null
if cmp -s "$tmp/d1" "$tmp/d2" && cmp -s "$tmp/d2" "$tmp/d3" && [ "$(wc -l < "$tmp/d1")" -eq 9 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL directory-order"; fi
# The same file named twice, however spelled, is read once
( cd "$tmp/dir/sub" && "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z a.csv ./a.csv ../sub/a.csv > "$tmp/same1" 2>/dev/null )
"$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/dir/sub/a.csv" > "$tmp/same2" 2>/dev/null
if cmp -s "$tmp/same1" "$tmp/same2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL same-file-twice"; fi
# Invalid UTF-8 in the input still gives valid JSON lines and stats
printf 'Timestamp,DeviceName,ActionType,RemoteIP,RemoteIPType,RemoteUrl\n2024-01-01T00:00:00Z,a\xff,ConnectionSuccess,1.1.1.1,Public,u\xfe\nx\xfe\x01,a,ConnectionSuccess,1.1.1.1,Public,\n' > "$tmp/bad-utf8.csv"
check invalid-utf8-jsonl 0 "$bin" scan --format jsonl --stats "$tmp/utf8.json" "$tmp/bad-utf8.csv"
if python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1], 'rb')]; json.load(open(sys.argv[2], 'rb'))" "$tmp/out" "$tmp/utf8.json"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL invalid-utf8-json"; fi
# A README with a comma or an unrelated JSON file among the exports is skipped, not read as data
printf '# Notes, by Bob\n' > "$tmp/dir/README.md"
echo '{"name":"tool","version":"1"}' > "$tmp/dir/package.json"
check directory-skips-notes 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/dir"
if cmp -s "$tmp/out" "$tmp/d1"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL directory-skips-notes-output"; fi
rm -f "$tmp/dir/README.md" "$tmp/dir/package.json"
# A file of no known format inside a directory is skipped with a warning (named alone: an error)
echo "case notes" > "$tmp/dir/notes.txt"
check directory-skips-unknown 0 "$bin" scan --servers srv1 --now 2024-05-31T12:00:00Z "$tmp/dir"
expect_grep directory-skips-unknown-msg "$tmp/err" "skipping '.*notes.txt'"
if cmp -s "$tmp/out" "$tmp/d1"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL directory-skips-unknown-output"; fi

finish
