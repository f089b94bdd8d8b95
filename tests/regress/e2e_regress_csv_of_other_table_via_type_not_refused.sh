#!/usr/bin/env bash
# Regression: a CSV whose rows all name another table in a `Type` column (a Sentinel export of
# DeviceProcessEvents) had its rows skipped as other-table rows, but the file passed silently as 0
# records of DeviceNetworkEvents (exit 0), where such a JSON file is refused. Now it is refused as
# the JSON file is: exit 3 when named, a warning and `files_skipped_missing_columns` in a walk. A
# CSV with some rows of the table is hunted as before; a header-only CSV keeps its exit 0.
set -u
source "$(dirname "$0")/lib.sh"
# rows TYPE... : one row per TYPE, srv1 to a new address each, an hour apart (later rows newer).
rows() {
  local i=0
  echo "Type,Timestamp,DeviceName,ActionType,RemoteIPType,RemoteIP,RemoteUrl,InitiatingProcessFileName"
  for t in "$@"; do
    i=$((i + 1))
    printf '%s,2024-05-%02dT%02d:00:00Z,srv1,ConnectionSuccess,Public,20.0.%d.%d,h%d.example,a.exe\n' \
      "$t" $((20 + i / 24)) $((i % 24)) $((i / 200)) $((i % 200 + 1)) "$i"
  done
}
net=DeviceNetworkEvents; proc=DeviceProcessEvents
rows $net $net $net $net $net $net > "$tmp/net.csv"
rows $proc $proc $proc $proc $proc $proc > "$tmp/proc.csv"
# the network rows of net.csv, with rows of another table between them and after them (newer:
# hunted, they would move `now` and be findings)
{ rows $net $net $net $net $net $net; rows $proc $proc $proc | tail -n +2 | sed 's/2024-05-2./2024-05-29/'; } > "$tmp/mixed.csv"
check net 0 "$bin" scan --hunt mde -o "$tmp/want.csv" "$tmp/net.csv"
[ "$(wc -l < "$tmp/want.csv")" -ge 3 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL net: fewer than 2 findings (a weak case)"; }

# named: refused as a JSON file of another table is
check named 3 "$bin" scan --hunt mde "$tmp/proc.csv"
expect_grep named-msg "$tmp/err" "'.*proc.csv' cannot be read by the mde hunt: its records are rows of another table \(DeviceProcessEvents\), none of DeviceNetworkEvents"
check named-auto 3 "$bin" scan "$tmp/proc.csv"
check named-tiny-chunks 3 "$bin" scan --hunt mde --threads 2 --chunk-size 64 "$tmp/proc.csv"
gzip -c "$tmp/proc.csv" > "$tmp/proc.csv.gz"
check named-gz 3 "$bin" scan --hunt mde "$tmp/proc.csv.gz"
expect_grep named-gz-msg "$tmp/err" "proc.csv.gz.*rows of another table \(DeviceProcessEvents\)"

# in a directory: skipped with a warning; the fitting file is read as alone
mkdir "$tmp/dir" && cp "$tmp/net.csv" "$tmp/proc.csv" "$tmp/dir/"
check dir 0 "$bin" scan --hunt mde --stats "$tmp/dir.json" -o "$tmp/got_dir.csv" "$tmp/dir"
expect_grep dir-warning "$tmp/err" "warning: skipping '.*proc.csv': its records are rows of another table \(DeviceProcessEvents\), none of DeviceNetworkEvents"
expect_grep dir-counted "$tmp/dir.json" "files_skipped_missing_columns\":1"
expect_same dir-findings "$tmp/want.csv" "$tmp/got_dir.csv"
# a directory of such files only: nothing holds the table
mkdir "$tmp/only" && cp "$tmp/proc.csv" "$tmp/only/"
check only-other 3 "$bin" scan --hunt mde "$tmp/only"
# the same in a daily state: the file is listed as skipped, the other one read
check state 0 "$bin" scan --hunt mde --state "$tmp/state" -o "$tmp/got_state.csv" "$tmp/dir"
expect_grep state-warning "$tmp/err" "warning: skipping '.*proc.csv'.*DeviceProcessEvents"
expect_same state-findings "$tmp/want.csv" "$tmp/got_state.csv"

# mixed: hunted as before, the other table's rows counted and not hunted
check mixed 0 "$bin" scan --hunt mde --stats "$tmp/mixed.json" -o "$tmp/got_mixed.csv" "$tmp/mixed.csv"
expect_same mixed-findings "$tmp/want.csv" "$tmp/got_mixed.csv"
expect_grep mixed-counted "$tmp/mixed.json" "records_of_other_tables\":3"
# one row of the table, last, in chunks of its own: the file is not refused
rows $proc $proc $proc $proc $proc $proc $net > "$tmp/last.csv"
check last-tiny-chunks 0 "$bin" scan --hunt mde --threads 2 --chunk-size 64 --stats "$tmp/last.json" "$tmp/last.csv"
expect_grep last-read "$tmp/last.json" "\"records\":1,"
# a header alone is 0 records, exit 0, as it was
rows > "$tmp/header_only.csv"
check header-only 0 "$bin" scan --hunt mde --stats "$tmp/header_only.json" "$tmp/header_only.csv"
expect_grep header-only-records "$tmp/header_only.json" "\"records\":0,"
finish
