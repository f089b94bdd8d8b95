#!/usr/bin/env bash
# Regression: Streaming API / Event Hub records whose "category" is another Advanced Hunting table
# (AdvancedHunting-DeviceProcessEvents, ...) were hunted as DeviceNetworkEvents rows: in a mixed file
# they moved `now` and could become findings; a file holding only other tables gave findings and
# exit 0. They are rows of other tables: skipped and counted; a file with none of the hunt's table is
# refused like one without its columns (exit 3 when named, a warning when found in a directory).
set -u
source "$(dirname "$0")/lib.sh"
golden="$root/tests/data/golden/edges_streaming"
# One DeviceProcessEvents record with every field the hunt reads, later than every network event:
# hunted as a network event, it would move `now` and be a finding of its own.
other='{"time":"2024-07-01T00:00:00Z","tenantId":"t","operationName":"Publish","category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2024-07-01T00:00:00Z","DeviceName":"srv1","ActionType":"ConnectionSuccess","RemoteIPType":"Public","RemoteIP":"99.9.9.9","RemoteUrl":"evil.example","InitiatingProcessFileName":"x.exe"}}'
printf '%s\n' "$other" > "$tmp/process_only.json"
check only-other-named 3 "$bin" scan --hunt mde "$tmp/process_only.json"
expect_grep only-other-named-msg "$tmp/err" "process_only.json.*DeviceProcessEvents"
printf '{"records":[%s]}\n' "$other" > "$tmp/hub_process_only.json"
check only-other-hub 3 "$bin" scan --hunt mde "$tmp/hub_process_only.json"
# mixed: the golden findings stay the same, with the same default `now`, and the record is counted
{ head -n 5 "$golden/input.json"; printf '%s\n' "$other"; tail -n +6 "$golden/input.json"; } > "$tmp/mixed.json"
check golden 0 "$bin" scan --servers srv1 "$golden/input.json" -o "$tmp/want.csv"
check mixed 0 "$bin" scan --servers srv1 --stats "$tmp/stats.json" "$tmp/mixed.json" -o "$tmp/got.csv"
expect_same mixed-findings "$tmp/want.csv" "$tmp/got.csv"
expect_grep mixed-counted "$tmp/stats.json" "records_of_other_tables\":1"
check mixed-tiny-chunks 0 "$bin" scan --servers srv1 --threads 4 --chunk-size 1 "$tmp/mixed.json" -o "$tmp/got4.csv"
expect_same mixed-tiny-chunks-findings "$tmp/want.csv" "$tmp/got4.csv"
# in a directory: skipped with a warning naming it; the fitting file is still read
mkdir "$tmp/dir" && cp "$tmp/process_only.json" "$golden/input.json" "$tmp/dir/"
check dir 0 "$bin" scan --servers srv1 --stats "$tmp/stats2.json" "$tmp/dir" -o "$tmp/got_dir.csv"
expect_grep dir-warning "$tmp/err" "warning: skipping '.*process_only.json'.*DeviceProcessEvents"
expect_same dir-findings "$tmp/want.csv" "$tmp/got_dir.csv"
# a Sentinel export's flat rows name their table in "Type"
printf '{"Type":"DeviceProcessEvents","Timestamp":"2024-07-01T00:00:00Z","DeviceName":"srv1","ActionType":"ConnectionSuccess","RemoteIPType":"Public","RemoteIP":"99.9.9.9","RemoteUrl":"evil.example"}\n' > "$tmp/type_other.json"
check type-other 3 "$bin" scan --hunt mde "$tmp/type_other.json"
finish
