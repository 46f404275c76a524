// ApiRouter driven directly with ApiRequest values against a real SqliteStore in a temp dir.
#include "api/router.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "api/api_key.h"
#include "api/slug.h"
#include "common/clock.h"
#include "common/time_format.h"
#include "store/forwarding_store.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::api {
namespace {

namespace json = boost::json;

// 2024-01-01T00:00:00Z: the start of a UTC day.
constexpr int64_t kDay0 = 1'704'067'200'000'000;
constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kHourUs = 60 * kMinuteUs;
constexpr int64_t kDayUs = 24 * kHourUs;

// Forwards to a real store; records what ListLinks was asked and can fail key lookups.
class RecordingStore : public ForwardingStore {
 public:
  explicit RecordingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  Result<std::optional<ApiKeyInfo>> FindApiKey(const std::string& h) override {
    if (fail_lookups) return Status::Unavailable("injected");
    return inner_->FindApiKey(h);
  }
  Result<LinkPage> ListLinks(int64_t a, const LinkFilter& f, int64_t after, int limit) override {
    last_list_limit = limit;
    return inner_->ListLinks(a, f, after, limit);
  }

  int last_list_limit = -1;
  bool fail_lookups = false;

 protected:
  std::shared_ptr<Store> Target() const override { return inner_; }

 private:
  std::shared_ptr<Store> inner_;
};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-router-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    SqliteStoreOptions o;
    o.path = (dir_ / "clicktrail.db").string();
    o.clock = &clock_;
    o.read_connections = 2;
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::make_unique<RecordingStore>(std::move(s).value());

    key_a_ = NewAccountKey("alice", &account_a_);
    key_b_ = NewAccountKey("bob", &account_b_);

    ApiContext ctx;
    ctx.options.public_url = "https://go.example.com";
    ctx.store = store_.get();
    ctx.metrics = &metrics_;
    ctx.clock = &clock_;
    ctx.ready = [this] { return ready_.load(); };
    ctx.links_changed = [this] { ++links_changed_; };
    ctx.status = [this] { return status_; };
    ctx.completeness = &completeness_;
    router_ = std::make_unique<ApiRouter>(std::move(ctx));
  }
  void TearDown() override {
    router_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string NewAccountKey(const std::string& name, int64_t* account_id) {
    NewApiKey k = GenerateApiKey();
    auto id = store_->CreateAccount({name, k.hash, k.prefix});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    *account_id = id.ok() ? *id : 0;
    return k.key;
  }

  ApiResponse Call(std::string method, std::string target, const std::string& key,
                   std::string body = "", std::string content_type = "application/json") {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
    if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
    r.body = std::move(body);
    r.remote_ip = "192.0.2.10";
    return router_->Handle(r);
  }

  // Creates a link for `key` and returns its JSON.
  json::object CreateLink(const std::string& key, const std::string& slug,
                          const std::string& dest = "https://example.com/landing") {
    json::object body{{"destination", dest}};
    if (!slug.empty()) body["slug"] = slug;
    ApiResponse r = Call("POST", "/api/v1/links", key, json::serialize(body));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body).as_object() : json::object{};
  }

  void CommitHits(int64_t link_id, int64_t account_id, const std::vector<int64_t>& times,
                  const std::string& visitor, EventKind kind = EventKind::kClick,
                  const Enrichment& enrichment = {}) {
    CommitBatch b;
    b.consumer = "router-test";
    auto pos = store_->ConsumedPosition(b.consumer);
    ASSERT_TRUE(pos.ok());
    b.from_position = *pos;
    b.to_position = *pos + 1;
    for (int64_t t : times) {
      HitRecord h;
      h.event.kind = kind;
      uint64_t n = ++hit_seq_;
      std::memcpy(h.event.id.data(), "router-t", 8);
      std::memcpy(h.event.id.data() + 8, &n, 8);
      h.event.time_us = t;
      h.event.link_id = link_id;
      h.event.account_id = account_id;
      h.event.ip = "192.0.2.1";
      h.visitor_key = visitor;
      h.enrichment = enrichment;
      b.hits.push_back(h);
    }
    auto r = store_->Commit(b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->applied, times.size());
  }

  FakeClock clock_{kDay0 + 12 * kHourUs};
  // complete_until for every report: up to the fixture's now unless a test says otherwise.
  struct FixedCompleteness : CompletenessSource {
    Completeness value{kDay0 + 12 * kHourUs, "", ""};
    Completeness Now() const override { return value; }
  } completeness_;
  MetricsRegistry metrics_;
  std::filesystem::path dir_;
  std::unique_ptr<RecordingStore> store_;
  std::unique_ptr<ApiRouter> router_;
  std::atomic<bool> ready_{true};
  std::atomic<int> links_changed_{0};
  std::string key_a_, key_b_;
  int64_t account_a_ = 0, account_b_ = 0;
  uint64_t hit_seq_ = 0;
  std::vector<StageHealth> status_;
};

// Asserts the status and the error shape {"error":{"code":..., "message":...}}.
void ExpectError(const ApiResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  json::error_code ec;
  json::value v = json::parse(r.body, ec);
  ASSERT_FALSE(ec) << r.body;
  ASSERT_TRUE(v.is_object()) << r.body;
  const json::object& o = v.as_object();
  ASSERT_EQ(o.size(), 1u) << r.body;
  ASSERT_TRUE(o.contains("error")) << r.body;
  ASSERT_TRUE(o.at("error").is_object()) << r.body;
  const json::object& e = o.at("error").as_object();
  ASSERT_TRUE(e.contains("code") && e.at("code").is_string()) << r.body;
  ASSERT_TRUE(e.contains("message") && e.at("message").is_string()) << r.body;
  EXPECT_EQ(e.at("code").as_string(), code) << r.body;
  EXPECT_FALSE(e.at("message").as_string().empty()) << r.body;
}

const std::string* FindHeader(const ApiResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

// ---- authentication ------------------------------------------------------------------------

TEST_F(RouterTest, NoKeyIs401) {
  ApiResponse r = Call("GET", "/api/v1/links", "");
  ExpectError(r, 401, "unauthorized");
  const std::string* h = FindHeader(r, "WWW-Authenticate");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(*h, "Bearer");
}

TEST_F(RouterTest, BadKeysAre401) {
  // Well formed but unknown.
  ExpectError(Call("GET", "/api/v1/links", GenerateApiKey().key), 401, "unauthorized");
  // Malformed: one character changed, so the checksum fails.
  std::string bad = key_a_;
  bad[10] = bad[10] == 'a' ? 'b' : 'a';
  ExpectError(Call("GET", "/api/v1/links", bad), 401, "unauthorized");
  ExpectError(Call("GET", "/api/v1/links", "nonsense"), 401, "unauthorized");
  // Not a Bearer scheme.
  ApiRequest req;
  req.method = "GET";
  req.target = "/api/v1/links";
  req.headers.emplace_back("authorization", "Basic " + key_a_);
  ExpectError(router_->Handle(req), 401, "unauthorized");
  req.headers = {{"authorization", key_a_}};
  ExpectError(router_->Handle(req), 401, "unauthorized");
  req.headers = {{"authorization", "Bearer "}};
  ExpectError(router_->Handle(req), 401, "unauthorized");
  // Sanity: the good key works, lowercase scheme too.
  EXPECT_EQ(Call("GET", "/api/v1/links", key_a_).status, 200);
  req.headers = {{"authorization", "bearer " + key_a_}};
  EXPECT_EQ(router_->Handle(req).status, 200);
}

TEST_F(RouterTest, KeyInQueryIs401EvenWithGoodHeader) {
  for (const char* name : {"api_key", "key", "token", "access_token"}) {
    ApiResponse r = Call("GET", std::string("/api/v1/links?") + name + "=" + key_a_, key_a_);
    ExpectError(r, 401, "unauthorized");
  }
}

TEST_F(RouterTest, StoreDownIs503NotAuthFailure) {
  store_->fail_lookups = true;
  ExpectError(Call("GET", "/api/v1/links", key_a_), 503, "unavailable");
}

// ---- create --------------------------------------------------------------------------------

TEST_F(RouterTest, CreateReturns201WithFields) {
  ApiResponse r = Call("POST", "/api/v1/links", key_a_,
                       R"({"destination":"HTTPS://Example.COM/page?x=1","slug":"promo-1"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  json::object o = json::parse(r.body).as_object();
  EXPECT_TRUE(o.at("id").is_int64());
  EXPECT_GT(o.at("id").as_int64(), 0);
  EXPECT_EQ(o.at("slug").as_string(), "promo-1");
  EXPECT_EQ(o.at("short_url").as_string(), "https://go.example.com/promo-1");
  EXPECT_EQ(o.at("destination").as_string(), "https://example.com/page?x=1");
  EXPECT_EQ(o.at("created_at").as_string(), FormatIso8601(clock_.NowMicros()));
  EXPECT_EQ(o.at("updated_at").as_string(), FormatIso8601(clock_.NowMicros()));
  EXPECT_FALSE(o.contains("account_id"));
  EXPECT_EQ(links_changed_.load(), 1);
  // It is really in the store, in alice's account.
  auto row = store_->GetLink(account_a_, o.at("id").as_int64());
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->slug, "promo-1");
}

TEST_F(RouterTest, CreateGeneratesSlug) {
  json::object o = CreateLink(key_a_, "");
  std::string slug(o.at("slug").as_string());
  EXPECT_EQ(slug.size(), kGeneratedSlugChars);
  EXPECT_EQ(o.at("short_url").as_string(), "https://go.example.com/" + slug);
}

TEST_F(RouterTest, CreateTakenSlugIs409) {
  CreateLink(key_a_, "taken");
  ExpectError(Call("POST", "/api/v1/links", key_a_,
                   R"({"destination":"https://example.com/","slug":"taken"})"),
              409, "slug_taken");
  // Slugs are global: another account cannot take it either.
  ExpectError(Call("POST", "/api/v1/links", key_b_,
                   R"({"destination":"https://example.com/","slug":"taken"})"),
              409, "slug_taken");
}

TEST_F(RouterTest, CreateWrongContentTypeIs415) {
  const std::string body = R"({"destination":"https://example.com/"})";
  ExpectError(Call("POST", "/api/v1/links", key_a_, body, "text/plain"), 415,
              "unsupported_media_type");
  ExpectError(Call("POST", "/api/v1/links", key_a_, body, ""), 415, "unsupported_media_type");
  ExpectError(Call("POST", "/api/v1/links", key_a_, body, "application/jsonx"), 415,
              "unsupported_media_type");
  EXPECT_EQ(Call("POST", "/api/v1/links", key_a_, body, "Application/JSON; charset=utf-8").status,
            201);
}

TEST_F(RouterTest, CreateForbiddenFieldsAre400) {
  for (const char* body :
       {R"({"destination":"https://example.com/","id":5})",
        R"({"destination":"https://example.com/","account_id":2})",
        R"({"destination":"https://example.com/","created_at":"2024-01-01T00:00:00Z"})",
        R"({"destination":"https://example.com/","is_admin":true})",
        R"({"destination":"https://example.com/","unknown":"x"})"}) {
    ExpectError(Call("POST", "/api/v1/links", key_a_, body), 400, "bad_request");
  }
  EXPECT_EQ(links_changed_.load(), 0);
  auto page = store_->ListLinks(account_a_, {}, 0, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->links.empty());
}

TEST_F(RouterTest, CreateBadBodiesAre400) {
  for (const char* body :
       {"", "{", "[]", R"({"destination":5})", R"({"slug":"abc"})",
        R"j({"destination":"javascript:alert(1)"})j", R"({"destination":"https://user@evil.com/"})",
        R"({"destination":"https://example.com/","slug":"api"})",
        R"({"destination":"https://example.com/","slug":"a/b"})",
        R"({"destination":"https://example.com/","slug":7})",
        R"({"destination":"https://a.com/","destination":"https://b.com/"})"}) {
    ExpectError(Call("POST", "/api/v1/links", key_a_, body), 400, "bad_request");
  }
}

// ---- list ----------------------------------------------------------------------------------

TEST_F(RouterTest, ListPaginates) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(CreateLink(key_a_, "a" + std::to_string(i)).at("id").as_int64());
  CreateLink(key_b_, "b0");  // another account's link never shows

  std::vector<int64_t> seen;
  std::string target = "/api/v1/links?limit=2";
  int pages = 0;
  while (true) {
    ApiResponse r = Call("GET", target, key_a_);
    ASSERT_EQ(r.status, 200) << r.body;
    json::object o = json::parse(r.body).as_object();
    const json::array& links = o.at("links").as_array();
    EXPECT_LE(links.size(), 2u);
    for (const auto& l : links) seen.push_back(l.as_object().at("id").as_int64());
    ++pages;
    ASSERT_LT(pages, 10);
    if (o.at("next_cursor").is_null()) break;
    target = "/api/v1/links?limit=2&cursor=" + std::string(o.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen, ids);
  EXPECT_GE(pages, 3);

  ApiResponse all = Call("GET", "/api/v1/links", key_a_);
  ASSERT_EQ(all.status, 200);
  json::object o = json::parse(all.body).as_object();
  EXPECT_EQ(o.at("links").as_array().size(), 5u);
  EXPECT_TRUE(o.at("next_cursor").is_null());
  EXPECT_EQ(store_->last_list_limit, kDefaultPageSize);
}

TEST_F(RouterTest, ListLimitIsCapped) {
  CreateLink(key_a_, "one");
  ApiResponse r = Call("GET", "/api/v1/links?limit=1000000000", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_->last_list_limit, kMaxPageSize);
  EXPECT_EQ(json::parse(r.body).at("links").as_array().size(), 1u);
  r = Call("GET", "/api/v1/links?limit=99999999999999999999999", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_->last_list_limit, kMaxPageSize);
  r = Call("GET", "/api/v1/links?limit=7", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(store_->last_list_limit, 7);
}

TEST_F(RouterTest, ListBadParamsAre400) {
  for (const char* q :
       {"limit=0", "limit=-1", "limit=abc", "limit=", "limit=5x", "cursor=-1", "cursor=abc"}) {
    ExpectError(Call("GET", std::string("/api/v1/links?") + q, key_a_), 400, "bad_request");
  }
}

// ---- get, patch, delete --------------------------------------------------------------------

TEST_F(RouterTest, GetPatchDelete) {
  json::object created = CreateLink(key_a_, "life");
  const std::string path = "/api/v1/links/" + std::to_string(created.at("id").as_int64());

  ApiResponse g = Call("GET", path, key_a_);
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(json::parse(g.body).as_object(), created);

  clock_.Advance(std::chrono::seconds(90));
  ApiResponse p = Call("PATCH", path, key_a_, R"({"destination":"https://example.org/new"})");
  ASSERT_EQ(p.status, 200) << p.body;
  json::object po = json::parse(p.body).as_object();
  EXPECT_EQ(po.at("destination").as_string(), "https://example.org/new");
  EXPECT_EQ(po.at("slug").as_string(), "life");
  EXPECT_EQ(po.at("created_at"), created.at("created_at"));
  EXPECT_EQ(po.at("updated_at").as_string(), FormatIso8601(clock_.NowMicros()));

  p = Call("PATCH", path, key_a_, R"({"slug":"life-2"})");
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(json::parse(p.body).at("slug").as_string(), "life-2");
  EXPECT_EQ(json::parse(p.body).at("short_url").as_string(), "https://go.example.com/life-2");

  // Bad updates.
  ExpectError(Call("PATCH", path, key_a_, R"({"destination":"file:///etc/passwd"})"), 400,
              "bad_request");
  ExpectError(Call("PATCH", path, key_a_, R"({"id":9})"), 400, "bad_request");
  ExpectError(Call("PATCH", path, key_a_, R"({"slug":"x"})", "text/plain"), 415,
              "unsupported_media_type");
  CreateLink(key_a_, "other");
  ExpectError(Call("PATCH", path, key_a_, R"({"slug":"other"})"), 409, "slug_taken");

  int changes_before = links_changed_.load();
  ApiResponse d = Call("DELETE", path, key_a_);
  EXPECT_EQ(d.status, 204);
  EXPECT_TRUE(d.body.empty());
  EXPECT_EQ(links_changed_.load(), changes_before + 1);
  ExpectError(Call("GET", path, key_a_), 404, "not_found");
  ExpectError(Call("DELETE", path, key_a_), 404, "not_found");
  ExpectError(Call("PATCH", path, key_a_, R"({"destination":"https://example.com/"})"), 404,
              "not_found");
  // A deleted link's slug is never reused.
  ExpectError(Call("POST", "/api/v1/links", key_a_,
                   R"({"destination":"https://example.com/","slug":"life-2"})"),
              409, "slug_taken");
}

TEST_F(RouterTest, BadIdsAre404) {
  for (const char* id : {"0", "-1", "abc", "1x", "99999999999999999999", "999999"}) {
    ExpectError(Call("GET", std::string("/api/v1/links/") + id, key_a_), 404, "not_found");
  }
}

TEST_F(RouterTest, AnotherAccountsLinkIs404) {
  json::object theirs = CreateLink(key_b_, "bobs");
  const std::string path = "/api/v1/links/" + std::to_string(theirs.at("id").as_int64());
  ExpectError(Call("GET", path, key_a_), 404, "not_found");
  ExpectError(Call("PATCH", path, key_a_, R"({"destination":"https://evil.example/"})"), 404,
              "not_found");
  ExpectError(Call("DELETE", path, key_a_), 404, "not_found");
  ExpectError(Call("GET", path + "/stats", key_a_), 404, "not_found");
  // The same body as for a link that does not exist at all (nothing to tell them apart).
  ApiResponse missing = Call("GET", "/api/v1/links/999999", key_a_);
  EXPECT_EQ(Call("GET", path, key_a_).body, missing.body);
  // Bob's link is untouched.
  ApiResponse g = Call("GET", path, key_b_);
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(json::parse(g.body).as_object(), theirs);
  EXPECT_EQ(Call("GET", path + "/stats", key_b_).status, 200);
}

// ---- stats ---------------------------------------------------------------------------------

TEST_F(RouterTest, StatsSeriesIsZeroFilled) {
  json::object l = CreateLink(key_a_, "stats");
  int64_t id = l.at("id").as_int64();
  CommitHits(id, account_a_, {kDay0 + 10 * kMinuteUs, kDay0 + 20 * kMinuteUs}, "visitor-1");
  CommitHits(id, account_a_, {kDay0 + 2 * kHourUs + 5 * kMinuteUs}, "visitor-2");
  CommitHits(id, account_a_, {kDay0 + 30 * kMinuteUs}, "visitor-3", EventKind::kHead);

  // from is rounded down to its hour; to is exclusive: 00:00 .. 04:00 = 4 hourly buckets.
  ApiResponse r = Call("GET",
                       "/api/v1/links/" + std::to_string(id) +
                           "/stats?from=2024-01-01T00:30:00Z&to=2024-01-01T04:00:00Z"
                           "&interval=hour",
                       key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("link_id").as_int64(), id);
  EXPECT_EQ(o.at("interval").as_string(), "hour");
  EXPECT_EQ(o.at("from").as_string(), "2024-01-01T00:00:00Z");
  EXPECT_EQ(o.at("to").as_string(), "2024-01-01T04:00:00Z");
  EXPECT_EQ(o.at("total").as_int64(), 3);
  EXPECT_EQ(o.at("unique").as_int64(), 2);
  EXPECT_EQ(o.at("head").as_int64(), 1);
  const json::array& series = o.at("series").as_array();
  ASSERT_EQ(series.size(), 4u);
  const int64_t want_total[] = {2, 0, 1, 0};
  for (size_t i = 0; i < series.size(); ++i) {
    const json::object& b = series[i].as_object();
    EXPECT_EQ(b.at("t").as_string(), FormatIso8601(kDay0 + static_cast<int64_t>(i) * kHourUs));
    EXPECT_EQ(b.at("total").as_int64(), want_total[i]) << i;
  }
  EXPECT_EQ(series[0].at("unique").as_int64(), 1);
  EXPECT_EQ(series[1].at("unique").as_int64(), 0);
}

TEST_F(RouterTest, StatsMarkBucketsAfterCompleteUntilAndNameTheLaggingStage) {
  int64_t id = CreateLink(key_a_, "late").at("id").as_int64();
  CommitHits(id, account_a_, {kDay0 + 10 * kMinuteUs}, "visitor-1");
  completeness_.value = {kDay0 + 2 * kHourUs, "store", "database is locked"};
  const std::string range = "from=2024-01-01T00:00:00Z&to=2024-01-01T04:00:00Z&interval=hour";
  for (const std::string& path :
       {"/api/v1/links/" + std::to_string(id) + "/stats?" + range, "/api/v1/stats?" + range,
        "/api/v1/links/" + std::to_string(id) + "/stats?group_by=country&" + range}) {
    ApiResponse r = Call("GET", path, key_a_);
    ASSERT_EQ(r.status, 200) << r.body;
    json::object o = json::parse(r.body).as_object();
    EXPECT_EQ(o.at("complete_until").as_string(), "2024-01-01T02:00:00Z") << path;
    EXPECT_TRUE(o.at("incomplete").as_bool()) << path;
    EXPECT_EQ(o.at("lagging_stage").as_string(), "store") << path;
    EXPECT_EQ(o.at("lagging_reason").as_string(), "database is locked") << path;
    const json::array& series = o.at("series").as_array();
    ASSERT_EQ(series.size(), 4u);
    for (size_t i = 0; i < series.size(); ++i) {
      // 00:00-01:00 and 01:00-02:00 end at or before 02:00; the others after it.
      EXPECT_EQ(series[i].as_object().at("complete").as_bool(), i < 2) << path << " " << i;
    }
  }
  // Caught up: every bucket complete, nothing lagging.
  completeness_.value = {kDay0 + 12 * kHourUs, "", ""};
  ApiResponse r = Call("GET", "/api/v1/links/" + std::to_string(id) + "/stats?" + range, key_a_);
  json::object o = json::parse(r.body).as_object();
  EXPECT_FALSE(o.at("incomplete").as_bool());
  EXPECT_FALSE(o.contains("lagging_stage"));
  for (const auto& b : o.at("series").as_array())
    EXPECT_TRUE(b.as_object().at("complete").as_bool());
  ApiResponse status = Call("GET", "/api/v1/status", key_a_);
  EXPECT_FALSE(json::parse(status.body).as_object().at("incomplete").as_bool());
}

TEST_F(RouterTest, StatsBucketCounts) {
  int64_t id = CreateLink(key_a_, "counts").at("id").as_int64();
  const std::string base = "/api/v1/links/" + std::to_string(id) + "/stats?";
  struct Case {
    std::string query;
    size_t buckets;
  };
  const Case cases[] = {
      {"from=2024-01-01T00:00:00Z&to=2024-01-01T01:00:00Z&interval=minute", 60},
      {"from=2024-01-01T00:00:30Z&to=2024-01-01T00:10:00Z&interval=minute", 10},
      {"from=2024-01-01T00:00:00Z&to=2024-01-01T00:10:01Z&interval=minute", 11},
      {"from=2024-01-01&to=2024-01-02&interval=hour", 24},
      {"from=2024-01-01&to=2024-02-01&interval=day", 31},
      {"from=2024-01-01T23:00:00Z&to=2024-01-03T00:00:01Z&interval=day", 3},
      {"from=2024-01-01T02:00:00%2B02:00&to=2024-01-01T03:00:00Z&interval=hour", 3},
      // Defaults: to = now (12:00, on the hour), from = 48 hours / 30 days / 60 minutes before.
      {"interval=hour", 48},
      // (days: from = 12:00 thirty days ago, rounded down to its midnight: 31 buckets)
      {"", 31},
      {"interval=minute", 60},
  };
  for (const auto& c : cases) {
    ApiResponse r = Call("GET", base + c.query, key_a_);
    ASSERT_EQ(r.status, 200) << c.query << ": " << r.body;
    json::object o = json::parse(r.body).as_object();
    EXPECT_EQ(o.at("series").as_array().size(), c.buckets) << c.query;
    EXPECT_EQ(o.at("total").as_int64(), 0);
  }
}

TEST_F(RouterTest, StatsBadRequests) {
  int64_t id = CreateLink(key_a_, "bad-stats").at("id").as_int64();
  const std::string base = "/api/v1/links/" + std::to_string(id) + "/stats?";
  for (const char* q : {
           // 8 days of minutes = 11520 buckets > 10000.
           "from=2024-01-01&to=2024-01-09&interval=minute",
           // 2 years of hours.
           "from=2022-01-01&to=2024-01-01&interval=hour",
           "interval=week",
           "from=yesterday",
           "from=2024-01-01T00:00:00",  // no zone
           "from=2024-01-02&to=2024-01-01",
           "from=2024-01-01&to=2024-01-01",
       }) {
    ExpectError(Call("GET", base + q, key_a_), 400, "bad_request");
  }
  // Just under the cap is fine: 10000 minutes.
  ApiResponse r = Call(
      "GET", base + "from=2024-01-01T00:00:00Z&to=2024-01-07T22:40:00Z&interval=minute", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("series").as_array().size(), 10000u);
  ExpectError(Call("GET", "/api/v1/links/424242/stats", key_a_), 404, "not_found");
}

// ---- reports: tz, group_by, filters, account stats, hits ------------------------------------

TEST_F(RouterTest, StatsInATimeZoneWithBreakdown) {
  int64_t id = CreateLink(key_a_, "tz").at("id").as_int64();
  Enrichment mobile{"US", "mobile", "ios", "safari", "t.co", "en", false};
  Enrichment desktop{"DE", "desktop", "windows", "chrome", "", "de", false};
  Enrichment bot{"US", "bot", "other", "other", "", "", true};
  // 2024-01-01 23:30Z is Jan 2 00:30 in Berlin.
  CommitHits(id, account_a_, {kDay0 + 10 * kHourUs}, "v1", EventKind::kClick, mobile);
  CommitHits(id, account_a_, {kDay0 + 23 * kHourUs + 30 * kMinuteUs}, "v2", EventKind::kClick,
             desktop);
  CommitHits(id, account_a_, {kDay0 + 11 * kHourUs}, "b", EventKind::kClick, bot);
  const std::string base = "/api/v1/links/" + std::to_string(id) + "/stats?";
  ApiResponse r = Call("GET",
                       base + "from=2024-01-01T00:00:00%2B01:00&to=2024-01-03T00:00:00%2B01:00" +
                           "&tz=Europe/Berlin&group_by=device",
                       key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("tz").as_string(), "Europe/Berlin");
  EXPECT_EQ(o.at("from").as_string(), "2023-12-31T23:00:00Z");
  EXPECT_EQ(o.at("total").as_int64(), 2);
  EXPECT_EQ(o.at("bots").as_int64(), 1);
  const json::array& series = o.at("series").as_array();
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].at("t").as_string(), "2023-12-31T23:00:00Z");
  EXPECT_EQ(series[0].at("total").as_int64(), 1);
  EXPECT_EQ(series[0].at("bots").as_int64(), 1);
  EXPECT_EQ(series[1].at("t").as_string(), "2024-01-01T23:00:00Z");
  EXPECT_EQ(series[1].at("total").as_int64(), 1);
  EXPECT_EQ(o.at("group_by").as_string(), "device");
  const json::array& rows = o.at("breakdown").as_array();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].at("value").as_string(), "bot");
  EXPECT_EQ(rows[2].at("bots").as_int64(), 1);

  // Filters (case-normalised) and a limit.
  r = Call("GET", base + "from=2024-01-01&to=2024-01-03&country=us&bot=false&group_by=os&limit=1",
           key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("total").as_int64(), 1);
  EXPECT_EQ(o.at("bots").as_int64(), 0);
  ASSERT_EQ(o.at("breakdown").as_array().size(), 1u);
  EXPECT_EQ(o.at("breakdown").as_array()[0].at("value").as_string(), "ios");
}

TEST_F(RouterTest, StatsParameterValidation) {
  int64_t id = CreateLink(key_a_, "params").at("id").as_int64();
  const std::string base = "/api/v1/links/" + std::to_string(id) + "/stats?";
  const std::pair<const char*, const char*> cases[] = {
      {"group_by=city", "group_by: unknown dimension 'city'"},
      {"tz=Mars/Olympus", "tz: unknown time zone 'Mars/Olympus'"},
      {"tz=", "tz: unknown time zone ''"},
      {"country=USA", "country: 'USA' is not an ISO 3166-1 alpha-2"},
      {"device=phone", "device: 'phone' is not one of desktop"},
      {"os=beos", "os: 'beos' is not one of windows"},
      {"bot=maybe", "bot: 'maybe' is not true or false"},
      {"language=e%20n", "language: 'e n' is not a lower-case token"},
      {"limit=0", "limit must be an integer in 1..1000"},
      {"limit=1001", "limit must be an integer in 1..1000"},
      {"limit=x", "limit must be an integer in 1..1000"},
      {"contry=US", "unknown parameter 'contry'"},
      {"country=US&country=DE", "country: given more than once"},
      {"interval=week", "interval must be minute, hour or day"},
  };
  for (const auto& [query, message] : cases) {
    ApiResponse r = Call("GET", base + query, key_a_);
    ExpectError(r, 400, "bad_request");
    EXPECT_NE(r.body.find(message), std::string::npos) << query << ": " << r.body;
  }
  for (const char* ok : {"tz=Asia/Kolkata&interval=hour", "country=&referrer=", "bot=true",
                         "destination=https%3A%2F%2Fexample.com%2F", "group_by=referrer"}) {
    EXPECT_EQ(Call("GET", base + ok, key_a_).status, 200) << ok;
  }
  // Another account's link: 404 with any parameters; so are its hits.
  ExpectError(Call("GET", base + "group_by=country", key_b_), 404, "not_found");
  ExpectError(Call("GET", "/api/v1/links/" + std::to_string(id) + "/hits", key_b_), 404,
              "not_found");
  ExpectError(Call("GET", "/api/v1/stats?group_by=nope", key_a_), 400, "bad_request");
}

TEST_F(RouterTest, AccountStatsWithTopLinks) {
  int64_t a = CreateLink(key_a_, "top-a").at("id").as_int64();
  int64_t b = CreateLink(key_a_, "top-b").at("id").as_int64();
  int64_t foreign = CreateLink(key_b_, "top-foreign").at("id").as_int64();
  CommitHits(a, account_a_, {kDay0 + kHourUs}, "v1");
  CommitHits(b, account_a_, {kDay0 + kHourUs, kDay0 + 2 * kHourUs}, "v2");
  CommitHits(foreign, account_b_, {kDay0 + kHourUs}, "v3");
  ApiResponse r = Call("GET", "/api/v1/stats?from=2024-01-01&to=2024-01-02&interval=hour", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = json::parse(r.body).as_object();
  EXPECT_FALSE(o.contains("link_id"));
  EXPECT_EQ(o.at("total").as_int64(), 3);
  EXPECT_EQ(o.at("unique").as_int64(), 2);
  EXPECT_EQ(o.at("series").as_array().size(), 24u);
  const json::array& top = o.at("top_links").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].at("id").as_int64(), b);
  EXPECT_EQ(top[0].at("slug").as_string(), "top-b");
  EXPECT_EQ(top[0].at("short_url").as_string(), "https://go.example.com/top-b");
  EXPECT_EQ(top[0].at("total").as_int64(), 2);
  EXPECT_EQ(top[1].at("id").as_int64(), a);
  r = Call("GET", "/api/v1/stats?from=2024-01-01&to=2024-01-02&limit=1", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("top_links").as_array().size(), 1u);
  EXPECT_EQ(Call("POST", "/api/v1/stats", key_a_).status, 405);
  ExpectError(Call("GET", "/api/v1/stats/x", key_a_), 404, "not_found");
}

TEST_F(RouterTest, HitsNewestFirstWithCursor) {
  int64_t id = CreateLink(key_a_, "hits").at("id").as_int64();
  std::vector<int64_t> times;
  for (int i = 0; i < 5; ++i) times.push_back(kDay0 + i * kMinuteUs);
  CommitHits(id, account_a_, times, "v1", EventKind::kClick,
             {"US", "mobile", "ios", "safari", "t.co", "en", false});
  CommitHits(id, account_a_, {kDay0 + kHourUs}, "v2", EventKind::kHead);
  const std::string path = "/api/v1/links/" + std::to_string(id) + "/hits";
  ApiResponse r = Call("GET", path + "?limit=4", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = json::parse(r.body).as_object();
  const json::array& hits = o.at("hits").as_array();
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].at("kind").as_string(), "head");
  EXPECT_EQ(hits[0].at("time").as_string(), "2024-01-01T01:00:00Z");
  EXPECT_EQ(hits[1].at("kind").as_string(), "click");
  EXPECT_EQ(hits[1].at("time").as_string(), "2024-01-01T00:04:00Z");
  EXPECT_EQ(hits[1].at("country").as_string(), "US");
  EXPECT_EQ(hits[1].at("device").as_string(), "mobile");
  EXPECT_EQ(hits[1].at("bot").as_bool(), false);
  EXPECT_EQ(hits[1].at("unique").as_bool(), false);
  EXPECT_EQ(hits[1].at("click_id").as_string().size(), 22u);
  ASSERT_TRUE(o.at("next").is_string());
  r = Call("GET", path + "?limit=4&after=" + std::string(o.at("next").as_string()), key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  o = json::parse(r.body).as_object();
  ASSERT_EQ(o.at("hits").as_array().size(), 2u);
  EXPECT_EQ(o.at("hits").as_array()[1].at("time").as_string(), "2024-01-01T00:00:00Z");
  EXPECT_EQ(o.at("hits").as_array()[1].at("unique").as_bool(), true);
  EXPECT_TRUE(o.at("next").is_null());
  // Default limit; validation.
  EXPECT_EQ(json::parse(Call("GET", path, key_a_).body).at("hits").as_array().size(), 6u);
  for (const char* q :
       {"?limit=0", "?limit=1001", "?after=nope", "?after=AAAA", "?x=1", "?limit=5&limit=6"}) {
    ExpectError(Call("GET", path + q, key_a_), 400, "bad_request");
  }
  ExpectError(Call("GET", "/api/v1/links/424242/hits", key_a_), 404, "not_found");
  EXPECT_EQ(Call("POST", path, key_a_).status, 405);
}

// ---- routing -------------------------------------------------------------------------------

TEST_F(RouterTest, UnknownRoutesAre404) {
  ExpectError(Call("GET", "/", ""), 404, "not_found");
  ExpectError(Call("GET", "/nope", ""), 404, "not_found");
  ExpectError(Call("GET", "/api/v2/links", key_a_), 404, "not_found");
  ExpectError(Call("GET", "/api/v1/accounts", key_a_), 404, "not_found");
  ExpectError(Call("GET", "/api/", key_a_), 404, "not_found");
  int64_t id = CreateLink(key_a_, "route").at("id").as_int64();
  ExpectError(Call("GET", "/api/v1/links/" + std::to_string(id) + "/nope", key_a_), 404,
              "not_found");
  ExpectError(Call("GET", "/api/v1/links/" + std::to_string(id) + "/stats/x", key_a_), 404,
              "not_found");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  int64_t id = CreateLink(key_a_, "methods").at("id").as_int64();
  struct Case {
    std::string method, target, allow;
  };
  const std::string link = "/api/v1/links/" + std::to_string(id);
  const Case cases[] = {
      {"PUT", "/api/v1/links", "GET, POST"}, {"DELETE", "/api/v1/links", "GET, POST"},
      {"POST", link, "GET, PATCH, DELETE"},  {"PUT", link, "GET, PATCH, DELETE"},
      {"POST", link + "/stats", "GET"},      {"DELETE", link + "/stats", "GET"},
  };
  for (const auto& c : cases) {
    ApiResponse r = Call(c.method, c.target, key_a_, "{}");
    ExpectError(r, 405, "method_not_allowed");
    const std::string* allow = FindHeader(r, "Allow");
    ASSERT_NE(allow, nullptr) << c.method << " " << c.target;
    EXPECT_EQ(*allow, c.allow);
  }
  // Authentication comes first: without a key a wrong method is still 401.
  ExpectError(Call("PUT", "/api/v1/links", ""), 401, "unauthorized");
}

TEST_F(RouterTest, RateLimitIs429WithRetryAfterPerKey) {
  ApiContext ctx;
  ctx.store = store_.get();
  ctx.clock = &clock_;
  ctx.options.rate_per_second = 1;
  ctx.options.rate_burst = 2;
  router_ = std::make_unique<ApiRouter>(std::move(ctx));
  EXPECT_EQ(Call("GET", "/api/v1/links", key_a_).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/links", key_a_).status, 200);
  ApiResponse r = Call("GET", "/api/v1/links", key_a_);
  ExpectError(r, 429, "rate_limited");
  const std::string* retry = FindHeader(r, "Retry-After");
  ASSERT_NE(retry, nullptr);
  EXPECT_GE(std::stoi(*retry), 1);
  // Another key has its own bucket; unauthenticated requests are 401, not 429.
  EXPECT_EQ(Call("GET", "/api/v1/links", key_b_).status, 200);
  ExpectError(Call("GET", "/api/v1/links", ""), 401, "unauthorized");
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Call("GET", "/api/v1/links", key_a_).status, 200);
}

TEST_F(RouterTest, Healthz) {
  ApiResponse r = Call("GET", "/healthz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
  ready_ = false;
  EXPECT_EQ(Call("GET", "/healthz?x=1", "").status, 200);  // liveness ignores readiness
}

TEST_F(RouterTest, ReadyzFollowsCallback) {
  EXPECT_EQ(Call("GET", "/readyz", "").status, 200);
  ready_ = false;
  ApiResponse r = Call("GET", "/readyz", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_FALSE(r.body.empty());
  ready_ = true;
  EXPECT_EQ(Call("GET", "/readyz", "").status, 200);
}

TEST_F(RouterTest, ReadyzWithoutCallbackIsReady) {
  ApiContext ctx;
  ctx.store = store_.get();
  ctx.clock = &clock_;
  ApiRouter bare(std::move(ctx));
  ApiRequest req;
  req.method = "GET";
  req.target = "/readyz";
  EXPECT_EQ(bare.Handle(req).status, 200);
  req.target = "/metrics";
  EXPECT_EQ(bare.Handle(req).status, 200);
}

TEST_F(RouterTest, MetricsRendersRegistry) {
  metrics_.AddCounter("clicktrail_router_test_total", "A counter for the test.")->Inc(17);
  ApiResponse r = Call("GET", "/metrics", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  EXPECT_EQ(r.body, metrics_.RenderPrometheus());
  EXPECT_NE(r.body.find("clicktrail_router_test_total 17\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("# TYPE clicktrail_router_test_total counter\n"), std::string::npos);
}

// ---- /api/v1/status --------------------------------------------------------------------------

TEST_F(RouterTest, ConfirmedKeysStillReachTheStatusPageWhileTheStoreIsDown) {
  ASSERT_EQ(Call("GET", "/api/v1/links", key_a_).status, 200);  // the store confirms key A
  store_->fail_lookups = true;
  EXPECT_EQ(Call("GET", "/api/v1/status", key_a_).status, 200);
  // Key B was never confirmed: no fallback for it, the outage shows as a 503.
  ExpectError(Call("GET", "/api/v1/status", key_b_), 503, "unavailable");
  // A malformed key is still refused without any lookup.
  ExpectError(Call("GET", "/api/v1/status", "ct_bogus"), 401, "unauthorized");
}

TEST_F(RouterTest, StatusNeedsAKey) {
  ExpectError(Call("GET", "/api/v1/status", ""), 401, "unauthorized");
}

TEST_F(RouterTest, StatusListsStagesAndEmptyAlarms) {
  StageHealth tracker;
  tracker.name = "tracker";
  tracker.state = HealthState::kAmber;
  tracker.lag_seconds = 7.5;
  tracker.detail = "oldest uncommitted click 7.5 s old";
  StageHealth store;
  store.name = "store";
  store.state = HealthState::kRed;
  store.detail = "3 failed in a row";
  store.last_error = "Unavailable: database is locked";
  status_ = {tracker, store};

  ApiResponse r = Call("GET", "/api/v1/status", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  json::object o = json::parse(r.body).as_object();
  ASSERT_EQ(o.size(), 4u) << r.body;
  EXPECT_EQ(o.at("complete_until").as_string(), "2024-01-01T12:00:00Z");
  EXPECT_FALSE(o.at("incomplete").as_bool());
  ASSERT_TRUE(o.at("alarms").is_array());
  EXPECT_TRUE(o.at("alarms").as_array().empty());
  const json::array& stages = o.at("stages").as_array();
  ASSERT_EQ(stages.size(), 2u);
  const json::object& t = stages[0].as_object();
  EXPECT_EQ(t.at("name").as_string(), "tracker");
  EXPECT_EQ(t.at("state").as_string(), "amber");
  EXPECT_DOUBLE_EQ(t.at("lag_seconds").to_number<double>(), 7.5);
  EXPECT_EQ(t.at("detail").as_string(), "oldest uncommitted click 7.5 s old");
  EXPECT_TRUE(t.at("last_error").is_null());
  const json::object& s = stages[1].as_object();
  EXPECT_EQ(s.at("state").as_string(), "red");
  EXPECT_EQ(s.at("last_error").as_string(), "Unavailable: database is locked");
}

TEST_F(RouterTest, StatusCarriesTheAlarmEnginesArray) {
  ApiContext ctx;
  ctx.store = store_.get();
  ctx.metrics = &metrics_;
  ctx.clock = &clock_;
  ctx.alarms = [] {
    return json::array{json::object{{"name", "pipeline_lag"}, {"state", "firing"}}};
  };
  router_ = std::make_unique<ApiRouter>(std::move(ctx));  // and no status function
  ApiResponse r = Call("GET", "/api/v1/status", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = json::parse(r.body).as_object();
  ASSERT_EQ(o.at("alarms").as_array().size(), 1u);
  EXPECT_EQ(o.at("alarms").as_array()[0].as_object().at("name").as_string(), "pipeline_lag");
  EXPECT_TRUE(o.at("stages").as_array().empty());
}

TEST_F(RouterTest, StatusOnlyAnswersGet) {
  ApiResponse r = Call("POST", "/api/v1/status", key_a_, "{}");
  ExpectError(r, 405, "method_not_allowed");
  ExpectError(Call("GET", "/api/v1/status/extra", key_a_), 404, "not_found");
}

}  // namespace
}  // namespace ct::api

namespace ct::api {
namespace {

TEST_F(RouterTest, QrCodeOfOwnLinkOnly) {
  ApiResponse created = Call("POST", "/api/v1/links", key_a_,
                             R"({"destination":"https://example.com/","slug":"qr-me"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string base =
      "/api/v1/links/" + std::to_string(json::parse(created.body).as_object().at("id").as_int64());
  ApiResponse png = Call("GET", base + "/qr", key_a_);
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.body.substr(1, 3), "PNG");
  ApiResponse svg = Call("GET", base + "/qr?format=svg&size=128", key_a_);
  ASSERT_EQ(svg.status, 200);
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  ExpectError(Call("GET", base + "/qr?format=bmp", key_a_), 400, "bad_request");
  ExpectError(Call("GET", base + "/qr?size=12", key_a_), 400, "bad_request");
  ExpectError(Call("GET", base + "/qr", key_b_), 404, "not_found");
  ExpectError(Call("POST", base + "/qr", key_a_), 405, "method_not_allowed");
}

}  // namespace
}  // namespace ct::api
