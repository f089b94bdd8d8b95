#!/usr/bin/env bash
# Regression: `scan --state DIR` over a directory walk with a subdirectory that cannot be listed
# printed the warning but left `directories_skipped_unreadable` out of its summary and --stats,
# which a plain scan of the same walk counts. Now the state run counts it as the plain scan does
# (same summary counts as the plain scan). Runs as an unprivileged user (root reads any directory).
set -u
source "$(dirname "$0")/lib.sh"
unprivileged_tree  # as_user, and sanitizer reports into $san (lib.sh)
mkdir -p "$tmp/tree/ok" "$tmp/tree/locked"
cp "$root/tests/data/real/mde/advanced_hunting_test.csv" "$tmp/tree/ok/"
cp "$root/tests/data/real/mde/advanced_hunting_test.csv" "$tmp/tree/locked/other.csv"
chmod -R a+rX "$tmp/tree" && chmod 000 "$tmp/tree/locked"
mkdir "$tmp/w" && chmod 777 "$tmp/w"
counts() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k,None) for k in ('elapsed_s','throughput_mb_s','threads')]; print(json.dumps(d, sort_keys=True))" "$1"; }

check plain 0 "${as_user[@]}" "$bin" scan --stats "$tmp/w/plain.json" -o "$tmp/w/plain.csv" "$tmp/tree"
check state 0 "${as_user[@]}" "$bin" scan --state "$tmp/w/state" --stats "$tmp/w/state.json" -o "$tmp/w/state.csv" "$tmp/tree"
expect_grep state-warning "$tmp/err" "warning: skipping '.*tree/locked'.*(Permission denied|permission)"
expect_grep state-summary "$tmp/err" "directories_skipped_unreadable: 1"
expect_grep state-stats "$tmp/w/state.json" "directories_skipped_unreadable\":1"
expect_same findings "$tmp/w/plain.csv" "$tmp/w/state.csv"
counts "$tmp/w/plain.json" > "$tmp/plain.counts"; counts "$tmp/w/state.json" > "$tmp/state.counts"
expect_same "summary counts" "$tmp/plain.counts" "$tmp/state.counts"
# A second run of the same walk (nothing new to read) still says the directory was not read.
check state-again 0 "${as_user[@]}" "$bin" scan --state "$tmp/w/state" --stats "$tmp/w/state2.json" -o "$tmp/w/state2.csv" "$tmp/tree"
expect_grep state-again-stats "$tmp/w/state2.json" "directories_skipped_unreadable\":1"
# Once it can be listed again, the count is gone (it is this run's walk, not the state's).
chmod 755 "$tmp/tree/locked"
check state-readable 0 "${as_user[@]}" "$bin" scan --state "$tmp/w/state" --stats "$tmp/w/state3.json" -o "$tmp/w/state3.csv" "$tmp/tree"
if grep -q directories_skipped_unreadable "$tmp/w/state3.json"; then
  fail=$((fail + 1)); echo "FAIL state-readable: the count stayed once the directory could be listed"
else
  pass=$((pass + 1))
fi
sanitizer_reports_fail
finish
