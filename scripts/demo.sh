#!/usr/bin/env bash
# The newcomer's first run: set up, build, generate a realistic sample fleet with our generator,
# scan it for rare outbound connections of the servers and print the findings and the summary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"
"$root/scripts/build.sh" >/dev/null
demo="$root/build/demo"
mkdir -p "$demo"
if [ ! -s "$demo/DeviceNetworkEvents.csv" ]; then
  python3 "$root/scripts/gen_mde.py" --format csv --rows 200000 --seed 7 --days 40 \
    --end 2024-05-31T12:00:00Z --servers 6 --workstations 40 \
    --print-servers "$demo/servers.txt" --out "$demo/DeviceNetworkEvents.csv"
fi
echo "== rareconn scan --servers-file $demo/servers.txt --format table $demo/DeviceNetworkEvents.csv" >&2
"$root/build/rareconn" scan --servers-file "$demo/servers.txt" --format table "$demo/DeviceNetworkEvents.csv"
