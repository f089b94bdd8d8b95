#!/usr/bin/env bash
# Regression: each located malformed record (up to 10 in the summary) reopened its file and counted
# its lines from the first byte, so a damaged 1 GB file whose bad lines sat at its end took 10 s
# more to scan (0.4 s clean). Now the kept errors of a file are located in one pass over it. The
# test counts the opens of the damaged file (strace): they must not grow with the number of
# malformed records; the lines reported must stay exact (CSV lines holding quoted line breaks,
# LF and CR LF, two damaged files).
set -u
source "$(dirname "$0")/lib.sh"
python3 "$root/scripts/gen_mde.py" --format jsonl --rows 3000 --seed 21 --out "$tmp/good.json"
bad() { for i in $(seq 1 "$1"); do printf '{"Timestamp":"2024-05-30T00:00:00Z", bad %s\n' "$i"; done; }
{ cat "$tmp/good.json"; bad 1; } > "$tmp/one.json"
{ head -n 1000 "$tmp/good.json"; bad 4; tail -n +1001 "$tmp/good.json"; bad 6; } > "$tmp/ten.json"
opens() {  # opens NAME FILE ARGS...: how many times the scan opened FILE
  local name="$1" file="$2"; shift 2
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -e trace=open,openat -o "$tmp/trace" \
    "$bin" scan --threads 2 --stats "$tmp/$name.stats" "$@" "$file" >/dev/null 2>"$tmp/$name.err"
  grep -c -- "$(basename "$file")\"" "$tmp/trace"
}
check strace-works 0 strace -qq -o /dev/null true
one=$(opens one "$tmp/one.json")
ten=$(opens ten "$tmp/ten.json")
if [ "$one" -eq "$ten" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL opens: $one with 1 malformed record, $ten with 10"; fi
# The lines: 1001-1004 and 3005-3010.
for l in 1001 1002 1003 1004 3005 3006 3007 3008 3009 3010; do expect_grep "line $l" "$tmp/ten.err" "ten.json:$l \(byte"; done
expect_grep count "$tmp/ten.stats" "\"malformed\":10,"
# Two damaged files and more than 10 errors: the first 10 by file and offset, each exactly located.
{ bad 3; cat "$tmp/good.json"; } > "$tmp/a.json"
{ head -n 5 "$tmp/good.json"; bad 12; } > "$tmp/b.json"
check two-files 0 "$bin" scan --threads 2 "$tmp/a.json" "$tmp/b.json"
for l in 1 2 3; do expect_grep "a line $l" "$tmp/err" "a.json:$l \(byte"; done
for l in 6 7 8 9 10 11 12; do expect_grep "b line $l" "$tmp/err" "b.json:$l \(byte"; done
# CSV: a quoted field holding line breaks counts its lines; CR LF line ends count once.
python3 "$root/scripts/gen_mde.py" --rows 200 --seed 22 --out "$tmp/g.csv"
{ head -n 51 "$tmp/g.csv"; tail -n +52 "$tmp/g.csv" | head -n 1 | sed 's/,Tcp,/,"T\ncp",/'; printf 'x,"bad\n'; tail -n +53 "$tmp/g.csv"; } > "$tmp/q.csv"
check csv 0 "$bin" scan --threads 2 "$tmp/q.csv"
expect_grep "csv line" "$tmp/err" "q.csv:54 \(byte"
sed 's/$/\r/' "$tmp/ten.json" > "$tmp/crlf.json"
check crlf 0 "$bin" scan --threads 2 "$tmp/crlf.json"
for l in 1001 3010; do expect_grep "crlf line $l" "$tmp/err" "crlf.json:$l \(byte"; done
finish
