// Sysmon rows for output and for Kusto's pivot merge, from records the scanner reads again.
#include "core/hunts/sysmon/sysmon_rows.hpp"

namespace rareconn::hunts {

namespace {

class RowsOf final : public RecordVisitor {
 public:
  RowsOf(const std::vector<RowRef>& refs, std::vector<SysmonRow>& rows, std::vector<char>& ok)
      : refs_(refs), rows_(rows), ok_(ok) {}
  void row(std::size_t i, RowCells& cells) override {
    // Called on the scanner's threads: each has its own EventData parser.
    thread_local parsers::XmlEventParser parser;
    thread_local parsers::XmlEventView scratch;
    ok_[i] = SysmonMapper::export_row(cells, refs_[i].time, rows_[i], parser, scratch);
  }
  void event(std::size_t i, const parsers::WindowsEventView& e) override {
    SysmonMapper::row_from_event(e, refs_[i].time, rows_[i]);
    ok_[i] = 1;
  }

 private:
  const std::vector<RowRef>& refs_;
  std::vector<SysmonRow>& rows_;
  std::vector<char>& ok_;
};

}  // namespace

void decode_sysmon_rows(const RunServices& services, const std::vector<RowRef>& refs, std::vector<SysmonRow>& rows,
                        std::vector<char>& ok) {
  rows.assign(refs.size(), SysmonRow{});
  ok.assign(refs.size(), 0);
  std::vector<core::EventRef> where;
  where.reserve(refs.size());
  for (const RowRef& r : refs) where.push_back(r.ref);
  RowsOf visitor(refs, rows, ok);
  services.read_again(where, visitor);
}

}  // namespace rareconn::hunts
