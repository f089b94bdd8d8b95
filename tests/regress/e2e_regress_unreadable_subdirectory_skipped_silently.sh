#!/usr/bin/env bash
# Regression: a subdirectory that cannot be listed (chmod 000) was skipped silently by a directory
# walk (no warning, no count), and naming such a directory said "no input files found" instead of
# why. Now: a warning naming it and `directories_skipped_unreadable` in the summary; named, an error
# with the system's reason (exit 3). Runs as an unprivileged user (root reads any directory).
set -u
source "$(dirname "$0")/lib.sh"
unprivileged_tree  # as_user, and sanitizer reports into $san (lib.sh)
mkdir -p "$tmp/tree/ok" "$tmp/tree/locked"
cp "$root/tests/data/real/mde/advanced_hunting_test.csv" "$tmp/tree/ok/"
cp "$root/tests/data/real/mde/advanced_hunting_test.csv" "$tmp/tree/locked/other.csv"
chmod -R a+rX "$tmp/tree" && chmod 000 "$tmp/tree/locked"
mkdir "$tmp/out_dir" && chmod 777 "$tmp/out_dir"
check walk 0 "${as_user[@]}" "$bin" scan --stats "$tmp/out_dir/stats.json" -o "$tmp/out_dir/f.csv" "$tmp/tree"
expect_grep walk-warning "$tmp/err" "warning: skipping '.*tree/locked'.*(Permission denied|permission)"
expect_grep walk-counted "$tmp/out_dir/stats.json" "directories_skipped_unreadable\":1"
check named 3 "${as_user[@]}" "$bin" scan "$tmp/tree/locked"
expect_grep named-reason "$tmp/err" "cannot list directory '.*locked'.*Permission denied"
chmod 755 "$tmp/tree/locked"
sanitizer_reports_fail
finish
