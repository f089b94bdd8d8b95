#!/usr/bin/env bash
# rareconn scan --state DIR (SPEC §7): a sequence of daily runs reports, each time, what one scan
# of every input seen so far reports: new day files, a file that grew, a rewritten file, late
# events, a re-delivered copy under a second name (warned about), unchanged files not read again,
# pruning of days before the windows; a failed run or a damaged manifest never corrupts the state.
# Usage: e2e_state.sh BINARY REPO_ROOT
source "$(dirname "$0")/regress/lib.sh"
py=/usr/bin/python3
d="$tmp/days"; mkdir -p "$d"
gen() {  # gen FILE END DAYS SEED [ROWS]
  "$py" "$root/scripts/gen_mde.py" --rows "${5:-1500}" --seed "$4" --end "$2" --days "$3" --servers 5 \
    --workstations 3 --out "$1" >/dev/null
}
for i in 1 2 3 4 5; do gen "$d/day$i.csv" "2024-05-0${i}T23:59:00Z" 1 "$i"; done
counts() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ('elapsed_s','throughput_mb_s','threads')]; print(json.dumps(d))" "$1"; }

# daily NAME FILES_OF_THIS_RUN -- ALL_FILES_SEEN : one state run compared with one full scan.
st="$tmp/state"
daily() {
  local name="$1"; shift
  local run=() all=()
  while [ "$1" != "--" ]; do run+=("$1"); shift; done; shift
  all=("$@")
  "$bin" scan --state "$st" --threshold 20 -o "$tmp/state.csv" --stats "$tmp/state.json" "${run[@]}" 2>"$tmp/state.err"
  local rc=$?
  "$bin" scan --threshold 20 -o "$tmp/full.csv" --stats "$tmp/full.json" "${all[@]}" 2>/dev/null
  if [ $rc -ne 0 ]; then echo "FAIL $name: status $rc"; cat "$tmp/state.err"; fail=$((fail + 1)); return; fi
  expect_same "$name: findings" "$tmp/full.csv" "$tmp/state.csv"
  counts "$tmp/full.json" >"$tmp/full.counts"; counts "$tmp/state.json" >"$tmp/state.counts"
  expect_same "$name: summary counts" "$tmp/full.counts" "$tmp/state.counts"
  [ "$(wc -l <"$tmp/state.csv")" -ge 3 ] || { echo "FAIL $name: fewer than 2 findings (a weak case)"; fail=$((fail + 1)); }
}

daily "run 1: two days" "$d/day1.csv" "$d/day2.csv" -- "$d/day1.csv" "$d/day2.csv"
expect_grep "run 1 reads both" "$tmp/state.err" "2 files read"
daily "run 2: day 3, day 2 given again unchanged" "$d/day2.csv" "$d/day3.csv" -- "$d"/day[123].csv
expect_grep "run 2: day 2 not read again" "$tmp/state.err" "1 files read .*1 unchanged"
# A file touched (or copied back) with the same content is not scanned again.
touch "$d/day1.csv"
daily "run 2b: day 1 touched" "$d/day1.csv" -- "$d"/day[123].csv
expect_grep "run 2b: the touched file is not read again" "$tmp/state.err" "0 files read .*1 unchanged"
# Day 3's export grows (log files grow: its first bytes are known, its end is new).
gen "$tmp/more.csv" 2024-05-03T23:59:30Z 0.5 33 600
tail -n +2 "$tmp/more.csv" >>"$d/day3.csv"
daily "run 3: day 3 grew, day 4 new" "$d/day3.csv" "$d/day4.csv" -- "$d"/day[1234].csv
expect_grep "run 3: the grown file replaces its earlier version" "$tmp/state.err" "2 files read \(1 replacing"
# Late events: a file of day 1's events delivered on day 5; a re-delivered copy of day 4.
gen "$d/late.csv" 2024-05-01T20:00:00Z 0.5 44 800
cp "$d/day4.csv" "$d/day4-redelivered.csv"
daily "run 4: day 5, late events, a re-delivered copy" "$d/day5.csv" "$d/late.csv" "$d/day4-redelivered.csv" -- "$d"/*.csv
expect_grep "run 4: the copy is warned about" "$tmp/state.err" "day4-redelivered.csv' has the same content as '.*day4.csv'"
# Day 2 rewritten (same name, other content).
gen "$d/day2.csv" 2024-05-02T23:59:00Z 1 222
daily "run 5: day 2 rewritten" "$d/day2.csv" -- "$d"/*.csv
expect_grep "run 5: the rewritten file replaces its earlier version" "$tmp/state.err" "1 files read \(1 replacing"

# A failed run (a named file without the hunt's columns) leaves the state as it was.
cp "$st/manifest" "$tmp/manifest.before"
printf 'a,b\n1,2\n' >"$tmp/bad.csv"
check "a failing run is an input error" 3 "$bin" scan --state "$st" --threshold 20 -o "$tmp/x.csv" "$d/day5.csv" "$tmp/bad.csv"
expect_same "a failing run leaves the manifest" "$st/manifest" "$tmp/manifest.before"
gen "$d/day6.csv" 2024-05-06T23:59:00Z 1 6
daily "run 6 after the failure: day 6" "$d/day6.csv" -- "$d"/*.csv

# A run killed at any moment leaves a usable state: the next run reports as a full scan.
gen "$d/day7.csv" 2024-05-07T23:59:00Z 1 7 40000
for delay in 0.05 0.2 0.5; do
  "$bin" scan --state "$st" --threshold 20 -o "$tmp/k.csv" "$d/day7.csv" 2>/dev/null & pid=$!
  sleep "$delay"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  check "after a kill at ${delay}s the state is usable" 0 "$bin" inspect "$st/manifest"
done
daily "run 7 after killed runs: day 7" "$d/day7.csv" -- "$d"/*.csv

# Options are those of the state's first run.
check "another threshold is refused" 2 "$bin" scan --state "$st" --threshold 10 "$d/day6.csv"
expect_grep "the option is named" "$tmp/err" "\-\-threshold \(20 vs 10\)"
check "standard input is refused" 2 "$bin" scan --state "$st" --threshold 20 -
check "inspect the manifest" 0 "$bin" inspect "$st/manifest"
expect_grep "inspect lists the files" "$tmp/out" "day4-redelivered.csv: .*read by run 5"
# A concurrent run is refused while the state is locked.
if command -v flock >/dev/null; then
  flock "$st/lock" sleep 3 & sleep 0.5
  check "a concurrent run is refused" 3 "$bin" scan --state "$st" --threshold 20 "$d/day6.csv"
  expect_grep "in use" "$tmp/err" "in use by another rareconn run"
  wait
fi
# A damaged manifest is refused (exit 3), never used.
printf '\x01' | dd of="$st/manifest" bs=1 seek=40 conv=notrunc 2>/dev/null
check "a damaged manifest is refused" 3 "$bin" scan --state "$st" --threshold 20 "$d/day6.csv"
expect_grep "damaged manifest named" "$tmp/err" "checksum does not match"

# Pruning: with a 2-day lookback, days before the windows leave the state (days 5 and 6 stay); the findings stay
# those of a full scan (the summary's counts then cover the days kept).
st="$tmp/state2"
for i in 1 2 3 4 5 6; do
  "$bin" scan --state "$st" --lookback 2d --recent 1d --threshold 20 -o "$tmp/p.csv" "$d/day$i.csv" 2>"$tmp/p.err" || echo "FAIL prune run $i"
done
"$bin" scan --lookback 2d --recent 1d --threshold 20 -o "$tmp/pfull.csv" "$d"/day[1-6].csv 2>/dev/null
expect_same "pruned state: findings of a full scan" "$tmp/pfull.csv" "$tmp/p.csv"
check "pruned state: inspect" 0 "$bin" inspect "$st/manifest"
expect_grep "days before the windows are pruned" "$tmp/out" "day1.csv: .*pruned"
[ "$(ls "$st/parts" | wc -l)" -eq 2 ] && pass=$((pass + 1)) || { echo "FAIL pruned partials are removed: $(ls "$st/parts" | wc -l) left"; fail=$((fail + 1)); }
finish
