// Where CsvRecordParser's records start in a CSV stream read once, in order, found without
// decoding fields, so that a stream can be cut into blocks of whole records that a single pass
// over a pipe can never get wrong. Quote parity finds the line ends outside quotes in one SIMD
// pass, which also checks every quote that parity says opens a field: it must follow a comma, a line
// feed or a closing quote, as the parser's lenient rule (a quote is special only at the start of a
// field) requires. Where that check fails (a stray quote) or a record nears the size bound, the
// bytes are walked one by one by the parser's own rules, including its resume point after a record
// longer than the bound. Exact: every cut is a record start of CsvRecordParser::parse over the
// whole stream from the header's end (tests/test_csv_cut.cpp compares them on random inputs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rareconn::parsers {

class CsvRecordCutter {
 public:
  static constexpr std::size_t npos = ~std::size_t{0};
  struct Cuts {
    std::size_t first = npos;  // the first and the last record start in the fed bytes, as offsets c
    std::size_t last = npos;   // in (0, size]: a record starts at bytes[c] (npos: none)
  };

  // `data_start`: where the header record ends (its first data record starts; reported as a cut).
  // `max_record_bytes`: the parser's bound (kRecordTooLarge and its resume rule), clamped as the
  // parser clamps it.
  CsvRecordCutter(std::uint64_t data_start, std::uint64_t max_record_bytes);

  // `bytes` follow the bytes of the previous call in the stream (the first call starts it).
  Cuts feed(std::string_view bytes);

  // Bytes walked one by one (stray quotes, long records, the header): the slow path's share.
  std::uint64_t walked_bytes() const { return walked_; }

 private:
  // kSeeking: after a record too large, up to the next LF (the parser's resume point).
  enum class State : std::uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteSeen, kSeeking };
  bool fast(std::string_view bytes, Cuts& cuts);
  void walk(std::string_view bytes, Cuts& cuts);
  void cut(std::size_t c, Cuts& cuts);

  std::uint64_t fed_ = 0;          // stream bytes fed before this call
  std::uint64_t data_start_;
  std::uint64_t max_;
  std::uint64_t record_start_;     // stream offset of the record being read
  State state_ = State::kFieldStart;
  char prev_ = '\n';               // the byte before the next one fed
  std::uint64_t walked_ = 0;
};

// For tests: the widest instruction set the cutter may use where the processor has it: 0 SSE2,
// 1 AVX2 and PCLMUL, 2 AVX-512BW too (the default). Returns the level now used.
int csv_cut_limit_isa(int level);

}  // namespace rareconn::parsers
