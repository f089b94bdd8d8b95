#!/usr/bin/env python3
# ref_mde.py: the test oracle for rareconn's MDE hunt. A deliberately naive, slow and independent
# reference implementation of the seed's DeviceNetworkEvents query (/work/shared/seeds/000_27d4412b354eb157.txt)
# following /work/shared/kql-semantics.md literally. It shares no code with rareconn or with the data generator.
#
# Usage: ref_mde.py [--servers a,b | --servers-file F] [--server-match exact|nocase|hostname]
#                   [--now TIME|latest] [--lookback 30d] [--recent 5d] [--threshold 50]
#                   [--allow N1,N2] [--allow-file F] [--no-default-allow] [--by ip|ip+process]
#                   [--per-server] FILE...
# Writes the findings as CSV (RFC 4180, LF line ends) to stdout; malformed-record counts to stderr.
import argparse
import csv
import datetime
import io
import json
import os
import re
import sys
from fractions import Fraction

DEFAULT_NEEDLES = [".microsoft.com", ".windowsupdate.com", "login.microsoftonline.com", "login.live.com",
                   "autodiscover-s.outlook.com", "ocsp.digicert.com", "ocsp.verisign.com", "login.windows.net",
                   "outlook.office365.com", "accounts.accesscontrol.windows.net"]
TICKS_PER_SECOND = 10_000_000
TICKS_PER_DAY = 86400 * TICKS_PER_SECOND
MAX_TICKS = 3_155_378_975_999_999_999  # 9999-12-31T23:59:59.9999999Z


# ----------------------------------------------------------------------------- ASCII helpers
# DeviceNetworkEvents columns of type datetime besides the event time (kql-semantics §7.1).
DATETIME_COLS = ("Timestamp", "TimeGenerated", "InitiatingProcessCreationTime", "InitiatingProcessParentCreationTime")


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def is_alnum_byte(b):
    return 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122


def fold_byte(b):
    return b + 32 if 65 <= b <= 90 else b


def to_bytes(s):
    return s.encode("utf-8", "surrogateescape")


# ----------------------------------------------------------------------------- time
# Kusto's documented ISO forms (scalar-data-types/datetime): a date alone, or with HH:MM, seconds
# and fraction optional; a zone Z, +hh:mm, +hhmm or +hh.
TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]*))?)?"
                     r"(Z|[+-][0-9]{2}:[0-9]{2}|[+-][0-9]{4}|[+-][0-9]{2})?)?")


def parse_time(text):
    """ISO 8601 text -> 100 ns ticks since 0001-01-01T00:00:00Z, or None if malformed."""
    text = text.strip(" \t")
    m = TIME_RE.fullmatch(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i) or 0) for i in range(1, 7))
    frac = m.group(7) or ""
    zone = m.group(8) or "Z"
    if y < 1 or not 1 <= mo <= 12 or h > 23 or mi > 59 or s > 59:
        return None
    try:
        days = datetime.date(y, mo, d).toordinal() - 1
    except ValueError:
        return None
    frac7 = int((frac + "0000000")[:7])  # truncate beyond 7 digits
    ticks = days * TICKS_PER_DAY + (h * 3600 + mi * 60 + s) * TICKS_PER_SECOND + frac7
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        oh, om = int(digits[:2]), int(digits[2:] or 0)
        if oh > 14 or om > 59:
            return None
        ticks -= sign * (oh * 3600 + om * 60) * TICKS_PER_SECOND
    if ticks < 0 or ticks > MAX_TICKS:
        return None
    return ticks


def format_time(ticks):
    days, rem = divmod(ticks, TICKS_PER_DAY)
    date = datetime.date.fromordinal(days + 1)
    secs, frac = divmod(rem, TICKS_PER_SECOND)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ" % (date.year, date.month, date.day, secs // 3600,
                                                     secs // 60 % 60, secs % 60, frac)


SPAN_UNITS = {"d": TICKS_PER_DAY, "h": 3600 * TICKS_PER_SECOND, "m": 60 * TICKS_PER_SECOND,
              "min": 60 * TICKS_PER_SECOND, "s": TICKS_PER_SECOND, "ms": 10_000, "microsecond": 10, "tick": 1}


def parse_span(text):
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(d|h|m|min|s|ms|microsecond|tick)", text.strip())
    if not m:
        raise SystemExit("ref_mde: bad timespan %r" % text)
    return int(Fraction(m.group(1)) * SPAN_UNITS[m.group(2)])


# ----------------------------------------------------------------------------- JSON
class RawNum(str):
    """A JSON number, kept as the exact text of its token."""


class Obj(list):
    """A JSON object as its (key, value) pairs in file order."""


def json_escape(s):
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\b":
            out.append("\\b")
        elif c == "\f":
            out.append("\\f")
        elif ord(c) < 0x20:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def json_compact(v):
    if isinstance(v, Obj):
        return "{" + ",".join(json_escape(k) + ":" + json_compact(x) for k, x in v) + "}"
    if isinstance(v, list):
        return "[" + ",".join(json_compact(x) for x in v) + "]"
    if isinstance(v, RawNum):
        return str.__str__(v)
    if isinstance(v, str):
        return json_escape(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    raise TypeError(type(v))


def value_text(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (Obj, list)):
        return json_compact(v)
    return str.__str__(v)  # str or RawNum


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def load_json(line):
    return json.loads(line, object_pairs_hook=Obj, parse_int=RawNum, parse_float=RawNum,
                      parse_constant=reject_constant)


def obj_get(o, key):
    """Last value of key in an Obj (like a dict built from the pairs), or a sentinel."""
    found = _MISSING
    for k, v in o:
        if k == key:
            found = v
    return found


_MISSING = object()


# ----------------------------------------------------------------------------- records
class Record:
    __slots__ = ("cols", "vals", "time_col", "ticks", "file_idx", "pos")

    def __init__(self, cols, vals, time_col, ticks, file_idx, pos):
        self.cols = cols          # column names of this record, in order
        self.vals = vals          # dict name -> text
        self.time_col = time_col  # "Timestamp" / "TimeGenerated" / None
        self.ticks = ticks
        self.file_idx = file_idx
        self.pos = pos

    def get(self, name):
        return self.vals.get(name, "")


class Reader:
    def __init__(self):
        self.records = []
        self.csv_columns = []  # union of CSV header columns, files in sorted order
        self.malformed = 0

    def add_record(self, cols, vals, file_idx, pos):
        if "Timestamp" in vals:
            tcol = "Timestamp"
        elif "TimeGenerated" in vals:
            tcol = "TimeGenerated"
        else:
            tcol = None
        ttext = vals[tcol] if tcol else ""
        if ttext.strip(" \t") == "":
            return  # null time: the `>` comparisons are null, the row never passes a window
        ticks = parse_time(ttext)
        if ticks is None:
            self.malformed += 1
            return
        self.records.append(Record(cols, vals, tcol, ticks, file_idx, pos))

    def read_file(self, path, file_idx):
        with open(path, "rb") as fp:
            data = fp.read()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        text = data.decode("utf-8", "surrogateescape")
        if text.lstrip(" \t\r\n").startswith(("{", "[")):
            self.read_json(text, file_idx)
        else:
            self.read_csv(text, file_idx)

    def read_csv(self, text, file_idx):
        rows = csv.reader(io.StringIO(text, newline=""))
        header = None
        pos = 0
        for row in rows:
            if header is None:
                header = row
                for c in header:
                    if c not in self.csv_columns:
                        self.csv_columns.append(c)
                continue
            if len(row) == 0:
                continue  # blank line
            pos += 1
            if len(row) != len(header):
                self.malformed += 1
                continue
            self.add_record(header, dict(zip(header, row)), file_idx, pos)

    def read_json(self, text, file_idx):
        pos = 0
        for line in text.split("\n"):
            if line.endswith("\r"):
                line = line[:-1]
            if line.strip(" \t\r") == "":
                continue
            pos += 1
            try:
                value = load_json(line)
            except (ValueError, RecursionError):
                self.malformed += 1
                continue
            if not isinstance(value, Obj):
                self.malformed += 1
                continue
            records = obj_get(value, "records")
            if isinstance(records, list):
                items = records
            else:
                items = [value]
            for sub, item in enumerate(items):
                if not isinstance(item, Obj):
                    self.malformed += 1
                    continue
                props = obj_get(item, "properties")
                if isinstance(props, Obj):
                    item = props
                cols, vals = [], {}
                for k, v in item:
                    if k not in vals:
                        cols.append(k)
                    vals[k] = value_text(v)
                self.add_record(cols, vals, file_idx, (pos, sub))


# ----------------------------------------------------------------------------- has / has_any (§1.3)
def has(hay, needle):
    """Kusto `has` on bytes, brute force over every position."""
    n = len(needle)
    if n == 0:
        return False
    for i in range(0, len(hay) - n + 1):
        ok = True
        for k in range(n):
            if fold_byte(hay[i + k]) != fold_byte(needle[k]):
                ok = False
                break
        if not ok:
            continue
        if is_alnum_byte(needle[0]) and not (i == 0 or not is_alnum_byte(hay[i - 1])):
            continue
        if is_alnum_byte(needle[n - 1]) and not (i + n == len(hay) or not is_alnum_byte(hay[i + n])):
            continue
        return True
    return False


def has_any(hay_text, needles):
    hay = to_bytes(hay_text)
    return any(has(hay, to_bytes(nd)) for nd in needles)


# ----------------------------------------------------------------------------- output
def csv_out(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def read_list_file(path):
    out = []
    with open(path, "rb") as fp:
        data = fp.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for line in data.decode("utf-8", "surrogateescape").split("\n"):
        line = line.strip(" \t\r")
        if line == "" or line.startswith("#"):
            continue
        out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser(description="naive reference implementation of the MDE hunt")
    ap.add_argument("files", nargs="*")
    ap.add_argument("--servers")
    ap.add_argument("--servers-file")
    ap.add_argument("--server-match", choices=["exact", "nocase", "hostname"], default="exact")
    ap.add_argument("--now", default="latest")
    ap.add_argument("--lookback", default="30d")
    ap.add_argument("--recent", default="5d")
    ap.add_argument("--threshold", type=int, default=50)
    ap.add_argument("--allow")
    ap.add_argument("--allow-file")
    ap.add_argument("--no-default-allow", action="store_true")
    ap.add_argument("--by", choices=["ip", "ip+process"], default="ip")
    ap.add_argument("--per-server", action="store_true")
    a = ap.parse_args()

    servers = None
    if a.servers is not None or a.servers_file:
        servers = []
        if a.servers is not None:
            servers += [s.strip(" \t") for s in a.servers.split(",") if s.strip(" \t") != ""]
        if a.servers_file:
            servers += read_list_file(a.servers_file)
    needles = [] if a.no_default_allow else list(DEFAULT_NEEDLES)
    if a.allow:
        needles += [s.strip(" \t") for s in a.allow.split(",") if s.strip(" \t") != ""]
    if a.allow_file:
        needles += read_list_file(a.allow_file)
    lookback = parse_span(a.lookback)
    recent = parse_span(a.recent)

    # files in byte order of their paths as given
    paths = sorted(a.files, key=os.fsencode)
    reader = Reader()
    for idx, p in enumerate(paths):
        reader.read_file(p, idx)
    if reader.malformed:
        print("ref_mde: %d malformed records skipped" % reader.malformed, file=sys.stderr)

    key_cols = []
    if a.per_server:
        key_cols.append("DeviceName")
    key_cols.append("RemoteIP")
    if a.by == "ip+process":
        key_cols.append("InitiatingProcessFileName")

    if a.now == "latest":
        now = max((r.ticks for r in reader.records), default=None)
    else:
        now = parse_time(a.now)
        if now is None:
            raise SystemExit("ref_mde: bad --now %r" % a.now)

    def device_ok(name):
        if servers is None:
            return True
        if a.server_match == "exact":
            return any(name == s for s in servers)
        if a.server_match == "nocase":
            return any(ascii_lower(name) == ascii_lower(s) for s in servers)
        short = ascii_lower(name.split(".", 1)[0])
        return any(short == ascii_lower(s.split(".", 1)[0]) for s in servers)

    def passes(r):
        return (device_ok(r.get("DeviceName"))
                and r.get("ActionType") == "ConnectionSuccess"
                and r.get("RemoteIPType") not in ("Private", "Loopback")
                and not ascii_lower(r.get("RemoteIP")).startswith("169.254."))

    def key_of(r):
        return tuple(r.get(c) for c in key_cols)

    findings = []
    if now is not None:
        # baseline L
        counts, urls = {}, {}
        for r in reader.records:
            if r.ticks > now - lookback and passes(r):
                k = key_of(r)
                counts[k] = counts.get(k, 0) + 1
                urls.setdefault(k, set()).add(r.get("RemoteUrl"))
        kept = {}
        for k in counts:
            if counts[k] < a.threshold:
                set_text = "[" + ",".join(json_escape(u) for u in sorted(urls[k], key=to_bytes)) + "]"
                if not has_any(set_text, needles):
                    kept[k] = (set_text, counts[k])
        # recent R joined to the kept groups
        for r in reader.records:
            if r.ticks > now - recent and passes(r):
                k = key_of(r)
                if k in kept:
                    findings.append((r, kept[k]))
    findings.sort(key=lambda f: (f[0].ticks, f[0].file_idx, f[0].pos))

    columns = list(reader.csv_columns)
    for r, _ in findings:
        for c in r.cols:
            if c not in columns:
                columns.append(c)
    header = key_cols + ["set_RemoteUrl", "count_"] + [c + "1" if c in key_cols else c for c in columns]
    lines = [",".join(csv_out(h) for h in header)]
    for r, (set_text, count) in findings:
        cells = [r.get(c) for c in key_cols] + [set_text, str(count)]
        for c in columns:
            v = r.get(c)
            if c == r.time_col:
                v = format_time(r.ticks)
            elif c in DATETIME_COLS and v:
                t = parse_time(v)  # other datetime columns print as Kusto prints a datetime
                if t is not None:
                    v = format_time(t)
            cells.append(v)
        lines.append(",".join(csv_out(x) for x in cells))
    sys.stdout.buffer.write(to_bytes("\n".join(lines) + "\n"))


if __name__ == "__main__":
    main()
