#!/usr/bin/env bash
# Regression: a damaged compressed stream on standard input failed with the decoder's words alone
# ("truncated gzip data: ...") or named "'-'": the message now names "standard input".
set -u
source "$(dirname "$0")/lib.sh"
real="$root/tests/data/real/mde/advanced_hunting_test.csv"
gzip -c "$real" | head -c 3000 > "$tmp/small.gz"         # fails within the first bytes sniffed
check small 3 "$bin" scan - < "$tmp/small.gz"
expect_grep small-named "$tmp/err" "standard input: .*truncated gzip"
python3 "$root/scripts/gen_mde.py" --rows 60000 --seed 5 --out "$tmp/big.csv"
gzip -c "$tmp/big.csv" > "$tmp/big.gz"
head -c $(( $(wc -c < "$tmp/big.gz") - 1000 )) "$tmp/big.gz" > "$tmp/big_cut.gz"   # fails while streamed in blocks
check big 3 "$bin" scan - < "$tmp/big_cut.gz"
expect_grep big-named "$tmp/err" "standard input: .*truncated gzip"
finish
