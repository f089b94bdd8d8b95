#!/usr/bin/env bash
# CI's sanitizer and fuzz stages (clang): the ctest suite under ASan+UBSan (build-asan/; three
# skipped), the multi-threaded tests under TSan with a TSan-built oneTBB (build-tsan/), every
# libFuzzer target for a fixed time from a corpus seeded with tests/data (build-fuzz/). Any report
# fails; all stages run.
# Usage: scripts/ci_sanitizers.sh [asan] [tsan] [fuzz]   (default: all; FUZZ_SECONDS=30 per target)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
fuzz_seconds="${FUZZ_SECONDS:-30}"
# TSan stage: the tests that run our code on several threads (the e2e scripts run the binary with
# 1-4 threads and the default, all cores; the chunker tests cut in parallel with TBB; the EVTX
# decoders run on std::threads). Every e2e_*.sh, tests/regress/ ones included, matches, except the
# five that are long and test no threading of their own (about half of TSan's time, which kept CI
# over 30 minutes on 2 cores): the differential oracle (its scans are the golden and stream tests'
# code paths, many times over), the Dask helper (Python's threads), 67,000 files (the bounded file
# opening, also in e2e_many_files), the SIGBUS race with a truncating writer (timed sleeps) and the
# page-cache release (its fadvise calls; e2e_stream_inputs runs the same parse). ASan runs all but
# three of them: the Dask helper, 67,000 files and the page-cache release (the code they reach is
# e2e_partials', e2e_many_files' and e2e_stream_inputs'; under ASan they took 33 s, 18 s and 32 s).
# Both sanitizer stages set RARECONN_TEST_QUICK=1: the longest sweeps (e2e_stream_inputs,
# e2e_json_document_cuts, e2e_golden, e2e_partials, the differential test's determinism variants)
# run a subset of their cases, chunk sizes and thread counts there (a sanitized process starts in
# 0.1-0.2 s, and those sweeps start thousands); the Release stage runs them whole.
tsan_tests='^(e2e_.*|Chunker\..*|EvtxReader\.DecodersInThreadsAgree)$'
asan_skip='^(e2e_dask_scan|e2e_regress_many_files_map_limit|e2e_release_consumed_ranges)$'
tsan_skip='^(e2e_reference|e2e_dask_scan|e2e_regress_many_files_map_limit|e2e_regress_truncated_while_read_sigbus|e2e_release_consumed_ranges)$'
export CC="${CC:-clang}" CXX="${CXX:-clang++}"
work="$(mktemp -d "${TMPDIR:-/tmp}/rareconn-sanitizers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan fuzz)
summary=()
passed=0
failed=0

# LeakSanitizer cannot stop the world under ptrace (a debugger, strace, some sandboxes).
detect_leaks=1
if grep -Eq '^TracerPid:[[:space:]]*[1-9]' /proc/self/status; then
  detect_leaks=0
  echo "ci_sanitizers: running under ptrace, LeakSanitizer disabled (detect_leaks=0)" >&2
fi
symbolizer="$(command -v llvm-symbolizer || true)"
common_opts="log_path=$work/reports/report${symbolizer:+:external_symbolizer_path=$symbolizer}"

timed() {  # timed LABEL COMMAND...: runs COMMAND, records its wall time under LABEL
  local label="$1" start=$SECONDS rc
  shift
  echo "=== ci_sanitizers: $label" >&2
  "$@"
  rc=$?
  summary+=("$(printf '%-12s %4ds  %s' "$label" $((SECONDS - start)) "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  return $rc
}

configure_and_build() {  # DIR CMAKE_ARGS... -- TARGETS...
  local dir="$1" args=() targets=()
  shift
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  targets=("$@")
  cmake -S "$root" -B "$dir" -DRARECONN_BUILD_BENCH=OFF "${args[@]}" >"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log"; return 1; }
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
}

# Prints the reports the sanitizers wrote (log_path) and fails when there is any: a test script
# that hides the binary's stderr or exit status cannot hide a report.
check_reports() {
  local files=("$work"/reports/report.*)
  [ -e "${files[0]}" ] || return 0
  echo "ci_sanitizers: ${#files[@]} sanitizer report(s); distinct kinds:"
  grep -h '^SUMMARY:' "${files[@]}" | sort | uniq -c | sort -rn
  echo "--- first report of each kind:"
  local seen="" f s
  for f in "${files[@]}"; do
    s="$(grep -h -m1 '^SUMMARY:' "$f")"
    case "$seen" in *"|$s|"*) continue ;; esac
    seen="$seen|$s|"
    echo "--- $f"
    head -n 60 "$f"
  done
  return 1
}

run_ctest() {  # DIR ENV... -- CTEST_ARGS...
  local dir="$1" env=() rc=0
  shift
  while [ "$1" != "--" ]; do env+=("$1"); shift; done
  shift
  rm -rf "$work/reports"
  mkdir -p "$work/reports"
  env "${env[@]}" ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" || rc=1
  check_reports || rc=1
  return $rc
}

stage_asan() {
  timed asan-build configure_and_build "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug \
    -DRARECONN_SANITIZE=address,undefined -- rareconn rareconn_tests || return 1
  timed asan-test run_ctest "$root/build-asan" RARECONN_TEST_QUICK=1 \
    "ASAN_OPTIONS=$common_opts:halt_on_error=1:detect_leaks=$detect_leaks:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1" \
    "UBSAN_OPTIONS=$common_opts:halt_on_error=1:print_stacktrace=1" -- -E "$asan_skip"
}

# Debian's libtbb is not instrumented: TSan then misses the scheduler's hand-offs and reports races
# in every task. Build the same oneTBB (Debian's source package) with -fsanitize=thread instead.
build_tsan_tbb() {
  local prefix="$1" src="$work/onetbb" ver apt_opts codename
  [ -f "$prefix/lib/cmake/TBB/TBBConfig.cmake" ] && return 0
  mkdir -p "$src/lists/partial" "$src/cache"
  # shellcheck source=/dev/null
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  cat >"$src/deb-src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # A private source list and package lists: the system's apt configuration is left untouched.
  apt_opts=(-o "Dir::Etc::SourceList=$src/deb-src.sources" -o Dir::Etc::SourceParts=/nonexistent
            -o "Dir::State::Lists=$src/lists" -o "Dir::Cache=$src/cache" -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update -qq || return 1
  ver="$(dpkg-query -W -f='${source:Version}' libtbb-dev 2>/dev/null || true)"
  (cd "$src" && { apt-get "${apt_opts[@]}" source --download-only -qq "onetbb${ver:+=$ver}" ||
                  apt-get "${apt_opts[@]}" source --download-only -qq onetbb; }) || return 1
  tar -xf "$src"/onetbb_*.orig.tar.* -C "$src" || return 1
  cmake -S "$(echo "$src"/oneTBB-*)" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread \
    -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF -DTBB_ENABLE_IPO=OFF \
    -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/tbb.log" 2>&1 &&
    cmake --build "$src/build" -j "$jobs" >>"$work/tbb.log" 2>&1 &&
    cmake --install "$src/build" >>"$work/tbb.log" 2>&1 || { tail -n 40 "$work/tbb.log"; return 1; }
}

stage_tsan() {
  local tbb="$root/build-tsan/onetbb-tsan"
  timed tsan-onetbb build_tsan_tbb "$tbb" || return 1
  timed tsan-build configure_and_build "$root/build-tsan" -DCMAKE_BUILD_TYPE=Debug \
    -DRARECONN_SANITIZE=thread -DTBB_DIR="$tbb/lib/cmake/TBB" -- rareconn rareconn_tests || return 1
  timed tsan-test run_ctest "$root/build-tsan" RARECONN_TEST_QUICK=1 \
    "TSAN_OPTIONS=$common_opts:halt_on_error=1:second_deadlock_stack=1:atexit_sleep_ms=0:suppressions=$root/tests/sanitizers/tsan.supp" \
    -- -R "$tsan_tests" -E "$tsan_skip"
}

fuzz_one() {  # TARGET: fuzzes for fuzz_seconds from a fresh corpus of the repository's test files
  local name="$1" corpus="$work/corpus/$1" max_len=16384 rc f
  case "$name" in
    fuzz_evtx_reader) max_len=69632 ;;  # the file header and one 64 KiB chunk
    fuzz_time) max_len=256 ;;
  esac
  mkdir -p "$corpus" "$work/artifacts"
  while IFS= read -r -d '' f; do
    f="${f#"$root"/tests/}"
    cp "$root/tests/$f" "$corpus/${f//[\/ ]/_}"
  done < <(find "$root/tests/data" "$root/tests/regress/data" -type f -print0 2>/dev/null)
  ASAN_OPTIONS="detect_leaks=$detect_leaks${symbolizer:+:external_symbolizer_path=$symbolizer}" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    "$root/build-fuzz/tests/fuzz/$name" -max_total_time="$fuzz_seconds" -timeout=10 -max_len="$max_len" \
    -detect_leaks="$detect_leaks" -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" \
    "$corpus" >"$work/$name.log" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then
    echo "ci_sanitizers: $name ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$') runs)"
    return 0
  fi
  echo "ci_sanitizers: $name FAILED (exit $rc)"
  grep -v -E '^#[0-9]+\s|^INFO: |^\s*$' "$work/$name.log" | head -n 80
  for f in "$work/artifacts/$name-"*; do
    [ -e "$f" ] || continue
    echo "--- reproducer $(basename "$f") ($(stat -c %s "$f") bytes), base64:"
    head -c 8192 "$f" | base64
  done
  return 1
}

run_fuzzers() {  # every target, $jobs at a time
  local names=() pids=() rc=0 i
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do names+=("$(basename "$f" .cpp)"); done
  for ((i = 0; i < ${#names[@]}; i += jobs)); do
    pids=()
    for name in "${names[@]:i:jobs}"; do
      fuzz_one "$name" >"$work/$name.out" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    for name in "${names[@]:i:jobs}"; do cat "$work/$name.out"; done
  done
  return $rc
}

stage_fuzz() {
  local targets=()
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
  timed fuzz-build configure_and_build "$root/build-fuzz" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1 \
    -DRARECONN_FUZZ=ON -DRARECONN_BUILD_TESTS=OFF -- "${targets[@]}" || return 1
  timed fuzz-run run_fuzzers
}

for s in "${stages[@]}"; do
  case "$s" in
    asan | tsan | fuzz) ;;
    *) echo "usage: $0 [asan] [tsan] [fuzz]" >&2; exit 2 ;;
  esac
  if "stage_$s"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "=== ci_sanitizers: stage times"
printf '%s\n' "${summary[@]}"
echo "sanitizer stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
