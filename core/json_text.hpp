// JSON text of Kusto dynamic string values (kql-semantics §1.1 H6): string literals and compact string arrays.
// Must not know about files, formats or threads; never throws except std::bad_alloc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rareconn::core {

// Append s as a JSON string literal (with the quotes): `"` -> \", `\` -> \\, \n \r \t \b \f, other control
// chars < 0x20 -> \u00XX (lower-case hex), '/' not escaped, bytes >= 0x80 (and 0x7F) copied raw.
void append_json_string(std::string& out, std::string_view s);

// Compact JSON array of strings: ["a","b"] (no spaces); empty -> [].
std::string json_string_array(const std::vector<std::string_view>& items);
void append_json_string_array(std::string& out, const std::vector<std::string_view>& items);

}  // namespace rareconn::core
