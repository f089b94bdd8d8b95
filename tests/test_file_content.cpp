// FileContent::copy_range: the bytes a chunk's parse reads from a copy are the mapping's bytes,
// and a file truncated while it is read gives NULs and notes where, as the mapping does.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "scanner/file_content.hpp"

namespace rareconn::scanner {
namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& data) {
    char p[] = "/tmp/rareconn_content_XXXXXX";
    const int fd = mkstemp(p);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    close(fd);
    path = p;
  }
  ~TempFile() { unlink(path.c_str()); }
};

// Opens `f` as the parse does, mapped (read_limit 0) or read (a larger limit).
void open_content(const TempFile& f, FileContent& c, ShrinkMark& shrank, std::uint64_t read_limit) {
  FileIdentity id;
  std::string head, error;
  ASSERT_TRUE(open_first(f.path, 16, id, head, error)) << error;
  ASSERT_TRUE(c.open(f.path, id, shrank, error, read_limit)) << error;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

TEST(FileContent, CopyRangeGivesTheMappedBytes) {
  const std::string data = pattern(300000);
  TempFile f(data);
  FileContent c;
  ShrinkMark shrank;
  ASSERT_NO_FATAL_FAILURE(open_content(f, c, shrank, 0));
  ASSERT_TRUE(c.mapped());
  std::vector<char> out(3, 'z');  // too small: grown
  for (auto [b, e] : {std::pair<std::uint64_t, std::uint64_t>{0, 300000}, {4095, 4097}, {123457, 250000}, {299999, 300000}, {7, 7}}) {
    ASSERT_TRUE(c.copy_range(b, e, out));
    EXPECT_EQ(std::string(out.data(), e - b), std::string(c.bytes().substr(b, e - b))) << b << ".." << e;
  }
  EXPECT_FALSE(c.copy_range(10, 300001, out));  // past the size of the first open
  rareconn::core::HugeBuffer huge;  // the chunk copies' buffer: the same bytes
  for (auto [b, e] : {std::pair<std::uint64_t, std::uint64_t>{0, 300000}, {4095, 4097}, {123457, 250000}, {7, 7}}) {
    ASSERT_TRUE(c.copy_range(b, e, huge));
    EXPECT_EQ(std::string(huge.data(), e - b), std::string(c.bytes().substr(b, e - b))) << b << ".." << e;
  }
  EXPECT_FALSE(c.copy_range(10, 300001, huge));
  EXPECT_FALSE(shrank.at().has_value());
}

TEST(FileContent, CopyRangeOfAFileTruncatedWhileReadGivesNulsAndNotesWhere) {
  const std::string data = pattern(200000);
  TempFile f(data);
  FileContent c;
  ShrinkMark shrank;
  ASSERT_NO_FATAL_FAILURE(open_content(f, c, shrank, 0));
  ASSERT_EQ(truncate(f.path.c_str(), 5000), 0);
  std::vector<char> out;
  ASSERT_TRUE(c.copy_range(4000, 9000, out));
  EXPECT_EQ(std::string(out.data(), 1000), data.substr(4000, 1000));
  EXPECT_EQ(std::string(out.data() + 1000, 4000), std::string(4000, '\0'));
  ASSERT_TRUE(shrank.at().has_value());
  EXPECT_EQ(*shrank.at(), 5000u);
}

TEST(FileContent, SmallFilesReadWholeHaveNoCopyRange) {
  TempFile f(pattern(1000));
  FileContent c;
  ShrinkMark shrank;
  ASSERT_NO_FATAL_FAILURE(open_content(f, c, shrank, 1 << 20));
  ASSERT_FALSE(c.mapped());
  std::vector<char> out;
  EXPECT_FALSE(c.copy_range(0, 10, out));  // its bytes are already in memory: bytes()
}

}  // namespace
}  // namespace rareconn::scanner
