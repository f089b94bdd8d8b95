#!/usr/bin/env python3
# diff_test.py: differential test of rareconn's MDE hunt against the naive oracle ref_mde.py.
# Generates data of many shapes with scripts/gen_mde.py (plus hand-written edge-case files), runs the
# oracle and `rareconn scan` with the same options (with an explicit --now and with the default), and
# compares stdout byte for byte. Also checks that the same events as CSV and as JSON lines give the same
# rareconn output, and that the output does not depend on --threads, --chunk-size or the order in which
# the files are named.
#
# Usage: diff_test.py BINARY [--repo DIR] [--only SUBSTRING] [--keep] [--jobs N] [-v]
#        diff_test.py --oracle-only      (no binary: self-checks of the oracle and the generator)
# Prints one line per check, details of each mismatch, and a final line "N passed, M failed".
# Exit status 0 only if every check passed.
import argparse
import concurrent.futures
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REPO = os.path.dirname(os.path.dirname(HERE))
END = "2024-05-31T12:00:00Z"

sys.path.insert(0, HERE)
import ref_mde  # noqa: E402  (the oracle; only its own self-checks use it as a module)


# ----------------------------------------------------------------------------- helpers
class Ctx:
    def __init__(self, binary, repo, tmp):
        self.binary = binary
        self.repo = repo
        self.tmp = tmp
        self.gen = os.path.join(repo, "scripts", "gen_mde.py")
        self.oracle = os.path.join(HERE, "ref_mde.py")


class Result:
    def __init__(self, shape):
        self.shape = shape
        self.lines = []
        self.passed = 0
        self.failed = 0
        self.findings = []  # finding counts of oracle runs

    def ok(self, what):
        self.passed += 1
        self.lines.append("  ok    %s" % what)

    def fail(self, what, detail=""):
        self.failed += 1
        self.lines.append("  FAIL  %s" % what)
        if detail:
            self.lines.extend("        " + x for x in detail.rstrip("\n").split("\n"))


def run(cmd, timeout=300):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def generate(ctx, path, fmt="csv", rows=5000, seed="1", end=END, days=40, order="asc", newline="lf",
             bom=False, servers=8, workstations=24, dirty=0.0, print_servers=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cmd = [sys.executable, ctx.gen, "--format", fmt, "--rows", str(rows), "--seed", str(seed), "--end", end,
           "--days", str(days), "--order", order, "--newline", newline, "--servers", str(servers),
           "--workstations", str(workstations), "--out", path]
    if bom:
        cmd.append("--bom")
    if dirty:
        cmd += ["--dirty", str(dirty)]
    if print_servers:
        cmd += ["--print-servers", print_servers]
    rc, _, err = run(cmd)
    if rc != 0:
        raise RuntimeError("generator failed: %s\n%s" % (" ".join(cmd), err.decode(errors="replace")))


def short(b, n=600):
    s = b.decode("utf-8", errors="backslashreplace")
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def first_diff(expected, actual, max_lines=3):
    """Human-readable description of where two CSV outputs differ."""
    el = expected.split(b"\n")
    al = actual.split(b"\n")
    out = ["expected %d lines, got %d lines" % (len(el) - 1, len(al) - 1)]
    header = []
    try:
        header = next(csv.reader(io.StringIO(el[0].decode("utf-8", "replace"))))
    except Exception:
        pass
    shown = 0
    for i in range(max(len(el), len(al))):
        e = el[i] if i < len(el) else None
        a = al[i] if i < len(al) else None
        if e == a:
            continue
        out.append("line %d:" % (i + 1))
        out.append("  oracle:   %s" % (short(e) if e is not None else "<missing>"))
        out.append("  rareconn: %s" % (short(a) if a is not None else "<missing>"))
        if e is not None and a is not None:
            try:
                ef = next(csv.reader(io.StringIO(e.decode("utf-8", "replace"))))
                af = next(csv.reader(io.StringIO(a.decode("utf-8", "replace"))))
                for j in range(max(len(ef), len(af))):
                    x = ef[j] if j < len(ef) else "<none>"
                    y = af[j] if j < len(af) else "<none>"
                    if x != y:
                        name = header[j] if j < len(header) else "#%d" % j
                        out.append("  first differing field %d (%s): oracle %r vs rareconn %r"
                                   % (j, name, x[:200], y[:200]))
                        break
            except Exception:
                pass
        shown += 1
        if shown >= max_lines:
            break
    return "\n".join(out)


def nrows(out):
    return max(0, out.count(b"\n") - 1)  # approximate: embedded newlines count too


# ----------------------------------------------------------------------------- checks
def compare_run(ctx, res, files, opts, label, now=None):
    """oracle vs rareconn for one option set; returns rareconn's stdout (or None)."""
    o_opts = list(opts) + (["--now", now] if now else [])
    rc, exp, oerr = run([sys.executable, ctx.oracle] + o_opts + files)
    if rc != 0:
        res.fail("%s: oracle failed (rc %d)" % (label, rc), short(oerr, 2000))
        return None
    res.findings.append(nrows(exp))
    rc, act, err = run([ctx.binary, "scan"] + o_opts + files)
    what = "%s [%d findings]" % (label, nrows(exp))
    if rc != 0:
        res.fail(what + ": rareconn exit %d" % rc, "cmd: rareconn scan %s\nstderr: %s"
                 % (" ".join(o_opts + files), short(err, 1500)))
        return None
    if act != exp:
        res.fail(what, "cmd: rareconn scan %s\n%s" % (" ".join(o_opts + files), first_diff(exp, act)))
        return act
    res.ok(what)
    return act


def check_both_nows(ctx, res, files, opts, label, now=END):
    compare_run(ctx, res, files, opts, "%s --now %s" % (label, now), now=now)
    compare_run(ctx, res, files, opts, "%s (default now)" % label)


def check_determinism(ctx, res, files, opts, label):
    base_cmd = [ctx.binary, "scan"] + list(opts) + ["--now", END]
    rc, ref, err = run(base_cmd + files)
    if rc != 0:
        res.fail("%s determinism: base run exit %d" % (label, rc), short(err))
        return
    variants = [["--threads", str(t)] for t in (1, 2, 3, 4)]
    variants += [["--chunk-size", str(c)] for c in (7, 64, 4096)]
    variants += [["--threads", "3", "--chunk-size", "64"]]
    if os.environ.get("RARECONN_TEST_QUICK") == "1":  # the sanitizer stages: 2 of the 8 variants
        variants = [["--threads", "1"], ["--threads", "3", "--chunk-size", "64"]]
    for v in variants:
        rc, out, err = run(base_cmd + v + files)
        what = "%s determinism %s" % (label, " ".join(v))
        if rc != 0:
            res.fail(what + ": exit %d" % rc, short(err))
        elif out != ref:
            res.fail(what, first_diff(ref, out))
        else:
            res.ok(what)
    if len(files) > 1:
        rc, out, err = run(base_cmd + list(reversed(files)))
        what = "%s determinism: files named in reverse order" % label
        if rc != 0:
            res.fail(what + ": exit %d" % rc, short(err))
        elif out != ref:
            res.fail(what, first_diff(ref, out))
        else:
            res.ok(what)


# ----------------------------------------------------------------------------- hand-written inputs
HAND_HEADER_A = ["DeviceName", "Timestamp", "ActionType", "RemoteIP", "RemoteUrl", "RemoteIPType",
                 "InitiatingProcessFileName", "InitiatingProcessCommandLine", "Extra", "RemotePort"]


def hand_csv_a():
    """Edge cases of §1.4 (has_any), §2 (filters), §3 (time), quoting; columns in a custom order."""
    rows = []
    t = "2024-05-30T10:00:00.0000000Z"

    def add(ip, url, ts=t, dev="srv-a.contoso.local", act="ConnectionSuccess", typ="Public",
            proc="svc.exe", cmd="svc.exe -run", extra="x", port="443"):
        rows.append([dev, ts, act, ip, url, typ, proc, cmd, extra, port])

    urls = ["www.microsoft.com", "microsoft.com", "a.microsoft.community", "a.microsoft.com.evil.net",
            "x-microsoft.com", "WWW.MICROSOFT.COM", "https://go.microsoft.com/fwlink", "a.microsoft.com_x",
            "a.microsoft.com1", "login.live.com", "xlogin.live.com", "a.login.live.com", "windowsupdate.com",
            "au.download.windowsupdate.com", "login.microsoftonline.com.au", "",
            "a.microsoft.community.microsoft.com", "x\nlogin.live.com", 'say"login.live.com"',
            "a\tlogin.live.com", "login.live.comü", "LOGIN.LIVE.COM", "münchen.microsoft.com",
            "ocsp.digicert.com:80", "outlook.office365.com.", "accounts.accesscontrol.windows.net/x",
            "login.windows.network", "autodiscover-s.outlook.co", "a,b.example", "back\\slash.example",
            "ctl\x01char.example"]
    for i, u in enumerate(urls):
        add("203.0.113.%d" % (i + 1), u)
    # filters
    add("198.51.100.1", "f1.example", act="connectionsuccess")
    add("198.51.100.2", "f2.example", act="ConnectionSuccess ")
    add("198.51.100.3", "f3.example", typ="private")
    add("198.51.100.4", "f4.example", typ="Private")
    add("198.51.100.5", "f5.example", typ="")
    add("198.51.100.6", "f6.example", typ="Loopback")
    add("198.51.100.7", "f7.example", typ="loopback")
    add("169.254.10.1", "f8.example")
    add("::ffff:169.254.1.9", "f9.example", typ="FourToSixMapping")
    add("", "f10.example")
    add("", "")
    add("198.51.100.11", "f11.example", dev="SRV-A.contoso.local")
    add("198.51.100.12", "f12.example", dev="srv-a")
    add("198.51.100.13", "f13.example", dev="srv-b.other.local")
    add("198.51.100.14", "f14.example", dev="")
    # URL set: case-distinct elements, duplicates, byte order of non-ASCII
    for u in ["www.Contoso.com", "www.contoso.com", "www.contoso.com", "Zeta.example", "zeta.example",
              "été.example", "ete.example", ""]:
        add("192.0.2.77", u)
    # time formats and window edges (now = 2024-05-31T12:00:00Z)
    for ts in ["2024-05-30 10:00:00", "2024-05-30T10:00:00.123+02:00", "2024-05-30T10:00:00.123456789Z",
               "2024-05-30T10:00:00.Z", "2024-05-30T10:00:00.1Z", "2024-05-29T23:30:00-01:30",
               "2024-05-26T12:00:00.0000000Z", "2024-05-26T12:00:00.0000001Z", "2024-05-01T12:00:00.0000000Z",
               "2024-05-01T12:00:00.0000001Z", "2024-06-02T00:00:00.0000000Z", "2024-05-30T10:00:00+0000"]:
        add("192.0.2.88", "t.example", ts=ts)
    add("192.0.2.89", "old.example", ts="2024-05-01T12:00:00.0000000Z")   # exactly now-30d: not in L
    add("192.0.2.89", "old.example", ts="2024-05-26T12:00:00.0000000Z")   # exactly now-5d: not in R
    add("192.0.2.89", "old.example", ts="2024-05-26T12:00:00.0000001Z")
    # quoting
    add("192.0.2.90", "q.example", cmd='"C:\\Program Files\\x.exe" -a "b, c" -d ""', extra='{"k":"v, w"}')
    add("192.0.2.90", "q.example", cmd="line1\r\nline2,\nline3", extra="")
    add("192.0.2.90", "q.example", cmd="  spaces  ", extra=" ")
    # duplicates count separately and join separately
    for _ in range(3):
        add("192.0.2.91", "dup.example", ts="2024-05-30T11:11:11.1111111Z")
    # same instant, later in file: ties by position
    add("192.0.2.92", "tie.example", ts="2024-05-30T10:00:00.0000000Z")
    # 49 vs 50 events: rare iff count < 50
    for j in range(49):
        add("192.0.2.149", "c49.example", ts="2024-05-%02dT13:00:00Z" % (2 + j % 29))
    add("192.0.2.149", "c49.example", ts="2024-05-30T13:00:00Z")  # the 50th -> not rare
    for j in range(48):
        add("192.0.2.148", "c48.example", ts="2024-05-%02dT13:00:00Z" % (2 + j % 29))
    add("192.0.2.148", "c48.example", ts="2024-05-30T13:00:00Z")  # 49 -> rare
    # ip+process keys, per-server keys
    add("192.0.2.93", "p.example", proc="A.exe")
    add("192.0.2.93", "p.example", proc="a.exe")
    add("192.0.2.93", "p.example", proc="a.exe", dev="srv-c.contoso.local")
    # null and malformed times, a short row
    add("192.0.2.94", "n.example", ts="")
    add("192.0.2.94", "n.example", ts="yesterday")
    add("192.0.2.94", "n.example", ts="2024-02-30T00:00:00Z")
    add("192.0.2.94", "n.example", ts="2024-05-30T24:00:00Z")
    add("192.0.2.94", "n.example")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(HAND_HEADER_A)
    for r in rows:
        w.writerow(r)
    text = out.getvalue()
    text += "srv-a.contoso.local,2024-05-30T10:00:00Z,ConnectionSuccess,192.0.2.95\r\n"  # field count
    text += "\r\n"  # blank line
    return text


def hand_csv_b():
    """A Sentinel-style export: TimeGenerated only, other columns in another order, empty RemoteIPType values."""
    header = ["TimeGenerated", "TenantId", "DeviceName", "ActionType", "RemoteIP", "RemoteUrl",
              "InitiatingProcessFileName", "AdditionalFields", "Type", "RemoteIPType"]
    rows = [
        ["2024-05-30T10:00:00.0000000Z", "t1", "srv-a.contoso.local", "ConnectionSuccess", "192.0.2.92",
         "tie-b.example", "b.exe", '{"direction":"Out"}', "DeviceNetworkEvents", ""],
        ["2024-05-30T09:00:00.5Z", "t1", "srv-b.contoso.local", "ConnectionSuccess", "203.0.113.2",
         "microsoft.com", "b.exe", "", "DeviceNetworkEvents", "Public"],
        ["2024-05-31T01:02:03.0000004Z", "t1", "srv-a.contoso.local", "ConnectionSuccess", "192.0.2.96",
         "b-only.example", "b.exe", "[1,2]", "DeviceNetworkEvents", ""],
        ["2024-05-31T01:02:03.0000004Z", "t1", "srv-a.contoso.local", "ConnectionSuccess", "192.0.2.93",
         "p.example", "a.exe", "", "DeviceNetworkEvents", "Public"],
    ]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return "\ufeff" + out.getvalue()


def hand_json(nested=True):
    """JSON lines: flat rows with keys in varying order, missing keys, typed values, envelopes."""
    lines = [
        '{"Timestamp":"2024-05-30T10:00:00.0000000Z","DeviceName":"srv-a.contoso.local","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.200","RemoteUrl":"j1.example","RemoteIPType":"Public","RemotePort":443,"Score":1.50,"Big":1e3,"Flag":true,"Nothing":null,"Nested":{"b":[1,2.0,"x"],"a":"é\\u00e9\\"\\/"},"InitiatingProcessFileName":"a.exe"}',
        '{"RemoteUrl":"j1.example","RemoteIP":"203.0.113.200","ActionType":"ConnectionSuccess","DeviceName":"srv-a.contoso.local","Timestamp":"2024-05-29T10:00:00Z","NewKey":"n","Flag":false}',
        '{"time":"2024-05-30T10:00:05Z","tenantId":"t","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2024-05-30T08:00:00.1234567Z","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.201","RemoteUrl":"tab\\there.example","RemoteIPType":"","MachineGroup":"G1"}}',
        '{"records":[{"time":"x","properties":{"Timestamp":"2024-05-30T07:00:00Z","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.202","RemoteUrl":"r1.example"}},{"Timestamp":"2024-05-30T07:00:00Z","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.202","RemoteUrl":"r2.example","Late":"z"}]}',
        '   ',
        '{"Timestamp":"2024-05-30T07:00:00Z","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.203","RemoteUrl":"login.live.com"}',
        '{"Timestamp":null,"DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.204","RemoteUrl":"null-time.example"}',
        '{"Timestamp":"2024-05-30T07:00:00Z","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.204","RemoteUrl":"null-time.example","Unicode":"\\ud83d\\ude00 snow\\u2603"}',
        '{"Timestamp":"bad","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.204"}',
        '{"Timestamp":"2024-05-30T07:00:00Z", "DeviceName" : "srv-b" , "ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.205","RemotePort": 8080 ,"Neg":-0.0,"Exp":2E-7}',
        '{not json',
        '["not","an","object"]',
        '{"TimeGenerated":"2024-05-30T06:00:00Z","DeviceName":"srv-b","ActionType":"ConnectionSuccess","RemoteIP":"203.0.113.206","RemoteUrl":""}',
    ]
    return "\r\n".join(lines) + "\r\n"


# ----------------------------------------------------------------------------- shapes
def shape_list():
    S = []

    def shape(name, **kw):
        S.append(dict(name=name, **kw))

    # files: list of (relative path, generator kwargs); runs: list of option lists
    shape("csv-basic", files=[("d/events.csv", dict(rows=20000, seed=11))],
          runs=[[], ["@servers-file"], ["--threshold", "5"], ["--by", "ip+process"]], determinism=True)
    shape("csv-crlf-bom-desc-30srv", files=[("d/events.csv", dict(rows=8000, seed=12, newline="crlf", bom=True,
                                                                  order="desc", days=20, servers=30))],
          runs=[["@servers-comma"], ["@servers-comma", "--server-match", "nocase"], ["--per-server"],
                ["@servers-file", "--server-match", "hostname", "--per-server", "--by", "ip+process"]])
    shape("csv-random-90d-1srv", files=[("d/events.csv", dict(rows=15000, seed=13, order="random", days=90,
                                                              servers=1, workstations=6))],
          runs=[[], ["@servers-short-upper", "--server-match", "hostname"], ["--recent", "1d", "--lookback", "10d"],
                ["--no-default-allow"]], determinism=True)
    shape("csv-spans-units", files=[("d/events.csv", dict(rows=6000, seed=14, days=35))],
          runs=[["--lookback", "720h", "--recent", "7200m"], ["--lookback", "2592000s", "--recent", "1.5d"],
                ["--threshold", "2"], ["--threshold", "0"]])
    shape("csv-now-earlier", files=[("d/events.csv", dict(rows=10000, seed=15, order="random", days=60))],
          runs=[[], ["--recent", "1d", "--lookback", "10d"]], now="2024-05-29T12:00:00Z")
    shape("csv-now-edge", files=[("d/events.csv", dict(rows=5000, seed=16))],
          runs=[[], ["--threshold", "5"]], now="2024-05-26T12:00:00.0000001Z")
    shape("csv-dirty", files=[("d/events.csv", dict(rows=8000, seed=17, dirty=0.01, newline="crlf"))],
          runs=[[], ["--per-server"]])
    shape("csv-multi-file", files=[("a/x.csv", dict(rows=6000, seed=21)),
                                   ("b/x.csv", dict(rows=6000, seed=22, end="2024-05-30T00:00:00Z", order="desc")),
                                   ("a/y.csv", dict(rows=3000, seed=23, days=10, bom=True, newline="crlf"))],
          runs=[[], ["--by", "ip+process"], ["--threshold", "5", "--per-server"]], determinism=True)
    shape("jsonl-basic", files=[("d/events.jsonl", dict(fmt="jsonl", rows=8000, seed=31))],
          runs=[[], ["--no-default-allow"], ["--by", "ip+process", "--per-server"]], determinism=True)
    shape("jsonl-crlf-bom-random", files=[("d/events.jsonl", dict(fmt="jsonl", rows=5000, seed=32, newline="crlf",
                                                                  bom=True, order="random", servers=30))],
          runs=[["@servers-file"], ["@servers-comma", "--server-match", "nocase", "--threshold", "5"]])
    shape("streaming-desc-crlf", files=[("d/events.json", dict(fmt="streaming", rows=6000, seed=41, order="desc",
                                                               newline="crlf"))],
          runs=[[], ["@servers-file"], ["--threshold", "5"]], determinism=True)
    shape("eventhub-random-bom", files=[("d/events.json", dict(fmt="eventhub", rows=6000, seed=51,
                                                               order="random", bom=True))],
          runs=[[], ["--per-server"], ["--allow", "update-check.top,.example-analytics.net"], ["@allow-file"]],
          determinism=True)
    shape("jsonl-multi-file", files=[("a/p.jsonl", dict(fmt="jsonl", rows=2000, seed=61)),
                                     ("b/p.jsonl", dict(fmt="jsonl", rows=2000, seed=62, order="desc"))],
          runs=[[]], determinism=True)
    shape("hand-csv", hand="csv", runs=[[], ["--by", "ip+process"], ["--per-server"],
                                        ["--servers", "srv-a.contoso.local", "--server-match", "nocase"],
                                        ["--servers", "SRV-A,srv-b.x", "--server-match", "hostname"],
                                        ["--threshold", "60"], ["--no-default-allow", "--allow", "evil.net"],
                                        ["@allow-file"]],
          determinism=True)
    shape("hand-json", hand="json", runs=[[], ["--per-server"], ["--no-default-allow"]], determinism=True)
    shape("hand-json-bom", hand="json-bom", runs=[[]])
    shape("hand-eventhub-bom", hand="eventhub-bom", runs=[[], ["--per-server"]])
    shape("empty-inputs", hand="empty", runs=[[]])
    shape("csv-vs-jsonl", crossformat=True)
    return S


def materialize(ctx, shape, d):
    """Writes the shape's files under d; returns (files, server list file, server names)."""
    files = []
    srv_file = os.path.join(d, "servers.txt")
    if shape.get("hand") == "csv":
        for name, text in (("in/a_defender.csv", hand_csv_a()), ("in/b_sentinel.csv", hand_csv_b())):
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8", newline="") as fp:
                fp.write(text)
            files.append(p)
        servers = ["srv-a.contoso.local"]
    elif shape.get("hand") == "json":
        p = os.path.join(d, "in", "h.jsonl")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="") as fp:
            fp.write(hand_json())
        files.append(p)
        servers = ["srv-b"]
    elif shape.get("hand") in ("json-bom", "eventhub-bom"):
        # a UTF-8 BOM before a JSON first line whose records are findings
        p = os.path.join(d, "in", "h.json")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        text = hand_json(nested=False)
        if shape["hand"] == "eventhub-bom":
            first, rest = text.split("\r\n", 1)
            text = '{"records":[{"time":"t","properties":%s},%s]}\r\n%s' % (first, first, rest)
        with open(p, "w", encoding="utf-8", newline="") as fp:
            fp.write("\ufeff" + text)
        files.append(p)
        servers = ["srv-b"]
    elif shape.get("hand") == "empty":
        os.makedirs(os.path.join(d, "in"), exist_ok=True)
        p = os.path.join(d, "in", "header_only.csv")
        with open(p, "w", encoding="utf-8", newline="") as fp:
            fp.write("Timestamp,DeviceName,ActionType,RemoteIP,RemoteUrl,RemoteIPType\n")
        files.append(p)
        servers = []
    else:
        for rel, kw in shape["files"]:
            p = os.path.join(d, rel)
            generate(ctx, p, print_servers=srv_file, **kw)
            files.append(p)
        with open(srv_file, encoding="utf-8") as fp:
            servers = [x.strip() for x in fp if x.strip()]
    with open(srv_file, "w", encoding="utf-8") as fp:  # BOM, comment, blank line, padded entries
        fp.write("\ufeff# servers under watch\n\n" + "".join("  %s \n" % s for s in servers))
    with open(os.path.join(d, "allow.txt"), "w", encoding="utf-8", newline="") as fp:
        fp.write("# extra needles\r\n\r\n  .example-analytics.net\r\nevil.net\r\nc48.example\r\n")
    return files, srv_file, servers


def expand_opts(opts, srv_file, servers):
    out = []
    for o in opts:
        if o == "@servers-file":
            out += ["--servers-file", srv_file]
        elif o == "@allow-file":
            out += ["--allow-file", os.path.join(os.path.dirname(srv_file), "allow.txt")]
        elif o == "@servers-comma":
            out += ["--servers", ",".join(servers[::2] or servers)]
        elif o == "@servers-short-upper":
            out += ["--servers", ",".join(s.split(".")[0].upper() + ".elsewhere.example" for s in servers)]
        else:
            out.append(o)
    return out


def run_shape(ctx, shape):
    res = Result(shape["name"])
    d = os.path.join(ctx.tmp, shape["name"])
    os.makedirs(d, exist_ok=True)
    try:
        if shape.get("crossformat"):
            run_crossformat(ctx, res, d)
            return res
        files, srv_file, servers = materialize(ctx, shape, d)
        now = shape.get("now", END)
        for opts in shape["runs"]:
            o = expand_opts(opts, srv_file, servers)
            label = "scan %s" % (" ".join(opts) if opts else "(default options)")
            if ctx.binary:
                check_both_nows(ctx, res, files, o, label, now=now)
            else:
                rc, exp, err = run([sys.executable, ctx.oracle] + o + ["--now", now] + files)
                if rc != 0:
                    res.fail("oracle %s" % label, short(err, 2000))
                else:
                    res.findings.append(nrows(exp))
                    res.ok("oracle %s [%d findings]" % (label, nrows(exp)))
        if ctx.binary and shape.get("determinism"):
            check_determinism(ctx, res, files, [], shape["name"])
    except Exception as e:  # a broken shape is a failure, not a crash of the driver
        res.fail("shape raised %s: %s" % (type(e).__name__, e))
    return res


def run_crossformat(ctx, res, d):
    """The same events as CSV and as JSON lines: identical outputs (oracle and rareconn)."""
    outs = {}
    for fmt, ext in (("csv", "csv"), ("jsonl", "jsonl")):
        files = []
        for i, seed in enumerate((71, 72)):
            p = os.path.join(d, fmt, "part%d.%s" % (i, ext))
            generate(ctx, p, fmt=fmt, rows=4000, seed=seed, order="random" if i else "asc")
            files.append(p)
        for opts in ([], ["--by", "ip+process", "--per-server"]):
            rc, exp, err = run([sys.executable, ctx.oracle] + opts + files)
            outs[("oracle", fmt, tuple(opts))] = exp
            if ctx.binary:
                rc, act, err = run([ctx.binary, "scan"] + opts + files)
                outs[("rareconn", fmt, tuple(opts))] = act if rc == 0 else b"<exit %d> %s" % (rc, err)
    for who in (["oracle", "rareconn"] if ctx.binary else ["oracle"]):
        for opts in ((), ("--by", "ip+process", "--per-server")):
            a, b = outs[(who, "csv", opts)], outs[(who, "jsonl", opts)]
            what = "%s: CSV and JSON lines give the same output %s [%d findings]" % (who, " ".join(opts), nrows(a))
            if a == b and nrows(a) > 0:
                res.ok(what)
            elif a == b:
                res.fail(what + " (but no findings: test data too weak)")
            else:
                res.fail(what, first_diff(a, b))


# ----------------------------------------------------------------------------- oracle self-checks
def oracle_selfcheck():
    res = Result("oracle-selfcheck")
    has_cases = [  # kql-semantics §1.4, JSON text of set_RemoteUrl, needle, expected
        ('["www.microsoft.com"]', ".microsoft.com", True), ('["microsoft.com"]', ".microsoft.com", False),
        ('["a.microsoft.community"]', ".microsoft.com", False), ('["a.microsoft.com.evil.net"]', ".microsoft.com", True),
        ('["x-microsoft.com"]', ".microsoft.com", False), ('["WWW.MICROSOFT.COM"]', ".microsoft.com", True),
        ('["https://go.microsoft.com/fwlink"]', ".microsoft.com", True), ('["a.microsoft.com_x"]', ".microsoft.com", True),
        ('["a.microsoft.com1"]', ".microsoft.com", False), ('["login.live.com"]', "login.live.com", True),
        ('["xlogin.live.com"]', "login.live.com", False), ('["a.login.live.com"]', "login.live.com", True),
        ('["windowsupdate.com"]', ".windowsupdate.com", False),
        ('["au.download.windowsupdate.com"]', ".windowsupdate.com", True),
        ('["login.microsoftonline.com.au"]', "login.microsoftonline.com", True), ("[]", "login.live.com", False),
        ('[""]', ".microsoft.com", False), ('["a.microsoft.community.microsoft.com"]', ".microsoft.com", True),
        ('["x\\nlogin.live.com"]', "login.live.com", False), ("KustoExplorerQueryRun", "Explorer", False),
        ("North America", "america", True),
    ]
    for hay, needle, want in has_cases:
        got = ref_mde.has_any(hay, [needle])
        (res.ok if got == want else res.fail)("has(%s, %s) == %s" % (hay, needle, want))
    time_cases = [
        ("2024-05-31T12:00:00.0000000Z", 638527536000000000), ("2024-05-31 12:00:00", 638527536000000000),
        ("2024-05-31T12:00:00.1234567891Z", 638527536001234567), ("2024-05-31T14:00:00+02:00", 638527536000000000),
        ("2024-05-31T11:30:00-0030", 638527536000000000), ("0001-01-01T00:00:00Z", 0),
        ("9999-12-31T23:59:59.9999999Z", 3155378975999999999), ("2024-02-30T00:00:00Z", None),
        ("2024-05-31T24:00:00Z", None), ("2024-05-31", 638527104000000000), ("2024-05-31T12:00", 638527536000000000), ("2024-05-31T12", None), ("x", None), ("2023-02-29T00:00:00Z", None),
        ("2024-02-29T00:00:00Z", 638447616000000000),
    ]
    for text, want in time_cases:
        got = ref_mde.parse_time(text)
        (res.ok if got == want else res.fail)("parse_time(%r) == %r (got %r)" % (text, want, got))
    for ticks in (0, 638527824001234567, 3155378975999999999):
        back = ref_mde.parse_time(ref_mde.format_time(ticks))
        (res.ok if back == ticks else res.fail)("format/parse round trip %d" % ticks)
    span_cases = [("30d", 30 * 864000000000), ("1.5d", 1296000000000), ("720h", 30 * 864000000000),
                  ("90m", 54000000000), ("10s", 100000000), ("250ms", 2500000)]
    for text, want in span_cases:
        got = ref_mde.parse_span(text)
        (res.ok if got == want else res.fail)("parse_span(%r) == %d" % (text, want))
    esc = ref_mde.json_escape('a"b\\c\n\x01/é')
    (res.ok if esc == '"a\\"b\\\\c\\n\\u0001/é"' else res.fail)("json_escape %r" % esc)
    return res


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description="differential test of rareconn against ref_mde.py")
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--repo", default=DEFAULT_REPO)
    ap.add_argument("--only", help="run only shapes whose name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    ap.add_argument("--oracle-only", action="store_true", help="no binary: check the oracle and generator")
    ap.add_argument("-v", "--verbose", action="store_true", help="list passing checks too")
    a = ap.parse_args()
    binary = None
    if not a.oracle_only:
        if not a.binary:
            ap.error("BINARY is required (or --oracle-only)")
        binary = os.path.abspath(a.binary)
        rc = subprocess.run([binary, "scan", "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode \
            if os.path.exists(binary) else -1
        if rc != 0:
            print("FAIL: %s scan --help did not succeed (rc %s)" % (binary, rc))
            print("0 passed, 1 failed")
            return 1
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="rareconn_diff_")
    ctx = Ctx(binary, os.path.abspath(a.repo), tmp)
    results = [oracle_selfcheck()]
    shapes = [s for s in shape_list() if not a.only or a.only in s["name"]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results += list(ex.map(lambda s: run_shape(ctx, s), shapes))
    passed = failed = 0
    for r in results:
        status = "PASS" if r.failed == 0 else "FAIL"
        print("[%s] %s (%d ok, %d failed)" % (status, r.shape, r.passed, r.failed))
        for line in r.lines:
            if a.verbose or r.failed or line.startswith("  FAIL"):
                print(line)
        passed += r.passed
        failed += r.failed
    gen_shapes = [r for r in results[1:] if r.findings]
    if gen_shapes and not any(max(r.findings) > 0 for r in gen_shapes):
        print("FAIL: no shape produced any finding (generator or oracle broken)")
        failed += 1
    if a.keep:
        print("data kept in %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print("elapsed %.1f s" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
