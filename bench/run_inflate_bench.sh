#!/usr/bin/env bash
# run_inflate_bench.sh: which gzip inflater is fastest on rareconn's kind of data (issue 7 item 2).
# Generates a CSV of --size (scripts/gen_mde.py, seed 5) in a temporary directory, compresses it
# four ways (`gzip -6`: one member; `igzip -1`: one member; `pigz`: one member of independent
# deflate runs; `bgzip`: BGZF, 64 KiB members), and runs build/bench/bench_inflate on each: zlib,
# ISA-L and libdeflate inflating every member in memory, checked identical (bytes and XXH3-64),
# the median CPU seconds (user + system) of --runs runs each. Prints a Markdown section; --write
# appends it to bench/RESULTS.md.
#
#   bash bench/run_inflate_bench.sh [--size 1G] [--runs 5] [--keep DIR] [--write]
#
# --keep DIR keeps (and reuses) the generated files there; by default they go to a temporary
# directory removed at the end (never into the repository). BENCH_INFLATE=path runs another build
# of bench_inflate. CPU seconds, not wall time, are the figure to compare on a shared machine; the
# section gives the load average before and after.
set -euo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE=1G; RUNS=5; KEEP=""; WRITE=0
ORIG_ARGS=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    --write) WRITE=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run_inflate_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# The default binary is rebuilt from the working tree first (incremental), never timed as found.
if [ -z "${BENCH_INFLATE:-}" ]; then bash "$ROOT/scripts/build.sh" >/dev/null; fi
BENCH="${BENCH_INFLATE:-$ROOT/build/bench/bench_inflate}"
for tool in gzip igzip pigz bgzip; do
  command -v "$tool" >/dev/null || { echo "run_inflate_bench.sh: needs $tool (scripts/setup.sh installs it)" >&2; exit 2; }
done
if [ -n "$KEEP" ]; then DIR="$KEEP"; mkdir -p "$DIR"; else DIR="$(mktemp -d)"; trap 'rm -rf "$DIR"' EXIT; fi

csv="$DIR/i$SIZE.csv"
make() {  # make FILE CMD...: CMD's output to FILE unless it exists (renamed into place when whole)
  local out="$1"; shift
  [ -s "$out" ] || { "$@" >"$out.part" && mv "$out.part" "$out"; }
}
make "$csv" python3 "$ROOT/scripts/gen_mde.py" --format csv --size "$SIZE" --seed 5
make "$csv.gzip6.gz" gzip -6 -c "$csv"      # one member
make "$csv.igzip1.gz" igzip -1 -c "$csv"    # one member
make "$csv.pigz.gz" pigz -c "$csv"          # one member (level 6, 128 KiB runs ended by empty stored blocks)
make "$csv.bgzf.gz" bgzip -@ 2 -c "$csv"    # BGZF: 64 KiB members (the same bytes with any -@)

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=""; buffers=""
for enc in gzip6 igzip1 pigz bgzf; do
  f="$csv.$enc.gz"
  case "$enc" in
    gzip6) name="\`gzip -6\`, one member" ;;
    igzip1) name="\`igzip -1\`, one member" ;;
    pigz) name="\`pigz\` (default), one member" ;;
    bgzf) name="\`bgzip\`, BGZF" ;;
  esac
  out="$("$BENCH" "$f" --runs "$RUNS")" || { echo "run_inflate_bench.sh: bench_inflate failed on $f" >&2; exit 1; }
  printf '%s\n' "$out" >&2
  read -r in_bytes out_bytes members <<<"$(awk '/^file / {for (i = 1; i <= NF; ++i) {
      if ($(i + 1) == "bytes" && $(i + 2) == "compressed,") c = $i
      if ($(i + 1) == "bytes" && $(i + 2) == "decompressed,") d = $i
      if ($(i + 1) == "gzip" && $(i + 2) == "members,") m = $i }
    print c, d, m}' <<<"$out")"
  timings="$(awk '($1 == "zlib" || $1 == "isa-l" || $1 == "libdeflate") && $2 ~ /^[0-9.]+$/' <<<"$out")"
  best="$(awk '{print $2, $1}' <<<"$timings" | sort -n | head -1 | cut -d' ' -f2)"
  buffers+="${buffers:+; }$enc $(sed -n 's/^libdeflate output buffer: \([0-9.]*\) MiB.*/\1/p' <<<"$out") MiB"
  first=1
  while read -r dec cpu cmin cmax wall outr inr; do
    label="$dec"; [ "$dec" = "$best" ] && label="**$dec**"
    if [ "$first" -eq 1 ]; then
      lead="$name, $(awk -v b="$in_bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB, members: $members"
      first=0
    else
      lead=""
    fi
    rows+="| $lead | $label | $cpu | $cmin-$cmax | $outr | $inr | $wall |"$'\n'
  done <<<"$timings"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cmd="bash bench/run_inflate_bench.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
section="## Inflate: ISA-L vs zlib vs libdeflate, $(date -u +%Y-%m-%d)

- Run of $(date -u); machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM; load average $load_before before, $load_after after
- Version: \`$(git -C "$ROOT" rev-parse --short HEAD)\`; command: \`$cmd\`; zlib $(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' /usr/include/zlib.h), libdeflate $(sed -n 's/^#define LIBDEFLATE_VERSION_STRING[[:space:]]*"\(.*\)"/\1/p' /usr/include/libdeflate.h), ISA-L $(dpkg-query -W -f '${Version}' libisal2 2>/dev/null || echo '?')
- Data: \`python3 scripts/gen_mde.py --format csv --size $SIZE --seed 5\` ($(awk -v b="$out_bytes" 'BEGIN {printf "%.0f", b / 1e6}') MB), compressed by the tool named in each row
- Method: \`bench_inflate FILE --runs $RUNS\`: the file in memory, every member inflated to a reused buffer (zlib and
  ISA-L streaming into 1 MiB, libdeflate one member per call into a buffer of the member's size); the three
  outputs checked identical (bytes and XXH3-64) in an untimed run; then $RUNS timed runs each, interleaved,
  no hashing. CPU s = user + system (CLOCK_PROCESS_CPUTIME_ID), median of $RUNS (and the range);
  MB/s = 10^6 bytes per CPU second of the median, decompressed (out) and compressed (in). Fastest in bold.
  libdeflate's output buffer (sized in the untimed run, then reused): $buffers.

| input | decoder | CPU s | CPU s range | out MB/s per CPU s | in MB/s per CPU s | wall s |
|---|---|---|---|---|---|---|
$rows"
printf '%s\n' "$section"
if [ "$WRITE" -eq 1 ]; then printf '\n%s' "$section" >>"$ROOT/bench/RESULTS.md"; fi
