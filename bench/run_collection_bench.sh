#!/usr/bin/env bash
# run_collection_bench.sh: a collection of many small exports against the same rows in one file,
# and cold-cache reads, written to bench/RESULTS.md (section "Collections and cold reads"; SPEC §5:
# 70,000 files under `ulimit -n 256` in at most 8x the time of the one file).
#
#   bash bench/run_collection_bench.sh [--size 1G] [--files 70000] [--runs 5] [--no-cold] [--keep]
#
# Steps: build if needed -> gen_mde.py --size SIZE (one CSV) -> tests/split_export.py into FILES
# files (one folder per 200, cut at record ends) -> warm runs, median of RUNS: `cat` of each, the
# one file and the tree (tree under `ulimit -n 256`), findings compared byte for byte, `perf stat
# -e instructions` of one run each when perf works -> cold cache (root: `sync; echo 3 >
# /proc/sys/vm/drop_caches` before each run): `cat`, rareconn, and rareconn releasing the page
# cache of what it has parsed (RARECONN_TEST_DROP_CACHE_BYTES=1: the behaviour of scans larger
# than a quarter of memory), with the file's pages left in the cache afterwards (`fincore`).
set -euo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE=1G FILES=70000 RUNS=5 COLD=1 KEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --files) FILES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --no-cold) COLD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run_collection_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x build/rareconn ] || scripts/build.sh
BIN="$ROOT/build/rareconn"
DATA="$ROOT/bench/data/collection"
mkdir -p "$DATA"
ONE="$DATA/mde_$SIZE.csv" TREE="$DATA/tree_${SIZE}_$FILES"
[ -s "$ONE" ] || python3 scripts/gen_mde.py --size "$SIZE" --seed 5 --out "$ONE"
[ -d "$TREE" ] || python3 tests/split_export.py "$ONE" "$TREE" "$FILES"
NOW=--now=2024-05-31T12:00:00Z
OUT="$(mktemp -d)"; trap 'rm -rf "$OUT"' EXIT

# median wall seconds of RUNS runs of "$@" (stdout to /dev/null; the last run's stderr in $OUT/err)
median() {
  local t=()
  for _ in $(seq 1 "$RUNS"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>"$OUT/err"; e=$(date +%s.%N)
    t+=("$(echo "$e - $s" | bc)")
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.3f (min %.3f, max %.3f)", m, a[1], a[NR]}'
}
instructions() {  # instructions of one run, or "n/a"
  perf stat -x, -e instructions -o "$OUT/perf" "$@" >/dev/null 2>&1 && awk -F, '/instructions/ {printf "%.2fG", $1/1e9}' "$OUT/perf" || echo n/a
}
limited() { bash -c 'ulimit -n 256 && exec "$@"' _ "$@"; }
bytes=$(stat -c %s "$ONE"); rows=$(($(wc -l < "$ONE") - 1))
cat "$ONE" >/dev/null; find "$TREE" -type f -exec cat {} + >/dev/null
"$BIN" scan "$NOW" -o "$OUT/one.csv" "$ONE" 2>/dev/null
limited "$BIN" scan "$NOW" -o "$OUT/tree.csv" "$TREE" 2>"$OUT/tree.err"
same=$(cmp -s "$OUT/one.csv" "$OUT/tree.csv" && echo "identical" || echo "**DIFFERENT**")
t_cat_one=$(median cat "$ONE")
t_cat_tree=$(median bash -c 'find "$1" -type f -print0 | xargs -0 cat' _ "$TREE")
t_one=$(median "$BIN" scan "$NOW" "$ONE")
t_tree=$(median limited "$BIN" scan "$NOW" "$TREE")
t_tree1=$(median limited "$BIN" scan "$NOW" --threads 1 "$TREE")
t_one1=$(median "$BIN" scan "$NOW" --threads 1 "$ONE")
i_one=$(instructions "$BIN" scan "$NOW" "$ONE"); i_tree=$(instructions "$BIN" scan "$NOW" "$TREE")
m1=${t_one%% *} m2=${t_tree%% *} m11=${t_one1%% *} m21=${t_tree1%% *}
ratio=$(echo "scale=2; $m2 / $m1" | bc); per_file=$(echo "scale=1; ($m2 - $m1) * 1000000 / $FILES" | bc)
per_file1=$(echo "scale=1; ($m21 - $m11) * 1000000 / $FILES" | bc)
cold=""
if [ "$COLD" = 1 ] && [ -w /proc/sys/vm/drop_caches ]; then
  drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
  cold_run() { local s e; drop; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
  c_cat=() c_scan=() c_rel=() c_tree=()
  for _ in 1 2 3; do
    c_cat+=("$(cold_run cat "$ONE")")
    c_scan+=("$(cold_run "$BIN" scan "$NOW" "$ONE")")
    c_rel+=("$(cold_run env RARECONN_TEST_DROP_CACHE_BYTES=1 "$BIN" scan "$NOW" "$ONE")")
    c_tree+=("$(cold_run limited "$BIN" scan "$NOW" "$TREE")")
  done
  med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
  drop; "$BIN" scan "$NOW" "$ONE" >/dev/null 2>&1; cached_plain=$(fincore -b -n -o RES "$ONE" | tr -d ' ')
  drop; RARECONN_TEST_DROP_CACHE_BYTES=1 "$BIN" scan "$NOW" "$ONE" >/dev/null 2>&1; cached_rel=$(fincore -b -n -o RES "$ONE" | tr -d ' ')
  cold="
Cold cache (\`sync; echo 3 > /proc/sys/vm/drop_caches\` before each run; median of 3, seconds):

| run | wall s | the file's bytes in the page cache afterwards |
|---|---|---|
| \`cat\` the one file | $(med "${c_cat[@]}") | |
| rareconn, the one file | $(med "${c_scan[@]}") | $cached_plain of $bytes |
| rareconn, the one file, consumed ranges released (as for scans > 1/4 of memory) | $(med "${c_rel[@]}") | $cached_rel of $bytes |
| rareconn, the tree (\`ulimit -n 256\`) | $(med "${c_tree[@]}") | |
"
fi
section="<!-- collection-bench: written by bench/run_collection_bench.sh -->
## Collections and cold reads

### Run of $(date -u '+%a %b %d %H:%M:%S UTC %Y')

- Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'); **shared with other builds**
  (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)), so wall times move by tens of percent between runs.
- rareconn \`$(git rev-parse --short HEAD)\`; command: \`bash bench/run_collection_bench.sh --size $SIZE --files $FILES --runs $RUNS\`
- Data: \`scripts/gen_mde.py --size $SIZE --seed 5\` ($bytes bytes, $rows rows) and the same rows split by
  \`tests/split_export.py\` into $FILES files (one folder per 200 files, each with the header); \`--now 2024-05-31T12:00:00Z\`.
- Warm page cache, median of $RUNS runs (min, max); the tree under \`ulimit -n 256\`; findings: $same.

| input | \`cat\` s | rareconn 2 threads s | rareconn 1 thread s | instructions (2 threads) |
|---|---|---|---|---|
| one file | $t_cat_one | $t_one | $t_one1 | $i_one |
| $FILES files | $t_cat_tree | $t_tree | $t_tree1 | $i_tree |

The tree takes **${ratio}x** the time of the one file (SPEC §5 target: at most 8x); cost per file
$per_file µs of wall time with 2 threads ($per_file1 µs with 1 thread).
$cold"
echo "$section"
printf '%s\n<!-- /collection-bench -->\n' "$section" > "$OUT/section.md"
python3 - "$ROOT/bench/RESULTS.md" "$OUT/section.md" <<'PY'
import sys
path, new = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
begin, end = "<!-- collection-bench", "<!-- /collection-bench -->"
if begin in text and end in text:  # the previous run of this bench is replaced
    text = text[:text.index(begin)] + new.rstrip("\n") + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + new
open(path, "w").write(text)
PY
[ "$KEEP" = 1 ] || rm -rf "$DATA"
