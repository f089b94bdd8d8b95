#!/usr/bin/env bash
# run_stream_bench.sh: compressed inputs streamed in blocks against the decompressor alone (issue 7).
# Generates a CSV of --size (scripts/gen_mde.py, seed 5) in a temporary directory, compresses it
# four ways (one zstd frame as `zstd -T2` writes it, pzstd's many frames, one gzip member, bgzip's
# BGZF members), then for each: `zstd -dc`, `igzip -dc`, `pigz -dc` to /dev/null and
# `rareconn scan --threads 2` of the file, side by side; the zstd file and the plain file on
# standard input too, and DuckDB (bench/duckdb, whole process, node's start included) on the plain
# file and the one-member .gz (--no-duckdb leaves those out). Prints a Markdown section; --write
# appends it to bench/RESULTS.md. Findings are checked identical to the plain file's.
#
#   bash bench/run_stream_bench.sh [--size 1G] [--runs 3] [--nice N] [--keep DIR] [--no-duckdb] [--write]
#
# Wall time: the median of --runs. CPU: user + system of that run. Memory: peak resident set
# (getrusage ru_maxrss) and peak anonymous resident memory (RssAnon of /proc/PID/status, sampled
# every 10 ms: a lower bound of the true peak). --nice N runs each timed command at nice N (a
# negative N, as root, gets CPU on a machine shared with builds; say so when quoting numbers).
# --keep DIR keeps (and reuses) the generated files there. RARECONN=path times another binary
# (RARECONN_LABEL says which build it is in the section).
set -euo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE=1G; RUNS=3; NICE=0; KEEP=""; WRITE=0; DUCK=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --nice) NICE="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    --write) WRITE=1; shift ;;
    --no-duckdb) DUCK=0; shift ;;
    *) echo "run_stream_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
RARECONN="${RARECONN:-$ROOT/build/rareconn}"
[ -x "$RARECONN" ] || bash "$ROOT/scripts/build.sh"
for tool in zstd pzstd igzip pigz bgzip; do
  command -v "$tool" >/dev/null || { echo "run_stream_bench.sh: needs $tool (scripts/setup.sh installs it)" >&2; exit 2; }
done
if [ "$DUCK" -eq 1 ] && [ ! -d "$ROOT/bench/duckdb/node_modules/@duckdb/node-api" ]; then
  command -v npm >/dev/null || { echo "run_stream_bench.sh: DuckDB rows need node and npm (or --no-duckdb)" >&2; exit 2; }
  (cd "$ROOT/bench/duckdb" && npm install --no-package-lock --no-audit --no-fund >/dev/null)
fi
if [ -n "$KEEP" ]; then DIR="$KEEP"; mkdir -p "$DIR"; else DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT; fi

csv="$DIR/s$SIZE.csv"
make() {  # make FILE CMD...: CMD's output to FILE unless it exists (renamed into place when whole)
  local out="$1"; shift
  [ -s "$out" ] || { "$@" >"$out.part" && mv "$out.part" "$out"; }
}
make "$csv" python3 "$ROOT/scripts/gen_mde.py" --size "$SIZE" --seed 5
make "$csv.zst" zstd -q -T2 -c "$csv"              # one frame
make "$csv.pz.zst" pzstd -q -p 2 -c "$csv"         # 8 MiB frames, each after a skippable frame
make "$csv.gz" igzip -1 -c "$csv"                  # one member
make "$csv.bgz.gz" bgzip -@ 2 -c "$csv"            # BGZF: 64 KiB members

# measure CMD...: one run; prints "wall cpu maxrss_kib anon_kib" (stdout of CMD to /dev/null).
measure() {
  python3 - "$NICE" "$@" <<'EOF'
import os, sys, time
nice, cmd = int(sys.argv[1]), sys.argv[2:]
start = time.monotonic()
pid = os.fork()
if pid == 0:
    os.nice(nice) if nice else None
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
    os.execvp(cmd[0], cmd)
anon = 0
while True:
    done, status, ru = os.wait4(pid, os.WNOHANG)
    if done:
        break
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    anon = max(anon, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.01)
wall = time.monotonic() - start
print(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss} {anon}")
EOF
}
median_of() {  # median_of CMD...: the run with the median wall time, as measure prints it
  for _ in $(seq 1 "$RUNS"); do measure "$@"; done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}
row() {  # row LABEL INPUT CMD...
  local label="$1" input="$2"; shift 2
  cat "$input" >/dev/null
  read -r wall cpu rss anon <<<"$(median_of "$@")"
  rows+="| $label | $(numfmt --to=iec "$(stat -L -c %s "$input")") | $wall | $cpu | $((rss / 1024)) | $((anon / 1024)) |"$'\n'
}

"$RARECONN" scan --threads 2 -o "$DIR/want" "$csv" 2>/dev/null
rows=""
row "plain CSV, rareconn (mapped)" "$csv" "$RARECONN" scan --threads 2 -o /dev/null "$csv"
for enc in zst pz.zst gz bgz.gz; do
  f="$csv.$enc"
  "$RARECONN" scan --threads 2 -o "$DIR/got" "$f" 2>/dev/null
  cmp -s "$DIR/want" "$DIR/got" || { echo "run_stream_bench.sh: findings of $f differ from the plain file's" >&2; exit 1; }
  case "$enc" in
    zst) name="one zstd frame (\`zstd -T2\`)" ;;
    pz.zst) name="zstd frames (\`pzstd -p 2\`)" ;;
    gz) name="one gzip member (\`igzip -1\`)" ;;
    bgz.gz) name="BGZF members (\`bgzip -@ 2\`)" ;;
  esac
  if [[ "$enc" == *zst ]]; then
    row "$name: \`zstd -dc > /dev/null\`" "$f" zstd -dc "$f"
  else
    row "$name: \`igzip -dc > /dev/null\`" "$f" igzip -dc "$f"
    row "$name: \`pigz -dc > /dev/null\`" "$f" pigz -dc "$f"
  fi
  row "$name: **rareconn scan**" "$f" "$RARECONN" scan --threads 2 -o /dev/null "$f"
  case "$enc" in
    zst)  # standard input: the compressed bytes, and zstd's output through a pipe
      "$RARECONN" scan --threads 2 -o "$DIR/got" - <"$f" 2>/dev/null
      cmp -s "$DIR/want" "$DIR/got" || { echo "run_stream_bench.sh: findings of stdin < $f differ" >&2; exit 1; }
      row "$name: **rareconn scan - < file**" "$f" bash -c 'exec "$0" scan --threads 2 -o /dev/null - <"$1"' "$RARECONN" "$f"
      row "$name: **zstd -dc file \\| rareconn scan -**" "$f" bash -c 'exec "$0" scan --threads 2 -o /dev/null - < <(zstd -dc "$1")' "$RARECONN" "$f" ;;
    gz)
      if [ "$DUCK" -eq 1 ]; then row "$name: DuckDB (\`read_csv\` of the .gz)" "$f" node "$ROOT/bench/duckdb/mde_hunt.mjs" --input "$f" --format csv --threads 2; fi ;;
  esac
done
row "plain CSV on standard input: **rareconn scan - < file**" "$csv" bash -c 'exec "$0" scan --threads 2 -o /dev/null - <"$1"' "$RARECONN" "$csv"
if [ "$DUCK" -eq 1 ]; then row "plain CSV: DuckDB (\`read_csv\`)" "$csv" node "$ROOT/bench/duckdb/mde_hunt.mjs" --input "$csv" --format csv --threads 2; fi
section="### Streamed compressed inputs, $SIZE CSV, run of $(date -u)

- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
- Version: rareconn \`$(git -C "$ROOT" rev-parse --short HEAD)\`${RARECONN_LABEL:+ (binary: $RARECONN_LABEL)}; command: \`bash bench/run_stream_bench.sh --size $SIZE --runs $RUNS --nice $NICE\`
- Method: warm page cache; wall = median of $RUNS runs (CPU and memory of that run); rareconn with \`--threads 2\`,
  default \`--now latest\`, findings identical to the plain file's for every encoding. Memory: peak RSS (ru_maxrss)
  and peak anonymous RSS (RssAnon sampled every 10 ms).

| input | bytes on disk | wall s | CPU s | peak RSS MiB | peak anon MiB |
|---|---|---|---|---|---|
$rows"
printf '%s\n' "$section"
if [ "$WRITE" -eq 1 ]; then printf '\n%s' "$section" >>"$ROOT/bench/RESULTS.md"; fi
