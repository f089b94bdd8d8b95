// The SIGBUS guard table and handler (see the header). Everything the handler touches is a
// lock-free atomic; mmap and sigaction are plain system calls.
#include "scanner/fault_guard.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace rareconn::scanner {

namespace {

constexpr std::uint64_t kNoFault = ~std::uint64_t{0};

enum : int { kFree = 0, kClaimed = 1, kActive = 2 };

struct Region {
  std::atomic<int> state{kFree};
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};
  std::atomic<std::uint64_t> fault{kNoFault};
};

Region g_regions[kMaxGuardedRegions];
std::atomic<std::size_t> g_high{0};   // slots at or above are free
std::atomic<std::size_t> g_hint{0};   // where the next search for a free slot starts

void on_sigbus(int sig, siginfo_t* info, void*) {
  const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  const std::size_t high = g_high.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < high; ++i) {
    Region& r = g_regions[i];
    if (r.state.load(std::memory_order_acquire) != kActive) continue;
    const std::uintptr_t b = r.begin.load(std::memory_order_relaxed), e = r.end.load(std::memory_order_relaxed);
    if (addr < b || addr >= e) continue;
    const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const std::uintptr_t from = addr & ~(page - 1);
    // Zero pages from the faulting page to the end: the file is gone past here.
    if (mmap(reinterpret_cast<void*>(from), e - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
        MAP_FAILED) {
      break;
    }
    std::uint64_t off = from - b, cur = r.fault.load(std::memory_order_relaxed);
    while (off < cur && !r.fault.compare_exchange_weak(cur, off, std::memory_order_relaxed)) {
    }
    return;
  }
  // Not ours: die as the process would have without the guard.
  signal(sig, SIG_DFL);
  raise(sig);
}

void install_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, nullptr);
  });
}

}  // namespace

int guard_region(const void* addr, std::size_t size) {
  if (addr == nullptr || size == 0) return -1;
  install_handler();
  const auto b = reinterpret_cast<std::uintptr_t>(addr);
  const std::size_t start = g_hint.load(std::memory_order_relaxed);
  for (std::size_t n = 0; n < kMaxGuardedRegions; ++n) {
    const std::size_t i = (start + n) % kMaxGuardedRegions;
    Region& r = g_regions[i];
    int expected = kFree;
    if (r.state.load(std::memory_order_relaxed) != kFree ||
        !r.state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) {
      continue;
    }
    r.begin.store(b, std::memory_order_relaxed);
    r.end.store(b + size, std::memory_order_relaxed);
    r.fault.store(kNoFault, std::memory_order_relaxed);
    r.state.store(kActive, std::memory_order_release);
    std::size_t high = g_high.load(std::memory_order_relaxed);
    while (high < i + 1 && !g_high.compare_exchange_weak(high, i + 1, std::memory_order_acq_rel)) {
    }
    g_hint.store(i + 1, std::memory_order_relaxed);
    return static_cast<int>(i);
  }
  return -1;
}

void unguard_region(int slot) {
  if (slot < 0) return;
  g_regions[slot].state.store(kFree, std::memory_order_release);
  g_hint.store(static_cast<std::size_t>(slot), std::memory_order_relaxed);
}

std::optional<std::uint64_t> region_fault(int slot) {
  if (slot < 0) return std::nullopt;
  const std::uint64_t f = g_regions[slot].fault.load(std::memory_order_acquire);
  if (f == kNoFault) return std::nullopt;
  return f;
}

}  // namespace rareconn::scanner
