#!/usr/bin/env python3
# evtx_oracle.py: an independent oracle for the Sysmon hunt. EVTX files are rendered as XML by
# libevtx's evtxexport; Sentinel `Event` CSV exports are read with Python's csv module, their
# EventData with its XML parser and the time from the DataItem. The seed's Sysmon query is then
# applied (default options: every computer, 30d / 5d, threshold 50, one row per event) and
# "DestinationIp,count_,TimeGenerated" printed per finding, sorted, for comparison with rareconn.
# Usage: evtx_oracle.py FILE.evtx|FILE.csv...   (EVTX needs evtxexport, package libevtx-utils)
import datetime
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
PRIVATE = re.compile(r"^127\.|^10\.|^172\.1[6-9]\.|^172\.2[0-9]\.|^172\.3[0-1]\.|^192\.168\.")
TICKS_PER_DAY = 864_000_000_000


def ticks(text):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    frac = int(((m.group(7) or "") + "0000000")[:7])
    days = datetime.date(y, mo, d).toordinal() - 1
    t = days * TICKS_PER_DAY + (h * 3600 + mi * 60 + s) * 10_000_000 + frac
    zone = m.group(8)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        t -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * 10_000_000
    return t


def fmt(t):
    days, rest = divmod(t, TICKS_PER_DAY)
    d = datetime.date.fromordinal(days + 1)
    secs, frac = divmod(rest, 10_000_000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ" % (d.year, d.month, d.day, secs // 3600, secs // 60 % 60, secs % 60, frac)


events = []  # (time, provider, event id, DestinationIp)
for path in sys.argv[1:]:
    if path.endswith(".csv"):
        import csv
        with open(path, newline="", encoding="utf-8") as fp:
            for row in csv.DictReader(fp):
                item = ET.fromstring(row["EventData"])  # <DataItem time=...><EventData><Data Name=...>
                dest = ""
                for d in item.find(NS + "EventData").findall(NS + "Data"):
                    if d.get("Name") == "DestinationIp":
                        dest = d.text or ""
                events.append((ticks(item.get("time")), row["Source"], row["EventID"], dest))
        continue
    out = subprocess.run(["evtxexport", "-f", "xml", path], capture_output=True, check=True).stdout.decode("utf-8", "replace")
    for block in re.findall(r"<Event xmlns=.*?</Event>", out, re.S):
        e = ET.fromstring(block)
        system = e.find(NS + "System")
        time = ticks(system.find(NS + "TimeCreated").get("SystemTime"))
        provider = system.find(NS + "Provider").get("Name")
        event_id = system.find(NS + "EventID").text
        dest = ""
        data = e.find(NS + "EventData")
        if data is not None:
            for item in data.findall(NS + "Data"):
                if item.get("Name") == "DestinationIp":
                    dest = item.text or ""
        events.append((time, provider, event_id, dest))

now = max(t for t, _, _, _ in events)
base = [e for e in events if e[0] > now - 30 * TICKS_PER_DAY and e[1] == "Microsoft-Windows-Sysmon" and e[2] == "3"
        and not PRIVATE.search(e[3])]
counts = {}
for e in base:
    counts[e[3]] = counts.get(e[3], 0) + 1
recent_cut = now - 5 * TICKS_PER_DAY
rows = sorted("%s,%d,%s" % (e[3], counts[e[3]], fmt(e[0])) for e in base if e[0] > recent_cut and counts[e[3]] < 50)
print("\n".join(rows))
