#!/usr/bin/env bash
# Regression: an EVTX chunk slot inside the file header's chunk count whose signature is damaged, or
# that is all zeros, vanished: counted as an "unused chunk slot", not as damage, so --strict exited
# 0 and the summary did not say that records were lost. Slots past the count of a cleanly closed
# file, and signature-less slots of a file still open (dirty), stay unused slots.
set -u
source "$(dirname "$0")/lib.sh"
src="$root/tests/data/real/evtx/DE_sysmon-3-rdp-tun.evtx"
# A clean file of three chunks (the sample's one chunk three times; the header says 3, CRC fixed),
# then the same with chunk 1's signature damaged and with chunk 2 zeroed.
/usr/bin/env python3 - "$src" "$tmp" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
head, chunk = bytearray(d[:4096]), d[4096:4096 + 65536]
struct.pack_into('<Q', head, 16, 2)          # last chunk number
struct.pack_into('<H', head, 42, 3)          # chunk count
struct.pack_into('<I', head, 120, 0)         # flags: clean
struct.pack_into('<I', head, 124, zlib.crc32(bytes(head[:120])))
def write(name, chunks):
    open(f"{sys.argv[2]}/{name}", 'wb').write(bytes(head) + b''.join(chunks))
write('clean.evtx', [chunk] * 3)
write('badsig.evtx', [chunk, b'X' + chunk[1:], chunk])
write('zeros.evtx', [chunk, chunk, bytes(65536)])
write('past_count.evtx', [chunk] * 3 + [bytes(65536), b'junk' + bytes(65532)])  # slots 3, 4: unused
PY
records() { sed -E 's/.*"records":([0-9]+).*/\1/' "$1"; }
malformed() { sed -E 's/.*"malformed":([0-9]+).*/\1/' "$1"; }
check clean 0 "$bin" scan --hunt sysmon --stats "$tmp/clean.json" "$tmp/clean.evtx"
n=$(records "$tmp/clean.json")
for f in badsig zeros; do
  check "$f" 0 "$bin" scan --hunt sysmon --stats "$tmp/$f.json" "$tmp/$f.evtx"
  [ "$(malformed "$tmp/$f.json")" -ge 1 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL $f: no damage counted"; cat "$tmp/$f.json"; }
  expect_grep "$f-located" "$tmp/$f.json" "\"evtx_chunk\":[12]"
  [ "$(records "$tmp/$f.json")" -eq $((n * 2 / 3)) ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL $f: records $(records "$tmp/$f.json"), wanted $((n * 2 / 3))"; }
  expect_grep "$f-not-one-record" "$tmp/err" "malformed  1 damaged record or EVTX chunk skipped"
  check "$f-strict" 3 "$bin" scan --hunt sysmon --strict "$tmp/$f.evtx"
done
# a chunk whose data CRC fails: the records its header lists are said, not "1 record"
/usr/bin/env python3 - "$tmp/clean.evtx" "$tmp/crc.evtx" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[4096 + 65536 + 600] ^= 0xFF
open(sys.argv[2], 'wb').write(d)
PY
check crc 0 "$bin" scan --hunt sysmon --stats "$tmp/crc.json" "$tmp/crc.evtx"
expect_grep crc-lost "$tmp/crc.json" "evtx_records_in_damaged_chunks_not_read\":$((n / 3))"
expect_grep crc-said "$tmp/err" "EVTX chunk 1: chunk data CRC32 mismatch \(its header lists records [0-9]+ to [0-9]+: $((n / 3)) not read\)"
check past-count 0 "$bin" scan --hunt sysmon --strict --stats "$tmp/past.json" "$tmp/past_count.evtx"
expect_grep past-count-unused "$tmp/past.json" "evtx_unused_chunk_slots\":2"
finish
