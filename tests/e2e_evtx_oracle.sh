#!/usr/bin/env bash
# The Sysmon hunt on the real EVTX samples and the Sentinel Event CSV export against an independent
# oracle: libevtx's evtxexport decodes the EVTX files (Python's csv and XML modules the export),
# tests/reference/evtx_oracle.py applies the query; the findings (key, count_, TimeGenerated) must
# be the same, file by file and for all EVTX files together.
# Usage: e2e_evtx_oracle.sh BINARY REPO_ROOT
set -u
bin="$1"; root="$2"
if ! command -v evtxexport >/dev/null; then
  echo "evtxexport is missing: scripts/setup.sh installs libevtx-utils"; echo "0 passed, 1 failed"; exit 1
fi
pass=0; fail=0
compare() {  # compare NAME FILE...
  local name="$1"; shift
  local want got
  want="$(python3 "$root/tests/reference/evtx_oracle.py" "$@")"
  got="$("$bin" scan "$@" 2>/dev/null | tail -n +2 | cut -d, -f1-3 | sort)"
  if [ "$want" == "$got" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; diff <(echo "$want") <(echo "$got") | head -5; fi
}
for f in "$root"/tests/data/real/evtx/*.evtx; do compare "$(basename "$f")" "$f"; done
compare all-together "$root"/tests/data/real/evtx/*.evtx
compare sentinel-event-csv "$root"/tests/data/real/sentinel/*.csv
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
