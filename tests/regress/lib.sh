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
# unprivileged_tree: sets `as_user` (a command prefix running as uid 65534 when root, since root
# reads any directory; empty otherwise; exits the test as skipped without setpriv), opens $tmp to
# that user and points sanitizer reports (CI's log_path, a directory only root may write) at
# $san, which sanitizer_reports_fail checks at the end. A sanitizer's suppressions file (TSan's),
# and the libraries the binary loads from outside the system's directories (the TSan build's
# instrumented oneTBB, in a clone that user may not be able to read: the loader would take
# Debian's uninstrumented libtbb instead, whose scheduler TSan cannot see), are copied into $tmp
# for the same reason.
unprivileged_tree() {
  if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv > /dev/null || { echo "SKIP: setpriv missing"; exit 0; }
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    as_user=()
  fi
  chmod 755 "$tmp"
  san="$tmp/sanitizer_reports"
  mkdir -m 777 "$san"
  local v
  local supp lib
  mkdir -m 755 "$tmp/lib"
  for lib in $(ldd "$bin" 2>/dev/null | awk '$3 ~ /^\// && $3 !~ /^\/(usr\/)?lib(64)?\// {print $3}'); do
    install -m 755 "$lib" "$tmp/lib/"
  done
  export LD_LIBRARY_PATH="$tmp/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  for v in ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
    [ -n "${!v:-}" ] || continue
    export "$v=$(sed -E "s#log_path=[^:]*#log_path=$san/report#" <<< "${!v}")"
    supp=$(sed -nE 's#(^|.*:)suppressions=([^:]*).*#\2#p' <<< "${!v}")
    if [ -n "$supp" ] && [ -r "$supp" ]; then
      install -m 644 "$supp" "$tmp/$v.supp"
      export "$v=$(sed -E "s#suppressions=[^:]*#suppressions=$tmp/$v.supp#" <<< "${!v}")"
    fi
  done
  return 0
}
sanitizer_reports_fail() {  # any report of the unprivileged runs fails the test
  if [ -n "$(ls -A "$san")" ]; then fail=$((fail + 1)); echo "FAIL sanitizer reports:"; cat "$san"/*; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
