// Does an input hold the table a hunt reads? The hunt names the columns its query uses (sets of
// projection slots, one of each set required); a table without one of them is refused, as Kusto
// refuses a query naming a column that does not exist. Decides only; the driver reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/hunts/hunt.hpp"

namespace rareconn::scanner {

// The hunt's requirements not met, each as its column names joined by " or " ("RemoteIP",
// "EventData or DestinationIp"; a slot named as the hunt names it, hunts::Hunt::column_name).
std::vector<std::string> missing_columns(const hunts::Hunt& hunt, const std::function<bool(std::size_t slot)>& present);

// "A, B and C" for messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace rareconn::scanner
