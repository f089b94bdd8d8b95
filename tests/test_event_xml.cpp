// Tests for parsers/event_xml: raw <Event> XML, real Sentinel and Sysmon-for-Linux samples, invalid XML, streams, fuzz.
// Must not test hunts or threads, and reads only files under RARECONN_TEST_DATA.
#include "parsers/event_xml.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "parsers/csv_reader.hpp"

#ifndef RARECONN_TEST_DATA
#error "RARECONN_TEST_DATA must name the tests/data directory"
#endif

#ifndef RARECONN_XML_FUZZ_ITERATIONS
#define RARECONN_XML_FUZZ_ITERATIONS 6000
#endif

using namespace rareconn::parsers;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::vector<std::string> kSysmon3Names = {"RuleName",        "UtcTime",
                                                "ProcessGuid",     "ProcessId",
                                                "Image",           "User",
                                                "Protocol",        "Initiated",
                                                "SourceIsIpv6",    "SourceIp",
                                                "SourceHostname",  "SourcePort",
                                                "SourcePortName",  "DestinationIsIpv6",
                                                "DestinationIp",   "DestinationHostname",
                                                "DestinationPort", "DestinationPortName"};

// The raw Sysmon EID 3 event of kql-semantics §7.5, completed with the usual System children and 18 Data.
const std::string kSysmon3 =
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
    "<Provider Name=\"Microsoft-Windows-Sysmon\" Guid=\"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}\"/>"
    "<EventID>3</EventID><Version>5</Version><Level>4</Level><Task>3</Task><Opcode>0</Opcode>"
    "<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime=\"2022-11-04T15:52:25.4137676Z\"/>"
    "<EventRecordID>40211</EventRecordID><Correlation/><Execution ProcessID=\"3044\" ThreadID=\"4044\"/>"
    "<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>HOST</Computer>"
    "<Security UserID=\"S-1-5-18\"/></System><EventData>"
    "<Data Name=\"RuleName\">-</Data><Data Name=\"UtcTime\">2022-11-04 15:52:24.156</Data>"
    "<Data Name=\"ProcessGuid\">{365abb72-2a4b-6365-5a00-000000000d00}</Data><Data Name=\"ProcessId\">4312</Data>"
    "<Data Name=\"Image\">C:\\Program Files\\Mozilla Firefox\\firefox.exe</Data>"
    "<Data Name=\"User\">HOST\\alice</Data><Data Name=\"Protocol\">tcp</Data>"
    "<Data Name=\"Initiated\">true</Data><Data Name=\"SourceIsIpv6\">false</Data>"
    "<Data Name=\"SourceIp\">10.0.2.15</Data><Data Name=\"SourceHostname\">HOST.corp.example</Data>"
    "<Data Name=\"SourcePort\">50124</Data><Data Name=\"SourcePortName\">-</Data>"
    "<Data Name=\"DestinationIsIpv6\">false</Data><Data Name=\"DestinationIp\">93.184.216.34</Data>"
    "<Data Name=\"DestinationHostname\">-</Data><Data Name=\"DestinationPort\">443</Data>"
    "<Data Name=\"DestinationPortName\">https</Data></EventData></Event>";

std::string value_of(const XmlEventView& v, std::string_view name) {
  for (const auto& [k, val] : v.data)
    if (k == name) return std::string(val);
  return "<missing>";
}

// Wraps EventData children in a minimal raw event.
std::string event_with_data(const std::string& event_data_children) {
  return "<Event><System><EventID>1</EventID></System><EventData>" + event_data_children + "</EventData></Event>";
}

}  // namespace

TEST(EventXml, RawSysmonEid3) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  ASSERT_TRUE(p.parse_event(kSysmon3, v, reason)) << reason;
  EXPECT_EQ(p.last_error(), XmlError::kNone);
  EXPECT_EQ(v.provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(v.event_id, "3");
  EXPECT_EQ(v.version, "5");
  EXPECT_EQ(v.level, "4");
  EXPECT_EQ(v.computer, "HOST");
  EXPECT_EQ(v.channel, "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(v.system_time, "2022-11-04T15:52:25.4137676Z");
  EXPECT_EQ(v.user_id, "S-1-5-18");
  EXPECT_EQ(v.rendered_message, "");
  EXPECT_EQ(v.dataitem_time, "");
  EXPECT_FALSE(v.has_dataitem);
  EXPECT_TRUE(v.has_event_data);
  ASSERT_EQ(v.data.size(), 18u);
  for (std::size_t i = 0; i < 18; ++i) EXPECT_EQ(v.data[i].first, kSysmon3Names[i]);
  EXPECT_EQ(value_of(v, "Image"), "C:\\Program Files\\Mozilla Firefox\\firefox.exe");
  EXPECT_EQ(value_of(v, "DestinationIp"), "93.184.216.34");
  EXPECT_EQ(value_of(v, "DestinationPortName"), "https");
  // Plain values are views into the input (no copy).
  const char* b = kSysmon3.data();
  for (const auto& [k, val] : v.data) {
    EXPECT_TRUE(val.data() >= b && val.data() + val.size() <= b + kSysmon3.size());
  }
}

TEST(EventXml, EntityReferencesDecodedToUtf8) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string x = event_with_data(
      "<Data Name=\"A&amp;B\">a&lt;b&gt;c &amp;&amp; &quot;q&quot; &apos;s&apos;</Data>"
      "<Data Name=\"Num\">&#65;&#x42;&#xe9;&#x20AC;&#128512;&#9;&#10;&#13;</Data>"
      "<Data Name=\"Plain\">no refs</Data>");
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  ASSERT_EQ(v.data.size(), 3u);
  EXPECT_EQ(v.data[0].first, "A&B");
  EXPECT_EQ(v.data[0].second, "a<b>c && \"q\" 's'");
  EXPECT_EQ(v.data[1].second, "AB\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\t\n\r");
  EXPECT_EQ(v.data[2].second, "no refs");
  // Attribute of a System element with a reference.
  const std::string y = "<Event><System><Provider Name='Foo &#x26; Bar'/><Computer>a&amp;b</Computer></System></Event>";
  ASSERT_TRUE(p.parse_event(y, v, reason)) << reason;
  EXPECT_EQ(v.provider, "Foo & Bar");
  EXPECT_EQ(v.computer, "a&b");
  EXPECT_FALSE(v.has_event_data);
  EXPECT_TRUE(v.data.empty());
}

TEST(EventXml, CdataCopiedVerbatimAndMixedWithText) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string x = event_with_data(
      "<Data Name=\"C\"><![CDATA[a<b>&amp;]]></Data>"
      "<Data Name=\"M\">x&lt;<![CDATA[<]]>y<!-- comment -->z<?pi skipped?>!</Data>"
      "<Data Name=\"E\"><![CDATA[]]></Data>");
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  ASSERT_EQ(v.data.size(), 3u);
  EXPECT_EQ(v.data[0].second, "a<b>&amp;");
  EXPECT_EQ(v.data[1].second, "x<<yz!");
  EXPECT_EQ(v.data[2].second, "");
}

TEST(EventXml, SelfClosingEmptyUntrimmedAndNamelessData) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string x = event_with_data(
      "<Data Name=\"SourcePortName\" /><Data Name=\"X\"></Data><Data Name=\"Sp\">  padded \t</Data>"
      "<Data>nameless</Data><Data Name=\"Nl\">\r\n</Data>"
      "<Data Name=\"Mixed\">\n  <b>ignored</b>\n  tail\n</Data><Data Name=\"Struct\">\n  <b/>\n</Data>");
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  ASSERT_EQ(v.data.size(), 7u);
  EXPECT_EQ(v.data[0], (std::pair<std::string_view, std::string_view>("SourcePortName", "")));
  EXPECT_EQ(v.data[1], (std::pair<std::string_view, std::string_view>("X", "")));
  EXPECT_EQ(v.data[2].second, "  padded \t");
  EXPECT_EQ(v.data[3].first, "");
  EXPECT_EQ(v.data[3].second, "nameless");
  EXPECT_EQ(v.data[4].second, "\r\n");  // a leaf's whitespace text is its value
  // With child elements, whitespace-only text is structural; other direct text is kept as written.
  EXPECT_EQ(v.data[5].second, "\n  tail\n");
  EXPECT_EQ(v.data[6].second, "");
}

TEST(EventXml, SingleQuotedAttributesAsWrittenByWevtutil) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string x =
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
      "<Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/>"
      "<EventID>3</EventID><TimeCreated SystemTime='2024-01-02T03:04:05.1234567Z'/>"
      "<Security UserID='S-1-5-18'/></System><EventData><Data Name='DestinationIp'>1.2.3.4</Data>"
      "<Data Name = 'Quote\"Inside' >v</Data></EventData></Event>";
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  EXPECT_EQ(v.provider, "Microsoft-Windows-Sysmon");
  EXPECT_EQ(v.system_time, "2024-01-02T03:04:05.1234567Z");
  EXPECT_EQ(v.user_id, "S-1-5-18");
  ASSERT_EQ(v.data.size(), 2u);
  EXPECT_EQ(v.data[0].second, "1.2.3.4");
  EXPECT_EQ(v.data[1].first, "Quote\"Inside");
}

TEST(EventXml, NamespacePrefixes) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  // Raw events: matched by local name, xmlns attributes ignored.
  const std::string x =
      "<e:Event xmlns:e=\"http://schemas.microsoft.com/win/2004/08/events/event\"><e:System>"
      "<e:Provider xmlns:Name=\"urn:not-a-name\" e:Name=\"P\"/><e:EventID>7</e:EventID></e:System>"
      "<e:EventData><e:Data Name=\"A\">1</e:Data></e:EventData></e:Event>";
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  EXPECT_EQ(v.provider, "P");
  EXPECT_EQ(v.event_id, "7");
  ASSERT_EQ(v.data.size(), 1u);
  EXPECT_EQ(v.data[0].second, "1");
  // Mismatched prefixes are mismatched tags.
  EXPECT_FALSE(p.parse_event("<e:Event></f:Event>", v, reason));
  // EventData strings: Kusto's parse_xml keys keep the prefix, so `x:DataItem` is not `.DataItem`.
  const std::string d =
      "<x:DataItem xmlns:x=\"urn:x\" time=\"t\"><x:EventData><x:Data Name=\"A\">1</x:Data></x:EventData></x:DataItem>";
  ASSERT_TRUE(p.parse_event_data(d, v, reason)) << reason;
  EXPECT_FALSE(v.has_dataitem);
  EXPECT_FALSE(v.has_event_data);
  EXPECT_TRUE(v.data.empty());
}

TEST(EventXml, PrologBomCommentsAndBlanks) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string x = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<!-- exported by wevtutil -->\n  " +
                        kSysmon3 + "\r\n<!-- end -->\n\t ";
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  EXPECT_EQ(v.event_id, "3");
  EXPECT_EQ(v.data.size(), 18u);
}

TEST(EventXml, RenderingInfoMessageDoesNotShadowSystem) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string x =
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
      "<Provider Name='Microsoft-Windows-Sysmon'/><EventID>3</EventID><Level>4</Level>"
      "<Channel>Microsoft-Windows-Sysmon/Operational</Channel></System>"
      "<EventData><Data Name='RuleName'>-</Data></EventData>"
      "<RenderingInfo Culture='en-US'><Message>Network connection detected:&#13;\nRuleName: -&#13;\n"
      "UtcTime: 2022-11-04 15:52:24.156</Message><Level>Information</Level>"
      "<Task>Network connection detected (rule: NetworkConnect)</Task><Opcode>Info</Opcode>"
      "<Channel>Microsoft-Windows-Sysmon/Operational-rendered</Channel><Provider>Microsoft-Windows-Sysmon</Provider>"
      "<Keywords></Keywords></RenderingInfo></Event>";
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  EXPECT_EQ(v.rendered_message, "Network connection detected:\r\nRuleName: -\r\nUtcTime: 2022-11-04 15:52:24.156");
  EXPECT_EQ(v.level, "4");
  EXPECT_EQ(v.channel, "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(v.provider, "Microsoft-Windows-Sysmon");
  ASSERT_EQ(v.data.size(), 1u);
}

TEST(EventXml, EventDataStringWithAndWithoutDataItem) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string with =
      "<DataItem type=\"System.XmlData\" time=\"2026-06-16T17:34:01.1130000Z\" sourceHealthServiceId=\"X\">"
      "<EventData xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><Data Name=\"RuleName\">-</Data>"
      "<Data Name=\"SourcePortName\" /></EventData></DataItem>";
  ASSERT_TRUE(p.parse_event_data(with, v, reason)) << reason;
  EXPECT_TRUE(v.has_dataitem);
  EXPECT_TRUE(v.has_event_data);
  EXPECT_EQ(v.dataitem_time, "2026-06-16T17:34:01.1130000Z");
  ASSERT_EQ(v.data.size(), 2u);
  EXPECT_EQ(v.data[1].first, "SourcePortName");
  EXPECT_EQ(v.data[1].second, "");

  const std::string bare = "<EventData><Data Name=\"A\">1</Data></EventData>";  // single Data element
  ASSERT_TRUE(p.parse_event_data(bare, v, reason)) << reason;
  EXPECT_FALSE(v.has_dataitem);
  EXPECT_TRUE(v.has_event_data);
  ASSERT_EQ(v.data.size(), 1u);
  EXPECT_EQ(v.data[0].second, "1");

  // Empty EventData, other roots, repeated EventData: valid XML, no Data path (the caller maps this to null).
  ASSERT_TRUE(p.parse_event_data("<DataItem time='t'><EventData/></DataItem>", v, reason)) << reason;
  EXPECT_TRUE(v.has_event_data);
  EXPECT_TRUE(v.data.empty());
  ASSERT_TRUE(p.parse_event_data("<DataItem><UserData><X>1</X></UserData></DataItem>", v, reason)) << reason;
  EXPECT_TRUE(v.has_dataitem);
  EXPECT_FALSE(v.has_event_data);
  ASSERT_TRUE(p.parse_event_data("<Other><EventData><Data Name='A'>1</Data></EventData></Other>", v, reason));
  EXPECT_FALSE(v.has_dataitem);
  EXPECT_FALSE(v.has_event_data);
  EXPECT_TRUE(v.data.empty());
  ASSERT_TRUE(
      p.parse_event_data("<DataItem><EventData><Data Name='A'>1</Data></EventData><EventData><Data "
                         "Name='B'>2</Data></EventData></DataItem>",
                         v, reason));
  EXPECT_TRUE(v.has_event_data);
  EXPECT_TRUE(v.data.empty());
  // A whole <Event> given as EventData is not the DataItem shape.
  ASSERT_TRUE(p.parse_event_data(kSysmon3, v, reason));
  EXPECT_FALSE(v.has_event_data);
}

TEST(EventXml, ViewsSurviveUntilNextParseAndParserIsReusable) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  const std::string a = event_with_data("<Data Name='A'>x&amp;y</Data><Data Name='B'>&lt;&gt;</Data>");
  ASSERT_TRUE(p.parse_event(a, v, reason));
  EXPECT_EQ(v.data[0].second, "x&y");
  EXPECT_EQ(v.data[1].second, "<>");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p.parse_event(kSysmon3, v, reason));
    EXPECT_EQ(v.data.size(), 18u);
    ASSERT_FALSE(p.parse_event("<Event><System>", v, reason));
    EXPECT_TRUE(v.data.empty());  // nothing half-filled after a failure
    EXPECT_EQ(v.event_id, "");
  }
  // A larger input after a small one (scratch grows once, views stay valid).
  std::string big_children;
  for (int i = 0; i < 2000; ++i)
    big_children += "<Data Name='N" + std::to_string(i) + "'>v&amp;" + std::to_string(i) + "</Data>";
  const std::string big = event_with_data(big_children);
  ASSERT_TRUE(p.parse_event(big, v, reason)) << reason;
  ASSERT_EQ(v.data.size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    const std::string n = std::to_string(i);  // (no "x" + to_string: GCC 12's false -Wrestrict)
    ASSERT_EQ(v.data[i].first.substr(1), n);
    ASSERT_EQ(v.data[i].first.front(), 'N');
    ASSERT_EQ(v.data[i].second.substr(2), n);
    ASSERT_EQ(v.data[i].second.substr(0, 2), "v&");
  }
}

TEST(EventXml, InvalidXmlRejected) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  struct Case {
    std::string xml;
    XmlError error;
  };
  const std::vector<Case> cases = {
      {"", XmlError::kEmpty},
      {" \r\n\t", XmlError::kEmpty},
      {"<?xml version='1.0'?>", XmlError::kEmpty},
      {"<Event><System></Event>", XmlError::kMalformed},
      {"<Event><System></System>", XmlError::kTruncated},
      {"<Event", XmlError::kTruncated},
      {"<Event><EventData><Data Name='A'>a & b</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><EventData><Data Name='A'>&nbsp;</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><EventData><Data Name='A'>&#0;</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><EventData><Data Name='A'>&#xD800;</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><EventData><Data Name='A'>&#x110000;</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><EventData><Data Name='A'>&#;</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><EventData><Data Name='A'>&amp</Data></EventData></Event>", XmlError::kMalformed},
      {"<Event><System><Provider Name='a&b'/></System></Event>", XmlError::kMalformed},
      {"<Event><Other a='&bogus;'/></Event>", XmlError::kMalformed},
      {"<Event><Data Name='a<b'/></Event>", XmlError::kMalformed},
      {"<Event><Data Name=A/></Event>", XmlError::kMalformed},
      {"<Event><Data Name='A'Other='b'/></Event>", XmlError::kMalformed},
      {"<Event><Data Name/></Event>", XmlError::kMalformed},
      {"<Event></Event><Event></Event>", XmlError::kMalformed},
      {"<Event></Event>trailing", XmlError::kMalformed},
      {"text<Event></Event>", XmlError::kMalformed},
      {"<!DOCTYPE Event><Event/>", XmlError::kMalformed},
      {"<1Event/>", XmlError::kMalformed},
      {"<Event>< System/></Event>", XmlError::kMalformed},
      {"<Event></ Event>", XmlError::kMalformed},
      {"<Event><![CDATA[x]]</Event>", XmlError::kTruncated},
      {"<Event><!-- x -></Event>", XmlError::kTruncated},
      {"<Event/ >", XmlError::kMalformed},
      {"<![CDATA[x]]><Event/>", XmlError::kMalformed},
      {"<Events><Event/></Events>", XmlError::kNotAnEvent},
      {"<EventData><Data Name='A'>1</Data></EventData>", XmlError::kNotAnEvent},
  };
  for (const Case& c : cases) {
    reason.clear();
    EXPECT_FALSE(p.parse_event(c.xml, v, reason)) << c.xml;
    EXPECT_EQ(p.last_error(), c.error) << c.xml << " -> " << reason;
    EXPECT_FALSE(reason.empty()) << c.xml;
    EXPECT_TRUE(v.data.empty());
  }
  // The EventData entry point rejects the same malformed shapes.
  EXPECT_FALSE(p.parse_event_data("<DataItem><EventData><Data Name='A'>1</Data></EventData>", v, reason));
  EXPECT_EQ(p.last_error(), XmlError::kTruncated);
  EXPECT_FALSE(p.parse_event_data("<DataItem><EventData></DataItem></EventData>", v, reason));
  EXPECT_FALSE(p.parse_event_data("", v, reason));
  EXPECT_FALSE(p.parse_event_data("-", v, reason));
}

TEST(EventXml, EveryTruncationOfAValidEventFails) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  for (std::size_t n = 0; n < kSysmon3.size(); ++n) {
    EXPECT_FALSE(p.parse_event(std::string_view(kSysmon3).substr(0, n), v, reason)) << n;
  }
  ASSERT_TRUE(p.parse_event(kSysmon3, v, reason));
}

TEST(EventXml, SizeLimitIsOneMebibyte) {
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  std::string x = kSysmon3;
  x.resize(XmlEventParser::kMaxInputBytes, ' ');  // trailing blanks: exactly 1 MiB is accepted
  ASSERT_TRUE(p.parse_event(x, v, reason)) << reason;
  EXPECT_EQ(v.data.size(), 18u);
  x.push_back(' ');
  EXPECT_FALSE(p.parse_event(x, v, reason));
  EXPECT_EQ(p.last_error(), XmlError::kTooLarge);
  EXPECT_FALSE(p.parse_event_data(x, v, reason));
  EXPECT_EQ(p.last_error(), XmlError::kTooLarge);
}

TEST(EventXml, StreamOfEventsWithWrapper) {
  auto ev = [](int id, const std::string& extra) {
    return "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>" +
           std::to_string(id) + "</EventID></System><EventData><Data Name='X'>" + extra + "</Data></EventData></Event>";
  };
  const std::string stream = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Events>\n" + ev(1, "a") + "\n" +
                             ev(2, "<![CDATA[</Event> inside CDATA]]>") + "\r\n" +
                             ev(3, "c<!-- </Event> in a comment -->") + "\n</Events>\n";
  EXPECT_TRUE(looks_like_event_xml(stream));
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  std::vector<std::string> ids, xs;
  std::vector<std::uint64_t> starts;
  std::uint64_t pos = 0;
  for (;;) {
    const std::uint64_t s = next_event_start(stream, pos);
    if (s == stream.size()) break;
    ASSERT_EQ(stream.compare(s, 7, "<Event "), 0);
    const std::uint64_t e = event_end(stream, s);
    ASSERT_NE(e, 0u);
    ASSERT_EQ(stream.compare(e - 8, 8, "</Event>"), 0);
    ASSERT_TRUE(p.parse_event(std::string_view(stream).substr(s, e - s), v, reason)) << reason;
    ids.emplace_back(v.event_id);
    xs.emplace_back(v.data.at(0).second);
    starts.push_back(s);
    pos = e;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(xs, (std::vector<std::string>{"a", "</Event> inside CDATA", "c"}));
  // From inside an event the next start is the next <Event, never <EventData or <Events.
  EXPECT_EQ(next_event_start(stream, starts[0] + 1), starts[1]);
  EXPECT_EQ(next_event_start(stream, 0), starts[0]);
  EXPECT_EQ(next_event_start(stream, starts[2] + 1), stream.size());
  EXPECT_EQ(next_event_start(stream, stream.size() + 5), stream.size());
  const std::string no_events = "<Events><EventData><Data/></EventData></Events><Eventlog/>";
  EXPECT_EQ(next_event_start(no_events, 0), no_events.size());
  // Plain newline-separated events (wevtutil qe /f:xml) and a self-closing <Event/>.
  const std::string plain = ev(7, "x") + "\n<Event/>\n" + ev(8, "y") + "\n";
  std::vector<std::uint64_t> ends;
  pos = 0;
  for (std::uint64_t s; (s = next_event_start(plain, pos)) < plain.size(); pos = ends.back())
    ends.push_back(event_end(plain, s));
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(ends[1], ends[0] + 1 + 8);
  EXPECT_EQ(ends[2], plain.size() - 1);
  // event_end: not at an <Event start, or no closing tag -> 0.
  EXPECT_EQ(event_end(stream, 0), 0u);
  EXPECT_EQ(event_end("<Event><System>", 0), 0u);
  EXPECT_EQ(event_end("<Event><EventData></EventData></Event  >", 0), 40u);
  EXPECT_EQ(event_end("<EventData></EventData></Event>", 0), 0u);
  // A trailing "<Event" (cut by the end of the data) is reported as a start whose end is unknown.
  const std::string cut = "<Event></Event>\n<Event";
  EXPECT_EQ(next_event_start(cut, 1), 16u);
  EXPECT_EQ(event_end(cut, 16), 0u);
}

TEST(EventXml, SniffingEventXml) {
  EXPECT_TRUE(looks_like_event_xml(kSysmon3));
  EXPECT_TRUE(looks_like_event_xml("\xEF\xBB\xBF\r\n  <?xml version='1.0'?>\n<!-- c -->\n<Event>"));
  EXPECT_TRUE(looks_like_event_xml("<Events>\r\n<Event xmlns='x'><System/></Event></Events>"));
  EXPECT_TRUE(looks_like_event_xml("<?xml version='1.0'?><Events xmlns:x='y'>\n  <Event\n xmlns='x'>"));
  EXPECT_TRUE(looks_like_event_xml(
      "Jun  1 12:00:00 host sysmon: <Event><System><Provider Name=\"Linux-Sysmon\" Guid=\"{ff032593}\"/>\nmore"));
  EXPECT_FALSE(looks_like_event_xml(""));
  EXPECT_FALSE(looks_like_event_xml("<EventData><Data Name='A'/></EventData>"));
  EXPECT_FALSE(looks_like_event_xml("<Events><Record/></Events>"));
  EXPECT_FALSE(looks_like_event_xml("TenantId,SourceSystem,EventData\n\"<Event>\",x,y\n"));
  EXPECT_FALSE(looks_like_event_xml("{\"EventData\":\"<Event>\"}\n"));
  EXPECT_FALSE(
      looks_like_event_xml("Jun  1 12:00:00 host cron: hello\n<Event><System><Provider Name=\"Linux-Sysmon\"/>"));
  EXPECT_FALSE(looks_like_event_xml("<DataItem><EventData/></DataItem>"));
}

TEST(EventXml, SysmonForLinuxSyslogLine) {
  const std::string line =
      "Jun  1 12:00:00 host sysmon: <Event><System><Provider Name=\"Linux-Sysmon\" "
      "Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/><EventID>3</EventID><Version>5</Version><Level>4</Level>"
      "<Task>3</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>"
      "<TimeCreated SystemTime=\"2024-06-01T12:00:00.123456000Z\"/><EventRecordID>7</EventRecordID><Correlation/>"
      "<Execution ProcessID=\"938\" ThreadID=\"938\"/><Channel>Linux-Sysmon/Operational</Channel>"
      "<Computer>host</Computer><Security UserId=\"0\"/></System><EventData><Data Name=\"RuleName\">-</Data>"
      "<Data Name=\"DestinationIp\">203.0.113.9</Data><Data Name=\"DestinationPort\">443</Data></EventData></Event>\n";
  ASSERT_TRUE(looks_like_event_xml(line));
  const std::uint64_t s = next_event_start(line, 0);
  ASSERT_EQ(s, line.find("<Event>"));
  const std::uint64_t e = event_end(line, s);
  ASSERT_EQ(e, line.size() - 1);
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  ASSERT_TRUE(p.parse_event(std::string_view(line).substr(s, e - s), v, reason)) << reason;
  EXPECT_EQ(v.provider, "Linux-Sysmon");
  EXPECT_EQ(v.channel, "Linux-Sysmon/Operational");
  EXPECT_EQ(v.user_id, "0");  // Sysmon for Linux writes UserId
  EXPECT_EQ(v.system_time, "2024-06-01T12:00:00.123456000Z");
  EXPECT_EQ(value_of(v, "DestinationIp"), "203.0.113.9");
  // The whole line is not one <Event> element.
  EXPECT_FALSE(p.parse_event(line, v, reason));
}

TEST(EventXmlReal, SigmaSysmonForLinuxSample) {
  const std::string line =
      read_file(std::string(RARECONN_TEST_DATA) + "/real/xml/6c1f4d8a-2e5b-4c9f-a7d3-0b5e8f1c4a6d.xml");
  ASSERT_EQ(line.size(), 1346u);
  ASSERT_TRUE(looks_like_event_xml(line));
  const std::uint64_t s = next_event_start(line, 0);
  const std::uint64_t e = event_end(line, s);
  ASSERT_LT(s, line.size());
  ASSERT_EQ(e, line.size());
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  ASSERT_TRUE(p.parse_event(std::string_view(line).substr(s, e - s), v, reason)) << reason;
  EXPECT_EQ(v.provider, "Linux-Sysmon");
  EXPECT_EQ(v.event_id, "3");
  EXPECT_EQ(v.version, "5");
  EXPECT_EQ(v.level, "4");
  EXPECT_EQ(v.computer, "swachchhanda-ubuntu-wkstn");
  EXPECT_EQ(v.channel, "Linux-Sysmon/Operational");
  EXPECT_EQ(v.system_time, "2026-06-08T05:28:19.189838000Z");
  EXPECT_EQ(v.user_id, "0");
  ASSERT_EQ(v.data.size(), 18u);
  for (std::size_t i = 0; i < 18; ++i) EXPECT_EQ(v.data[i].first, kSysmon3Names[i]);
  EXPECT_EQ(value_of(v, "UtcTime"), "2026-06-08 05:28:18.838");
  EXPECT_EQ(value_of(v, "Image"), "/home/ubuntu/.nvm/versions/node/v24.11.1/bin/node");
  EXPECT_EQ(value_of(v, "Initiated"), "true");
  EXPECT_EQ(value_of(v, "DestinationIp"), "169.254.169.254");
  EXPECT_EQ(value_of(v, "DestinationPort"), "80");
  EXPECT_EQ(next_event_start(line, s + 1), line.size());
}

TEST(EventXmlReal, SentinelEventTableExport) {
  const std::string csv = read_file(std::string(RARECONN_TEST_DATA) +
                                    "/real/sentinel/Microsoft_Sysmon_NetworkSession_IngestedLogs.first12rows.csv");
  ASSERT_EQ(csv.size(), 31834u);
  const CsvHeader h = parse_csv_header(csv);
  ASSERT_EQ(h.error, ParseError::kNone);
  ASSERT_EQ(h.columns.size(), 21u);
  ASSERT_EQ(h.columns[12], "EventData");
  Projection proj;
  proj.fields.push_back({{"EventData"}});
  CsvRecordParser csvp(h, proj);
  std::vector<std::string> event_data;
  csvp.parse(
      csv, h.data_offset, csv.size(), [&](const RecordView& rv) { event_data.emplace_back(rv.values[0]); },
      [&](std::uint64_t off, ParseError e) { ADD_FAILURE() << "CSV error at " << off << ": " << describe(e); });
  ASSERT_EQ(event_data.size(), 12u);

  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  std::set<std::string> destinations;
  int initiated = 0;
  for (std::size_t row = 0; row < event_data.size(); ++row) {
    ASSERT_TRUE(p.parse_event_data(event_data[row], v, reason)) << "row " << row + 1 << ": " << reason;
    EXPECT_TRUE(v.has_dataitem);
    EXPECT_TRUE(v.has_event_data);
    EXPECT_EQ(v.dataitem_time.substr(0, 8), "2023-11-");
    ASSERT_EQ(v.data.size(), 18u) << "row " << row + 1;
    for (std::size_t i = 0; i < 18; ++i) EXPECT_EQ(v.data[i].first, kSysmon3Names[i]) << "row " << row + 1;
    destinations.insert(value_of(v, "DestinationIp"));
    initiated += value_of(v, "Initiated") == "true";
    EXPECT_EQ(v.provider, "");  // System fields do not exist in an EventData string
    if (row == 0) {
      EXPECT_EQ(v.dataitem_time, "2023-11-17T11:32:04.8191328+05:30");
      EXPECT_EQ(value_of(v, "RuleName"), "technique_id=T1021,technique_name=Remote Services");
      EXPECT_EQ(value_of(v, "UtcTime"), "2023-11-17 06:02:03.735");
      EXPECT_EQ(value_of(v, "ProcessGuid"), "{8CAD0A01-015C-6557-1700-000000000E00}");
      EXPECT_EQ(value_of(v, "Image"), "C:\\Windows\\System32\\svchost.exe");
      EXPECT_EQ(value_of(v, "User"), "NT AUTHORITY\\NETWORK SERVICE");
      EXPECT_EQ(value_of(v, "DestinationPort"), "5985");
    }
    if (row == 11) {
      EXPECT_EQ(v.dataitem_time, "2023-11-24T13:31:30.1151127+05:30");
    }
  }
  EXPECT_EQ(destinations,
            (std::set<std::string>{"0:0:0:0:0:0:0:1", "20.83.130.102", "fe80:0:0:0:d024:56ce:c156:9dae"}));
  EXPECT_EQ(initiated, 8);  // shared/data/real/SOURCES.md: 8 outbound of 12
}

TEST(EventXmlFuzz, RandomMutationsNeverCrash) {
  std::mt19937_64 rng(0x5eed27d4412bULL);
  const std::string base = "<?xml version='1.0'?>\n<Events>" + kSysmon3 +
                           "<Event><System><EventID>1</EventID></System><EventData><Data Name='A'>x&amp;y"
                           "<![CDATA[z]]><!--c--></Data></EventData><RenderingInfo><Message>m&#13;\n</Message>"
                           "</RenderingInfo></Event></Events>";
  const std::string event_data =
      "<DataItem type=\"System.XmlData\" time=\"t\"><EventData xmlns=\"x\">"
      "<Data Name=\"A\">1&lt;</Data><Data Name='B'/></EventData></DataItem>";
  const char specials[] = "<>/&;\"'=![]-?x #\n";
  XmlEventParser p;
  XmlEventView v;
  std::string reason;
  std::size_t accepted = 0;
  auto touch = [&](const XmlEventView& view) {
    std::size_t sum = 0;
    auto add = [&](std::string_view s) {
      for (char c : s) sum += static_cast<unsigned char>(c);
    };
    for (std::string_view s : {view.provider, view.event_id, view.version, view.level, view.computer, view.channel,
                               view.system_time, view.user_id, view.rendered_message, view.dataitem_time})
      add(s);
    for (const auto& [k, val] : view.data) {
      add(k);
      add(val);
    }
    return sum;
  };
  std::size_t checksum = 0;
  for (int iter = 0; iter < RARECONN_XML_FUZZ_ITERATIONS; ++iter) {
    std::string m = (iter % 3 == 0) ? event_data : base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !m.empty(); ++k) {
      const std::size_t at = rng() % m.size();
      switch (rng() % 5) {
        case 0: m.resize(at); break;                                               // truncation
        case 1: m[at] = static_cast<char>(rng() & 0xFF); break;                    // byte flip
        case 2: m[at] = specials[rng() % (sizeof(specials) - 1)]; break;           // XML-significant byte
        case 3: m.erase(at, 1 + rng() % 16); break;                                // deletion
        default: m.insert(at, m.substr(rng() % m.size(), 1 + rng() % 24)); break;  // duplication
      }
    }
    // Exact-size heap copy so that ASan catches any read past the end.
    std::unique_ptr<char[]> buf(new char[m.size() + 1]);
    std::memcpy(buf.get(), m.data(), m.size());
    const std::string_view in(buf.get(), m.size());
    if (p.parse_event(in, v, reason)) {
      ++accepted;
      checksum += touch(v);
    }
    if (p.parse_event_data(in, v, reason)) {
      ++accepted;
      checksum += touch(v);
    }
    (void)looks_like_event_xml(in);
    std::uint64_t pos = 0;
    for (int guard = 0; guard < 100; ++guard) {
      const std::uint64_t s = next_event_start(in, pos);
      if (s >= in.size()) break;
      const std::uint64_t e = event_end(in, s);
      ASSERT_TRUE(e == 0 || (e > s && e <= in.size()));
      if (e == 0) {
        pos = s + 1;
        continue;
      }
      if (p.parse_event(in.substr(s, e - s), v, reason)) {
        ++accepted;
        checksum += touch(v);
      }
      pos = e;
    }
  }
  EXPECT_GT(accepted, RARECONN_XML_FUZZ_ITERATIONS / 20);  // many mutations stay valid (e.g. flips inside values)
  EXPECT_GT(checksum, 0u);
}

TEST(EventXmlStream, CutOffEventEndsAtTheNextEventAndMentionsAreSkipped) {
  const std::string a = "<Event><System><EventID>3</EventID></System></Event>";
  const std::string cut = "<Event><System><EventID>3</EventID></System>";  // no </Event>
  const std::string s = a + "\n" + cut + "\n<!-- next: <Event> from host B -->\n" + a + "\n<![CDATA[<Event>]]>" + a;
  // The cut-off event has no end: another <Event start tag comes before any </Event>.
  const std::uint64_t second = next_event_start(s, a.size());
  EXPECT_EQ(second, a.size() + 1);
  EXPECT_EQ(event_end(s, second), 0u);
  // Walking on after it skips the comment that mentions <Event> and lands on the third event.
  const std::uint64_t third = next_event_start(s, second + 1);
  EXPECT_EQ(s.compare(third, a.size(), a), 0);
  EXPECT_GT(third, s.find("-->"));
  const std::uint64_t fourth = next_event_start(s, event_end(s, third));
  EXPECT_GT(fourth, s.find("]]>"));
  EXPECT_EQ(event_end(s, fourth), s.size());
}
