// Tests for parsers/event_xml_cut: blocks cut where the stream cutter says, each parsed on its own
// by the walk every event XML reader makes (next_event_start, find_event_end), give the events and
// errors of the whole text parsed at once: on random tag soup (comments, CDATA, processing
// instructions, quoted attributes, <EventData>, cut-off and too large events), fed in pieces of
// every size; and on a clean export, events are cut where they start.
#include "parsers/event_xml_cut.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "parsers/event_xml.hpp"

using namespace rareconn::parsers;

namespace {

using Walked = std::vector<std::tuple<std::uint64_t, std::uint64_t, ParseError>>;  // start, end (0: none), error

// The walk over `d` (stream offset `base`), as the scanner's XML chunks make it.
void walk(std::string_view d, std::uint64_t base, std::uint64_t max, Walked& out) {
  for (std::uint64_t pos = next_event_start(d, 0); pos < d.size();) {
    const EventExtent x = find_event_end(d, pos, max);
    out.emplace_back(base + pos, x.end ? base + x.end : 0, x.error);
    pos = next_event_start(d, x.end ? x.end : pos + 1);
  }
}

std::vector<std::uint64_t> cuts_of(const std::string& text, std::uint64_t max, std::size_t piece) {
  XmlEventCutter cutter(max);
  std::vector<std::uint64_t> out;
  for (std::size_t off = 0; off < text.size(); off += piece) {
    const XmlEventCutter::Cuts c = cutter.feed(std::string_view(text).substr(off, piece));
    if (c.first == XmlEventCutter::npos) continue;
    EXPECT_TRUE(out.empty() || c.first > out.back());
    EXPECT_LE(c.last, off + std::min(piece, text.size() - off));
    out.push_back(c.first);
    if (c.last != c.first) out.push_back(c.last);
  }
  return out;
}

Walked walk_blocks(const std::string& text, const std::vector<std::uint64_t>& cuts, std::uint64_t max) {
  Walked out;
  std::uint64_t from = 0;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::uint64_t to = k < cuts.size() ? cuts[k] : text.size();
    walk(std::string_view(text).substr(from, to - from), from, max, out);
    from = to;
  }
  return out;
}

std::string soup(std::mt19937_64& rng, std::size_t tokens) {
  static const char* const kTokens[] = {
      "<Event>", "<Event xmlns='x'>", "<Event a=\"<Event b>\">", "</Event>", "</Event >", "</Event", "<Event/>",
      "<Event", "<Events>", "</Events>", "<EventData>", "</EventData>", "<Data Name='a'>1</Data>", "<!--",
      "-->", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<?", "?>", "<", ">", "x", " ", "\n", "\"", "'",
      "<System><EventID>3</EventID></System>", "<E", "<Ev", "/>", "-", "]"};
  std::string s;
  for (std::size_t i = 0; i < tokens; ++i) s += kTokens[rng() % (sizeof kTokens / sizeof kTokens[0])];
  return s;
}

}  // namespace

TEST(XmlEventCut, BlocksParseAsTheWholeOnRandomTagSoup) {
  std::mt19937_64 rng(20261201);
  for (int round = 0; round < 4000; ++round) {
    const std::string text = soup(rng, 1 + rng() % 60);
    const std::uint64_t max = 8 + rng() % 120;
    Walked whole;
    walk(text, 0, max, whole);
    for (std::size_t piece : {1, 2, 3, 5, 8, 13, 64, 1000}) {
      const std::vector<std::uint64_t> cuts = cuts_of(text, max, piece);
      ASSERT_EQ(walk_blocks(text, cuts, max), whole) << "round " << round << " piece " << piece << " max " << max
                                                      << "\n" << text;
    }
  }
}

TEST(XmlEventCut, CleanExportIsCutAtEveryEvent) {
  std::string text = "<?xml version=\"1.0\"?>\n<Events>\n";
  std::vector<std::uint64_t> starts;
  for (int i = 0; i < 50; ++i) {
    starts.push_back(text.size());
    text += "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>3</EventID>"
            "</System><EventData><Data Name='DestinationIp'>10.0.0." + std::to_string(i) + "</Data></EventData></Event>\n";
  }
  text += "</Events>\n";
  const std::vector<std::uint64_t> cuts = cuts_of(text, 1 << 20, 1);
  for (std::uint64_t s : starts) EXPECT_NE(std::find(cuts.begin(), cuts.end(), s), cuts.end()) << s;
  Walked whole;
  walk(text, 0, 1 << 20, whole);
  EXPECT_EQ(whole.size(), 50u);
  EXPECT_EQ(walk_blocks(text, cuts, 1 << 20), whole);
}

TEST(XmlEventCut, NoCutAfterAnEventPrefix) {
  // "<Event<Event>": the second tag starts the event; a block ending in "<Event" would show its
  // reader a start tag cut by the end of the data, which the whole text does not have.
  const std::string text = "ab<Event<Event></Event>cd<Event>x</Event>";
  Walked whole;
  walk(text, 0, 100, whole);
  ASSERT_EQ(whole.size(), 2u);
  for (std::size_t piece : {1, 2, 7, 100}) {
    const std::vector<std::uint64_t> cuts = cuts_of(text, 100, piece);
    EXPECT_EQ(std::find(cuts.begin(), cuts.end(), 8u), cuts.end()) << piece;
    EXPECT_EQ(walk_blocks(text, cuts, 100), whole) << piece;
  }
}
