#!/usr/bin/env bash
# Streamed inputs (SPEC §2, issue 7): the same findings, byte for byte, whether an input is read
# from a plain file, gzip (one member, or several cut at an arbitrary byte, or BGZF as bgzip writes
# it, decoded in parallel), zstd (one frame, several concatenated frames cut at an arbitrary byte,
# or pzstd's frames with their skippable frames, decoded in parallel), standard input (`cat f | rareconn scan -`,
# `zstd -dc f.zst | rareconn scan -`, compressed bytes on stdin) or a FIFO named as a path; every
# golden case with one input file, at chunk and stream block sizes down to 1 byte. Usage: e2e_stream_inputs.sh BINARY REPO_ROOT
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; root="$(cd "$2" && pwd)"
golden="$root/tests/data/golden"; real="$root/tests/data/real"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
same() {  # same NAME EXPECTED_FILE GOT_FILE STATUS
  if [ "$4" -eq 0 ] && cmp -s "$2" "$3"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $1 (status $4)"; diff "$2" "$3" | head -5; head -3 "$tmp/err"; fi
}
# The sanitizer stages (RARECONN_TEST_QUICK=1, scripts/ci_sanitizers.sh) sweep 7-byte chunks only
# (they cut every record too; the default size is e2e_golden's), over one golden case per reader
# (CSV, stray quotes, JSON lines, Streaming API, Event-table JSON, Winlogbeat, EVTX, event XML, a
# cut-off event): under TSan a process costs about 0.2 s and this script took 345 s; the Release
# stage runs every size and every case.
chunks_swept="1 7 1000000"
quick_cases=""
if [ "${RARECONN_TEST_QUICK:-}" = 1 ]; then
  chunks_swept="7"
  quick_cases=" edges_csv mde_stray_quotes mde_api_results edges_streaming sysmon_event_jsonl sysmon_winlogbeat sysmon_evtx_rdp_tun sysmon_xml_event_rows sysmon_xml_cut_off_event "
fi
cases=0
for dir in "$golden"/*/; do
  name="$(basename "$dir")"
  [ -n "$quick_cases" ] && [[ "$quick_cases" != *" $name "* ]] && continue
  read -r -a words <<<"$(sed "s|@REAL|$real|g" "$dir/args")"
  inputs=(); opts=()
  for f in "$dir"/input.*; do [ -e "$f" ] && inputs+=("$f"); done
  for w in "${words[@]}"; do if [ -f "$w" ]; then inputs+=("$w"); else opts+=("$w"); fi; done
  [ "${#inputs[@]}" -eq 1 ] || continue
  in="${inputs[0]}"; cases=$((cases + 1))
  size=$(stat -c %s "$in"); cut=$((size / 3 + 1))
  gzip -c "$in" >"$tmp/one.gz"
  head -c "$cut" "$in" | gzip -c >"$tmp/many.gz"; tail -c +"$((cut + 1))" "$in" | gzip -c >>"$tmp/many.gz"
  zstd -q -c "$in" >"$tmp/one.zst"
  head -c "$cut" "$in" | zstd -q -c >"$tmp/many.zst"; tail -c +"$((cut + 1))" "$in" | zstd -q -c >>"$tmp/many.zst"
  bgzip -c "$in" >"$tmp/bgzf.gz"                       # 64 KiB members with their sizes (BGZF)
  split -b 1000 -d -a 6 "$in" "$tmp/piece."             # pzstd's layout on small inputs: many frames,
  : >"$tmp/pzstd.zst"                                   # each after a skippable frame
  for p in "$tmp"/piece.*; do pzstd -q -p 1 -c "$p" >>"$tmp/pzstd.zst"; done; rm -f "$tmp"/piece.*
  for chunk in $chunks_swept; do
    # Block-streamed .gz/.zst files: blocks of `chunk` bytes (RARECONN_TEST_BLOCK_BYTES, for tests),
    # the copies of recent-window records dropped when past `chunk` bytes (RARECONN_TEST_KEEP_BYTES).
    export RARECONN_TEST_BLOCK_BYTES="$chunk" RARECONN_TEST_KEEP_BYTES="$chunk"
    run=("$bin" scan "${opts[@]}" --threads 2 --chunk-size "$chunk")
    "${run[@]}" "$in" >"$tmp/want" 2>"$tmp/err"; st=$?
    if [ "$st" -ne 0 ]; then fail=$((fail + 1)); echo "FAIL $name plain: status $st"; continue; fi
    for c in one.gz many.gz bgzf.gz one.zst many.zst pzstd.zst; do
      "${run[@]}" "$tmp/$c" >"$tmp/got" 2>"$tmp/err"; same "$name $c chunk=$chunk" "$tmp/want" "$tmp/got" $?
      "${run[@]}" - <"$tmp/$c" >"$tmp/got" 2>"$tmp/err"; same "$name stdin<$c chunk=$chunk" "$tmp/want" "$tmp/got" $?
    done
    cat "$in" | "${run[@]}" - >"$tmp/got" 2>"$tmp/err"; same "$name cat|- chunk=$chunk" "$tmp/want" "$tmp/got" $?
    zstd -dc "$tmp/many.zst" | "${run[@]}" - >"$tmp/got" 2>"$tmp/err"; same "$name zstd -dc|- chunk=$chunk" "$tmp/want" "$tmp/got" $?
    rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
    # (the writer gives up after 20 s if the scan never opens the FIFO: the test cannot hang)
    timeout 20 sh -c 'cat "$1" >"$2"' _ "$tmp/many.gz" "$tmp/fifo" &
    timeout 20 "${run[@]}" "$tmp/fifo" >"$tmp/got" 2>"$tmp/err"; same "$name fifo<many.gz chunk=$chunk" "$tmp/want" "$tmp/got" $?
    wait
  done
done
unset RARECONN_TEST_BLOCK_BYTES RARECONN_TEST_KEEP_BYTES
# Default block sizes (a serially decoded stream is read on a thread of its own, in 4 MiB blocks;
# parallel-decoded ones in the pipeline): the plain file's findings, threads 1 to 3.
for c in edges_csv/input.csv mde_stray_quotes/input.csv edges_streaming/input.json sysmon_xml_event_rows/input.xml; do
  for t in 1 2 3; do
    "$bin" scan --threads "$t" "$golden/$c" >"$tmp/want" 2>/dev/null
    gzip -c "$golden/$c" >"$tmp/d.gz"; bgzip -c "$golden/$c" >"$tmp/d.bgz.gz"
    for f in "$tmp/d.gz" "$tmp/d.bgz.gz"; do
      "$bin" scan --threads "$t" "$f" >"$tmp/got" 2>"$tmp/err"; same "default blocks $c $(basename "$f") threads=$t" "$tmp/want" "$tmp/got" $?
    done
    gzip -c "$golden/$c" | "$bin" scan --threads "$t" - >"$tmp/got" 2>"$tmp/err"; same "default blocks $c stdin threads=$t" "$tmp/want" "$tmp/got" $?
  done
done
# The streamed path is the one taken (not a whole read): CSV, JSON lines, event XML (EVTX below).
for c in edges_csv/input.csv edges_streaming/input.json sysmon_xml_event_rows/input.xml; do
  zstd -q -c "$golden/$c" >"$tmp/s.zst"
  "$bin" scan --now 2024-06-01T00:00:00Z "$tmp/s.zst" >/dev/null 2>"$tmp/err"
  if grep -q "inputs_streamed_in_blocks: 1" "$tmp/err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $c not streamed"; head -20 "$tmp/err"; fi
done
# JSON lines, CSV and event XML alone on standard input are streamed block by block too.
for c in edges_streaming/input.json edges_csv/input.csv sysmon_xml_event_rows/input.xml; do
  zstd -q -c "$golden/$c" | "$bin" scan --now 2024-06-01T00:00:00Z - >/dev/null 2>"$tmp/err"
  if grep -q "inputs_streamed_in_blocks: 1" "$tmp/err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL stdin $c not streamed"; head -20 "$tmp/err"; fi
done
# CSV with stray quotes (literal quotes in unquoted fields, text after a closing quote: malformed)
# on standard input: cut where the parser's records start, never read whole (a memory bound far
# below its size), with the plain file's findings and summary at every block size.
src="$golden/mde_stray_quotes/input.csv"
{ cat "$src"; for _ in $(seq 1 200); do tail -n +2 "$src"; echo '2024-05-31T11:00:09Z,s1,ConnectionSuccess,1.1.1.9,"q"x,Public'; done; } >"$tmp/stray.csv"
summary() {  # the summary after its first line, the input's name and the streaming notes left out
  sed -e 1d -e "s|$tmp/stray.csv:|INPUT:|; s|^    -:|    INPUT:|" "$1" |
    grep -v -E "note +(streamed_inputs|inputs_streamed_in_blocks|streamed_recent_record_bytes_kept)"
}
"$bin" scan --now 2024-06-01T00:00:00Z --threshold 100000 --threads 2 "$tmp/stray.csv" >"$tmp/want" 2>"$tmp/want.err"
summary "$tmp/want.err" >"$tmp/want.sum"
grep -q "malformed" "$tmp/want.sum" && [ "$(wc -l <"$tmp/want")" -gt 1000 ] || { fail=$((fail + 1)); echo "FAIL stray.csv: no malformed record or no findings"; }
for block in 1 7 100 1000000; do
  RARECONN_TEST_BLOCK_BYTES=$block "$bin" scan --now 2024-06-01T00:00:00Z --threshold 100000 --threads 2 --max-decompressed-size 1K - \
    <"$tmp/stray.csv" >"$tmp/got" 2>"$tmp/err"
  same "stray quotes on stdin, bounded, block=$block" "$tmp/want" "$tmp/got" $?
  summary "$tmp/err" >"$tmp/got.sum"
  if cmp -s "$tmp/want.sum" "$tmp/got.sum" && grep -q "inputs_streamed_in_blocks: 1" "$tmp/err"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL stray quotes on stdin block=$block: summary differs or not streamed"
    diff "$tmp/want.sum" "$tmp/got.sum" | head -10; head -3 "$tmp/err"; fi
done
# EVTX and the Sysmon hunt's other inputs are streamed too (default pivot: only the findings are
# read again, from copies of their 64 KiB chunks); every real EVTX sample, both pivots, block
# sizes from 1 byte, under a 1 KiB bound for what is read whole: the plain file's findings and
# summary (damaged chunks' messages included).
# A damaged chunk past the first block: its message names the file's chunk number and offset.
cp "$real/evtx/sysmon.evtx" "$tmp/damaged.evtx"
printf 'XXXX' | dd of="$tmp/damaged.evtx" bs=1 seek=$((4096 + 3 * 65536 + 3000)) conv=notrunc status=none
for f in "$real"/evtx/*.evtx "$tmp/damaged.evtx"; do
  zstd -q -c "$f" >"$tmp/s.evtx.zst"
  for pivot in event kusto; do
    "$bin" scan --hunt sysmon --pivot "$pivot" --threads 2 "$f" >"$tmp/want" 2>"$tmp/want.err"; st=$?
    sed -e 1d -e "s|$f|INPUT|" "$tmp/want.err" | grep -v -E "note +(compressed_files|streamed_inputs|inputs_streamed_in_blocks|streamed_recent_record_bytes_kept)" >"$tmp/want.sum"
    for block in 1 70000 1000000; do
      for how in file stdin; do
        if [ "$how" = file ]; then
          RARECONN_TEST_BLOCK_BYTES=$block "$bin" scan --hunt sysmon --pivot "$pivot" --threads 2 "$tmp/s.evtx.zst" >"$tmp/got" 2>"$tmp/err"; gst=$?
        else
          bound=1K; [ "$pivot" = kusto ] && bound=64M  # Kusto's pivot reads candidates again: read whole
          RARECONN_TEST_BLOCK_BYTES=$block "$bin" scan --hunt sysmon --pivot "$pivot" --threads 2 --max-decompressed-size $bound - \
            <"$tmp/s.evtx.zst" >"$tmp/got" 2>"$tmp/err"; gst=$?
        fi
        sed -e 1d -e "s|$tmp/s.evtx.zst|INPUT|; s|^    - (|    INPUT (|; s|'-'|INPUT|" "$tmp/err" |
          grep -v -E "note +(compressed_files|streamed_inputs|inputs_streamed_in_blocks|streamed_recent_record_bytes_kept)" >"$tmp/got.sum"
        name="$(basename "$f") $pivot $how block=$block"
        if [ "$gst" -eq "$st" ] && cmp -s "$tmp/want" "$tmp/got" && cmp -s "$tmp/want.sum" "$tmp/got.sum"; then pass=$((pass + 1)); else
          fail=$((fail + 1)); echo "FAIL evtx $name (status $gst vs $st)"; diff "$tmp/want" "$tmp/got" | head -5
          diff "$tmp/want.sum" "$tmp/got.sum" | head -10; fi
        streamed=0; grep -q "inputs_streamed_in_blocks: 1" "$tmp/err" && streamed=1
        if [ "$streamed" -eq "$([ "$pivot" = event ] && echo 1 || echo 0)" ]; then pass=$((pass + 1)); else
          fail=$((fail + 1)); echo "FAIL evtx $name: streamed=$streamed"; fi
      done
    done
  done
done
# Event XML on standard input: cut at the events of the readers' walk (comments and CDATA that
# mention <Event, events cut off), never read whole (a 1 KiB bound), with the plain file's findings
# and summary at every block size, under a record bound small enough for some events to pass it.
for _ in $(seq 1 30); do
  for c in sysmon_xml_cut_off_event sysmon_xml_comment_mentions_event sysmon_xml_cdata_mentions_event sysmon_xml_event_rows; do
    cat "$golden/$c/input.xml"
  done
done >"$tmp/events.xml"
for bound in 16M 700 300; do
  "$bin" scan --hunt sysmon --max-record-size $bound --threads 2 "$tmp/events.xml" >"$tmp/want" 2>"$tmp/want.err"
  sed -e 1d -e "s|$tmp/events.xml|INPUT|" "$tmp/want.err" | grep -v -E "note +(streamed_inputs|inputs_streamed_in_blocks|streamed_recent_record_bytes_kept)" >"$tmp/want.sum"
  grep -q "malformed" "$tmp/want.sum" || { fail=$((fail + 1)); echo "FAIL events.xml: nothing malformed"; }
  for block in 1 100 1000000; do
    RARECONN_TEST_BLOCK_BYTES=$block "$bin" scan --hunt sysmon --max-record-size $bound --threads 2 --max-decompressed-size 1K - \
      <"$tmp/events.xml" >"$tmp/got" 2>"$tmp/err"
    same "event XML on stdin, bound $bound, block=$block" "$tmp/want" "$tmp/got" $?
    sed -e 1d -e "s|^    - (|    INPUT (|; s|^    -:|    INPUT:|" "$tmp/err" | grep -v -E "note +(streamed_inputs|inputs_streamed_in_blocks|streamed_recent_record_bytes_kept)" >"$tmp/got.sum"
    if cmp -s "$tmp/want.sum" "$tmp/got.sum" && grep -q "inputs_streamed_in_blocks: 1" "$tmp/err"; then pass=$((pass + 1)); else
      fail=$((fail + 1)); echo "FAIL event XML on stdin bound $bound block=$block: summary differs or not streamed"
      diff "$tmp/want.sum" "$tmp/got.sum" | head -10; fi
  done
done
# Sentinel Event-table CSV of Sysmon events, compressed: streamed under the default pivot.
zstd -q -c "$real/sentinel/Microsoft_Sysmon_NetworkSession_IngestedLogs.first12rows.csv" >"$tmp/s.zst"
"$bin" scan --hunt sysmon "$tmp/s.zst" >/dev/null 2>"$tmp/err"
if grep -q "inputs_streamed_in_blocks: 1" "$tmp/err"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL sysmon csv not streamed"; head -20 "$tmp/err"; fi
# Standard input read whole (a JSON document) over --max-decompressed-size is an input error naming the bound.
"$bin" scan --max-decompressed-size 100 - <"$golden/mde_api_results/input.json" >"$tmp/got" 2>"$tmp/err"; st=$?
if [ "$st" -eq 3 ] && grep -q "standard input.*--max-decompressed-size" "$tmp/err"; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL stdin over the bound: status $st"; head -3 "$tmp/err"; fi
echo "$pass passed, $fail failed ($cases cases)"
[ "$fail" -eq 0 ]
