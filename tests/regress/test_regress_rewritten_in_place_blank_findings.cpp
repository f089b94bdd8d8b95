// Regression: an input rewritten in place (same inode) between the scan and the reading again of
// its findings' records gave exit 0 with blank or mismatched finding columns: a record that no
// longer parsed was left out silently, and one that parsed was taken whatever it now held. The
// reader now refuses such a file (reopen_error, which fails the run): a record that does not parse
// or does not end where it ended, or a file of the same size with a new modification time.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "scanner/input_file.hpp"
#include "scanner/record_reader.hpp"

namespace rareconn::scanner {
namespace {

struct Collect final : hunts::RecordVisitor {
  std::vector<std::vector<std::string>> rows;
  explicit Collect(std::size_t n) : rows(n) {}
  void row(std::size_t i, hunts::RowCells& r) override { rows[i] = r.values; }
  void event(std::size_t, const parsers::WindowsEventView&) override {}
};

void write_file(const std::string& path, const std::string& data, std::ios::openmode mode = std::ios::trunc) {
  std::ofstream out(path, std::ios::binary | std::ios::out | mode);  // same inode: opened, not replaced
  out << data;
}

void bump_mtime(const std::string& path) {
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  timespec t[2] = {st.st_atim, st.st_mtim};
  t[1].tv_sec += 5;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), t, 0), 0);
}

struct Fixture {
  std::string path;
  std::vector<InputFile> files{1};
  std::vector<core::EventRef> refs;
  parsers::Projection projection;
  explicit Fixture(const std::string& data) {
    char p[] = "/tmp/rareconn_rewritten_XXXXXX";
    const int fd = mkstemp(p);
    ::close(fd);
    path = p;
    write_file(path, data);
    InputFile& f = files[0];
    f.path = path;
    std::string head, error;
    EXPECT_TRUE(open_first(path, 4096, f.id, head, error)) << error;
    f.format = parsers::InputFormat::kCsv;
    f.csv_header = std::make_shared<parsers::CsvHeader>(parsers::parse_csv_header(data));
    // The records after the header, as the scan located them (offset, length without the LF).
    for (std::uint64_t at = f.csv_header->data_offset; at < data.size();) {
      const std::uint64_t lf = data.find('\n', at);
      refs.push_back(core::EventRef{at, 0, static_cast<std::uint32_t>(lf - at)});
      at = lf + 1;
    }
  }
  ~Fixture() { ::unlink(path.c_str()); }
  std::string read_again(Collect& c) {
    RecordReader reader(files, projection);
    reader.read_again(refs, c);
    return files[0].reopen_error;
  }
};

const std::string kData = "RemoteIP,RemoteUrl\n1.1.1.1,a.example\n2.2.2.2,b.example\n";

TEST(RegressRewrittenInPlace, UnchangedFileReadsAgain) {
  Fixture fx(kData);
  Collect c(fx.refs.size());
  EXPECT_EQ(fx.read_again(c), "");
  EXPECT_EQ(c.rows[1], (std::vector<std::string>{"2.2.2.2", "b.example"}));
}

TEST(RegressRewrittenInPlace, LongerRewriteIsRefused) {
  Fixture fx(kData);
  write_file(fx.path, "RemoteIP,RemoteUrl\n10.1.1.1,aa.example\n20.2.2.2,\"bb\nexample\"\n3.3.3.3,c\n");
  Collect c(fx.refs.size());
  EXPECT_NE(fx.read_again(c).find("changed"), std::string::npos) << fx.files[0].reopen_error;
}

TEST(RegressRewrittenInPlace, SameSizeRewriteIsRefused) {
  Fixture fx(kData);
  write_file(fx.path, "RemoteIP,RemoteUrl\n9.9.9.9,z.example\n8.8.8.8,y.example\n");
  bump_mtime(fx.path);
  Collect c(fx.refs.size());
  EXPECT_NE(fx.read_again(c).find("changed"), std::string::npos) << fx.files[0].reopen_error;
}

TEST(RegressRewrittenInPlace, AppendedFileReadsAgain) {
  // A log still being written: its records up to the first open's size are what was scanned.
  Fixture fx(kData);
  write_file(fx.path, "3.3.3.3,c.example\n", std::ios::app);
  bump_mtime(fx.path);
  Collect c(fx.refs.size());
  EXPECT_EQ(fx.read_again(c), "");
  EXPECT_EQ(c.rows[0], (std::vector<std::string>{"1.1.1.1", "a.example"}));
}

}  // namespace
}  // namespace rareconn::scanner
