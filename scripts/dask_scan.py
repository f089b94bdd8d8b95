#!/usr/bin/python3
# Runs one rareconn scan on a Dask cluster (SPEC §7): `rareconn partial` on shards of the inputs
# in worker tasks, `rareconn merge` by tree reduction, `rareconn report` on the client.
# Must not compute anything about the hunt itself: every count and finding comes from rareconn.
"""usage: dask_scan.py [--scheduler ADDRESS] [--rareconn PATH] [--workers N] [scan options] -o OUT INPUT...

Writes byte for byte what `rareconn scan [scan options] -o OUT INPUT...` writes (findings, and
the summary's counts with --stats). INPUT: files and directories (recursive, hidden entries
skipped, as rareconn reads them); standard input (-) cannot be distributed.

  --scheduler ADDRESS  a running Dask scheduler (tcp://host:8786); without it a local cluster of
                       worker processes is started
  --workers N          worker processes of the local cluster (default 2)
  --rareconn PATH      the rareconn binary, at the same path on the client and every worker
                       (default: build/rareconn next to this script's folder, else rareconn on PATH)

Partials travel between tasks as bytes through Dask (no shared filesystem is needed for them);
the inputs must be readable at the same absolute paths on every worker. Exit status: rareconn's
(0, 1 with --fail-on-findings, 2 usage, 3 input error), from whichever rareconn call failed.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

# rareconn scan options (scanner/options.cpp): those taking a value, and flags.
VALUE_OPTIONS = {
    "--hunt", "--input-format", "--pivot", "--time-source", "--input-timezone", "--rule-parse",
    "--servers", "--servers-file", "--server-match", "--now", "--lookback", "--recent",
    "--threshold", "--allow", "--allow-file", "--by", "--threads", "--chunk-size",
    "--max-record-size", "--max-decompressed-size", "-o", "--output", "--format", "--stats",
    "--progress",
}
FLAG_OPTIONS = {"--linux-sysmon", "--no-default-allow", "--per-server", "--strict", "--fail-on-findings"}
# Given to `report` only: where and how the findings and the summary are written.
REPORT_ONLY = {"-o", "--output", "--format", "--stats", "--fail-on-findings", "--progress"}
# Given to both: --strict (a partial stops at the first malformed record, as the scan does) and
# --threads (results do not depend on it).
BOTH = {"--strict", "--threads"}
# Option values that name files: made absolute, since partials run in another directory.
FILE_VALUES = {"--servers-file", "--allow-file"}
TASKS_PER_WORKER = 3
MERGE_FAN_IN = 4
WORKER_WAIT_S = 120


class Usage(Exception):
    pass


def parse_args(argv):
    """Splits the command line into this script's options, rareconn's options and the inputs."""
    mine = {"scheduler": None, "rareconn": None, "workers": None}
    partial_opts, report_opts, inputs = [], [], []
    threads = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            inputs.extend(argv[i + 1:])
            break
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        if a == "-" or not a.startswith("-"):
            inputs.append(a)
            i += 1
            continue
        name, value = (a.split("=", 1) + [None])[:2] if a.startswith("--") and "=" in a else (a, None)
        takes_value = name in VALUE_OPTIONS or name in ("--scheduler", "--rareconn", "--workers")
        if takes_value and value is None:
            if i + 1 >= len(argv):
                raise Usage(f"option {name} needs a value")
            value = argv[i + 1]
            i += 1
        i += 1
        if name in ("--scheduler", "--rareconn", "--workers"):
            mine[name[2:]] = value
            continue
        if name in FILE_VALUES and value:
            value = os.path.abspath(value)
        words = [name] if not takes_value else [name, value]
        if name not in VALUE_OPTIONS and name not in FLAG_OPTIONS:
            words = [a]  # unknown: rareconn says so (exit 2)
        if name == "--threads":
            threads = value
        if name in REPORT_ONLY or name in BOTH:
            report_opts += words
        if name not in REPORT_ONLY:
            partial_opts += words
    if mine["workers"] is not None:
        if not mine["workers"].isdigit() or int(mine["workers"]) < 1:
            raise Usage(f"--workers: '{mine['workers']}' is not a worker count")
        if mine["scheduler"]:
            raise Usage("--workers sizes the local cluster; a --scheduler's cluster has its own workers")
    if "-" in inputs:
        raise Usage("standard input (-) cannot be spread over workers; save it to a file and name the file")
    return mine, partial_opts, report_opts, inputs, threads


def default_rareconn():
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(os.path.dirname(here), "build", "rareconn")
    if os.access(built, os.X_OK):
        return built
    return shutil.which("rareconn") or "rareconn"


# Input discovery, as scanner/input_discovery.cpp does it: a named file is named; a directory is
# walked recursively (hidden entries skipped, links to directories not followed), its regular files
# found, its other entries ("not files") reported and counted by rareconn; then the same file under
# two spellings is kept once, the first spelling in byte order.
class Inputs:
    def __init__(self):
        self.files = []       # (path, root or None when named, size)
        self.not_files = []   # (path, root, kind): links to directories or to nothing, FIFOs, ...
        self.under = {}       # absolute root -> canonical paths of every file found under it
        self.missing = None   # the first argument that does not exist


def walk(root, path, found, not_files):
    try:
        entries = sorted(os.scandir(path), key=lambda e: os.fsencode(e.path))
    except OSError:
        return  # rareconn skips what it may not list, or says why itself
    for e in entries:
        if e.name.startswith("."):
            continue
        try:
            if e.is_file():
                found.append(e.path)
            elif e.is_dir(follow_symlinks=False):
                walk(root, e.path, found, not_files)
            elif e.is_symlink() and not os.path.exists(e.path):
                not_files.append((e.path, root, "dangling"))
            elif e.is_symlink() and e.is_dir():
                not_files.append((e.path, root, "dirlink"))
            else:
                not_files.append((e.path, root, "special"))
        except OSError:
            not_files.append((e.path, root, "special"))


def discover(args):
    inp = Inputs()
    candidates = []  # (path, root)
    named = set()
    for a in args:
        if not os.path.exists(a):
            inp.missing = a
            return inp
        if os.path.isdir(a):
            found = []
            walk(a, a, found, inp.not_files)
            candidates += [(p, a) for p in found]
            if os.path.isabs(a):
                inp.under.setdefault(a, set()).update(os.path.realpath(p) for p in found)
        else:
            candidates.append((a, None))
            named.add(a)
    candidates.sort(key=lambda c: os.fsencode(c[0]))
    seen = set()
    for path, root in candidates:
        canonical = os.path.realpath(path)
        if canonical in seen:
            continue
        seen.add(canonical)
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        inp.files.append((path, None if path in named else root, size))
    return inp


# A unit is what one shard may take whole: its arguments to rareconn partial, the links to lay out
# in the shard's working directory so that the arguments spell the paths as the scan does, and its
# size. A file found in a relative directory is reached through that directory, in a link tree
# holding only the shard's entries, so that rareconn treats it as found, not named (a non-export
# found in a directory is skipped and counted; named, it is an error). A file found under an
# absolute directory is listed for `rareconn partial --files-from`, which reads it as found too
# (`whole` false), or, when the directory holds entries that are not files (which only a walk of
# the directory counts), the directory is one unit given as such (`whole` true), with every file
# that is also found under it.
class Unit:
    def __init__(self, size=0):
        self.roots, self.args, self.links, self.size, self.listed = [], [], [], size, []

    def absorb(self, other):
        self.roots += [r for r in other.roots if r not in self.roots]
        self.args += other.args
        self.links += other.links
        self.size += other.size
        self.listed += other.listed


def units_of(inp, whole):
    units = []
    groups = {}  # absolute root -> its unit, when whole
    if whole:
        for root in inp.under:
            groups[root] = Unit()
            groups[root].roots.append(root)
    for path, root, size in inp.files:
        real = os.path.realpath(path)
        owner = [r for r, found in inp.under.items() if real in found] if whole else []
        u = Unit(size)
        if root is not None and not os.path.isabs(root):
            u.roots.append(root)
            u.links.append((path, real, "file"))
        elif root is not None and not whole:
            u.listed.append(path)
        elif root is None:
            u.args.append(path)
            if not os.path.isabs(path):
                u.links.append((path, real, "file"))
        if owner:
            # Found under absolute directories given whole: they and the file are one unit.
            first = groups[owner[0]]
            for r in owner[1:]:
                if groups[r] is not first:
                    first.absorb(groups[r])
                    for k in groups:
                        if groups[k] is groups[r] and k != r:
                            groups[k] = first
                    groups[r] = first
            first.absorb(u)
        else:
            units.append(u)
    distinct = []
    for g in groups.values():
        if g not in distinct:
            distinct.append(g)
    units += distinct
    for path, root, kind in inp.not_files:
        if os.path.isabs(root):
            continue  # given whole, rareconn finds it; named, it cannot be shown to rareconn
        units[0].roots += [] if root in units[0].roots else [root]
        units[0].links.append((path, os.path.realpath(path) if kind == "dirlink" else None, kind))
    return units


def pack(units, bins):
    """Greedy bin packing by size, largest first, into the lightest bin (ties: lowest index);
    units of equal size keep their order, so the plan depends only on the inputs."""
    loads = [[0, k, Unit()] for k in range(bins)]
    order = sorted(range(len(units)), key=lambda i: (-units[i].size, i))
    for i in order:
        light = min(loads, key=lambda b: (b[0], b[1]))
        light[0] += units[i].size
        light[2].absorb(units[i])
    return [b[2] for b in loads if b[2].roots or b[2].args or b[2].listed]


def lay_out(workdir, links):
    """Creates the link tree in workdir; returns the directory to run rareconn in."""
    depth = 0
    for path, _, _ in links:
        parts = os.path.normpath(path).split(os.sep)
        depth = max(depth, len([p for p in parts if p == ".."]))
    cwd = os.path.join(workdir, *(["up"] * depth)) if depth else workdir
    os.makedirs(cwd, exist_ok=True)
    for path, target, kind in links:
        where = os.path.join(cwd, path)
        os.makedirs(os.path.dirname(where) or cwd, exist_ok=True)
        if os.path.lexists(where):
            continue
        if kind == "file" or kind == "dirlink":
            os.symlink(target, where)
        elif kind == "dangling":
            os.symlink(os.path.join(workdir, "nothing-here"), where)
        else:
            os.mkfifo(where)
    return cwd


def run_partial(rareconn, options, args, links, listed):
    """Dask task: the partial of one shard, as (status, stderr, partial bytes)."""
    with tempfile.TemporaryDirectory(prefix="rareconn-shard-") as workdir:
        cwd = lay_out(os.path.join(workdir, "tree"), links)
        part = os.path.join(workdir, "shard.part")
        if listed:  # files found under absolute directories: read as found, not named
            with open(os.path.join(workdir, "files.list"), "w", encoding="utf-8", errors="surrogateescape") as f:
                f.writelines(p + "\n" for p in listed)
            options = [*options, "--files-from", os.path.join(workdir, "files.list")]
        p = subprocess.run([rareconn, "partial", *options, "-o", part, "--", *args], cwd=cwd,
                           stdin=subprocess.DEVNULL, capture_output=True)
        data = b""
        if p.returncode == 0:
            with open(part, "rb") as f:
                data = f.read()
        return p.returncode, p.stderr, data


def run_merge(rareconn, *results):
    """Dask task: the merge of several partials (the first failure among them is passed on)."""
    for r in results:
        if r[0] != 0:
            return r
    warnings = b"".join(r[1] for r in results)
    with tempfile.TemporaryDirectory(prefix="rareconn-merge-") as workdir:
        paths = []
        for k, r in enumerate(results):
            paths.append(os.path.join(workdir, f"{k}.part"))
            with open(paths[-1], "wb") as f:
                f.write(r[2])
        out = os.path.join(workdir, "merged.part")
        p = subprocess.run([rareconn, "merge", "-o", out, *paths], stdin=subprocess.DEVNULL, capture_output=True)
        if p.returncode != 0:
            return p.returncode, p.stderr, b""
        with open(out, "rb") as f:
            return 0, warnings + p.stderr, f.read()


def distribute(client, rareconn, partial_opts, shards):
    """Partials of the shards on the workers, merged by tree reduction; one (status, stderr, bytes)."""
    run = uuid.uuid4().hex  # task keys of this run only, on a shared scheduler too
    level = []
    for k, shard in enumerate(shards):
        level.append(client.submit(run_partial, rareconn, partial_opts, shard.roots + shard.args, shard.links, shard.listed,
                                   key=f"rareconn-partial-{k}-{run}"))
    depth = 0
    while len(level) > 1:
        depth += 1
        level = [client.submit(run_merge, rareconn, *level[i:i + MERGE_FAN_IN], key=f"rareconn-merge-{depth}-{i}-{run}")
                 for i in range(0, len(level), MERGE_FAN_IN)]
    return level[0].result()


def cluster_threads(client):
    return sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()) or 1


def main(argv):
    try:
        mine, partial_opts, report_opts, inputs, threads = parse_args(argv)
    except Usage as e:
        print(f"dask_scan: {e}", file=sys.stderr)
        return 2
    rareconn = os.path.abspath(mine["rareconn"]) if mine["rareconn"] else default_rareconn()
    found = discover(inputs) if inputs else Inputs()
    if not inputs or found.missing is not None or not found.files:
        # Nothing to spread: rareconn itself says what is wrong (options first, then the inputs).
        with tempfile.TemporaryDirectory(prefix="rareconn-dask-") as workdir:
            args = [found.missing] if found.missing is not None else inputs
            p = subprocess.run([rareconn, "partial", *partial_opts, "-o", os.path.join(workdir, "x.part"), "--", *args],
                               stdin=subprocess.DEVNULL)
            if p.returncode != 0:
                return p.returncode
        print("dask_scan: no input to distribute", file=sys.stderr)
        return 3
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("dask_scan: Dask's distributed package is missing: run scripts/setup.sh (Debian's python3-distributed) "
              "and run this script with /usr/bin/python3", file=sys.stderr)
        return 2
    import logging
    cluster = None
    if mine["scheduler"]:
        client = Client(mine["scheduler"])
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except Exception:  # noqa: BLE001 (a timeout, whatever the version names it)
            client.close()
            print(f"dask_scan: no worker joined {mine['scheduler']} in {WORKER_WAIT_S} s", file=sys.stderr)
            return 3
    else:
        workers = int(mine["workers"] or 2)
        cluster = LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
        if threads is None:  # the local machine's cores, shared by the worker processes
            partial_opts = ["--threads", str(max(1, (os.cpu_count() or 1) // workers)), *partial_opts]
    try:
        # Entries that are not files under an absolute directory are only seen by rareconn when it is
        # given the directory: then it is given whole from the start.
        whole = any(os.path.isabs(root) for _, root, _ in found.not_files)
        units = units_of(found, whole)
        # About TASKS_PER_WORKER tasks per worker thread, and no more than the inputs of some weight
        # (a note or an empty file alone would make a shard with nothing to hunt).
        largest = max(u.size for u in units)
        weighty = sum(1 for u in units if u.size > 0 and u.size * 16 >= largest)
        bins = max(1, min(TASKS_PER_WORKER * cluster_threads(client), weighty))
        shards = pack(units, bins)
        status, messages, data = distribute(client, rareconn, partial_opts, shards)
        if status != 0 and len(shards) > 1:
            # A shard can fail where the whole does not: one whose inputs hold another hunt's
            # table than the rest's, under --hunt auto. One shard holding everything, as the scan
            # reads it, then succeeds or fails with the scan's own message.
            print("dask_scan: a shard was refused; again as one shard over every input", file=sys.stderr)
            whole = pack(units_of(found, True), 1)
            status, messages, data = distribute(client, rareconn, partial_opts, whole)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    sys.stderr.buffer.write(messages)
    sys.stderr.flush()
    if status != 0:
        return status
    with tempfile.TemporaryDirectory(prefix="rareconn-dask-") as workdir:
        part = os.path.join(workdir, "all.part")
        with open(part, "wb") as f:
            f.write(data)
        return subprocess.run([rareconn, "report", *report_opts, "--", part]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
