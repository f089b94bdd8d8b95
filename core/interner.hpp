// Interned byte strings with dense ids: each distinct string is stored once in an arena, its id is
// its rank of arrival, and the index holds only ids (12 bytes a slot: no copy of a view per slot).
// Single-threaded (one per thread); knows nothing of formats or hunts.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <tsl/robin_set.h>

#include "core/arena.hpp"
#include "core/key_codec.hpp"

namespace rareconn::core {

class Interner {
 public:
  Interner() : index_(0, IdHash{&entries_}, IdEqual{&entries_}) { index_.max_load_factor(kLoad); }
  Interner(const Interner&) = delete;  // the index's functors point at entries_
  Interner& operator=(const Interner&) = delete;

  // The id of `s` (its hash: hash_bytes(s)), added when new; `added` says which.
  std::uint32_t intern(std::string_view s, std::uint64_t hash, bool& added) {
    const Probe probe{s, static_cast<std::uint32_t>(hash)};
    const auto it = index_.find(probe);
    if (it != index_.end()) {
      added = false;
      return *it;
    }
    const std::string_view stored = arena_.copy(s);
    const auto id = static_cast<std::uint32_t>(entries_.size());
    entries_.push_back({stored.data(), static_cast<std::uint32_t>(stored.size()), probe.hash});
    index_.insert(id);
    added = true;
    return id;
  }
  std::uint32_t intern(std::string_view s) {
    bool added;
    return intern(s, hash_bytes(s), added);
  }

  std::string_view operator[](std::uint32_t id) const { return {entries_[id].data, entries_[id].size}; }
  // The low 32 bits of hash_bytes() of string `id`: the same in every interner.
  std::uint32_t hash(std::uint32_t id) const { return entries_[id].hash; }
  std::size_t size() const { return entries_.size(); }
  void clear() {  // frees everything
    index_ = decltype(index_)(0, IdHash{&entries_}, IdEqual{&entries_});
    index_.max_load_factor(kLoad);
    entries_ = {};
    arena_ = Arena();
  }
  std::size_t memory_bytes() const {
    return arena_.bytes() + entries_.capacity() * sizeof(Entry) + index_.bucket_count() * 12;
  }

 private:
  static constexpr float kLoad = 0.8f;  // slots are 12 bytes and hold their hash: probes stay short
  struct Entry {
    const char* data;
    std::uint32_t size;
    std::uint32_t hash;
  };
  struct Probe {
    std::string_view s;
    std::uint32_t hash;
  };
  struct IdHash {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    std::size_t operator()(std::uint32_t id) const { return (*entries)[id].hash; }
    std::size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct IdEqual {
    using is_transparent = void;
    const std::vector<Entry>* entries;
    bool operator()(std::uint32_t a, std::uint32_t b) const { return a == b; }
    bool operator()(const Probe& p, std::uint32_t id) const {
      const Entry& e = (*entries)[id];
      return e.hash == p.hash && std::string_view(e.data, e.size) == p.s;
    }
    bool operator()(std::uint32_t id, const Probe& p) const { return (*this)(p, id); }
  };

  Arena arena_;
  std::vector<Entry> entries_;
  tsl::robin_set<std::uint32_t, IdHash, IdEqual, std::allocator<std::uint32_t>, true> index_;
};

}  // namespace rareconn::core
