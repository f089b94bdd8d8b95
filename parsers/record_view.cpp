// Human-readable names of parser errors, used in summaries and --strict messages.
// Must not depend on anything but record_view.hpp.
#include "parsers/record_view.hpp"

#include <stdexcept>

namespace rareconn::parsers {

const char* describe(ParseError e) {
  switch (e) {
    case ParseError::kNone: return "no error";
    case ParseError::kFieldCount: return "number of fields differs from the header";
    case ParseError::kBadQuote: return "misplaced quote in a CSV field";
    case ParseError::kUnterminatedQuote: return "end of file inside a quoted field";
    case ParseError::kBadJson: return "malformed JSON";
    case ParseError::kNotAnObject: return "JSON value is not an object";
    case ParseError::kRecordTooLarge: return "record longer than the maximum record size";
    case ParseError::kTooManyColumns: return "more columns than a table can have (65,536)";
  }
  return "unknown error";
}

std::string describe(ParseError e, std::uint64_t max_record_bytes) {
  if (e != ParseError::kRecordTooLarge) return describe(e);
  return "record longer than " + std::to_string(max_record_bytes) + " bytes";
}

void record_length_overflow(std::uint64_t length) {
  throw std::logic_error("record length " + std::to_string(length) + " does not fit 32 bits");
}

}  // namespace rareconn::parsers
