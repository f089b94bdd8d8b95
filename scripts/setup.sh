#!/usr/bin/env bash
# Installs every system package rareconn needs to build, test and benchmark (Debian). Idempotent:
# does nothing when everything is already there. Needs root (or sudo).
set -euo pipefail
packages=(cmake g++ make pkg-config libtbb-dev libboost-dev libxxhash-dev robin-map-dev
          libbenchmark-dev libgtest-dev libdeflate-dev libzstd-dev python3 tzdata
          libevtx-utils   # evtxexport: an independent EVTX oracle for the tests
          libisal-dev     # streamed gzip inputs (igzip inflate)
          libsimdjson-dev # bench/bench_json_ab only: simdjson On-Demand as a yardstick for the JSON walker
          # zlib1g-dev: bench/bench_inflate (zlib against ISA-L and libdeflate)
          zstd isal pigz tabix  # zstd, igzip, pigz, bgzip: stream tests and the decompressor bench
          python3-distributed   # Dask for scripts/dask_scan.py (run with /usr/bin/python3)
          strace                # tests/regress: counts the opens of a file
          # scripts/ci_sanitizers.sh: clang, its sanitizer and libFuzzer runtimes (libclang-rt-dev,
          # only recommended by clang), llvm-symbolizer (llvm) for symbolised reports, xz-utils to
          # unpack oneTBB's source package for the TSan build
          clang libclang-rt-dev llvm xz-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
