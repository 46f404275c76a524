#include "edge/edge_server.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "edge_test_util.h"

namespace ct::edge {
namespace {

using testing::FakeSink;
using testing::RawClient;
using testing::StatusOf;

constexpr char k302[] =
    "HTTP/1.1 302 Found\r\nLocation: https://example.com/x?a=1\r\nCache-Control: no-store\r\n"
    "Content-Length: 0\r\n\r\n";

class EdgeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LinkRow row;
    row.id = 7;
    row.account_id = 3;
    row.slug = "abc";
    row.destination = "https://example.com/x?a=1";
    table_.Apply({row});
  }
  void StartServer(EdgeOptions o = {}) {
    o.port = 0;
    o.threads = 2;
    if (o.default_hosts == EdgeOptions().default_hosts) {
      o.default_hosts.push_back("x");  // the tests' Host
      o.visitor_cookie = false;        // exact response bytes below
      o.click_cookie = false;
    }
    ApiHandler api = [this](const ApiRequest& r) {
      std::lock_guard lock(mu_);
      api_seen_.push_back(r);
      ApiResponse resp;
      resp.status = 201;
      resp.body = "{\"ok\":true}";
      resp.headers.push_back({"X-Reply", "yes"});
      return resp;
    };
    server_ = std::make_unique<EdgeServer>(o, &table_, &sink_, api, &metrics_, Clock::System());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  double Outcome(const char* o) {
    return metrics_.Value("clicktrail_edge_requests_total", std::string("outcome=\"") + o + "\"");
  }

  LinkTable table_;
  FakeSink sink_;
  MetricsRegistry metrics_;
  std::unique_ptr<EdgeServer> server_;
  std::mutex mu_;
  std::vector<ApiRequest> api_seen_;
};

TEST_F(EdgeServerTest, RedirectWithExactHeadersAndRecord) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(
      c.Send("GET /abc?utm=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: UA/1\r\n"
             "Referer: https://ref.example/\r\nAccept-Language: fr\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), k302);
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kClick);
  EXPECT_EQ(events[0].link_id, 7);
  EXPECT_EQ(events[0].account_id, 3);
  EXPECT_EQ(events[0].ip, "127.0.0.1");
  EXPECT_EQ(events[0].user_agent, "UA/1");
  EXPECT_EQ(events[0].referrer, "https://ref.example/");
  EXPECT_EQ(events[0].accept_language, "fr");
  EXPECT_GT(events[0].time_us, 0);
  EXPECT_EQ(Outcome("redirect"), 1);
}

TEST_F(EdgeServerTest, RecordCarriesVisitorPrefetchProxyClientAndAnonymisedIp) {
  EdgeOptions o;
  o.visitor_cookie = true;
  o.trusted_proxies = "127.0.0.1";
  o.anonymize_ip = true;
  o.default_hosts = {"x"};
  StartServer(o);
  RawClient c(server_->port());
  ASSERT_TRUE(
      c.Send("GET /abc HTTP/1.1\r\nHost: X:8080\r\nX-Forwarded-For: 1.2.3.4, 203.0.113.77\r\n"
             "Sec-Purpose: prefetch;prerender\r\n\r\n"));
  std::string first = c.ReadResponse();
  EXPECT_EQ(StatusOf(first), 302);
  size_t at = first.find("Set-Cookie: ct_vid=");
  ASSERT_NE(at, std::string::npos) << first;
  std::string vid = first.substr(at + 19, 22);
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\nCookie: ct_vid=" + vid + "\r\n\r\n"));
  std::string second = c.ReadResponse();
  EXPECT_EQ(second.find("Set-Cookie: ct_vid"), std::string::npos) << second;
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].ip, "203.0.113.0");  // the right-most untrusted hop, anonymised
  EXPECT_EQ(events[0].flags, kFlagPrefetch | kFlagNewVisitor);
  EXPECT_EQ(events[0].visitor_id, vid);
  EXPECT_EQ(events[0].destination, "https://example.com/x?a=1");
  EXPECT_EQ(events[1].ip, "127.0.0.0");
  EXPECT_EQ(events[1].flags, 0);
  EXPECT_EQ(events[1].visitor_id, vid);
  // An unknown host is a 404, nothing journaled.
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: other.example\r\n\r\n"));
  EXPECT_EQ(StatusOf(c.ReadResponse()), 404);
  EXPECT_EQ(sink_.Events().size(), 2u);
}

TEST_F(EdgeServerTest, RecordIsAppendedBeforeTheClientGetsThe302) {
  sink_.append_delay = std::chrono::milliseconds(200);
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(StatusOf(c.ReadResponse()), 302);
  // Had the reply been written before Append returned, the append would still be sleeping.
  EXPECT_EQ(sink_.Events().size(), 1u);
}

TEST_F(EdgeServerTest, KeepAliveAndPipelining) {
  StartServer();
  RawClient c(server_->port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(c.ReadResponse(), k302);
  }
  ASSERT_TRUE(
      c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), k302);
  EXPECT_EQ(StatusOf(c.ReadResponse()), 404);
  std::string last = c.ReadResponse();
  EXPECT_EQ(StatusOf(last), 302);
  EXPECT_NE(last.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(sink_.Events().size(), 7u);
}

TEST_F(EdgeServerTest, Http10ClosesUnlessKeepAlive) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  std::string r = c.ReadResponse();
  EXPECT_NE(r.find("Connection: keep-alive"), std::string::npos);
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(StatusOf(c.ReadResponse()), 302);
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(EdgeServerTest, HeadIsJournaledAsHead) {
  StartServer();
  RawClient c(server_->port());
  c.set_head_request(true);
  ASSERT_TRUE(c.Send("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), k302);
  auto events = sink_.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kHead);
  EXPECT_EQ(Outcome("head"), 1);
  EXPECT_EQ(Outcome("redirect"), 0);
}

TEST_F(EdgeServerTest, UnknownAndHostileSlugsAre404WithConstantBody) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /unknown HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string reference = c.ReadResponse();
  ASSERT_EQ(StatusOf(reference), 404);
  EXPECT_NE(reference.find("Cache-Control: no-store"), std::string::npos);
  EXPECT_NE(reference.find("text/html"), std::string::npos);
  std::string body = reference.substr(reference.find("\r\n\r\n") + 4);
  EXPECT_FALSE(body.empty());
  EXPECT_EQ(body.find("unknown"), std::string::npos);

  const std::vector<std::string> hostile = {"/abc%0d%0aSet-Cookie:%20x=1",
                                            "/abc%00",
                                            "/../abc",
                                            "/%2e%2e%2fabc",
                                            "/%252e%252e",
                                            "/%C3%A9t%C3%A9",
                                            "/abc/../abc",
                                            "/" + std::string(65, 'a'),
                                            "/ab.c",
                                            "/abc%20",
                                            "/\xc3\xa9t\xc3\xa9",
                                            "/\xc0\xaf"};
  for (const std::string& path : hostile) {
    RawClient h(server_->port());
    ASSERT_TRUE(h.Send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string r = h.ReadResponse();
    SCOPED_TRACE(path);
    int status = StatusOf(r);
    // Raw non-ASCII bytes in the target are refused by Beast's parser itself (400).
    if (static_cast<unsigned char>(path[1]) >= 0x80) {
      EXPECT_TRUE(status == 404 || status == 400) << r;
    } else {
      EXPECT_EQ(status, 404) << r;
      EXPECT_EQ(r.substr(r.find("\r\n\r\n") + 4), body);
    }
    EXPECT_EQ(r.find(path.substr(1)), std::string::npos);  // never echoed
    EXPECT_EQ(r.find("Set-Cookie"), std::string::npos);
  }
  EXPECT_EQ(sink_.appends(), 0);
}

TEST_F(EdgeServerTest, OtherMethodsGet405WithAllow) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("POST /abc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"));
  std::string r = c.ReadResponse();
  EXPECT_EQ(StatusOf(r), 405);
  EXPECT_NE(r.find("Allow: GET, HEAD\r\n"), std::string::npos);
  ASSERT_TRUE(c.Send("DELETE /abc HTTP/1.1\r\nHost: x\r\n\r\n"));  // still keep-alive
  EXPECT_EQ(StatusOf(c.ReadResponse()), 405);
  EXPECT_EQ(sink_.appends(), 0);
}

struct BadCase {
  const char* name;
  std::string request;
  int status;
};

TEST_F(EdgeServerTest, BadInputGetsItsStatusClosesAndRecordsNothing) {
  StartServer();
  std::string many_fields;
  for (int i = 0; i < 101; ++i) many_fields += "X-F" + std::to_string(i) + ": v\r\n";
  std::string big_header;
  for (int i = 0; i < 20; ++i)
    big_header += "X-B" + std::to_string(i) + ": " + std::string(1000, 'b') + "\r\n";
  const std::vector<BadCase> cases = {
      {"garbage request line", "GARBAGE\r\n\r\n", 400},
      {"no version", "GET /abc\r\nHost: x\r\n\r\n", 400},
      {"field without colon", "GET /abc HTTP/1.1\r\nHost x\r\n\r\n", 400},
      {"CR in value", "GET /abc HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400},
      {"NUL in value", std::string("GET /abc HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 40), 400},
      {"obs-fold", "GET /abc HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400},
      {"CL and TE",
       "POST /abc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       400},
      {"TE and CL",
       "POST /abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
       "Content-Length: 5\r\n\r\n0\r\n\r\n",
       400},
      {"differing CLs",
       "POST /abc HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
       "Content-Length: 2\r\n\r\nab",
       400},
      {"unknown TE", "POST /abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"TE gzip then chunked",
       "POST /abc HTTP/1.1\r\nHost: x\r\n"
       "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
       501},
      {"URI over 8 KiB", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"request line over the header limit",
       "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"header section over 16 KiB", "GET /abc HTTP/1.1\r\nHost: x\r\n" + big_header + "\r\n", 431},
      {"over 100 fields", "GET /abc HTTP/1.1\r\n" + many_fields + "\r\n", 431},
      {"HTTP/2.0", "GET /abc HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"HTTP/0.9", "GET /abc HTTP/0.9\r\nHost: x\r\n\r\n", 505},
      {"HTTX/1.1", "GET /abc HTTX/1.1\r\nHost: x\r\n\r\n", 400},
      {"HTTP/1.2", "GET /abc HTTP/1.2\r\nHost: x\r\n\r\n", 505},
      {"bare LF line ends", "GET /abc HTTP/1.1\nHost: x\n\n", 400},
      {"HTTP/1.10", "GET /abc HTTP/1.10\r\nHost: x\r\n\r\n", 400},
  };
  for (const BadCase& bc : cases) {
    SCOPED_TRACE(bc.name);
    RawClient c(server_->port());
    ASSERT_TRUE(c.Send(bc.request));
    std::string r = c.ReadResponse();
    EXPECT_EQ(StatusOf(r), bc.status) << r;
    EXPECT_TRUE(c.ClosedByPeer());
  }
  EXPECT_EQ(sink_.appends(), 0);
  EXPECT_EQ(Outcome("bad_request"), static_cast<double>(cases.size()));
}

TEST_F(EdgeServerTest, ApiRequestReachesHandlerAndConnectionStaysOpen) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /api/v1/links?x=1 HTTP/1.1\r\nHost: x\r\nX-Api-Key: K\r\n"
             "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"slug\":\"a\"}\n"));
  std::string r = c.ReadResponse();
  EXPECT_EQ(StatusOf(r), 201);
  EXPECT_NE(r.find("X-Reply: yes\r\n"), std::string::npos);
  EXPECT_NE(r.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\n\r\n{\"ok\":true}"), std::string::npos);
  {
    std::lock_guard lock(mu_);
    ASSERT_EQ(api_seen_.size(), 1u);
    const ApiRequest& req = api_seen_[0];
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.target, "/api/v1/links?x=1");
    EXPECT_EQ(req.body, "{\"slug\":\"a\"}\n");
    EXPECT_EQ(req.remote_ip, "127.0.0.1");
    ASSERT_NE(req.Header("x-api-key"), nullptr);
    EXPECT_EQ(*req.Header("x-api-key"), "K");
  }
  // Chunked body, then a redirect on the same connection.
  ASSERT_TRUE(
      c.Send("PUT /api/v1/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  EXPECT_EQ(StatusOf(c.ReadResponse()), 201);
  ASSERT_TRUE(c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(c.ReadResponse()), 201);
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), k302);
  std::lock_guard lock(mu_);
  ASSERT_EQ(api_seen_.size(), 3u);
  EXPECT_EQ(api_seen_[1].body, "abcde");
  EXPECT_EQ(Outcome("api"), 3);
}

TEST_F(EdgeServerTest, HugeContentLengthGets413BeforeTheBody) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("POST /api/v1/links HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"));
  std::string r = c.ReadResponse();  // not one body byte sent
  EXPECT_EQ(StatusOf(r), 413);
  EXPECT_TRUE(c.ClosedByPeer());
  std::lock_guard lock(mu_);
  EXPECT_TRUE(api_seen_.empty());
}

TEST_F(EdgeServerTest, AppendFailureStillRedirectsAndCounts) {
  sink_.fail = true;
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), k302);
  EXPECT_EQ(metrics_.Value("clicktrail_edge_clicks_unrecorded_total"), 1);
}

TEST_F(EdgeServerTest, StrictModeWaitsForDurable) {
  EdgeOptions o;
  o.durability = Durability::kStrict;
  StartServer(o);
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(c.NothingWithin(300));
  EXPECT_EQ(sink_.Events().size(), 1u);
  EXPECT_EQ(sink_.FireDurable(), 1u);
  EXPECT_EQ(c.ReadResponse(), k302);
}

TEST_F(EdgeServerTest, NoneModeJournalsNothing) {
  EdgeOptions o;
  o.durability = Durability::kNone;
  StartServer(o);
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.ReadResponse(), k302);
  EXPECT_EQ(sink_.appends(), 0);
}

TEST_F(EdgeServerTest, SlowlorisIsClosedAfterHeaderTimeout) {
  EdgeOptions o;
  o.header_timeout = std::chrono::seconds(1);
  StartServer(o);
  RawClient partial(server_->port(), 4000);
  RawClient silent(server_->port(), 4000);
  RawClient good(server_->port(), 4000);
  ASSERT_TRUE(partial.Send("GET /abc HTTP/1.1\r\nHost: x\r\n"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(partial.ClosedByPeer());
  EXPECT_TRUE(silent.ClosedByPeer());
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(600));
  EXPECT_LT(took, std::chrono::milliseconds(2500));
  EXPECT_GE(metrics_.Value("clicktrail_edge_header_timeouts_total"), 2);
  EXPECT_EQ(sink_.appends(), 0);
}

TEST_F(EdgeServerTest, StopFinishesInFlightRequests) {
  sink_.append_delay = std::chrono::milliseconds(300);
  StartServer();
  uint16_t port = server_->port();
  RawClient idle(port);
  RawClient busy(port);
  ASSERT_TRUE(busy.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the Append is sleeping now
  auto stopped = std::async(std::launch::async, [&] { server_->Stop(); });
  EXPECT_EQ(StatusOf(busy.ReadResponse()), 302);
  EXPECT_TRUE(busy.ClosedByPeer());
  EXPECT_TRUE(idle.ClosedByPeer());
  stopped.get();
  EXPECT_EQ(sink_.Events().size(), 1u);
  RawClient late(port);
  EXPECT_FALSE(late.connected());
}

TEST_F(EdgeServerTest, OverMaxConnectionsIsRefused) {
  EdgeOptions o;
  o.max_connections = 1;
  StartServer(o);
  RawClient first(server_->port());
  ASSERT_TRUE(first.Send("GET /abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(StatusOf(first.ReadResponse()), 302);
  RawClient second(server_->port());
  EXPECT_TRUE(second.ClosedByPeer());
  EXPECT_EQ(metrics_.Value("clicktrail_edge_connections_refused_total"), 1);
}

}  // namespace
}  // namespace ct::edge
