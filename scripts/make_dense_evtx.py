#!/usr/bin/env python3
"""make_dense_evtx.py: build a dense EVTX benchmark file from the non-empty chunks of public samples.

    python3 scripts/make_dense_evtx.py --out FILE --chunks N SAMPLE.evtx...

EVTX layout (libevtx, "Windows XML Event Log (EVTX)" format documentation; all integers little-endian):
  file header, 4096 bytes:  0 "ElfFile\\0", 8 first chunk number (u64), 16 last chunk number (u64),
                            24 next record identifier (u64), 32 header size (u32, 128), 36 minor version (u16),
                            38 major version (u16), 40 header block size (u16, 4096), 42 number of chunks (u16),
                            120 flags (u32: 1 dirty, 2 full), 124 CRC32 of bytes 0..119 (u32)
  chunks, 65536 bytes each: 0 "ElfChnk\\0", 8/16 first/last event record number, 24/32 first/last event
                            record identifier, 40 header size (128), 44 last record offset, 48 free space
                            offset, 52 CRC32 of the record data [512, free space offset), 120 flags,
                            124 CRC32 of chunk bytes 0..119 and 128..511; records from offset 512:
                            "**\\0\\0" (0x00002a2a), u32 size, u64 identifier, FILETIME, BinXml, u32 size copy

A chunk is self-contained (its own string and template tables), so a copied chunk stays valid where it
lands: the non-empty chunks of the samples (slots that start with "ElfChnk\\0" and hold records) are
copied unchanged, round-robin in the order given, until there are N of them, behind a new file header
(a sample's header with first chunk 0, last chunk N-1, chunk count N, next record identifier = highest
last record identifier + 1, flags 0 = clean, and its CRC32 recomputed). Record identifiers repeat from
one copy of a chunk to the next; readers do not care (each chunk's own numbers stay consistent).

Prints a JSON line to stdout: {"out", "chunks", "records", "bytes", "source_chunks", "source_records"}.
"""
import argparse
import json
import os
import struct
import sys
import zlib

FILE_HEADER = 4096
CHUNK = 65536
CHUNK_HEADER = 512
FILE_MAGIC = b"ElfFile\0"
CHUNK_MAGIC = b"ElfChnk\0"
RECORD_MAGIC = b"\x2a\x2a\0\0"


def count_records(chunk):
    """Records of a chunk: walk the record headers from offset 512 up to the free space offset."""
    free = struct.unpack_from("<I", chunk, 48)[0]
    free = min(free, CHUNK)
    n, off = 0, CHUNK_HEADER
    while off + 28 <= free and chunk[off:off + 4] == RECORD_MAGIC:
        size = struct.unpack_from("<I", chunk, off + 4)[0]
        if size < 28 or off + size > free:
            break
        n += 1
        off += size
    return n


def chunk_crc_ok(chunk):
    hdr = struct.unpack_from("<I", chunk, 124)[0] == zlib.crc32(chunk[128:512], zlib.crc32(chunk[:120]))
    free = min(struct.unpack_from("<I", chunk, 48)[0], CHUNK)
    data = struct.unpack_from("<I", chunk, 52)[0] == zlib.crc32(chunk[CHUNK_HEADER:free])
    return hdr and data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output EVTX file")
    ap.add_argument("--chunks", type=int, required=True, help="number of chunks (1..65535)")
    ap.add_argument("samples", nargs="+", help="sample .evtx files")
    a = ap.parse_args()
    if not 1 <= a.chunks <= 0xFFFF:
        sys.exit("make_dense_evtx.py: --chunks must be 1..65535 (the header's chunk count is a u16)")

    header = None
    chunks = []  # (bytes, records)
    max_last_id = 0
    for path in a.samples:
        with open(path, "rb") as f:
            data = f.read()
        if len(data) < FILE_HEADER or data[:8] != FILE_MAGIC:
            sys.exit(f"make_dense_evtx.py: {path}: not an EVTX file (no ElfFile signature)")
        if header is None:
            header = bytearray(data[:FILE_HEADER])
        used = 0
        for off in range(FILE_HEADER, len(data) - CHUNK + 1, CHUNK):
            c = data[off:off + CHUNK]
            if c[:8] != CHUNK_MAGIC:
                continue
            n = count_records(c)
            if n == 0:
                continue
            if not chunk_crc_ok(c):
                print(f"make_dense_evtx.py: {path}: chunk at {off} has a bad CRC, skipped", file=sys.stderr)
                continue
            chunks.append((c, n))
            max_last_id = max(max_last_id, struct.unpack_from("<Q", c, 32)[0])
            used += 1
        print(f"make_dense_evtx.py: {path}: {used} non-empty chunk(s)", file=sys.stderr)
    if not chunks:
        sys.exit("make_dense_evtx.py: no non-empty chunk in the samples")

    struct.pack_into("<QQQ", header, 8, 0, a.chunks - 1, max_last_id + 1)
    struct.pack_into("<H", header, 42, a.chunks)
    struct.pack_into("<I", header, 120, 0)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))

    records = 0
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as o:
        o.write(header)
        for i in range(a.chunks):
            c, n = chunks[i % len(chunks)]
            o.write(c)
            records += n
    os.replace(tmp, a.out)
    print(json.dumps({"out": a.out, "chunks": a.chunks, "records": records, "bytes": os.path.getsize(a.out),
                      "source_chunks": len(chunks), "source_records": sum(n for _, n in chunks)}))


if __name__ == "__main__":
    main()
