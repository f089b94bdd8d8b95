// Regression: a mapped input truncated while it was read (logrotate copytruncate on a live export)
// killed the process with SIGBUS. The mapping is now guarded: the lost bytes read as NULs and the
// file reports where it shrank.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "scanner/mapped_file.hpp"

namespace rareconn::scanner {
namespace {

std::string make_file(std::size_t size, char fill) {
  char path[] = "/tmp/rareconn_sigbus_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  const std::string data(size, fill);
  EXPECT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(size));
  close(fd);
  return path;
}

TEST(RegressTruncatedWhileReadSigbus, ShrunkFileReadsZerosAndReportsWhere) {
  const std::string path = make_file(1 << 20, 'x');
  MappedFile m;
  std::string error;
  ASSERT_TRUE(m.open(path, error)) << error;
  ASSERT_EQ(truncate(path.c_str(), 4096), 0);
  const std::string_view b = m.bytes();
  ASSERT_EQ(b.size(), 1u << 20);
  EXPECT_EQ(b[100], 'x');              // still in the file
  EXPECT_EQ(b[512 * 1024], '\0');      // past the new end: a zero page, not SIGBUS
  EXPECT_EQ(b[(1 << 20) - 1], '\0');
  ASSERT_TRUE(m.shrank_at().has_value());
  EXPECT_EQ(*m.shrank_at(), 512u * 1024);
  unlink(path.c_str());
}

TEST(RegressTruncatedWhileReadSigbus, ManyThreadsManyFiles) {
  std::vector<std::string> paths;
  std::vector<MappedFile> maps(8);
  std::string error;
  for (int i = 0; i < 8; ++i) {
    paths.push_back(make_file(256 * 1024, 'a'));
    ASSERT_TRUE(maps[i].open(paths[i], error)) << error;
    if (i % 2 == 0) {
      ASSERT_EQ(truncate(paths[i].c_str(), 0), 0);
    }
  }
  std::vector<std::thread> threads;
  std::vector<std::uint64_t> sums(8, 0);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (char c : maps[i].bytes()) sums[i] += static_cast<unsigned char>(c);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 8; ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(sums[i], 0u);
      ASSERT_TRUE(maps[i].shrank_at().has_value());
      EXPECT_EQ(*maps[i].shrank_at(), 0u);
    } else {
      EXPECT_EQ(sums[i], 256u * 1024 * 'a');
      EXPECT_FALSE(maps[i].shrank_at().has_value());
    }
    unlink(paths[i].c_str());
  }
}

TEST(RegressTruncatedWhileReadSigbus, UnrelatedSigbusStillKills) {
  EXPECT_DEATH(
      {
        const std::string path = make_file(8192, 'x');
        const int fd = open(path.c_str(), O_RDONLY);
        void* a = mmap(nullptr, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
        MappedFile guard_installed;  // make sure the handler exists
        std::string e;
        const std::string other = make_file(10, 'y');
        guard_installed.open(other, e);
        (void)truncate(path.c_str(), 0);
        volatile char c = static_cast<const char*>(a)[4096];
        (void)c;
      },
      "");
}

}  // namespace
}  // namespace rareconn::scanner
