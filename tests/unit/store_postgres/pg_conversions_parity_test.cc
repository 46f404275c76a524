// The same random batches (clicks of an ip_30min and a per_visitor_day account, bots, HEADs,
// conversions of two goals naming earlier clicks, repeated order ids, redeliveries) into the
// SQLite store and this one: every commit's counts, the conversions list, goal stats and every
// series and breakdown, with and without a goal, must agree.
#include <random>

#include "pg_conversion_fixture.h"
#include "store/sqlite/sqlite_store.h"
#include "testutil/temp_dir.h"

namespace ct::testing_pg {
namespace {

TEST_F(PgConversionTest, ConversionsAndIpUniquesMatchTheSqliteStore) {
  test::TempDir dir;
  SqliteStoreOptions so;
  so.path = dir.Join("ct.db");
  so.clock = &clock_;
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(so);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store* lite = opened->get();
  // The same ids in both: accounts, links and goals are numbered from 1 in each.
  ASSERT_EQ(Account("acme", lite), account_);
  ASSERT_EQ(Link(account_, "promo", lite).id, link_);
  const int64_t link2 = Link(account_, "second").id;
  ASSERT_EQ(Link(account_, "second", lite).id, link2);
  const int64_t daily = Account("daily");
  ASSERT_EQ(Account("daily", lite), daily);
  const int64_t daily_link = Link(daily, "daily").id;
  ASSERT_EQ(Link(daily, "daily", lite).id, daily_link);
  for (Store* s : {store_.get(), lite}) {
    ASSERT_TRUE(s->UpdateAccount(account_, {.unique_definition = UniqueDefinition::kIp30Min}).ok());
  }
  const NewGoal specs[] = {
      {.account_id = account_,
       .key = "GOALONExxxxxxxxxx",
       .name = "once",
       .default_value_micros = 1'000'000,
       .counting = ConversionCounting::kOncePerClick},
      {.account_id = account_,
       .key = "GOALTWOxxxxxxxxxx",
       .name = "first",
       .window_seconds = 6 * 3600,
       .attribution = AttributionModel::kFirstClick},
  };
  std::vector<GoalRow> goals;
  for (const NewGoal& g : specs) {
    goals.push_back(MakeGoal(g));
    Result<GoalRow> row = lite->CreateGoal(g);
    ASSERT_TRUE(row.ok()) << row.status().ToString();
    ASSERT_EQ(row->id, goals.back().id);
  }
  MakePostback(kPostbackOnConversion | kPostbackOnClick, "GET", /*attributed_only=*/false);
  ASSERT_TRUE(lite->CreatePostback({.account_id = account_,
                                    .name = "hook",
                                    .url_template = "https://hooks.example/c?cid={click_id}",
                                    .events = kPostbackOnConversion | kPostbackOnClick,
                                    .attributed_only = false,
                                    .secret = "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"})
                  .ok());

  std::mt19937_64 rng(7);
  std::vector<HitRecord> sent, clicks;
  uint64_t n = 0;
  for (int batch = 0; batch < 6; ++batch) {
    std::vector<HitRecord> hits;
    for (int i = 0; i < 150; ++i) {
      if (!sent.empty() && rng() % 10 == 0) {
        hits.push_back(sent[rng() % sent.size()]);  // a redelivery
        continue;
      }
      const int64_t t = kDay0 + static_cast<int64_t>(rng() % (kDayUs / 2));
      HitRecord h;
      if (!clicks.empty() && rng() % 4 == 0) {
        const GoalRow& goal = goals[rng() % 2];
        h = MakeTimedHit(++n, 0, account_, t, "conv", EventKind::kConversion);
        h.event.goal_id = goal.id;
        h.event.click_ref = rng() % 6 ? Cid(clicks[rng() % clicks.size()]) : "garbage";
        h.event.order_id = rng() % 2 ? "order-" + std::to_string(rng() % 20) : "";
        if (rng() % 3 == 0) {
          h.event.flags = kFlagHasValue | kFlagServerToServer;
          h.event.value_micros = static_cast<int64_t>(rng() % 5'000'000);
        }
        h.enrichment.bot = rng() % 10 == 0;
      } else {
        const int r = static_cast<int>(rng() % 12);
        const bool on_daily = rng() % 4 == 0;
        h = MakeTimedHit(++n, on_daily ? daily_link : (rng() % 2 ? link_ : link2),
                         on_daily ? daily : account_, t, "v" + std::to_string(rng() % 25),
                         r == 0 ? EventKind::kHead : EventKind::kClick);
        h.event.ip = "10.0.0." + std::to_string(rng() % 6);
        h.enrichment.bot = r == 1;
        const char* countries[] = {"", "US", "DE", "FR"};
        h.enrichment.country = countries[rng() % 4];
        h.enrichment.device = rng() % 2 ? "mobile" : "";
        h.event.destination = "https://example.com/d" + std::to_string(rng() % 3);
        if (!clicks.empty() && rng() % 2) h.event.visitor_id = Cid(clicks[rng() % clicks.size()]);
        if (h.event.kind == EventKind::kClick && !h.enrichment.bot) clicks.push_back(h);
      }
      hits.push_back(h);
      sent.push_back(h);
    }
    CommitResult results[2];
    Store* engines[] = {store_.get(), lite};
    for (int e = 0; e < 2; ++e) {
      CommitBatch b;
      b.consumer = "j";
      b.from_position = static_cast<uint64_t>(batch);
      b.to_position = static_cast<uint64_t>(batch) + 1;
      b.hits = hits;
      Result<CommitResult> r = engines[e]->Commit(b);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      results[e] = *r;
    }
    EXPECT_EQ(results[0].applied, results[1].applied) << "batch " << batch;
    EXPECT_EQ(results[0].duplicates, results[1].duplicates) << "batch " << batch;
    EXPECT_EQ(results[0].conversions, results[1].conversions) << "batch " << batch;
    EXPECT_EQ(results[0].deliveries, results[1].deliveries) << "batch " << batch;
  }

  // The conversions, every status, newest first.
  auto list = [](Store* s, int64_t account) {
    Result<ConversionPage> p = s->ListConversions({.account_id = account}, std::nullopt, 10000);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? p->conversions : std::vector<ConversionRow>{};
  };
  const std::vector<ConversionRow> pc = list(store_.get(), account_), lc = list(lite, account_);
  ASSERT_EQ(pc.size(), lc.size());
  ASSERT_GT(pc.size(), 100u);
  int counted = 0, attributed = 0;
  for (size_t i = 0; i < pc.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(pc[i].event_id, lc[i].event_id);
    EXPECT_EQ(pc[i].status, lc[i].status);
    EXPECT_EQ(pc[i].link_id, lc[i].link_id);
    EXPECT_EQ(pc[i].click_event_id, lc[i].click_event_id);
    EXPECT_EQ(pc[i].click_time_us, lc[i].click_time_us);
    EXPECT_EQ(pc[i].value_micros, lc[i].value_micros);
    EXPECT_EQ(pc[i].currency, lc[i].currency);
    EXPECT_EQ(pc[i].server_to_server, lc[i].server_to_server);
    counted += pc[i].status == ConversionStatus::kCounted;
    attributed += pc[i].attributed();
  }
  EXPECT_GT(counted, 20);  // the mix exercised every path
  EXPECT_GT(attributed, 20);
  EXPECT_LT(counted, static_cast<int>(pc.size()));

  Result<std::vector<GoalStatsRow>> pg_goals =
      store_->GetGoalStats(account_, kDay0, kDay0 + kDayUs);
  Result<std::vector<GoalStatsRow>> lite_goals =
      lite->GetGoalStats(account_, kDay0, kDay0 + kDayUs);
  ASSERT_TRUE(pg_goals.ok() && lite_goals.ok());
  ASSERT_EQ(pg_goals->size(), lite_goals->size());
  for (size_t i = 0; i < pg_goals->size(); ++i) {
    EXPECT_EQ((*pg_goals)[i].goal_id, (*lite_goals)[i].goal_id);
    EXPECT_EQ((*pg_goals)[i].conversions, (*lite_goals)[i].conversions);
    EXPECT_EQ((*pg_goals)[i].attributed, (*lite_goals)[i].attributed);
    EXPECT_EQ((*pg_goals)[i].value_micros, (*lite_goals)[i].value_micros);
  }

  auto same_stats = [&](const StatsQuery& q) {
    Result<std::optional<LinkStats>> p = store_->GetLinkStats(q);
    Result<std::optional<LinkStats>> l = lite->GetLinkStats(q);
    ASSERT_TRUE(p.ok() && l.ok()) << p.status().ToString();
    ASSERT_EQ(p->has_value(), l->has_value());
    if (!p->has_value()) return;
    ASSERT_EQ((*p)->series.size(), (*l)->series.size());
    for (size_t i = 0; i < (*p)->series.size(); ++i) {
      const StatsBucket &a = (*p)->series[i], &b = (*l)->series[i];
      EXPECT_EQ(a.start_us, b.start_us);
      EXPECT_EQ(a.total, b.total);
      EXPECT_EQ(a.unique, b.unique);
      EXPECT_EQ(a.bots, b.bots);
      EXPECT_EQ(a.head, b.head);
      EXPECT_EQ(a.conversions, b.conversions);
      EXPECT_EQ(a.value_micros, b.value_micros);
    }
  };
  for (const auto& [account, link] : {std::pair{account_, int64_t{0}}, std::pair{account_, link_},
                                      std::pair{account_, link2}, std::pair{daily, daily_link}}) {
    for (int64_t goal : {int64_t{0}, goals[0].id, goals[1].id}) {
      SCOPED_TRACE("link " + std::to_string(link) + " goal " + std::to_string(goal));
      for (Interval iv : {Interval::kMinute, Interval::kHour, Interval::kDay}) {
        same_stats({.account_id = account,
                    .link_id = link,
                    .from_us = kDay0 + kHourUs,
                    .to_us = kDay0 + 20 * kHourUs,
                    .interval = iv,
                    .goal_id = goal});
      }
      // Filtered (hourly or coarser), with and without a goal: conversions of matching clicks.
      const std::vector<std::vector<StatsFilter>> filter_sets = {
          {},
          {{Dimension::kCountry, "US"}},
          {{Dimension::kDevice, "mobile"}, {Dimension::kCountry, "DE"}},
          {{Dimension::kDestination, "https://example.com/d1"}},
          {{Dimension::kBot, "human"}},
          {{Dimension::kBot, "bot"}}};
      for (const std::vector<StatsFilter>& filters : filter_sets) {
        SCOPED_TRACE("filter set " + std::to_string(&filters - filter_sets.data()));
        if (filters.empty()) continue;
        for (Interval iv : {Interval::kHour, Interval::kDay}) {
          same_stats({.account_id = account,
                      .link_id = link,
                      .from_us = kDay0 + kHourUs,
                      .to_us = kDay0 + 20 * kHourUs,
                      .interval = iv,
                      .filters = filters,
                      .goal_id = goal});
        }
      }
      for (const std::vector<StatsFilter>& filters : filter_sets) {
        SCOPED_TRACE("filter set " + std::to_string(&filters - filter_sets.data()));
        for (Dimension d :
             {Dimension::kCountry, Dimension::kDevice, Dimension::kDestination, Dimension::kBot}) {
          const StatsQuery q{.account_id = account,
                             .link_id = link,
                             .from_us = kDay0,
                             .to_us = kDay0 + kDayUs,
                             .filters = filters,
                             .goal_id = goal};
          Result<std::optional<std::vector<BreakdownRow>>> p = store_->GetBreakdown(q, d, 20);
          Result<std::optional<std::vector<BreakdownRow>>> l = lite->GetBreakdown(q, d, 20);
          ASSERT_TRUE(p.ok() && l.ok() && p->has_value() && l->has_value())
              << p.status().ToString();
          ASSERT_EQ((*p)->size(), (*l)->size()) << "dimension " << static_cast<int>(d);
          for (size_t i = 0; i < (*p)->size(); ++i) {
            const BreakdownRow &a = (**p)[i], &b = (**l)[i];
            EXPECT_EQ(a.value, b.value);
            EXPECT_EQ(a.total, b.total);
            EXPECT_EQ(a.unique, b.unique);
            EXPECT_EQ(a.bots, b.bots);
            EXPECT_EQ(a.conversions, b.conversions);
            EXPECT_EQ(a.value_micros, b.value_micros);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace ct::testing_pg
