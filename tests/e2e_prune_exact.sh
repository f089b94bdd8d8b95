#!/usr/bin/env bash
# The window engine's pruning with `now` unknown (times out of the windows of the newest time so
# far; recent rows that no `now` can make findings, because their key already has `threshold`
# events at or after t - (lookback - recent)) never changes a result: findings and summary counts
# with pruning from the first events on (RARECONN_TEST_PRUNE_EVERY=1), on one and eight threads
# and tiny chunks, equal the default run's; and streamed inputs that drop their copies of pruned
# rows (RARECONN_TEST_KEEP_BYTES=1) equal the plain file.
source "$(dirname "$0")/regress/lib.sh"
py=/usr/bin/python3
d="$tmp/data"; mkdir -p "$d"
"$py" "$root/scripts/gen_mde.py" --rows 30000 --seed 3 --days 40 --order random --servers 4 --workstations 2 --out "$d/r.csv" >/dev/null
"$py" "$root/scripts/gen_mde.py" --rows 30000 --seed 4 --days 40 --order asc --out "$d/a.csv" >/dev/null
"$py" "$root/scripts/gen_mde.py" --format jsonl --rows 20000 --seed 5 --days 40 --order desc --out "$d/j.jsonl" >/dev/null
counts() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ('elapsed_s','throughput_mb_s','threads','streamed_recent_record_bytes_kept','inputs_streamed_in_blocks','compressed_files')]; print(json.dumps(d))" "$1"; }
same_run() {  # NAME ENV -- scan args : default run vs the run with ENV
  local name="$1" env="$2"; shift 3
  "$bin" scan -o "$tmp/a.csv" --stats "$tmp/a.json" "$@" 2>/dev/null
  env $env "$bin" scan -o "$tmp/b.csv" --stats "$tmp/b.json" "$@" 2>/dev/null
  expect_same "$name: findings" "$tmp/a.csv" "$tmp/b.csv"
  counts "$tmp/a.json" >"$tmp/a.counts"; counts "$tmp/b.json" >"$tmp/b.counts"
  expect_same "$name: summary counts" "$tmp/a.counts" "$tmp/b.counts"
  [ "$(wc -l <"$tmp/a.csv")" -ge 3 ] || { echo "FAIL $name: fewer than 2 findings (a weak case)"; fail=$((fail + 1)); }
}
for f in r.csv a.csv j.jsonl; do
  for opts in "" "--threshold 5" "--per-server --by ip+process" "--lookback 7d --recent 9d --threshold 3"; do
    for t in 1 8; do
      same_run "$f $opts, $t threads, pruned early" "RARECONN_TEST_PRUNE_EVERY=1" -- $opts --threads $t --chunk-size 4096 "$d/$f"
    done
  done
done
# Streamed: the copies of recent rows follow the engine's pruning.
gzip -c "$d/r.csv" >"$d/r.csv.gz"
"$bin" scan -o "$tmp/plain.csv" "$d/r.csv" 2>/dev/null
for opts in "" "--threshold 5"; do
  "$bin" scan $opts -o "$tmp/plain.csv" "$d/r.csv" 2>/dev/null
  RARECONN_TEST_KEEP_BYTES=1 RARECONN_TEST_PRUNE_EVERY=1 RARECONN_TEST_BLOCK_BYTES=4096 "$bin" scan $opts -o "$tmp/gz.csv" "$d/r.csv.gz" 2>/dev/null
  expect_same "streamed .gz, copies dropped with the pruned rows ($opts)" "$tmp/plain.csv" "$tmp/gz.csv"
done
# Partials of the same data pruned early merge to the same report.
RARECONN_TEST_PRUNE_EVERY=1 "$bin" partial -o "$tmp/p1.part" "$d/r.csv" 2>/dev/null
RARECONN_TEST_PRUNE_EVERY=1 "$bin" partial -o "$tmp/p2.part" "$d/a.csv" 2>/dev/null
"$bin" report -o "$tmp/rep.csv" "$tmp/p1.part" "$tmp/p2.part" 2>/dev/null
"$bin" scan -o "$tmp/all.csv" "$d/r.csv" "$d/a.csv" 2>/dev/null
expect_same "partials pruned early" "$tmp/all.csv" "$tmp/rep.csv"
finish
