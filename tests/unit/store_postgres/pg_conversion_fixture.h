// Fixture for conversions and ip_30min uniques on PostgreSQL: an account with a link, event
// builders whose ids carry their time as the edge's do (common/event.h: the first 6 bytes are
// the event's millisecond, which attribution's primary-key probe relies on), goals and
// postbacks written with plain SQL as their CRUD writes them (so these tests need no other
// area's methods), and SQL reads of what the commit writes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pg_fixture.h"
#include "store/postgres/pg_conn.h"

namespace ct::testing_pg {

inline HitRecord MakeTimedHit(uint64_t n, int64_t link_id, int64_t account_id, int64_t time_us,
                              const std::string& visitor, EventKind kind = EventKind::kClick) {
  HitRecord h;
  h.event.kind = kind;
  const uint64_t ms = static_cast<uint64_t>(time_us / 1000);
  for (int i = 0; i < 6; ++i) h.event.id[i] = static_cast<uint8_t>(ms >> (8 * (5 - i)));
  for (int i = 0; i < 8; ++i) h.event.id[8 + i] = static_cast<uint8_t>(n >> (8 * (7 - i)));
  h.event.time_us = time_us;
  h.event.link_id = link_id;
  h.event.account_id = account_id;
  h.event.ip = "192.0.2.1";
  h.event.user_agent = "Mozilla/5.0 test";
  h.event.referrer = "https://example.org/";
  h.event.accept_language = "en";
  h.visitor_key = visitor;
  return h;
}

struct OutboxRowView {
  std::string id;
  int64_t postback_id = 0;
  int64_t event_kind = 0;
  std::string method;
  std::string url;
  std::string body;
  int64_t state = -1;
};

class PgConversionTest : public PgStoreTest {
 protected:
  void SetUp() override {
    PgStoreTest::SetUp();
    account_ = Account("acme");
    link_ = Link(account_, "promo").id;
  }

  // A goal as CreateGoal writes it (a fresh version from change_version).
  GoalRow MakeGoal(NewGoal g = {}) {
    GoalRow row;
    row.account_id = g.account_id ? g.account_id : account_;
    row.key = "GOAL" + std::to_string(++goals_made_) + "xxxxxxxxxxxx";
    row.name = g.name.empty() ? "purchase" : g.name;
    row.default_value_micros = g.default_value_micros;
    row.currency = g.currency;
    row.window_seconds = g.window_seconds;
    row.counting = g.counting;
    row.attribution = g.attribution;
    row.piggyback_urls = g.piggyback_urls;
    std::string urls = "[";
    for (size_t i = 0; i < g.piggyback_urls.size(); ++i) {
      urls += (i ? ",\"" : "\"") + g.piggyback_urls[i] + "\"";
    }
    urls += "]";
    row.id = Int(
        "WITH v AS (UPDATE change_version SET v = v + 1 RETURNING v) "
        "INSERT INTO goals (account_id, key, name, default_value_micros, currency, "
        "window_seconds, counting, attribution, piggyback_json, created_at, updated_at, "
        "version) SELECT " +
        std::to_string(row.account_id) + ", '" + row.key + "', '" + row.name + "', " +
        std::to_string(row.default_value_micros) + ", '" + row.currency + "', " +
        std::to_string(row.window_seconds) + ", " + std::to_string(static_cast<int>(row.counting)) +
        ", " + std::to_string(static_cast<int>(row.attribution)) + ", '" + urls +
        "', 0, 0, v.v FROM v RETURNING id");
    return row;
  }
  void DeleteGoal(int64_t goal_id) {
    Sql("UPDATE goals SET deleted_at = 1 WHERE id = " + std::to_string(goal_id));
  }
  // A postback as CreatePostback writes it; `events` PostbackEventBit.
  int64_t MakePostback(uint32_t events = kPostbackOnConversion, const std::string& method = "GET",
                       bool attributed_only = true,
                       const std::string& url = "https://hooks.example/c?cid={click_id}") {
    return Int(
        "INSERT INTO postbacks (account_id, name, url_template, method, events, "
        "goal_ids, attributed_only, secret, created_at, updated_at) VALUES (" +
        std::to_string(account_) + ", 'hook', '" + url + "', '" + method + "', " +
        std::to_string(events) + ", '[]', " + (attributed_only ? "true" : "false") +
        ", 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0', 0, 0) RETURNING id");
  }

  HitRecord Click(uint64_t n, int64_t time_us, const std::string& visitor_id = "") {
    HitRecord h = MakeTimedHit(n, link_, account_, time_us, "vk" + std::to_string(n));
    h.event.visitor_id = visitor_id;
    h.enrichment.country = "DE";
    h.enrichment.device = "mobile";
    return h;
  }
  HitRecord Conversion(uint64_t n, const GoalRow& goal, int64_t time_us,
                       const std::string& click_ref) {
    HitRecord h = MakeTimedHit(1'000'000 + n, 0, account_, time_us, "conv", EventKind::kConversion);
    h.event.goal_id = goal.id;
    h.event.click_ref = click_ref;
    return h;
  }
  static std::string Cid(const HitRecord& h) { return ClickId(h.event.id); }
  static std::string Hex(const EventId& id) {
    return "'" + pg::ByteaHex(std::string_view(reinterpret_cast<const char*>(id.data()), 16)) +
           "'::bytea";
  }

  // Commits `hits` as the next batch of the "journal" consumer.
  CommitResult Commit(std::vector<HitRecord> hits, Store* store = nullptr,
                      const std::string& consumer = "journal") {
    uint64_t& position = positions_[consumer];
    CommitBatch b;
    b.consumer = consumer;
    b.from_position = position;
    b.to_position = position + hits.size();
    b.hits = std::move(hits);
    Result<CommitResult> r = (store ? store : store_.get())->Commit(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) position = b.to_position;
    return r.ok() ? *r : CommitResult{};
  }

  struct ConversionView {
    int64_t status = -1;
    int64_t link_id = -1;
    int64_t value_micros = -1;
    std::string currency;
    bool click_null = false;
  };
  ConversionView Row(const HitRecord& conversion) {
    ConversionView v;
    std::string out =
        Sql("SELECT status, link_id, value_micros, currency, click_event_id IS NULL FROM "
            "conversions WHERE event_id = " +
            Hex(conversion.event.id));
    while (!out.empty() && out.back() == '\n') out.pop_back();
    EXPECT_FALSE(out.empty()) << "no conversions row";
    if (out.empty()) return v;
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t bar; (bar = out.find('|', start)) != std::string::npos; start = bar + 1) {
      f.push_back(out.substr(start, bar - start));
    }
    f.push_back(out.substr(start));
    if (f.size() != 5) return v;
    v.status = std::stoll(f[0]);
    v.link_id = std::stoll(f[1]);
    v.value_micros = std::stoll(f[2]);
    v.currency = f[3];
    v.click_null = f[4] == "t";
    return v;
  }
  static int64_t St(ConversionStatus s) { return static_cast<int64_t>(s); }

  // The outbox rows, by id; fields separated by a unit separator so URLs and bodies may hold '|'.
  std::vector<OutboxRowView> Outbox() {
    std::vector<OutboxRowView> out;
    const std::string text = Sql(
        "SELECT id || chr(31) || postback_id || chr(31) || event_kind || chr(31) || method || "
        "chr(31) || url || chr(31) || replace(body, chr(10), ' ') || chr(31) || state FROM outbox "
        "ORDER BY id");
    size_t line_start = 0;
    while (line_start < text.size()) {
      size_t nl = text.find('\n', line_start);
      if (nl == std::string::npos) nl = text.size();
      const std::string line = text.substr(line_start, nl - line_start);
      line_start = nl + 1;
      std::vector<std::string> f;
      size_t s = 0;
      for (size_t sep; (sep = line.find('\x1f', s)) != std::string::npos; s = sep + 1) {
        f.push_back(line.substr(s, sep - s));
      }
      f.push_back(line.substr(s));
      if (f.size() != 7) continue;
      out.push_back({f[0], std::stoll(f[1]), std::stoll(f[2]), f[3], f[4], f[5], std::stoll(f[6])});
    }
    return out;
  }

  LinkStats Stats(int64_t account_id, int64_t link_id, Interval interval,
                  int64_t from_us = kDay0 - 10 * kDayUs, int64_t to_us = kDay0 + 10 * kDayUs,
                  int64_t goal_id = 0) {
    Result<std::optional<LinkStats>> s = store_->GetLinkStats({.account_id = account_id,
                                                               .link_id = link_id,
                                                               .from_us = from_us,
                                                               .to_us = to_us,
                                                               .interval = interval,
                                                               .goal_id = goal_id});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE(s.ok() && s->has_value());
    return s.ok() && s->has_value() ? **s : LinkStats{};
  }

  int64_t account_ = 0;
  int64_t link_ = 0;
  int goals_made_ = 0;
  std::map<std::string, uint64_t> positions_;
};

}  // namespace ct::testing_pg
