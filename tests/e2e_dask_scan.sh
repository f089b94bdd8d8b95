#!/usr/bin/env bash
# scripts/dask_scan.py (SPEC §7) on local Dask clusters: its findings and summary counts are byte for
# byte those of one `rareconn scan` with the same options (the MDE hunt over a directory tree with a
# stray file, defaults and --by ip+process --per-server --now; the Sysmon hunt on the real EVTX
# samples with --pivot kusto, and on their folder named by its absolute path); rareconn's errors come
# back with its message and exit status. Runs once on a LocalCluster the script starts, the other
# cases through --scheduler on a scheduler and two worker processes started here.
# Usage: e2e_dask_scan.sh BINARY REPO_ROOT
source "$(dirname "$0")/regress/lib.sh"; [ -n "${KEEP_TMP:-}" ] && { trap - EXIT; echo "kept: $tmp"; }
py=/usr/bin/python3
if ! "$py" -c "import distributed" 2>/dev/null; then
  echo "FAIL: $py has no Dask distributed module: run scripts/setup.sh (it installs python3-distributed)"
  exit 1
fi
dask=("$py" "$root/scripts/dask_scan.py" --rareconn "$bin")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

# A tree of exports, as a collection job leaves it: CSV and JSON lines in subfolders, a note that
# rareconn skips (and counts) inside a directory, a hidden file it never reads.
cd "$tmp"
mkdir -p data/east/day1 data/east/day2 data/west
for i in 1 2 3; do
  "$py" "$root/scripts/gen_mde.py" --rows 3000 --seed "$i" --days 40 --dirty 0.01 --servers 6 --workstations 4 \
    --out "data/east/day$(( (i + 1) / 2 ))/part$i.csv" >/dev/null
done
"$py" "$root/scripts/gen_mde.py" --rows 1500 --seed 4 --days 40 --servers 6 --workstations 4 --out data/west/w.csv >/dev/null
"$py" "$root/scripts/gen_mde.py" --format jsonl --rows 3000 --seed 5 --days 40 --out data/west/api.jsonl >/dev/null
printf 'exported by the nightly job\n' >data/west/NOTES.txt
cp data/west/w.csv data/west/.partial-copy.csv

counts() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ('elapsed_s','throughput_mb_s','threads')]; print(json.dumps(d))" "$1"; }
# same NAME [--scheduler ADDRESS] -- SCAN OPTIONS... : the script and one scan, compared.
case_no=0
same() {
  local name="$1"; shift
  local mine=()
  while [ "$1" != "--" ]; do mine+=("$1"); shift; done; shift
  case_no=$((case_no + 1))
  local w="$tmp/case$case_no"; mkdir -p "$w"
  check "$name: scan" 0 "$bin" scan "$@" -o "$w/scan.csv" --stats "$w/scan.json"
  check "$name: dask_scan.py" 0 "${dask[@]}" "${mine[@]}" "$@" -o "$w/dask.csv" --stats "$w/dask.json"
  expect_same "$name: findings" "$w/scan.csv" "$w/dask.csv"
  counts "$w/scan.json" >"$w/scan.counts" 2>&1; counts "$w/dask.json" >"$w/dask.counts" 2>&1
  expect_same "$name: summary counts" "$w/scan.counts" "$w/dask.counts"
  [ "$(wc -l <"$w/scan.csv")" -ge 2 ] || { echo "FAIL $name: the scan found nothing (a weak case)"; fail=$((fail + 1)); }
}

same "mde, defaults, local cluster" --workers 2 -- data
expect_grep "the stray note is skipped, not an error" "$tmp/case1/dask.json" '"files_skipped_unknown_format":1'

# A scheduler and two single-threaded worker processes, as a remote cluster would be.
dask-scheduler --host 127.0.0.1 --port 0 --no-dashboard --scheduler-file "$tmp/sched.json" >"$tmp/sched.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/sched.json" ] && break; sleep 0.2; done
dask-worker --scheduler-file "$tmp/sched.json" --nworkers 2 --nthreads 1 --no-dashboard >"$tmp/workers.log" 2>&1 &
pids+=($!)
address=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['address'])" "$tmp/sched.json")
same "mde, --by ip+process --per-server --now, --scheduler" --scheduler "$address" -- \
  --hunt mde --by ip+process --per-server --now 2024-05-29T00:00:00Z data/east data/west/w.csv data/west/api.jsonl
same "sysmon EVTX, --pivot kusto, --scheduler" --scheduler "$address" -- --pivot kusto "$root"/tests/data/real/evtx/*.evtx
# An absolute folder holding notes and a JSON file of another kind: rareconn skips them there.
same "sysmon, an absolute folder, --scheduler" --scheduler "$address" -- "$root/tests/data/real/evtx"

# Errors: rareconn's message and exit status.
check "a missing input: scan" 3 "$bin" scan data/none.csv
cp "$tmp/err" "$tmp/scan.err"
check "a missing input: exit 3" 3 "${dask[@]}" --scheduler "$address" data/east data/none.csv
expect_grep "a missing input: rareconn's message" "$tmp/err" "$(cat "$tmp/scan.err")"
check "an EVTX file for the MDE hunt: exit 3 from a worker" 3 "${dask[@]}" --scheduler "$address" --hunt mde \
  "$root"/tests/data/real/evtx/*.evtx
expect_grep "an EVTX file for the MDE hunt: rareconn's message" "$tmp/err" "cannot be read by the mde hunt"
check "a bad option value: exit 2 from a worker" 2 "${dask[@]}" --scheduler "$address" --threshold many data
expect_grep "a bad option value: rareconn's message" "$tmp/err" "^rareconn: --threshold: 'many'"
check "MDE and Sysmon inputs without --hunt: exit 2 as the scan" 2 "${dask[@]}" --scheduler "$address" \
  data/west/w.csv "$root"/tests/data/real/evtx/sysmon.evtx
check "standard input is refused" 2 "${dask[@]}" -
expect_grep "standard input: said" "$tmp/err" "standard input"
finish
