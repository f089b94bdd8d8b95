#!/usr/bin/env bash
# rareconn partial / merge / report / inspect (SPEC §7): for random shardings of the inputs and
# random merge trees, `report` writes byte for byte the findings of one `scan` and the same
# summary counts (--stats without the timings), for both hunts, both pivots, --by, --per-server,
# a given `now` and the default latest `now`; partials do not depend on threads or chunk sizes;
# saturated keys keep no recent rows; damaged, foreign and mismatched partials are refused.
# Usage: e2e_partials.sh BINARY REPO_ROOT
source "$(dirname "$0")/regress/lib.sh"; [ -n "${KEEP_TMP:-}" ] && { trap - EXIT; echo "kept: $tmp"; }
py=/usr/bin/python3
d="$tmp/data"; mkdir -p "$d/mde" "$d/json" "$d/sysmon"
for i in 1 2 3 4 5; do
  "$py" "$root/scripts/gen_mde.py" --rows 3000 --seed "$i" --days 40 --dirty 0.01 --servers 6 --workstations 4 \
    --out "$d/mde/day$i.csv" >/dev/null
done
"$py" "$root/scripts/gen_mde.py" --format jsonl --rows 4000 --seed 7 --days 40 --out "$d/json/a.jsonl" >/dev/null
"$py" "$root/scripts/gen_mde.py" --format streaming --rows 4000 --seed 8 --days 40 --out "$d/json/b.json" >/dev/null
"$py" "$root/scripts/gen_mde.py" --format jsonl --rows 4000 --seed 9 --days 40 --out "$d/json/c.jsonl" >/dev/null
cp "$root"/tests/data/real/evtx/*.evtx "$root"/tests/data/real/xml/*.xml "$d/sysmon/"
# Generated Sysmon event XML: many destinations of skewed frequency, a few repeated events (which
# Kusto's pivot merges), over 40 days.
"$py" - "$d/sysmon" <<'EOF'
import datetime, random, sys
rnd = random.Random(11)
for part in range(3):
    with open(f"{sys.argv[1]}/gen{part}.xml", "w") as out:
        for i in range(1500):
            day = rnd.randrange(40); sec = rnd.randrange(86400)
            t = (datetime.date(2026, 4, 29) + datetime.timedelta(days=day)).isoformat()  # up to the real samples' days
            hh, mm, ss = sec // 3600, sec // 60 % 60, sec % 60
            ip = f"52.{rnd.randrange(3)}.{int(rnd.paretovariate(1.2)) % 40}.9"
            host = f"SRV{rnd.randrange(4)}.corp.local"
            image = rnd.choice(["C:\\Windows\\System32\\svchost.exe", "C:\\app\\agent.exe"])
            for _ in range(2 if rnd.random() < 0.05 else 1):
                out.write(f'<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>'
                          f'<Provider Name="Microsoft-Windows-Sysmon" Guid="{{5770385f-c22a-43e0-bf4c-06f5698ffbd9}}"/>'
                          f'<EventID>3</EventID><Version>5</Version><Level>4</Level><Task>3</Task><Opcode>0</Opcode>'
                          f'<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="{t}T{hh:02d}:{mm:02d}:{ss:02d}.0000000Z"/>'
                          f'<EventRecordID>{part * 10000 + i}</EventRecordID><Correlation/><Execution ProcessID="3" ThreadID="4"/>'
                          f'<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>{host}</Computer>'
                          f'<Security UserID="S-1-5-18"/></System><EventData>'
                          f'<Data Name="RuleName">technique_id=T1071,technique_name=Web</Data>'
                          f'<Data Name="UtcTime">{t} {hh:02d}:{mm:02d}:{ss:02d}.000</Data>'
                          f'<Data Name="ProcessGuid">{{1}}</Data><Data Name="ProcessId">42</Data>'
                          f'<Data Name="Image">{image}</Data><Data Name="User">NT AUTHORITY\\SYSTEM</Data>'
                          f'<Data Name="Protocol">tcp</Data><Data Name="Initiated">true</Data>'
                          f'<Data Name="SourceIsIpv6">false</Data><Data Name="SourceIp">10.0.0.{rnd.randrange(9)}</Data>'
                          f'<Data Name="SourceHostname">{host}</Data><Data Name="SourcePort">{rnd.randrange(49152, 65535)}</Data>'
                          f'<Data Name="SourcePortName">-</Data><Data Name="DestinationIsIpv6">false</Data>'
                          f'<Data Name="DestinationIp">{ip}</Data><Data Name="DestinationHostname">-</Data>'
                          f'<Data Name="DestinationPort">443</Data><Data Name="DestinationPortName">https</Data>'
                          f'</EventData></Event>\n')
EOF

# The summary's counts: --stats without what depends on the run (time, threads, and the bytes a
# streamed run held in memory).
counts() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ('elapsed_s','throughput_mb_s','threads','streamed_recent_record_bytes_kept')]; print(json.dumps(d))" "$1"; }

# shard NAME SEED OPTIONS... -- FILES... : partials of a random sharding, merged in a random tree,
# reported; compared with one scan.
case_no=0
shard() {
  local name="$1" seed="$2"; shift 2
  local opts=() files=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done; shift
  files=("$@")
  case_no=$((case_no + 1))
  local w="$tmp/case$case_no"; mkdir -p "$w"
  "$bin" scan "${opts[@]}" -o "$w/scan.csv" --stats "$w/scan.json" "${files[@]}" 2>/dev/null
  # A deterministic random plan: files spread over k shards, then pairs merged in random order.
  "$py" - "$((seed * 100 + case_no))" "${#files[@]}" >"$w/plan" <<'EOF'
import random, sys
rnd = random.Random(int(sys.argv[1])); n = int(sys.argv[2])
k = rnd.randint(max(1, n // 2), n)
shards = [[] for _ in range(k)]
for i in range(n): shards[rnd.randrange(k)].append(i)
shards = [s for s in shards if s]
for s in shards: print("P", *s)
live = list(range(len(shards))); nxt = len(shards)
while len(live) > 2:
    a, b = rnd.sample(live, 2); live.remove(a); live.remove(b)
    print("M", nxt, a, b); live.append(nxt); nxt += 1
print("R", *live)
EOF
  local p=0 threads
  while read -r op rest; do
    set -- $rest
    case "$op" in
      P) local sf=(); for i in "$@"; do sf+=("${files[$i]}"); done
         threads=$(( (p % 3) + 1 ))
         if ! "$bin" partial "${opts[@]}" --threads "$threads" --chunk-size $(( 4096 * (p + 1) )) -o "$w/$p.part" "${sf[@]}" 2>"$w/err"; then
           echo "FAIL $name: partial failed"; cat "$w/err"; fail=$((fail + 1)); return; fi
         p=$((p + 1)) ;;
      M) local out="$1"; shift
         if ! "$bin" merge -o "$w/$out.part" "$w/$1.part" "$w/$2.part" 2>"$w/err"; then
           echo "FAIL $name: merge failed"; cat "$w/err"; fail=$((fail + 1)); return; fi ;;
      R) local parts=(); for i in "$@"; do parts+=("$w/$i.part"); done
         if ! "$bin" report -o "$w/report.csv" --stats "$w/report.json" "${parts[@]}" 2>"$w/err"; then
           echo "FAIL $name: report failed"; cat "$w/err"; fail=$((fail + 1)); return; fi
         "$bin" report --format count -o "$w/report.count" "${parts[@]}" 2>"$w/err" ;;
    esac
  done <"$w/plan"
  expect_same "$name: findings" "$w/scan.csv" "$w/report.csv"
  counts "$w/scan.json" >"$w/scan.counts"; counts "$w/report.json" >"$w/report.counts"
  expect_same "$name: summary counts" "$w/scan.counts" "$w/report.counts"
  # --format count: the rows of the report's table (a CSV reader counts them: a cell may hold a line break)
  /usr/bin/python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))) - 1)' \
    "$w/report.csv" >"$w/report.rows"
  expect_same "$name: report --format count" "$w/report.rows" "$w/report.count"
  [ "$(wc -l <"$w/scan.csv")" -ge 3 ] || { echo "FAIL $name: the scan found less than 2 findings (a weak case)"; fail=$((fail + 1)); }
}

mkdir -p "$d/packed"
gzip -c "$d/mde/day1.csv" >"$d/packed/day1.csv.gz"
zstd -q -c "$d/mde/day2.csv" >"$d/packed/day2.csv.zst"
gzip -c "$d/json/a.jsonl" >"$d/packed/a.jsonl.gz"
cp "$d/mde/day3.csv" "$d/packed/"
mde=("$d"/mde/*.csv)
json=("$d"/json/*)
sysmon=("$d"/sysmon/*)
now=2024-05-29T00:00:00Z
seeds="1 2 3"
[ "${RARECONN_TEST_QUICK:-}" = 1 ] && seeds=1  # the sanitizer stages: one random sharding per case
for seed in $seeds; do
  shard "mde default (seed $seed)" "$seed" --hunt mde -- "${mde[@]}"
  shard "mde --by ip+process --per-server (seed $seed)" "$seed" --hunt mde --by ip+process --per-server -- "${mde[@]}"
  shard "mde --now, low threshold (seed $seed)" "$seed" --hunt mde --now "$now" --threshold 4 -- "${mde[@]}"
  shard "json lines and Streaming API (seed $seed)" "$seed" --hunt mde --per-server -- "${json[@]}"
  shard "sysmon event pivot (seed $seed)" "$seed" --hunt sysmon -- "${sysmon[@]}"
  shard "sysmon kusto pivot (seed $seed)" "$seed" --hunt sysmon --pivot kusto --by ip+process -- "${sysmon[@]}"
done
shard "compressed inputs (.gz, .zst, streamed in blocks)" 6 --hunt mde -- "$d"/packed/*
shard "mde with servers and CSV+JSON mixed" 4 --hunt mde --servers srv-app-01.contoso.local,SRV-DB-01.CONTOSO.LOCAL --server-match nocase -- "${mde[@]}" "${json[@]}"
shard "sysmon --now, kusto pivot, real samples" 5 --hunt sysmon --pivot kusto --now 2026-07-01T00:00:00Z --lookback 3650d --recent 3650d -- "$d"/sysmon/[!g]*

# Partials do not depend on threads or chunk sizes.
"$bin" partial --threads 1 -o "$tmp/t1.part" "${mde[@]}" 2>/dev/null
"$bin" partial --threads 8 --chunk-size 1000 -o "$tmp/t8.part" "${mde[@]}" 2>/dev/null
expect_same "partial bytes for 1 and 8 threads" "$tmp/t1.part" "$tmp/t8.part"
"$bin" merge -o "$tmp/ab.part" "$tmp/case1/0.part" "$tmp/t1.part" 2>/dev/null
check "an input in two partials is refused" 2 "$bin" merge -o "$tmp/ab.part" "$tmp/t1.part" "$tmp/t8.part"
expect_grep "the doubled input is named" "$tmp/err" "day1.csv' is in two partials"

# Exact pruning: with --now given, a key that reaches the threshold inside one partial keeps no
# recent rows (only its count); a rare one keeps them.
printf 'Timestamp,DeviceName,ActionType,RemoteIP,RemoteIPType,RemoteUrl,RemotePort\n' >"$tmp/p.csv"
for i in 1 2 3; do printf '2024-05-0%dT10:00:00Z,srv1,ConnectionSuccess,8.8.8.8,Public,a.example,443\n' "$i" >>"$tmp/p.csv"; done
printf '2024-05-03T10:00:00Z,srv1,ConnectionSuccess,9.9.9.9,Public,b.example,443\n' >>"$tmp/p.csv"
check "prune: partial" 0 "$bin" partial --now 2024-05-04T00:00:00Z --threshold 3 -o "$tmp/p.part" "$tmp/p.csv"
check "prune: inspect" 0 "$bin" inspect "$tmp/p.part"
expect_grep "prune: only the rare key's recent row is kept" "$tmp/out" "records kept for the findings: 1 "
check "prune: report" 0 "$bin" report "$tmp/p.part"
expect_grep "prune: the rare key is found" "$tmp/out" "9\.9\.9\.9"
check "prune: saturated key's recent rows are still counted" 0 "$bin" report --stats "$tmp/p.json" -o /dev/null "$tmp/p.part"
expect_grep "prune: recent_window_events" "$tmp/p.json" '"recent_window_events":4'

# Refusals: different options (exit 2, the option named), foreign and damaged files (exit 3).
"$bin" partial --threshold 10 -o "$tmp/th10.part" "${mde[0]}" 2>/dev/null
check "options differ: merge refused" 2 "$bin" merge -o "$tmp/x.part" "$tmp/t1.part" "$tmp/th10.part"
expect_grep "options differ: the option is named" "$tmp/err" "\-\-threshold \(50 vs 10\)"
check "options differ: report refused" 2 "$bin" report "$tmp/t1.part" "$tmp/th10.part"
check "report refuses a result option" 2 "$bin" report --threshold 5 "$tmp/t1.part"
expect_grep "report names the option" "$tmp/err" "\-\-threshold"
check "a CSV is not a partial" 3 "$bin" report "${mde[0]}"
expect_grep "foreign file" "$tmp/err" "not a rareconn partial"
cp "$tmp/t1.part" "$tmp/flip.part"
printf '\x55' | dd of="$tmp/flip.part" bs=1 seek=200 conv=notrunc 2>/dev/null
check "a flipped byte is refused" 3 "$bin" report "$tmp/flip.part"
expect_grep "checksum" "$tmp/err" "checksum does not match"
head -c 5000 "$tmp/t1.part" >"$tmp/cut.part"
check "a truncated partial is refused" 3 "$bin" merge -o "$tmp/x.part" "$tmp/cut.part"
expect_grep "truncated" "$tmp/err" "truncated"
check "a missing partial is an input error" 3 "$bin" report "$tmp/none.part"
check "partial needs -o" 2 "$bin" partial "${mde[0]}"
check "inspect a damaged file" 3 "$bin" inspect "$tmp/flip.part"
finish
