// Progress reporting on stderr while the parallel scan runs, and the RARECONN_TIMING phase timer
// used for profiling. Display only: no part of the result depends on these.
#pragma once

#include <atomic>
#include <sys/resource.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace rareconn::scanner {

// A progress line on stderr while the parallel scan runs.
class ProgressLine {
 public:
  ProgressLine(bool on, std::uint64_t total, const std::atomic<std::uint64_t>& done) : done_(done) {
    if (!on || total == 0) return;
    thread_ = std::thread([this, total] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stop_) {
        cv_.wait_for(lock, std::chrono::milliseconds(250));
        const double pct = 100.0 * static_cast<double>(done_.load()) / static_cast<double>(total);
        std::fprintf(stderr, "\rrareconn: scanning %5.1f%% of %.2f GB", pct, static_cast<double>(total) / 1e9);
        std::fflush(stderr);
      }
      std::fprintf(stderr, "\r%60s\r", "");
    });
  }
  ~ProgressLine() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  const std::atomic<std::uint64_t>& done_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// RARECONN_TIMING=1 prints the time of each phase on stderr, and the page faults the process took
// in it (on VMs a first touch of a page costs microseconds) (for profiling, not for tests).
class PhaseTimer {
 public:
  PhaseTimer() : on_(std::getenv("RARECONN_TIMING") != nullptr), last_(std::chrono::steady_clock::now()), faults_(faults()) {}
  void mark(const char* phase) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    const long f = faults();
    std::fprintf(stderr, "timing: %-10s %8.4f s %7ld faults\n", phase, std::chrono::duration<double>(now - last_).count(),
                 f - faults_);
    last_ = now;
    faults_ = f;
  }

 private:
  static long faults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt + u.ru_majflt;
  }
  bool on_;
  std::chrono::steady_clock::time_point last_;
  long faults_;
};

}  // namespace rareconn::scanner
