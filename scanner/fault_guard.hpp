// Turns the SIGBUS of a memory-mapped input that shrank while it is read (logrotate's
// copytruncate on a live export) into a recorded fault of that file, instead of a dead process.
// Must not know about formats or hunts; the mapping's owner asks after the scan whether it faulted.
//
// How: a process-wide SIGBUS handler looks the faulting address up in a fixed table of guarded
// regions (lock-free, async-signal-safe), maps zero pages over the rest of that region (so the
// parser reads NULs, in linear time, and finishes its chunk), records the lowest faulting offset
// and returns. A fault outside every guarded region is a real bug: the default action runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace rareconn::scanner {

inline constexpr std::size_t kMaxGuardedRegions = 1 << 16;  // above the kernel's default map limit

// A slot in the guard table; -1 when the table is full (the region is then not guarded).
int guard_region(const void* addr, std::size_t size);
void unguard_region(int slot);
// The offset of the first byte that could not be read, if the region faulted.
std::optional<std::uint64_t> region_fault(int slot);

}  // namespace rareconn::scanner
