// A router over a real SqliteStore in a temp dir, with two accounts, an in-memory journal
// (CapturingSink) and the edge's goal lookups served from the store — what the issue-4 API
// tests share (router_test.cc builds its own, older fixture).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/api_key.h"
#include "api/router.h"
#include "common/clock.h"
#include "journal/format.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::api {

// Keeps every appended buffer; WhenDurable answers at once with `durable_status` (or never,
// when `never_durable`).
class CapturingSink : public EventSink {
 public:
  Result<uint64_t> Append(std::string_view framed) override {
    std::lock_guard<std::mutex> l(mu_);
    if (!append_status.ok()) return append_status;
    appends.emplace_back(framed);
    end_ += framed.size();
    return end_;
  }
  void WhenDurable(uint64_t, std::function<void(const Status&)> done) override {
    ++durable_waits;
    if (!never_durable) done(durable_status);
  }
  uint64_t DurablePosition() const override { return end_; }

  // Every event record of every append, decoded.
  std::vector<Event> Events() const {
    std::vector<Event> out;
    for (const std::string& a : appends) {
      std::string_view rest = a;
      while (!rest.empty()) {
        journal::Frame f;
        EXPECT_EQ(journal::CheckFrame(rest, &f), journal::FrameCheck::kOk);
        if (f.size == 0) break;
        EXPECT_EQ(f.type, journal::RecordType::kEvent);
        auto e = DecodeEvent(f.payload);
        EXPECT_TRUE(e.ok()) << e.status().ToString();
        if (e.ok()) out.push_back(*e);
        rest.remove_prefix(f.size);
      }
    }
    return out;
  }

  std::vector<std::string> appends;
  Status append_status = Status::Ok();
  Status durable_status = Status::Ok();
  bool never_durable = false;
  int durable_waits = 0;

 private:
  std::mutex mu_;
  uint64_t end_ = 0;
};

class ApiFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kDay0 = 1'704'067'200'000'000;  // 2024-01-01T00:00:00Z

  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ct-api-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    SqliteStoreOptions o;
    o.path = (dir_ / "clicktrail.db").string();
    o.clock = &clock_;
    o.read_connections = 2;
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    key_a_ = NewAccountKey("alice", &account_a_);
    key_b_ = NewAccountKey("bob", &account_b_);
    BuildRouter();
  }
  void TearDown() override {
    router_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // (Re)builds the router from the current options (tests change ssrf / strict first).
  void BuildRouter(bool with_events = true) {
    ApiContext ctx;
    ctx.options = options_;
    ctx.store = store_.get();
    ctx.metrics = &metrics_;
    ctx.clock = &clock_;
    ctx.links_changed = [this] { ++links_changed_; };
    if (with_events) {
      ctx.events = &sink_;
      ctx.event_ids = &ids_;
    }
    // The edge's goal table, here read from the store (the real one is a LinkTable snapshot).
    ctx.find_goal_by_id = [this](int64_t id) -> std::optional<GoalRow> {
      for (int64_t account : {account_a_, account_b_}) {
        auto g = store_->GetGoal(account, id);
        if (g.ok() && g->has_value() && !(*g)->deleted) return **g;
      }
      return std::nullopt;
    };
    ctx.find_goal_by_key = [this](std::string_view key) -> std::optional<GoalRow> {
      for (int64_t account : {account_a_, account_b_}) {
        auto goals = store_->ListGoals(account);
        if (!goals.ok()) continue;
        for (const GoalRow& g : *goals) {
          if (g.key == key) return g;
        }
      }
      return std::nullopt;
    };
    router_ = std::make_unique<ApiRouter>(std::move(ctx));
  }

  std::string NewAccountKey(const std::string& name, int64_t* account_id) {
    NewApiKey k = GenerateApiKey();
    auto id = store_->CreateAccount({name, k.hash, k.prefix});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    *account_id = id.ok() ? *id : 0;
    return k.key;
  }

  ApiResponse Call(std::string method, std::string target, const std::string& key,
                   std::string body = "", std::string content_type = "application/json",
                   std::string user_agent = "") {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    if (!key.empty()) r.headers.emplace_back("authorization", "Bearer " + key);
    if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
    if (!user_agent.empty()) r.headers.emplace_back("user-agent", std::move(user_agent));
    r.body = std::move(body);
    r.remote_ip = "192.0.2.10";
    return router_->Handle(r);
  }

  static boost::json::object Json(const ApiResponse& r) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    EXPECT_FALSE(ec) << r.body;
    return v.is_object() ? v.as_object() : boost::json::object{};
  }
  static std::string ErrorCode(const ApiResponse& r) {
    auto o = Json(r);
    if (!o.contains("error")) return "";
    return std::string(o.at("error").at("code").as_string());
  }
  static std::string ErrorMessage(const ApiResponse& r) {
    auto o = Json(r);
    if (!o.contains("error")) return "";
    return std::string(o.at("error").at("message").as_string());
  }

  // Creates a goal for `key` from a JSON body and returns its object.
  boost::json::object CreateGoal(const std::string& key, const std::string& body) {
    ApiResponse r = Call("POST", "/api/v1/goals", key, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Json(r) : boost::json::object{};
  }

  ApiOptions options_{.public_url = "https://go.example.com"};
  FakeClock clock_{kDay0 + 12LL * 3600 * 1'000'000};
  MetricsRegistry metrics_;
  CapturingSink sink_;
  EventIdGenerator ids_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ApiRouter> router_;
  int links_changed_ = 0;
  std::string key_a_, key_b_;
  int64_t account_a_ = 0, account_b_ = 0;
};

}  // namespace ct::api
