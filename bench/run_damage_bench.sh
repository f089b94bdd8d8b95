#!/usr/bin/env bash
# run_damage_bench.sh: linear time on damaged inputs (issue "never crash, never lose, never stall").
# Times rareconn on a clean generated CSV and on the same CSV with damage a crashed file system or a
# broken exporter leaves: a run of NUL bytes in the middle, and text without any line break; the
# cost per byte must stay of the same order (it was 30x before). Prints a Markdown section and, with
# --write, prepends it to bench/RESULTS.md under "Damaged inputs".
#
#   bash bench/run_damage_bench.sh [--size 300M] [--damage 300M] [--runs 5] [--write]
set -euo pipefail
export LC_ALL=C
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE=300M; DAMAGE=300M; RUNS=5; WRITE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --damage) DAMAGE="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --write) WRITE=1; shift ;;
    *) echo "run_damage_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# The default binary is rebuilt from the working tree first (incremental), never timed as found.
if [ -z "${RARECONN:-}" ]; then bash "$ROOT/scripts/build.sh" >/dev/null; fi
RARECONN="${RARECONN:-$ROOT/build/rareconn}"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT

python3 "$ROOT/scripts/gen_mde.py" --size "$SIZE" --seed 5 --out "$TMP/clean.csv"
lines=$(wc -l < "$TMP/clean.csv"); half=$((lines / 2))
{ head -n "$half" "$TMP/clean.csv"; head -c "$DAMAGE" /dev/zero; printf '\n'; tail -n +"$((half + 1))" "$TMP/clean.csv"; } > "$TMP/nul_middle.csv"
{ head -n "$half" "$TMP/clean.csv"; head -c "$DAMAGE" /dev/zero | tr '\0' 'x'; printf '\n'; tail -n +"$((half + 1))" "$TMP/clean.csv"; } > "$TMP/no_line_break.csv"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rows=""
for name in clean nul_middle no_line_break; do
  f="$TMP/$name.csv"; bytes=$(stat -c %s "$f")
  for th in 1 2; do
    cat "$f" > /dev/null
    times=""
    for _ in $(seq 1 "$RUNS"); do
      s=$EPOCHREALTIME
      "$RARECONN" scan --threads "$th" --now 2024-05-31T12:00:00Z -o /dev/null "$f" 2>/dev/null || true
      e=$EPOCHREALTIME
      times+="$(awk -v a="$s" -v b="$e" 'BEGIN {printf "%.6f", b - a}')"$'\n'
    done
    m=$(printf '%s' "$times" | median)
    rows+="| $name | $(numfmt --to=iec "$bytes") | $th | $(printf '%.3f' "$m") | $(awk -v b="$bytes" -v t="$m" 'BEGIN {printf "%.2f", b / t / 1e9}') |"$'\n'
  done
done
section="### Damaged inputs, run of $(date -u)

- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
- Version: rareconn \`$(git -C "$ROOT" rev-parse --short HEAD)\`; command: \`bash bench/run_damage_bench.sh --size $SIZE --damage $DAMAGE --runs $RUNS\`
- Method: warm page cache; median of $RUNS whole-process wall times; \`--now\` given. The damaged files are the clean
  file with $DAMAGE of NUL bytes (\`nul_middle\`), or of \`x\` without a line break (\`no_line_break\`), inserted
  after its middle line; each damage is one malformed record (longer than \`--max-record-size\`).

| input | bytes | threads | seconds | GB/s |
|---|---|---|---|---|
$rows"
printf '%s\n' "$section"
if [ "$WRITE" -eq 1 ]; then
  python3 - "$ROOT/bench/RESULTS.md" "$section" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
marker = "## Damaged inputs\n"
if marker not in text:
    text = text.rstrip("\n") + "\n\n" + marker + "\nWritten by `bench/run_damage_bench.sh --write`; newest first.\n\n"
head, tail = text.split(marker, 1)
intro, _, rest = tail.partition("\n\n### ")
rest = ("### " + rest) if rest else ""
open(path, "w", encoding="utf-8").write(head + marker + intro + "\n\n" + section + "\n" + rest)
PY
fi
