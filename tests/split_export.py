#!/usr/bin/env python3
"""Splits a CSV export into COUNT files under OUT (one folder per 200 files, as a triage collection
of many hosts looks), each with the header and its share of the records, cut at record ends (a
quoted field may hold line breaks). Paths sort in record order, so a tree's findings must be byte
for byte those of the whole file. Usage: split_export.py EXPORT.csv OUT COUNT"""
import os
import sys

src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
records, cur, quotes = [], [], 0
with open(src, "rb") as f:
    for line in f.read().split(b"\n"):
        cur.append(line)
        quotes += line.count(b'"')
        if quotes % 2 == 0:  # the line break is outside quotes: the record ends here
            records.append(b"\n".join(cur))
            cur, quotes = [], 0
if cur:
    records.append(b"\n".join(cur))
header, rows = records[0], [r for r in records[1:] if r]
per, extra = divmod(len(rows), count)
at = 0
for i in range(count):
    n = per + (1 if i < extra else 0)
    folder = os.path.join(out, "host%04d" % (i // 200))
    if i % 200 == 0:
        os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "export%06d.csv" % i), "wb") as f:
        f.write(header + b"\n" + b"\n".join(rows[at:at + n]) + (b"\n" if n else b""))
    at += n
