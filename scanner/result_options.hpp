// The options that shape a hunt's result (SPEC §7), as named canonical values: recorded in
// partials and daily state, compared before a merge (a difference is named), shown by
// `rareconn inspect`, and turned back into scan options by `rareconn report`. Options that only
// shape how a run reads or writes (threads, chunk size, output, --strict) are not among them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scanner/options.hpp"

namespace rareconn::scanner {

// The hunt of a partial whose files were all skipped, made with --hunt auto: it merges with any.
inline constexpr const char* kAnyHunt = "any";

using ResultOptions = std::vector<std::pair<std::string, std::string>>;  // (option, value) in a fixed order

// `hunt` is the hunt the run resolved (never "auto").
ResultOptions result_options(const ScanOptions& opt, const std::string& hunt);

// Sets the result-shaping fields of `out` from recorded values; false (with `error`) when a value
// does not parse (a partial written by another version).
bool apply_result_options(const ResultOptions& in, ScanOptions& out, std::string& error);

// The first option whose value differs, as "--name (a vs b)"; empty when equal (a hunt of
// kAnyHunt equals every hunt).
std::string result_options_difference(const ResultOptions& a, const ResultOptions& b);

// The recorded value of option `name` (empty when absent).
std::string result_option(const ResultOptions& options, const std::string& name);

// A value as people read it (lists joined with commas, times as ISO 8601).
std::string display_value(const std::string& name, const std::string& value);

}  // namespace rareconn::scanner
