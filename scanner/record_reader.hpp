// What the scanner lends a hunt after the scan (hunts::RunServices): records read again from the
// inputs, opened again on demand and decoded in parallel (CSV and JSON to every column, event XML and EVTX to Windows
// event views; EVTX chunk by chunk, a chunk's templates serving all its records), and its threads.
#pragma once

#include <vector>

#include "core/hunts/hunt.hpp"
#include "scanner/input_file.hpp"

namespace rareconn::scanner {

class RecordReader final : public hunts::RunServices {
 public:
  RecordReader(const std::vector<InputFile>& files, const parsers::Projection& projection)
      : files_(files), projection_(projection) {}
  void read_again(std::span<const core::EventRef> refs, hunts::RecordVisitor& visitor) const override;
  void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body) const override;
  std::vector<const std::vector<std::string>*> headers() const override;

 private:
  const std::vector<InputFile>& files_;
  const parsers::Projection& projection_;  // its `flatten` applies to JSON records
};

}  // namespace rareconn::scanner
