#!/usr/bin/env bash
# Regression: `--hunt mde` given an EVTX file, an event XML file or a folder holding one died with
# SIGSEGV (the Sysmon decoders were called from an MDE worker). Named: exit 3 naming the file and
# the hunt; in a folder: skipped with a warning, and with nothing else to read, exit 3.
set -u
source "$(dirname "$0")/lib.sh"
evtx="$root/tests/data/real/evtx/DE_sysmon-3-rdp-tun.evtx"
xml="$root/tests/data/golden/sysmon_xml_event_rows/input.xml"
check evtx-named 3 "$bin" scan --hunt mde "$evtx"
expect_grep evtx-named-msg "$tmp/err" "DE_sysmon-3-rdp-tun.evtx.*(mde|Defender)"
check xml-named 3 "$bin" scan --hunt mde "$xml"
expect_grep xml-named-msg "$tmp/err" "input.xml.*(mde|Defender)"
mkdir -p "$tmp/dir" && cp "$evtx" "$xml" "$tmp/dir/"
check dir-only-sysmon 3 "$bin" scan --hunt mde "$tmp/dir"
expect_grep dir-warning "$tmp/err" "warning: skipping '.*DE_sysmon-3-rdp-tun.evtx'"
expect_grep dir-no-fit "$tmp/err" "no input .*mde"
cp "$root/tests/data/real/mde/advanced_hunting_test.csv" "$tmp/dir/"
check dir-mixed 0 "$bin" scan --hunt mde --threads 3 --chunk-size 64 "$tmp/dir"
expect_grep dir-mixed-summary "$tmp/err" "skipped.*2"
finish
