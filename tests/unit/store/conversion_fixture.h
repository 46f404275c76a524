// Fixture for the commit path of conversions and postbacks: an account with a link, a pixel, a
// goal maker, event builders (clicks, impressions, conversions) and SQL reads of the tables the
// commit writes (conversions, outbox, rollups).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/db.h"
#include "store_fixture.h"

namespace ct::testing_store {

struct OutboxRowView {
  std::string id;
  int64_t postback_id = 0;
  int64_t event_kind = 0;
  std::string method;
  std::string url;
  std::string body;
  int64_t state = -1;
  int64_t created_at = 0;
  int64_t next_attempt_us = 0;
};

class ConversionTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
    Result<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path_, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    sql_ = std::move(db).value();
  }
  void TearDown() override {
    sql_.reset();
    StoreTest::TearDown();
  }

  GoalRow MakeGoal(NewGoal g = {}) {
    g.account_id = g.account_id ? g.account_id : account_;
    g.key = "GOAL" + std::to_string(++goals_made_) + "xxxxxxxxxxxx";
    if (g.name.empty()) g.name = "purchase";
    Result<GoalRow> row = store_->CreateGoal(g);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? *row : GoalRow{};
  }
  PostbackRow MakePostback(NewPostback p) {
    p.account_id = p.account_id ? p.account_id : account_;
    if (p.name.empty()) p.name = "hook";
    if (p.url_template.empty()) p.url_template = "https://hooks.example/c?cid={click_id}";
    p.secret = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
    Result<PostbackRow> row = store_->CreatePostback(p);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    return row.ok() ? *row : PostbackRow{};
  }

  HitRecord Click(uint64_t n, int64_t time_us, const std::string& visitor_id = "") {
    HitRecord h = MakeHit(n, link_, account_, time_us, "vk" + std::to_string(n));
    h.event.visitor_id = visitor_id;
    h.enrichment.country = "DE";
    h.enrichment.device = "mobile";
    return h;
  }
  HitRecord Conversion(uint64_t n, const GoalRow& goal, int64_t time_us,
                       const std::string& click_ref) {
    HitRecord h = MakeHit(n, 0, account_, time_us, "conv", EventKind::kConversion);
    h.event.goal_id = goal.id;
    h.event.click_ref = click_ref;
    return h;
  }
  static std::string Cid(const HitRecord& h) { return ClickId(h.event.id); }

  // Commits `hits` as the next batch of the "journal" consumer.
  CommitResult Commit(std::vector<HitRecord> hits) {
    CommitBatch b;
    b.consumer = "journal";
    b.from_position = position_;
    b.to_position = position_ + hits.size();
    b.hits = std::move(hits);
    Result<CommitResult> r = store_->Commit(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) position_ = b.to_position;
    return r.ok() ? *r : CommitResult{};
  }

  int64_t Int(const std::string& query) {
    Result<int64_t> v = sql_->QueryInt(query);
    EXPECT_TRUE(v.ok()) << query << ": " << v.status().ToString();
    return v.ok() ? *v : -1;
  }
  // The conversions row of event n: status, link_id, value_micros, currency.
  struct ConversionView {
    int64_t status = -1;
    int64_t link_id = -1;
    int64_t value_micros = -1;
    std::string currency;
    bool click_null = false;
  };
  ConversionView Row(const HitRecord& conversion) {
    ConversionView v;
    Result<sqlite::Statement> s = sql_->Prepare(
        "SELECT status, link_id, value_micros, currency, click_event_id IS NULL FROM "
        "conversions WHERE event_id = ?");
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return v;
    const EventId& id = conversion.event.id;
    EXPECT_TRUE(s->BindAll(sqlite::Blob{id.data(), id.size()}).ok());
    Result<bool> row = s->Step();
    EXPECT_TRUE(row.ok() && *row) << "no conversions row";
    if (!row.ok() || !*row) return v;
    v.status = s->ColumnInt(0);
    v.link_id = s->ColumnInt(1);
    v.value_micros = s->ColumnInt(2);
    v.currency = s->ColumnText(3);
    v.click_null = s->ColumnInt(4) != 0;
    return v;
  }
  static int64_t St(ConversionStatus s) { return static_cast<int64_t>(s); }

  std::vector<OutboxRowView> Outbox() {
    std::vector<OutboxRowView> out;
    Result<sqlite::Statement> s = sql_->Prepare(
        "SELECT id, postback_id, event_kind, method, url, body, state, created_at, "
        "next_attempt_us FROM outbox ORDER BY id");
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return out;
    for (;;) {
      Result<bool> row = s->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      out.push_back({s->ColumnText(0), s->ColumnInt(1), s->ColumnInt(2), s->ColumnText(3),
                     s->ColumnText(4), s->ColumnText(5), s->ColumnInt(6), s->ColumnInt(7),
                     s->ColumnInt(8)});
    }
    return out;
  }

  int64_t account_ = 0;
  int64_t link_ = 0;
  uint64_t position_ = 0;
  int goals_made_ = 0;
  std::unique_ptr<sqlite::Db> sql_;
};

}  // namespace ct::testing_store
