# Shared helpers for the regression scripts: check STATUS/grep assertions and a pass/fail count.
# Sourced by tests/regress/e2e_*.sh with BINARY and REPO_ROOT as $1 and $2.
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; root="$(cd "$2" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() {  # check NAME EXPECTED_STATUS COMMAND... ; stdout in $tmp/out, stderr in $tmp/err
  local name="$1" want="$2"; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: status $got, wanted $want"; head -3 "$tmp/err"; fi
}
expect_grep() {  # expect_grep NAME FILE PATTERN
  if grep -qE -- "$3" "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: no /$3/ in $2"; head -5 "$2"; fi
}
expect_same() {  # expect_same NAME FILE_A FILE_B
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: $2 and $3 differ"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
