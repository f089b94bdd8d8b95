// Human-readable names of parser errors, used in summaries and --strict messages.
// Must not depend on anything but record_view.hpp.
#include "parsers/record_view.hpp"

namespace rareconn::parsers {

const char* describe(ParseError e) {
  switch (e) {
    case ParseError::kNone: return "no error";
    case ParseError::kFieldCount: return "number of fields differs from the header";
    case ParseError::kBadQuote: return "misplaced quote in a CSV field";
    case ParseError::kUnterminatedQuote: return "end of file inside a quoted field";
    case ParseError::kBadJson: return "malformed JSON";
    case ParseError::kNotAnObject: return "JSON value is not an object";
  }
  return "unknown error";
}

}  // namespace rareconn::parsers
