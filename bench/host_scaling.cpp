// host_scaling: what two threads can get from this machine right now, whatever the program. A
// fixed job (XXH64 over a buffer of the thread's own, 256 KiB by default, --iterations times:
// scalar integer work in the core's cache, as a parser's is; with --buffer-kib 262144, a stream
// from memory) runs alone on the first allowed CPU, alone on the
// second, then as two copies at once, one on each. On a VM the two vCPUs need not be equally fast
// (another guest on the host's sibling thread, the host's own work): the sum of the two copies'
// rates when together, over the rate of one copy alone, is the most a program whose threads share
// the work by stealing (as oneTBB shares a scan's chunks) can get from two threads over one; it is
// given twice, for one thread on the faster CPU and on the slower. bench/run_bench.sh runs it in
// each interleaved round beside rareconn's 1- and 2-thread runs.
//
//   host_scaling [--iterations N] [--buffer-kib KIB] [--trials K]
//   host_scaling --file PATH [--iterations N] [--trials K]
// Prints one line (medians of K trials): "host_scaling: alone A0 s on cpu X, A1 s on cpu Y;
// together B0 s / B1 s; two threads over one: F x (one thread on the faster CPU), S x (on the
// slower)".
//
// --file PATH reads a file as a scan does instead: the threads take the file's 1,966,080-byte
// pieces (a scan's copy size) from one shared cursor, pread each into a buffer of their own and
// hash it N times (default 4, about a scan's time per byte here); alone on each CPU, then both
// sharing the file. The figure is the faster CPU's time alone over the time together. It tells
// the page-cache copies and the memory traffic of a scan's reads from the parse itself.
//
// If a CPU cannot be pinned (a cpuset or a container forbids it), the copies would run wherever
// the kernel puts them and the figure would mean nothing: it says so on stderr and exits with
// status 3, printing no figure (bench/run_bench.sh then shows "-"). A read error of --file exits
// with status 2, no figure either.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// The buffer of one copy, filled (its pages touched) once, before any timing.
std::vector<unsigned char> buffer_of(std::size_t bytes, std::uint64_t seed) {
  std::vector<unsigned char> buf(bytes);
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<unsigned char>((i * 131 + seed) >> 3);
  return buf;
}

std::uint64_t job(const std::vector<unsigned char>& buf, std::uint64_t iterations, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (std::uint64_t k = 0; k < iterations; ++k) h = XXH64(buf.data(), buf.size(), h);
  return h;
}

// Pins the calling thread to `cpu` (all_pinned turns false if it cannot be), then waits until all
// `n` threads of the measurement are ready, so that they start together.
void pin_and_wait(int cpu, std::atomic<bool>& all_pinned, std::atomic<unsigned>& ready, unsigned n) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) all_pinned.store(false);
  ready.fetch_add(1);
  while (ready.load() < n) {
  }
}

// The job once on each CPU of `cpus` at the same time (one thread pinned to each, hashing bufs[i]);
// each copy's own seconds, from a common start.
std::vector<double> run_on(const std::vector<int>& cpus, const std::vector<const std::vector<unsigned char>*>& bufs,
                           std::uint64_t iterations, std::uint64_t& sink, bool& pinned) {
  const unsigned n = static_cast<unsigned>(cpus.size());
  std::vector<std::uint64_t> out(n);
  std::vector<double> secs(n);
  std::atomic<unsigned> ready{0};
  std::atomic<bool> all_pinned{true};
  auto copy = [&](unsigned t) {
    pin_and_wait(cpus[t], all_pinned, ready, n);
    const auto t0 = std::chrono::steady_clock::now();
    out[t] = job(*bufs[t], iterations, t);
    secs[t] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n; ++t) pool.emplace_back(copy, t);
  for (std::thread& th : pool) th.join();
  for (std::uint64_t v : out) sink ^= v;
  pinned = pinned && all_pinned.load();
  return secs;
}

// The file read by the threads of `cpus` (one pinned to each) sharing its pieces; the seconds from
// a common start to the last thread's end.
double file_on(const std::vector<int>& cpus, int fd, std::uint64_t size, std::uint64_t iterations, std::uint64_t& sink,
               bool& pinned, bool& read_ok) {
  constexpr std::uint64_t kPiece = (std::uint64_t{2} << 20) - (std::uint64_t{128} << 10);
  const unsigned n = static_cast<unsigned>(cpus.size());
  std::atomic<std::uint64_t> cursor{0};
  std::atomic<unsigned> ready{0};
  std::atomic<bool> all_pinned{true};
  std::atomic<std::uint64_t> hashes{0};
  std::atomic<bool> all_read{true};
  auto copy = [&](unsigned t) {
    std::vector<unsigned char> buf(kPiece);
    for (std::size_t i = 0; i < buf.size(); i += 4096) buf[i] = 0;  // its pages touched before the timing
    pin_and_wait(cpus[t], all_pinned, ready, n);
    std::uint64_t h = t;
    for (;;) {
      const std::uint64_t at = cursor.fetch_add(kPiece);
      if (at >= size) break;
      const ssize_t got = pread(fd, buf.data(), static_cast<std::size_t>(std::min(kPiece, size - at)), static_cast<off_t>(at));
      if (got <= 0) {  // an error or a file that shrank: the pass did not read it all
        all_read.store(false);
        break;
      }
      for (std::uint64_t k = 0; k < iterations; ++k) h = XXH64(buf.data(), static_cast<std::size_t>(got), h);
    }
    hashes.fetch_xor(h);
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n; ++t) pool.emplace_back(copy, t);
  for (std::thread& th : pool) th.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sink ^= hashes.load();
  pinned = pinned && all_pinned.load();
  read_ok = read_ok && all_read.load();
  return secs;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t iterations = 6000;  // about 0.08 s a copy here (XXH64 at about 19 GB/s)
  bool iterations_given = false;
  std::size_t buffer = std::size_t{256} << 10;
  int trials = 3;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) {
      iterations = std::strtoull(argv[++i], nullptr, 10);
      iterations_given = true;
    } else if (a == "--file" && i + 1 < argc) {
      file = argv[++i];
    } else if (a == "--buffer-kib" && i + 1 < argc) {
      buffer = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10)) << 10;
    } else if (a == "--trials" && i + 1 < argc) {
      trials = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: host_scaling [--iterations N] [--buffer-kib KIB] [--trials K]\n"
                           "       host_scaling --file PATH [--iterations N] [--trials K]\n");
      return 2;
    }
  }
  if (iterations == 0 || trials <= 0 || buffer == 0) {
    std::fprintf(stderr, "host_scaling: --iterations, --buffer-kib and --trials must be positive\n");
    return 2;
  }
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    for (int c = 0; c < CPU_SETSIZE && cpus.size() < 2; ++c) {
      if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
    }
  }
  if (cpus.size() < 2) {
    std::fprintf(stderr, "host_scaling: needs two CPUs it may run on\n");
    return 2;
  }
  std::uint64_t sink = 0;
  bool pinned = true;
  if (!file.empty()) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
      std::fprintf(stderr, "host_scaling: cannot read '%s'\n", file.c_str());
      return 2;
    }
    if (!iterations_given) iterations = 4;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    bool read_ok = true;
    std::vector<double> a0, a1, both, fast, slow;
    for (int k = 0; k < trials; ++k) {
      a0.push_back(file_on({cpus[0]}, fd, size, iterations, sink, pinned, read_ok));
      a1.push_back(file_on({cpus[1]}, fd, size, iterations, sink, pinned, read_ok));
      both.push_back(file_on(cpus, fd, size, iterations, sink, pinned, read_ok));
      fast.push_back(std::min(a0.back(), a1.back()) / both.back());
      slow.push_back(std::max(a0.back(), a1.back()) / both.back());
    }
    ::close(fd);
    if (!read_ok) {
      std::fprintf(stderr, "host_scaling: '%s' could not be read to its end: no figure\n", file.c_str());
      return 2;
    }
    if (!pinned) {
      std::fprintf(stderr, "host_scaling: cannot pin a thread to cpu %d or %d here: no figure\n", cpus[0], cpus[1]);
      return 3;
    }
    std::printf("host_scaling: file pass: alone %.4f s on cpu %d, %.4f s on cpu %d; together %.4f s; "
                "two threads over one: %.2f x (one thread on the faster CPU), %.2f x (on the slower)\n",
                median(a0), cpus[0], median(a1), cpus[1], median(both), median(fast), median(slow));
    volatile std::uint64_t kept = sink;
    (void)kept;
    return 0;
  }
  const std::vector<unsigned char> buf0 = buffer_of(buffer, 0), buf1 = buffer_of(buffer, 1);
  std::vector<double> a0, a1, b0, b1, fast, slow;
  for (int k = 0; k < trials; ++k) {
    a0.push_back(run_on({cpus[0]}, {&buf0}, iterations, sink, pinned)[0]);
    a1.push_back(run_on({cpus[1]}, {&buf1}, iterations, sink, pinned)[0]);
    const std::vector<double> both = run_on(cpus, {&buf0, &buf1}, iterations, sink, pinned);
    b0.push_back(both[0]);
    b1.push_back(both[1]);
    const double together = 1 / both[0] + 1 / both[1];  // jobs a second, the two copies' rates summed
    fast.push_back(together * std::min(a0.back(), a1.back()));
    slow.push_back(together * std::max(a0.back(), a1.back()));
  }
  if (!pinned) {
    std::fprintf(stderr, "host_scaling: cannot pin a thread to cpu %d or %d here: no figure\n", cpus[0], cpus[1]);
    return 3;
  }
  std::printf("host_scaling: alone %.4f s on cpu %d, %.4f s on cpu %d; together %.4f s / %.4f s; "
              "two threads over one: %.2f x (one thread on the faster CPU), %.2f x (on the slower)\n",
              median(a0), cpus[0], median(a1), cpus[1], median(b0), median(b1), median(fast), median(slow));
  volatile std::uint64_t kept = sink;  // the jobs' results are used: the compiler keeps the jobs
  (void)kept;
  return 0;
}
