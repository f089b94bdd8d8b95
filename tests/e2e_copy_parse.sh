#!/usr/bin/env bash
# Chunks of mapped CSV and JSON lines files are parsed from copies of their bytes (phase_parse.cpp,
# kCopyMargin): the findings, the counts and the malformed records must be those of one chunk on
# one thread, for any chunk size and thread count, also where a guessed CSV cut falls inside a
# quoted field longer than the copy's margin (the record then runs past the copy's end, and the
# plan check must still see the wrong cut), and where the file is truncated while it is read.
set -u
source "$(dirname "$0")/regress/lib.sh"
export RARECONN_TEST_READ_LIMIT=0  # map every file: the copy path
python3 "$root/scripts/gen_mde.py" --rows 6000 --seed 11 --end 2024-05-31T12:00:00Z --days 40 --out "$tmp/base.csv" >/dev/null
python3 "$root/scripts/gen_mde.py" --rows 6000 --seed 11 --end 2024-05-31T12:00:00Z --days 40 --format jsonl --out "$tmp/base.jsonl" >/dev/null
# A quoted field of 300 KB whose lines look like records (the header's number of fields), in the
# middle of the file, and a malformed record after it.
python3 - "$tmp/base.csv" "$tmp/quoted.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
header, body = rows[0], rows[1:]
fake = ",".join(["y"] * len(header))
big = list(body[len(body) // 2])
big[header.index("AdditionalFields")] = "\n".join([fake] * 3500)
body.insert(len(body) // 2, big)
with open(sys.argv[2], "w", newline='') as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for i, r in enumerate(body):
        w.writerow(r)
        if i == len(body) // 2 + 10:
            f.write("too,few,fields\n")
EOF
# JSON lines with a malformed line and a line longer than --max-record-size.
{ head -n 3000 "$tmp/base.jsonl"; echo '{"Timestamp":"2024-05-30T00:00:00Z","DeviceName":'; \
  python3 -c 'print("{\"Pad\":\"" + "p" * 200000 + "\"}")'; tail -n +3001 "$tmp/base.jsonl"; } > "$tmp/damaged.jsonl"
now=2024-05-31T12:00:00Z
stats_core() {  # the stats without timings and thread count
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k) for k in ("elapsed_s","throughput_mb_s","threads")]; print(json.dumps(d, sort_keys=True))' "$1"
}
for input in quoted.csv damaged.jsonl base.csv; do
  "$bin" scan --now "$now" --threads 1 --chunk-size 1000000000 --max-record-size 100000 --stats "$tmp/ref.json" \
    "$tmp/$input" -o "$tmp/ref.out" 2>"$tmp/ref.err"
  stats_core "$tmp/ref.json" > "$tmp/ref.stats"
  expect_grep "$input-has-findings" "$tmp/ref.stats" '"findings": [1-9]'
  for run in "2 65536" "3 4096" "2 200000" "4 1000" "2 default"; do
    set -- $run
    size=(--chunk-size "$2"); [ "$2" = default ] && size=()
    "$bin" scan --now "$now" --threads "$1" "${size[@]}" --max-record-size 100000 --stats "$tmp/run.json" \
      "$tmp/$input" -o "$tmp/run.out" 2>"$tmp/run.err"
    stats_core "$tmp/run.json" > "$tmp/run.stats"
    expect_same "$input-threads-$1-chunk-$2-findings" "$tmp/ref.out" "$tmp/run.out"
    expect_same "$input-threads-$1-chunk-$2-stats" "$tmp/ref.stats" "$tmp/run.stats"
  done
done
# The findings' rows are read again from copies of the mapped file: the same rows as a stream's,
# whose records are kept during the parse.
for input in quoted.csv damaged.jsonl; do
  "$bin" scan --now "$now" --threads 2 --max-record-size 100000 "$tmp/$input" -o "$tmp/mapped.out" 2>/dev/null
  cat "$tmp/$input" | "$bin" scan --now "$now" --threads 2 --max-record-size 100000 - -o "$tmp/streamed.out" 2>/dev/null
  expect_same "$input-rows-read-again-as-a-stream's" "$tmp/mapped.out" "$tmp/streamed.out"
  expect_grep "$input-rows-read-again-have-rows" "$tmp/mapped.out" '2024-'
done
for input in quoted.csv damaged.jsonl; do
  "$bin" scan --now "$now" --threads 1 --chunk-size 1000000000 --max-record-size 100000 --stats "$tmp/m.json" "$tmp/$input" -o /dev/null 2>/dev/null
  expect_grep "$input-malformed-counted" "$tmp/m.json" '"malformed": *[1-9]'
done
finish
