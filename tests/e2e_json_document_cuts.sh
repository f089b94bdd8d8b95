#!/usr/bin/env bash
# e2e_json_document_cuts.sh: whole JSON documents (a pretty-printed top-level array, an Event Hub
# "records" capture, API "Results") cut into chunks in parallel give byte-identical findings for
# --threads 1..8 and chunk sizes from 1 byte, equal to those of the same rows as JSON lines (which
# tests/e2e_reference.sh checks against the Python reference); a malformed document too.
# Usage: bash tests/e2e_json_document_cuts.sh <path-to-rareconn-binary> <repo-root>
set -u
. "$(dirname "$0")/regress/lib.sh"
now=2024-05-31T12:00:00Z
python3 "$root/scripts/gen_mde.py" --format jsonl --rows 1500 --seed 7 --end $now --days 40 --servers 6 --out "$tmp/rows.jsonl"
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
lines = open(t + "/rows.jsonl", encoding="utf-8").read().splitlines()
rows = [json.loads(l) for l in lines]
json.dump(rows, open(t + "/array.json", "w"), indent=2)
json.dump({"meta": {"k": [{"a": 1}]}, "records": [{"time": r.get("Timestamp"), "properties": r} for r in rows],
           "Stats": [{"x": 1}, {"y": 2}]}, open(t + "/records.json", "w"), indent=1)
open(t + "/results.json", "w").write('{"Results":[\n' + ",\n".join(lines) + "\n]}\n")
bad = lines[:700] + ['{"Timestamp":"2024-05-30T00:00:00Z" "RemoteIP":"1.2.3.4"}'] + lines[700:]
open(t + "/bad.json", "w").write("[\n" + ",\n".join(bad) + "\n]\n")
PY
# The sanitizer stages (RARECONN_TEST_QUICK=1, scripts/ci_sanitizers.sh) sweep a subset: under
# TSan the whole sweep alone took 344 s; the Release stage runs all of it.
threads_swept="1 2 3 4 5 6 7 8"; chunks_swept="1 7 100 4096 65536"
[ "${RARECONN_TEST_QUICK:-}" = 1 ] && threads_swept="1 2 8" && chunks_swept="7 4096"
check "rows as JSON lines" 0 "$bin" scan --now $now "$tmp/rows.jsonl" -o "$tmp/lines.csv"
for doc in array records results bad; do
  check "$doc: one thread, one chunk" 0 "$bin" scan --now $now --threads 1 --chunk-size 1000000000 "$tmp/$doc.json" -o "$tmp/$doc.base.csv"
  [ "$doc" != bad ] && expect_same "$doc: findings of the same rows as JSON lines" "$tmp/lines.csv" "$tmp/$doc.base.csv"
  for t in $threads_swept; do
    for cs in $chunks_swept; do
      [ "$cs" -lt 100 ] && [ "$t" -gt 3 ] && continue  # tiny chunks: few thread counts keep the test short
      check "$doc: --threads $t --chunk-size $cs" 0 "$bin" scan --now $now --threads $t --chunk-size $cs --stats "$tmp/s.json" "$tmp/$doc.json" -o "$tmp/$doc.cut.csv"
      expect_same "$doc: --threads $t --chunk-size $cs" "$tmp/$doc.base.csv" "$tmp/$doc.cut.csv"
    done
  done
done
# The malformed document is parsed whole again after its wrong cut: the notes say so.
check "bad: wrong cut noted" 0 "$bin" scan --now $now --threads 2 --chunk-size 4096 --stats "$tmp/s.json" "$tmp/bad.json" -o "$tmp/bad.cut.csv"
expect_grep "bad: parsed whole again" "$tmp/s.json" "json_documents_rescanned_whole_after_a_wrong_cut"
check "array: cut holds" 0 "$bin" scan --now $now --threads 2 --chunk-size 4096 --stats "$tmp/s.json" "$tmp/array.json" -o "$tmp/a.csv"
if grep -q json_documents_rescanned "$tmp/s.json"; then fail=$((fail + 1)); echo "FAIL array: a well-formed document was parsed whole again"; else pass=$((pass + 1)); fi
finish
