// Portal CSV time text with a Spirit X3 grammar. Must not do zone arithmetic (the scanner does).
#include "parsers/portal_time.hpp"

#include <boost/fusion/include/std_tuple.hpp>
#include <boost/spirit/home/x3.hpp>

#include "core/kusto_time.hpp"

namespace rareconn::parsers {

namespace x3 = boost::spirit::x3;

std::optional<CivilTime> parse_portal_time(std::string_view text) {
  // M/D/YYYY, h:mm:ss[.f{1,7}] AM|PM
  const auto uint2 = x3::uint_parser<unsigned, 10, 1, 2>{};
  const auto uint4 = x3::uint_parser<unsigned, 10, 4, 4>{};
  unsigned mo = 0, d = 0, y = 0, h = 0, mi = 0, s = 0;
  std::string frac;
  char ampm = 0;
  auto first = text.begin();
  const auto set = [](unsigned& v) { return [&v](auto& ctx) { v = x3::_attr(ctx); }; };
  const bool ok = x3::parse(first, text.end(),
                            uint2[set(mo)] >> '/' >> uint2[set(d)] >> '/' >> uint4[set(y)] >> ',' >> *x3::lit(' ') >>
                                uint2[set(h)] >> ':' >> uint2[set(mi)] >> ':' >> uint2[set(s)] >>
                                -('.' >> (+x3::char_('0', '9'))[([&frac](auto& ctx) {
                                  const auto& v = x3::_attr(ctx);
                                  frac.assign(v.begin(), v.end());
                                })]) >>
                                +x3::lit(' ') >> (x3::char_("AP")[([&ampm](auto& ctx) { ampm = x3::_attr(ctx); })]) >> 'M');
  if (!ok || first != text.end()) return std::nullopt;
  if (mo < 1 || mo > 12 || y < 1 || h < 1 || h > 12 || mi > 59 || s > 59) return std::nullopt;
  if (d < 1 || static_cast<int>(d) > core::days_in_month(static_cast<int>(y), static_cast<int>(mo))) return std::nullopt;
  CivilTime t;
  t.year = static_cast<int>(y);
  t.month = static_cast<int>(mo);
  t.day = static_cast<int>(d);
  t.hour = static_cast<int>(h % 12) + (ampm == 'P' ? 12 : 0);
  t.minute = static_cast<int>(mi);
  t.second = static_cast<int>(s);
  std::int64_t f = 0;
  for (std::size_t i = 0; i < 7; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  t.fraction_ticks = f;
  return t;
}

HeaderZone header_zone(std::string_view name) {
  const std::size_t open = name.find('[');
  if (open == std::string_view::npos) return HeaderZone::kNone;
  const std::string_view zone = name.substr(open);
  if (zone == "[UTC]") return HeaderZone::kUtc;
  if (zone == "[Local Time]") return HeaderZone::kLocal;
  return HeaderZone::kNone;
}

}  // namespace rareconn::parsers
