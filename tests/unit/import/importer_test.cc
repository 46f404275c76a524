// The importer against a real SQLite store: what each sample row becomes, a second run that
// creates nothing, slugs held by others, dry runs, custom domains, and a write that fails
// part-way (nothing of the file is left behind).
#include "import/importer.h"

#include <sqlite3.h>

#include "api/link_fields.h"
#include "import/import_summary.h"
#include "sample_files.h"
#include "unit/store/store_fixture.h"

namespace ct::import {
namespace {

using testing_store::StoreTest;

class ImporterTest : public StoreTest {
 protected:
  ImportOutcome Import(ExportFormat format, const std::string& file, int64_t account,
                       bool dry_run = false, const std::string& domain = "") {
    auto parsed = ParseExport(format, ReadSample(file));
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    ImportOptions o;
    o.account_id = account;
    o.format = format;
    o.domain = domain;
    o.dry_run = dry_run;
    o.blocked_hosts = {"blocked.example.net"};
    return RunImport(store_.get(), o, *parsed, nullptr);
  }

  std::vector<LinkRow> Links(int64_t account, std::optional<std::string> domain = std::nullopt) {
    LinkFilter f;
    f.domain = domain;
    auto page = store_->ListLinks(account, f, 0, 1000);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->links : std::vector<LinkRow>{};
  }

  static std::vector<size_t> Skipped(const ImportSummary& s, std::string_view reason) {
    auto it = s.skipped.find(reason);
    return it == s.skipped.end() ? std::vector<size_t>{} : it->second;
  }
};

TEST_F(ImporterTest, BitlySampleThenASecondRunCreatesNothing) {
  const int64_t a = Account("acme");
  ImportOutcome first = Import(ExportFormat::kBitly, "bitly_links.csv", a);
  ASSERT_TRUE(first.status.ok()) << first.status.ToString();
  const ImportSummary& s = first.summary;
  EXPECT_EQ(s.rows, 11u);
  EXPECT_EQ(s.created, 6u);
  EXPECT_EQ(s.existed, 0u);
  EXPECT_EQ(Skipped(s, kInvalidDestination), (std::vector<size_t>{6}));
  EXPECT_EQ(Skipped(s, kDuplicateInFile), (std::vector<size_t>{7}));
  EXPECT_EQ(Skipped(s, kInvalidSlug), (std::vector<size_t>{8}));
  EXPECT_EQ(Skipped(s, kBlockedDestination), (std::vector<size_t>{9}));
  EXPECT_EQ(Skipped(s, kUnreadableRow), (std::vector<size_t>{12}));
  EXPECT_EQ(s.Skipped(), 5u);

  std::vector<LinkRow> links = Links(a);
  ASSERT_EQ(links.size(), 6u);
  const LinkRow& spring = links[0];
  EXPECT_EQ(spring.slug, "3xSpring");
  EXPECT_EQ(spring.title, "Spring sale, 20% off");
  EXPECT_EQ(spring.tags, (std::vector<std::string>{"sale", "spring"}));
  EXPECT_EQ(spring.imported_from, "bitly");
  EXPECT_EQ(spring.imported_clicks, 1520);
  auto multi = std::find_if(links.begin(), links.end(),
                            [](const LinkRow& l) { return l.slug == "multiLine"; });
  ASSERT_NE(multi, links.end());
  EXPECT_EQ(multi->title, "Multi line title");  // the line break became a space

  // The same file again: everything it created is found, nothing new.
  ImportOutcome second = Import(ExportFormat::kBitly, "bitly_links.csv", a);
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(second.summary.created, 0u);
  EXPECT_EQ(second.summary.existed, 6u);
  EXPECT_EQ(second.summary.Skipped(), 5u);
  EXPECT_EQ(Links(a).size(), 6u);
  // Imported totals never enter the tracked counts.
  StatsQuery q{.account_id = a, .link_id = spring.id, .from_us = 0, .to_us = INT64_MAX / 2};
  auto stats = store_->GetLinkStats(q);
  ASSERT_TRUE(stats.ok() && stats->has_value());
  EXPECT_EQ((*stats)->total, 0);
  EXPECT_TRUE((*stats)->series.empty());
}

TEST_F(ImporterTest, EveryFormatsSample) {
  const int64_t a = Account("acme");
  ImportOutcome y = Import(ExportFormat::kYourls, "yourls_backup.sql", a);
  ASSERT_TRUE(y.status.ok()) << y.status.ToString();
  EXPECT_EQ(y.summary.created, 4u);
  EXPECT_EQ(Skipped(y.summary, kInvalidSlug).size(), 2u);
  EXPECT_EQ(Skipped(y.summary, kInvalidDestination).size(), 2u);
  // The plugin's CSV holds `gh` too, with the same destination: found, not duplicated.
  ImportOutcome yc = Import(ExportFormat::kYourls, "yourls_plugin_export.csv", a);
  ASSERT_TRUE(yc.status.ok());
  EXPECT_EQ(yc.summary.created, 1u);
  EXPECT_EQ(yc.summary.existed, 1u);
  EXPECT_EQ(Skipped(yc.summary, kInvalidSlug), (std::vector<size_t>{4}));

  ImportOutcome sh = Import(ExportFormat::kShlink, "shlink_short_urls.csv", a);
  ASSERT_TRUE(sh.status.ok());
  EXPECT_EQ(sh.summary.created, 3u);
  EXPECT_EQ(Skipped(sh.summary, kInvalidSlug), (std::vector<size_t>{3}));
  EXPECT_EQ(Skipped(sh.summary, kInvalidTag), (std::vector<size_t>{5}));
  EXPECT_EQ(Skipped(sh.summary, kInvalidDestination), (std::vector<size_t>{6}));
  EXPECT_EQ(Skipped(sh.summary, kDuplicateInFile), (std::vector<size_t>{7}));

  ImportOutcome k = Import(ExportFormat::kKutt, "kutt_links.json", a);
  ASSERT_TRUE(k.status.ok());
  EXPECT_EQ(k.summary.position, "item");
  EXPECT_EQ(k.summary.created, 3u);
  EXPECT_EQ(Skipped(k.summary, kInvalidSlug), (std::vector<size_t>{2}));
  EXPECT_EQ(Skipped(k.summary, kInvalidDestination), (std::vector<size_t>{4}));
  EXPECT_EQ(Skipped(k.summary, kUnreadableRow), (std::vector<size_t>{5, 6}));

  std::vector<LinkRow> links = Links(a);
  EXPECT_EQ(links.size(), 4u + 1u + 3u + 3u);
  auto nocount = std::find_if(links.begin(), links.end(),
                              [](const LinkRow& l) { return l.slug == "nocount"; });
  ASSERT_NE(nocount, links.end());
  EXPECT_EQ(nocount->imported_from, "shlink");
  EXPECT_FALSE(nocount->imported_clicks.has_value());
}

TEST_F(ImporterTest, SlugsHeldByOthersAreTaken) {
  const int64_t a = Account("acme");
  const int64_t b = Account("bravo");
  Link(b, "docs-2023");  // another account's link
  // One of the account's own links, to another destination than the file's.
  ASSERT_TRUE(
      store_
          ->CreateLink(
              {.account_id = a, .slug = "quoted", .destination = "https://elsewhere.example/"})
          .ok());
  // A deleted link: its slug is never reused.
  LinkRow gone = Link(a, "cafeMenu");
  ASSERT_TRUE(store_->DeleteLink(a, gone.id).value());
  // An old slug of a renamed link.
  LinkRow renamed = Link(a, "noTitle");
  ASSERT_TRUE(store_->UpdateLink(a, renamed.id, {.slug = std::string("renamed")}).ok());

  ImportOutcome out = Import(ExportFormat::kBitly, "bitly_links.csv", a);
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(Skipped(out.summary, kSlugTaken), (std::vector<size_t>{3, 4, 5, 13}));
  EXPECT_EQ(out.summary.created, 2u);  // 3xSpring, multiLine
}

TEST_F(ImporterTest, DryRunCreatesNothing) {
  const int64_t a = Account("acme");
  ImportOutcome out = Import(ExportFormat::kBitly, "bitly_links.csv", a, /*dry_run=*/true);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.summary.created, 6u);
  EXPECT_TRUE(Links(a).empty());
}

TEST_F(ImporterTest, CustomDomainIsItsOwnNamespace) {
  const int64_t a = Account("acme");
  ASSERT_TRUE(store_->CreateDomain(a, "go.acme.test").ok());
  ASSERT_TRUE(Import(ExportFormat::kKutt, "kutt_links.json", a).status.ok());
  ImportOutcome on_domain =
      Import(ExportFormat::kKutt, "kutt_links.json", a, false, "go.acme.test");
  ASSERT_TRUE(on_domain.status.ok());
  EXPECT_EQ(on_domain.summary.created, 3u);
  EXPECT_EQ(Links(a, "go.acme.test").size(), 3u);
  EXPECT_EQ(Links(a, "").size(), 3u);
}

TEST_F(ImporterTest, AFailedWriteLeavesNothingOfTheFile) {
  const int64_t a = Account("acme");
  {
    // A real SQLite failure in the middle of the transaction: the 5th link's insert aborts.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db,
                     "CREATE TRIGGER fail_import BEFORE INSERT ON links "
                     "WHEN NEW.slug = 'multiLine' BEGIN SELECT RAISE(ABORT, 'injected'); END;",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  ImportOutcome out = Import(ExportFormat::kBitly, "bitly_links.csv", a);
  EXPECT_FALSE(out.status.ok());
  EXPECT_NE(out.status.ToString().find("injected"), std::string::npos) << out.status.ToString();
  EXPECT_EQ(out.summary.created, 0u);
  EXPECT_TRUE(Links(a).empty());  // the four links written before the failure rolled back
}

TEST(FitTitle, CutsAtACharacterBoundaryAndFlattensLines) {
  EXPECT_EQ(FitTitle("a\tb\r\nc"), "a b  c");
  std::string long_title(api::kMaxTitleBytes - 1, 'x');
  long_title += "é";  // 2 bytes: would end one byte past the limit
  std::string fitted = FitTitle(long_title);
  EXPECT_EQ(fitted, std::string(api::kMaxTitleBytes - 1, 'x'));
  EXPECT_TRUE(api::CheckTitle(fitted).ok());
}

TEST(ImportSummary, NamesTheFirstPositionsPerReason) {
  ImportSummary s;
  s.rows = 9;
  s.created = 2;
  s.existed = 1;
  s.skipped[std::string(kSlugTaken)] = {2, 3, 4, 5, 6, 7};
  s.skipped[std::string(kInvalidSlug)] = {9};
  std::string text = FormatSummary(s, false);
  EXPECT_NE(text.find("created:          2"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped:          7"), std::string::npos) << text;
  EXPECT_NE(text.find("slug taken:           6 (lines 2, 3, 4, 5, 6, ...)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("invalid slug:         1 (line 9)"), std::string::npos) << text;
  EXPECT_NE(FormatSummary(s, true).find("would create:"), std::string::npos);
}

}  // namespace
}  // namespace ct::import
