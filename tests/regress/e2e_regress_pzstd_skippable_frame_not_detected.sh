#!/usr/bin/env bash
# Regression: a .zst written by pzstd (its frames each after a skippable frame, magic 50 2a 4d 18)
# of event XML or EVTX was "cannot tell the format": the whole-file decoder had its own magic-byte
# check, which knew only the zstd frame magic. One sniffer now serves both paths
# (scanner/compressed_units.cpp); the findings are those of the plain file.
set -u
source "$(dirname "$0")/lib.sh"
xml="$root/tests/data/golden/sysmon_xml_event_rows/input.xml"
evtx="$root/tests/data/real/evtx/DE_sysmon-3-rdp-tun.evtx"
now=(--now 2024-05-31T00:00:00Z)
for input in "$xml" "$evtx"; do
  name="$(basename "$input")"
  pzstd -q -p 1 -c "$input" >"$tmp/$name.zst"
  check "$name plain" 0 "$bin" scan "${now[@]}" "$input"; cp "$tmp/out" "$tmp/want"
  check "$name pzstd" 0 "$bin" scan "${now[@]}" "$tmp/$name.zst"
  expect_same "$name pzstd findings" "$tmp/want" "$tmp/out"
  check "$name pzstd on stdin" 0 "$bin" scan "${now[@]}" - <"$tmp/$name.zst"
  expect_same "$name pzstd stdin findings" "$tmp/want" "$tmp/out"
done
finish
