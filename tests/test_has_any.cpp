// Unit tests for core/has_any: Kusto `has` / `has_any` (kql-semantics §1.1, §1.3, §1.4).
// Must not time anything (speed is measured by the benchmark) and must not touch files.
#include "core/has_any.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace rareconn::core {
namespace {

// Every row of the §1.4 table; haystack is the JSON text of set_RemoteUrl.
struct Row {
  const char* haystack;
  const char* needle;
  bool expected;
};
constexpr Row kTable[] = {
    {R"(["www.microsoft.com"])", ".microsoft.com", true},
    {R"(["microsoft.com"])", ".microsoft.com", false},
    {R"(["a.microsoft.community"])", ".microsoft.com", false},
    {R"(["a.microsoft.com.evil.net"])", ".microsoft.com", true},
    {R"(["x-microsoft.com"])", ".microsoft.com", false},
    {R"(["WWW.MICROSOFT.COM"])", ".microsoft.com", true},
    {R"(["https://go.microsoft.com/fwlink"])", ".microsoft.com", true},
    {R"(["a.microsoft.com_x"])", ".microsoft.com", true},
    {R"(["a.microsoft.com1"])", ".microsoft.com", false},
    {R"(["login.live.com"])", "login.live.com", true},
    {R"(["xlogin.live.com"])", "login.live.com", false},
    {R"(["a.login.live.com"])", "login.live.com", true},
    {R"(["windowsupdate.com"])", ".windowsupdate.com", false},
    {R"(["au.download.windowsupdate.com"])", ".windowsupdate.com", true},
    {R"(["login.microsoftonline.com.au"])", "login.microsoftonline.com", true},
};

TEST(Has, Section14Table) {
  for (const Row& r : kTable) {
    EXPECT_EQ(has(r.haystack, r.needle), r.expected) << r.haystack << " has " << r.needle;
    EXPECT_EQ(HasAnyMatcher({r.needle})(r.haystack), r.expected) << r.haystack << " has_any " << r.needle;
  }
  // `[]` or `[""]` with any needle: false.
  const HasAnyMatcher all(default_allow_needles());
  for (const char* h : {"[]", R"([""])"}) {
    EXPECT_FALSE(all(h)) << h;
    for (const std::string& n : default_allow_needles()) EXPECT_FALSE(has(h, n)) << h << " has " << n;
    EXPECT_FALSE(has(h, "a"));
  }
}

TEST(Has, RulesH1toH4) {
  EXPECT_TRUE(has("North America", "america"));                  // H3
  EXPECT_FALSE(has("KustoExplorerQueryRun", "Explorer"));         // H3: whole term only
  EXPECT_TRUE(has("Hello_World", "hello"));                      // H1: '_' separates
  EXPECT_TRUE(has("Hello_World", "WORLD"));
  EXPECT_FALSE(has("Hello_World", "lo_Wo"));                     // alnum edges inside terms
  EXPECT_TRUE(has("Hello_World", "hello_world"));
  EXPECT_TRUE(has("Hello_World", "_"));                          // non-alnum needle: plain substring
  EXPECT_FALSE(has("HelloWorld", "hello"));
  // H4: a separator edge of the needle imposes no constraint on the neighbour.
  const std::string rid =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/test.rg000001?api-version=2021-01-01";
  EXPECT_TRUE(has(rid, "/resourcegroups/test.rg000001?"));
  EXPECT_TRUE(has("x0/resourcegroups/test.rg000001?api", "/resourcegroups/test.rg000001?"));
  EXPECT_FALSE(has("x0/resourcegroups/test.rg0000012?api", "/resourcegroups/test.rg000001?"));
  EXPECT_TRUE(has("a/providers/b", "/providers/"));
  // Separators must match character for character.
  EXPECT_FALSE(has("test-rg", "test.rg"));
  EXPECT_TRUE(has("TEST.RG", "test.rg"));
  // Whole haystack edges count as boundaries.
  EXPECT_TRUE(has("america", "America"));
  EXPECT_TRUE(has("a", "A"));
  EXPECT_FALSE(has("a", "ab"));
  EXPECT_FALSE(has("", "a"));
}

TEST(Has, EmptyNeedleNeverMatches) {
  EXPECT_FALSE(has("anything", ""));
  EXPECT_FALSE(has("", ""));
  EXPECT_FALSE(HasAnyMatcher({""})("anything"));
  EXPECT_FALSE(HasAnyMatcher({"", ""})(""));
  EXPECT_TRUE(HasAnyMatcher({"", "thing"})("any thing"));
}

TEST(Has, NonAsciiNotFolded) {
  // U+00C9 'É' (C3 89) vs U+00E9 'é' (C3 A9): bytes are compared exactly.
  EXPECT_FALSE(has("caf\xC3\x89", "caf\xC3\xA9"));
  EXPECT_TRUE(has("CAF\xC3\xA9", "caf\xC3\xA9"));
  // Non-ASCII bytes are not alphanumeric (U-1): they are term separators.
  EXPECT_TRUE(has("\xC3\xA9microsoft\xC3\xA9", "microsoft"));
  EXPECT_TRUE(HasAnyMatcher({"microsoft"})("\xC3\xA9MICROSOFT\xC3\xA9"));
  // No folding above 0x7F by +32 arithmetic: 0xC0 must not equal 0xE0.
  EXPECT_FALSE(has("\xC0", "\xE0"));
  EXPECT_FALSE(HasAnyMatcher({"\xE0"})("\xC0"));
}

TEST(Has, EveryOccurrenceChecked) {
  const std::string h = R"(["a.microsoft.community.microsoft.com"])";
  EXPECT_TRUE(has(h, ".microsoft.com"));
  EXPECT_TRUE(HasAnyMatcher({".microsoft.com"})(h));
  EXPECT_TRUE(has("a.microsoft.community.microsoft.com", ".microsoft.com"));
  EXPECT_FALSE(has("a.microsoft.community.microsoft.comx", ".microsoft.com"));
  // The first occurrence fails (inside the term "abab"), a later one succeeds.
  EXPECT_TRUE(has("abab ab", "ab"));
  EXPECT_TRUE(HasAnyMatcher({"ab"})("abab ab"));
  EXPECT_TRUE(has("..x", ".x"));  // overlapping separator prefix
  EXPECT_TRUE(HasAnyMatcher({".x"})("..x"));
}

TEST(HasAny, DefaultNeedles) {
  const std::vector<std::string> n = default_allow_needles();
  ASSERT_EQ(n.size(), 10u);
  EXPECT_EQ(n.front(), ".microsoft.com");
  EXPECT_EQ(n[1], ".windowsupdate.com");
  EXPECT_EQ(n[2], "login.microsoftonline.com");
  EXPECT_EQ(n[3], "login.live.com");
  EXPECT_EQ(n[4], "autodiscover-s.outlook.com");
  EXPECT_EQ(n[5], "ocsp.digicert.com");
  EXPECT_EQ(n[6], "ocsp.verisign.com");
  EXPECT_EQ(n[7], "login.windows.net");
  EXPECT_EQ(n[8], "outlook.office365.com");
  EXPECT_EQ(n.back(), "accounts.accesscontrol.windows.net");

  const HasAnyMatcher m(n);
  EXPECT_EQ(m.needles(), n);
  for (const Row& r : kTable) {
    // With all ten needles, each table haystack matches iff some needle has it.
    bool any = false;
    for (const std::string& x : n) any = any || has(r.haystack, x);
    EXPECT_EQ(m(r.haystack), any) << r.haystack;
  }
  EXPECT_TRUE(m(R"(["evil.example","ocsp.digicert.com"])"));
  EXPECT_TRUE(m(R"(["EU.Login.Windows.NET"])"));
  EXPECT_TRUE(m(R"(["x.accounts.accesscontrol.windows.net"])"));
  EXPECT_TRUE(m(R"(["autodiscover-s.outlook.com"])"));
  EXPECT_TRUE(m(R"(["outlook.office365.com.","x"])"));
  EXPECT_FALSE(m(R"(["evil.example","digicert.com"])"));
  EXPECT_FALSE(m(R"(["myoutlook.office365.com"])"));
  EXPECT_FALSE(m(R"(["autodiscover.outlook.com"])"));
  EXPECT_FALSE(m(R"(["login.windows.network"])"));
  EXPECT_FALSE(m(R"(["","10.0.0.1"])"));
  EXPECT_FALSE(m(""));
  // An escaped control char turns the previous char into the letter 'n' (§1.2): JSON text decides.
  EXPECT_FALSE(m(R"(["a\nlogin.live.com"])"));
  EXPECT_TRUE(m(R"(["a\\login.live.com"])"));
  // Long haystack (beyond the matcher's stack buffer).
  std::string big = "[";
  for (int i = 0; i < 500; ++i) big += R"("host)" + std::to_string(i) + R"(.example.org",)";
  std::string big_hit = big + R"("cdn.windowsupdate.com"])";
  big += R"("last"])";
  EXPECT_FALSE(m(big));
  EXPECT_TRUE(m(big_hit));
}

// Naive transcription of the §1.3 pseudo-code, independent of the implementation under test.
bool naive_has(const std::string& h, const std::string& n) {
  auto alnum = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto fold = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  if (n.empty() || n.size() > h.size()) return false;
  for (std::size_t i = 0; i + n.size() <= h.size(); ++i) {
    bool eq = true;
    for (std::size_t k = 0; k < n.size(); ++k) eq = eq && fold(h[i + k]) == fold(n[k]);
    if (!eq) continue;
    if (alnum(n.front()) && i != 0 && alnum(h[i - 1])) continue;
    if (alnum(n.back()) && i + n.size() != h.size() && alnum(h[i + n.size()])) continue;
    return true;
  }
  return false;
}

TEST(Has, BruteForceAgainstNaive) {
  std::mt19937 rng(4242);
  const std::string alphabet = "aA.-_\"1m";
  auto random_string = [&](std::size_t max_len) {
    std::string s(rng() % (max_len + 1), ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  int trues = 0;
  for (int i = 0; i < 30000; ++i) {
    const std::string h = random_string(14);
    std::vector<std::string> needles;
    const int count = 1 + static_cast<int>(rng() % 3);
    bool expected_any = false;
    for (int j = 0; j < count; ++j) {
      needles.push_back(random_string(4));
      const bool expected = naive_has(h, needles.back());
      ASSERT_EQ(has(h, needles.back()), expected) << '[' << h << "] has [" << needles.back() << ']';
      expected_any = expected_any || expected;
    }
    ASSERT_EQ(HasAnyMatcher(needles)(h), expected_any) << '[' << h << ']';
    trues += expected_any;
  }
  EXPECT_GT(trues, 3000);  // the alphabet gives a healthy mix of true and false cases
  EXPECT_LT(trues, 27000);
}

}  // namespace
}  // namespace rareconn::core
