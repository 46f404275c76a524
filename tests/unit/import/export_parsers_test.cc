// The readers of other tools' exports, on the sample files of tests/data/import (each row's
// fate is listed in its README) and on damaged input.
#include "import/export_parsers.h"

#include <gtest/gtest.h>

#include "import/csv_table.h"
#include "sample_files.h"

namespace ct::import {
namespace {

const SourceLink* FindSlug(const ParsedExport& p, const std::string& slug) {
  for (const auto& l : p.links) {
    if (l.slug == slug) return &l;
  }
  return nullptr;
}

TEST(CsvTable, ShortUrlsGiveTheirCode) {
  EXPECT_EQ(SlugFromShortUrl("https://bit.ly/3xAbc"), "3xAbc");
  EXPECT_EQ(SlugFromShortUrl("bit.ly/3xAbc"), "3xAbc");
  EXPECT_EQ(SlugFromShortUrl(" http://sho.rt/abc/?utm=1#x "), "abc");
  EXPECT_EQ(SlugFromShortUrl("/keyword/"), "keyword");
  EXPECT_EQ(SlugFromShortUrl("plain"), "plain");
  EXPECT_EQ(SlugFromShortUrl("https://s.test/multi/segment"), "multi/segment");
  EXPECT_EQ(SlugFromShortUrl("https://bit.ly"), "");
}

TEST(CsvTable, CountsAndHeaders) {
  EXPECT_EQ(NormalizeHeader(" Long URL "), "longurl");
  EXPECT_EQ(NormalizeHeader("long_url"), "longurl");
  EXPECT_EQ(NormalizeHeader("visits-Count"), "visitscount");
  EXPECT_EQ(*ParseCount(" 1520 "), 1520);
  EXPECT_FALSE(ParseCount("").value().has_value());
  EXPECT_FALSE(ParseCount("-3").ok());
  EXPECT_FALSE(ParseCount("1e3").ok());
  EXPECT_FALSE(ParseCount("9999999999999999999").ok());
  EXPECT_EQ(SplitTags(" a | b,,c |", "|,"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(BitlyCsv, ReadsTheSampleRowByRow) {
  const std::string text = ReadSample("bitly_links.csv");
  auto p = ParseBitlyCsv(text);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->links.size(), 11u);
  EXPECT_EQ(p->position, "line");
  const SourceLink& spring = p->links[0];
  EXPECT_EQ(spring.line, 2u);
  EXPECT_EQ(spring.slug, "3xSpring");
  EXPECT_EQ(spring.title, "Spring sale, 20% off");
  EXPECT_EQ(spring.tags, (std::vector<std::string>{"spring", "sale"}));
  EXPECT_EQ(spring.clicks, 1520);
  EXPECT_EQ(FindSlug(*p, "cafeMenu")->title, "Café menu – été 🍰");
  EXPECT_EQ(FindSlug(*p, "noTitle")->title, "");
  EXPECT_EQ(FindSlug(*p, "noTitle")->clicks, 0);
  EXPECT_EQ(FindSlug(*p, "evil1")->destination, "javascript:alert(1)");
  const SourceLink* multi = FindSlug(*p, "multiLine");
  EXPECT_EQ(multi->title, "Multi\nline title");
  EXPECT_EQ(multi->line, 10u);
  const SourceLink* bad = FindSlug(*p, "badCount");
  EXPECT_EQ(bad->line, 12u);  // after the row that spans two lines
  EXPECT_NE(bad->unreadable.find("not a number"), std::string::npos);
  const SourceLink* quoted = FindSlug(*p, "quoted");
  EXPECT_EQ(quoted->title, "He said \"hi\", twice");
  EXPECT_EQ(quoted->line, 13u);
}

TEST(BitlyCsv, ApiFieldNamesAndMissingColumns) {
  auto p = ParseBitlyCsv("link,long_url,title\nhttps://bit.ly/a1,https://example.com/,T\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->links[0].slug, "a1");
  EXPECT_FALSE(p->links[0].clicks.has_value());  // no clicks column: no total

  auto no_dest = ParseBitlyCsv("Bitlink,Title\nbit.ly/a,T\n");
  ASSERT_FALSE(no_dest.ok());
  EXPECT_NE(no_dest.status().message().find("line 1: no destination column"), std::string::npos);
  EXPECT_FALSE(ParseBitlyCsv("").ok());

  // A CSV syntax error names its line, past a quoted line break.
  auto broken = ParseBitlyCsv(
      "Bitlink,Long URL,Title\nbit.ly/a,https://a.example/,\"two\nlines\"\n"
      "bit.ly/b,https://b.example/,bad \"quote\n");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("line 4"), std::string::npos)
      << broken.status().message();

  // A ragged row is skipped with a reason; the file goes on.
  auto ragged = ParseBitlyCsv(
      "Bitlink,Long URL\nbit.ly/a,https://a.example/,extra\n"
      "bit.ly/b,https://b.example/\n");
  ASSERT_TRUE(ragged.ok());
  ASSERT_EQ(ragged->links.size(), 2u);
  EXPECT_FALSE(ragged->links[0].unreadable.empty());
  EXPECT_TRUE(ragged->links[1].unreadable.empty());
}

TEST(YourlsSql, ReadsTheDumpsUrlTableOnly) {
  const std::string text = ReadSample("yourls_backup.sql");
  auto p = ParseYourlsExport(text);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->links.size(), 8u);  // yourls_log and yourls_options rows are not links
  const SourceLink* gh = FindSlug(*p, "gh");
  ASSERT_NE(gh, nullptr);
  EXPECT_EQ(gh->destination, "https://github.com/YOURLS/YOURLS");
  EXPECT_EQ(gh->title, "YOURLS: Your Own URL Shortener");
  EXPECT_EQ(gh->clicks, 311);
  const SourceLink* its = FindSlug(*p, "it's");
  ASSERT_NE(its, nullptr);
  EXPECT_EQ(its->title, "It's a \"quoted\" title, with commas");
  EXPECT_EQ(FindSlug(*p, "menu")->title, "Crème brûlée — menu; déjà vu");
  EXPECT_EQ(FindSlug(*p, "notitle")->title, "");  // NULL
  EXPECT_EQ(FindSlug(*p, "UPPER")->title, "Line one\nline two\ttabbed");
  EXPECT_EQ(FindSlug(*p, "x1")->line, LineOf(text, "('x1'"));
  EXPECT_EQ(FindSlug(*p, "a/b")->line, LineOf(text, "('a/b'"));
}

TEST(YourlsSql, ColumnListsEscapesAndLiterals) {
  auto p = ParseYourlsSql(
      "# a comment\n"
      "INSERT IGNORE INTO `yourls`.`yourls_url` (`clicks`, `url`, `keyword`, `title`) VALUES\n"
      "(7, 'https://example.com/a\\\\b', 'k1', _utf8mb4'T\\0\\Z\\%'),\n"
      "(0x10, \"https://example.com/\"\"q\"\"\", 'k2', NULL)");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->links.size(), 2u);
  EXPECT_EQ(p->links[0].slug, "k1");
  EXPECT_EQ(p->links[0].destination, "https://example.com/a\\b");
  EXPECT_EQ(p->links[0].title, std::string("T\0\x1A\\%", 5));
  EXPECT_EQ(p->links[0].clicks, 7);
  EXPECT_EQ(p->links[1].destination, "https://example.com/\"q\"");
  EXPECT_EQ(p->links[1].line, 4u);
  // 0x10 is a byte, not a count: that row is unreadable, the file is not.
  EXPECT_FALSE(p->links[1].unreadable.empty());
}

TEST(YourlsSql, RefusesDamagedDumpsNamingTheLine) {
  auto cut = ParseYourlsSql("INSERT INTO yourls_url VALUES\n('a','https://x.example/','t',\n'2023");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("line 3: unterminated"), std::string::npos)
      << cut.status().message();
  auto junk = ParseYourlsSql("INSERT INTO yourls_url VALUES ('a', 'b', oops);");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("'oops'"), std::string::npos);
  auto widths = ParseYourlsSql("INSERT INTO yourls_url VALUES ('a','b','c','d','e',1),('a','b');");
  ASSERT_FALSE(widths.ok());
  auto tail = ParseYourlsSql("INSERT INTO yourls_url VALUES ('a','b','c','d','e',1) garbage;");
  ASSERT_FALSE(tail.ok());
  auto none = ParseYourlsSql("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no INSERT INTO a YOURLS links table"), std::string::npos);
  auto comment = ParseYourlsSql("/* never closed\nINSERT INTO yourls_url VALUES (1);");
  ASSERT_FALSE(comment.ok());
  EXPECT_NE(comment.status().message().find("line 1"), std::string::npos);
}

TEST(YourlsCsv, ReadsThePluginsExport) {
  auto p = ParseYourlsExport(ReadSample("yourls_plugin_export.csv"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->links.size(), 3u);
  EXPECT_EQ(p->links[0].slug, "gh");
  EXPECT_EQ(p->links[0].clicks, 311);
  EXPECT_EQ(p->links[1].destination, "https://example.com/a,b");
  EXPECT_EQ(p->links[2].slug, "bad slug");
}

TEST(ShlinkCsv, ReadsTheWebClientsExport) {
  auto p = ParseShlinkCsv(ReadSample("shlink_short_urls.csv"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->links.size(), 7u);
  EXPECT_EQ(p->links[0].slug, "docs");
  EXPECT_EQ(p->links[0].title, "Documentation — Shlink");
  EXPECT_EQ(p->links[0].tags, (std::vector<std::string>{"docs", "reference"}));
  EXPECT_EQ(p->links[0].clicks, 120);
  EXPECT_EQ(p->links[1].slug, "multi/segment");
  EXPECT_EQ(p->links[2].title, "Emoji 🎉, with a comma");
  EXPECT_EQ(p->links[3].tags, (std::vector<std::string>{"bad,tag", "ok"}));
  EXPECT_FALSE(p->links[6].clicks.has_value());
  // Without shortCode the code comes from shortUrl's path.
  auto by_url = ParseShlinkCsv("shortUrl,longUrl\nhttps://s.test/abc,https://example.com/\n");
  ASSERT_TRUE(by_url.ok());
  EXPECT_EQ(by_url->links[0].slug, "abc");
}

TEST(KuttJson, ReadsTheApisLinkList) {
  auto p = ParseKuttJson(ReadSample("kutt_links.json"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->position, "item");
  ASSERT_EQ(p->links.size(), 7u);
  EXPECT_EQ(p->links[0].slug, "kutt1");
  EXPECT_EQ(p->links[0].title, "Kutt, a modern \"URL\" shortener");
  EXPECT_EQ(p->links[0].clicks, 27);
  EXPECT_EQ(p->links[1].slug, "ümlaut");
  EXPECT_EQ(p->links[2].title, "");              // description null
  EXPECT_FALSE(p->links[4].unreadable.empty());  // visit_count -3
  EXPECT_FALSE(p->links[5].unreadable.empty());  // a string, not an object
  EXPECT_EQ(p->links[5].line, 6u);
  EXPECT_EQ(p->links[6].title, "日本語のタイトル");

  auto bare = ParseKuttJson(R"([{"address":"a","target":"https://example.com/"}])");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->links[0].slug, "a");
  auto broken = ParseKuttJson("{\n  \"data\": [\n    {,}\n  ]\n}");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("line 3"), std::string::npos)
      << broken.status().message();
  EXPECT_FALSE(ParseKuttJson(R"({"links": []})").ok());
}

TEST(Formats, NamesRoundTrip) {
  for (auto f :
       {ExportFormat::kBitly, ExportFormat::kYourls, ExportFormat::kShlink, ExportFormat::kKutt}) {
    EXPECT_EQ(ParseFormatName(FormatName(f)), f);
  }
  EXPECT_FALSE(ParseFormatName("csv").has_value());
}

}  // namespace
}  // namespace ct::import
