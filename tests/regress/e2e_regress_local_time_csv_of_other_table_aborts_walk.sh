#!/usr/bin/env bash
# Regression: under --hunt mde, a Sentinel Sysmon (Event table) CSV in local time found while walking
# a directory aborted the whole run with exit 2 ("give its zone with --input-timezone"), although
# the file is not the hunt's table at all. The table check comes first: in a walk such a file is
# skipped with a warning; named, it is refused for its missing columns (exit 3).
set -u
source "$(dirname "$0")/lib.sh"
sysmon_csv="$root/tests/data/real/sentinel/Microsoft_Sysmon_NetworkSession_IngestedLogs.first12rows.csv"
mde_csv="$root/tests/data/real/mde/advanced_hunting_test.csv"
mkdir "$tmp/dir" && cp "$sysmon_csv" "$mde_csv" "$tmp/dir/"
check walk 0 "$bin" scan --hunt mde --stats "$tmp/stats.json" "$tmp/dir"
expect_grep walk-warning "$tmp/err" "warning: skipping '.*first12rows.csv'.*RemoteIP"
expect_grep walk-counted "$tmp/stats.json" "files_skipped_missing_columns\":1"
check named 3 "$bin" scan --hunt mde "$sysmon_csv"
expect_grep named-columns "$tmp/err" "first12rows.csv.*lacks.*RemoteIP"
# the file the hunt reads still asks for its zone
check sysmon-named 2 "$bin" scan --hunt sysmon --time-source column "$sysmon_csv"
expect_grep sysmon-zone "$tmp/err" "input-timezone"
finish
