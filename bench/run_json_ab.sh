#!/usr/bin/env bash
# run_json_ab.sh: rareconn's JSON walker against simdjson On-Demand (issue 8 item 1). Generates
# JSON lines of --size (scripts/gen_mde.py, seed 1) in two shapes, flat Defender rows and Streaming
# API records (the row under "properties"), in a temporary directory and runs
# build/bench/bench_json_ab on each: both parsers project the MDE hunt's 7 fields of every line, on
# one thread, the text in memory; they are first checked to give the same values for every
# record. Prints a Markdown section with the median of --reps repetitions of each; --write appends
# it to bench/RESULTS.md. Needs libsimdjson-dev (scripts/setup.sh installs it).
#
#   bash bench/run_json_ab.sh [--size 256M] [--reps 5] [--keep DIR] [--write]
set -euo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE=256M; REPS=5; KEEP=""; WRITE=0
ORIG_ARGS=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    --write) WRITE=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run_json_ab.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# Google Benchmark prints the medians only for 2 repetitions or more.
[[ "$REPS" =~ ^[0-9]+$ ]] && (( REPS >= 2 )) || { echo "run_json_ab.sh: --reps must be a number of at least 2" >&2; exit 2; }
# The default binary is rebuilt from the working tree first (incremental), never timed as found.
if [ -z "${BENCH_JSON_AB:-}" ]; then bash "$ROOT/scripts/build.sh" >/dev/null; fi
BENCH="${BENCH_JSON_AB:-$ROOT/build/bench/bench_json_ab}"
if [ ! -x "$BENCH" ]; then
  echo "run_json_ab.sh: $BENCH is not built; it needs libsimdjson-dev (apt-get install libsimdjson-dev, then bash scripts/build.sh)" >&2
  exit 2
fi
if [ -n "$KEEP" ]; then DIR="$KEEP"; mkdir -p "$DIR"; else DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT; fi
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

ratio() {  # ratio NAME: NAME's median time over rareconn's, in the benchmark's CSV output $out
  awk -F, -v n="BM_Jsonl_Project7_$1_median" '{gsub(/"/, "", $1)} $1 == "BM_Jsonl_Project7_Rareconn_median" {a = $4} $1 == n {b = $4}
    END {if (a > 0 && b > 0) printf "%.2f", b / a; else printf "?"}' <<<"$out"
}
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=""; ratios=""; checks=""; sizes=""
for shape in jsonl streaming; do  # flat rows; Streaming API records (the row under "properties")
  data="$DIR/ab$SIZE.$shape.jsonl"
  [ -s "$data" ] || { "$PY" "$ROOT/scripts/gen_mde.py" --format "$shape" --size "$SIZE" --seed 1 --out "$data.part" && mv "$data.part" "$data"; }
  out="$(RARECONN_BENCH_JSONL="$data" "$BENCH" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
    --benchmark_format=csv 2>"$DIR/ab.err")" || { cat "$DIR/ab.err" >&2; exit 1; }
  checks+="${checks:+; }$shape: $(sed -n 's/^bench_json_ab: //p' "$DIR/ab.err")"
  sizes+="${sizes:+, }$shape $(stat -c %s "$data" | awk '{printf "%.0f", $1 / 1e6}') MB"
  # CSV rows: name,iterations,real_time,cpu_time,time_unit,bytes_per_second,...
  rows+="$(awk -F, -v shape="$shape" '{gsub(/"/, "", $1)} $1 ~ /_median$/ {n = $1; sub(/_median$/, "", n); sub(/^BM_Jsonl_Project7_/, "", n);
    printf "| %s | %s | %.1f | %.2f |\n", shape, n, $4, $6 / 1e9}' <<<"$out")"$'\n'
  ratios+="${ratios:+; }$shape: **$(ratio SimdjsonOnDemand)x** with its keys unescaped (exact), $(ratio SimdjsonOnDemandRawKeys)x comparing raw keys"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cmd="bash bench/run_json_ab.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
section="## JSON projection: rareconn's walker vs simdjson On-Demand, $(date -u +%Y-%m-%d)

- Run of $(date -u); machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load average $load_before before, $load_after after
- Version: \`$(git -C "$ROOT" rev-parse --short HEAD)\`; command: \`$cmd\`; simdjson $(dpkg-query -W -f '${Version}' libsimdjson-dev 2>/dev/null || echo '?')
- Data: \`scripts/gen_mde.py --format jsonl|streaming --size $SIZE --seed 1\` ($sizes), in memory
- Method: one thread; each parser projects the hunt's 7 fields (Timestamp, DeviceName, ActionType, RemoteIPType, RemoteIP,
  RemoteUrl, InitiatingProcessFileName; strings unescaped) of every line and the loop sums their lengths;
  simdjson walks each object's members once (\`iterate_many\`, its default 1 MB batches) and decodes only the
  projected ones (and those of a Streaming API record's \`properties\`). Checked first: $checks. Median of $REPS
  repetitions (Google Benchmark). The bench is compiled with \`-march=native\`, so that simdjson's On-Demand walk
  (header code) uses its best kernel here; rareconn's walker picks its AVX2 copy at run time.
  simdjson's walk does not validate the members it skips (rareconn's does: a malformed record must be reported).

| shape | parser | ms per pass (CPU) | GB/s per core |
|---|---|---|---|
$rows
simdjson On-Demand's time over rareconn's (above 1, rareconn is faster): $ratios (raw keys miss escaped key names)."
printf '%s\n' "$section"
if [ "$WRITE" -eq 1 ]; then printf '\n%s\n' "$section" >>"$ROOT/bench/RESULTS.md"; fi
