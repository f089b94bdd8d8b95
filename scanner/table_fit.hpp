// Does an input hold the table a hunt reads? The hunt names the columns its query uses (sets of
// projection slots, one of each set required); a table without one of them is refused, as Kusto
// refuses a query naming a column that does not exist. Decides only; the driver reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "parsers/record_view.hpp"

namespace rareconn::scanner {

using RequiredSlots = std::vector<std::vector<std::size_t>>;

// The requirements not met, each as its column names joined by " or " ("RemoteIP",
// "EventData or DestinationIp"; a slot's alternative spellings are named by its first).
std::vector<std::string> missing_columns(const parsers::Projection& projection, const RequiredSlots& required,
                                         const std::function<bool(std::size_t slot)>& present);

// "A, B and C" for messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace rareconn::scanner
