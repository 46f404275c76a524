// The three alarm channels against real servers on 127.0.0.1 (testutil HttpReceiver, SmtpSink).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "monitor/alarm_engine.h"
#include "monitor/email_channel.h"
#include "monitor/sms_channel.h"
#include "monitor/webhook_channel.h"
#include "testutil/http_receiver.h"
#include "testutil/smtp_sink.h"

namespace ct {
namespace {

using namespace std::chrono_literals;

AlarmMessage Msg(std::string state = "firing") {
  AlarmMessage m;
  m.rule = "tracking_lag";
  m.summary = "Tracking lag over 10 s";
  m.state = std::move(state);
  m.instance = "host-1";
  m.value = 42;
  m.threshold = 10;
  m.since_us = 1'700'000'000'000'000;
  m.at_us = 1'700'000'030'500'000;
  m.id = "alm_test_1";
  return m;
}

// Written here from OpenSSL directly, not through the channel's helpers: an independent check.
std::string ExpectedSignature(const std::string& key, const std::string& content) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &len);
  unsigned char b64[128] = {0};
  int n = EVP_EncodeBlock(b64, mac, static_cast<int>(len));
  return "v1," + std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    std::string pair = body.substr(pos, amp - pos);
    size_t eq = pair.find('=');
    out[UrlDecode(pair.substr(0, eq))] =
        eq == std::string::npos ? "" : UrlDecode(pair.substr(eq + 1));
    pos = amp + 1;
  }
  return out;
}

WebhookChannelOptions Hook(const std::string& url, const std::string& secret,
                           std::chrono::milliseconds total_timeout = 15s) {
  WebhookChannelOptions o;
  o.url = url;
  o.secret = secret;
  o.timeouts.total = total_timeout;
  return o;
}

EmailChannelOptions Mail(const std::string& url, const std::string& from,
                         std::vector<std::string> to,
                         std::chrono::milliseconds total_timeout = 15s) {
  EmailChannelOptions o;
  o.url = url;
  o.from = from;
  o.to = std::move(to);
  o.timeouts.total = total_timeout;
  return o;
}

SmsChannelOptions Sms(const std::string& url, const std::string& user, const std::string& pass,
                      const std::string& from, const std::string& to) {
  SmsChannelOptions o;
  o.url = url;
  o.username = user;
  o.password = pass;
  o.from = from;
  o.to = to;
  return o;
}

test::ReceiverReply Reply(int status, std::string body = "",
                          std::chrono::milliseconds delay = 0ms) {
  test::ReceiverReply r;
  r.status = status;
  r.body = std::move(body);
  r.delay = delay;
  return r;
}

// ---- webhook ---------------------------------------------------------------------------------

TEST(WebhookChannelTest, PostsSignedJson) {
  test::HttpReceiver rx;
  FakeClock clock(1'700'000'100'000'000);
  const std::string secret = "a-test-secret-of-at-least-24-bytes";
  WebhookChannelOptions opts = Hook(rx.Url("/alarms"), secret);
  opts.name = "hook";
  WebhookChannel ch(opts, &clock);
  ASSERT_TRUE(ch.Send(Msg()).ok());
  ASSERT_EQ(rx.Count(), 1u);
  test::ReceivedRequest req = rx.Requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/alarms");
  EXPECT_EQ(req.Header("content-type"), "application/json");
  EXPECT_EQ(req.Header("webhook-id"), "alm_test_1");
  EXPECT_EQ(req.Header("webhook-timestamp"), "1700000100");
  EXPECT_EQ(req.Header("webhook-signature"),
            ExpectedSignature(secret, "alm_test_1.1700000100." + req.body));

  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(req.body, ec);
  ASSERT_FALSE(ec) << req.body;
  const boost::json::object& o = v.as_object();
  EXPECT_EQ(o.at("rule").as_string(), "tracking_lag");
  EXPECT_EQ(o.at("state").as_string(), "firing");
  EXPECT_EQ(o.at("summary").as_string(), "Tracking lag over 10 s");
  EXPECT_EQ(o.at("value").to_number<double>(), 42);
  EXPECT_EQ(o.at("threshold").to_number<double>(), 10);
  EXPECT_EQ(o.at("since").as_string(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(o.at("at").as_string(), "2023-11-14T22:13:50.500000Z");
  EXPECT_EQ(o.at("instance").as_string(), "host-1");
}

TEST(WebhookChannelTest, WhsecSecretIsBase64DecodedKey) {
  test::HttpReceiver rx;
  FakeClock clock;
  // "whsec_" + base64("0123456789abcdef01234567") per Standard Webhooks.
  WebhookChannel ch(Hook(rx.Url(), "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"), &clock);
  ASSERT_TRUE(ch.Send(Msg()).ok());
  test::ReceivedRequest req = rx.Requests().at(0);
  EXPECT_EQ(req.Header("webhook-signature"),
            ExpectedSignature("0123456789abcdef01234567",
                              "alm_test_1." + req.Header("webhook-timestamp") + "." + req.body));
}

TEST(WebhookChannelTest, ServerErrorIsAFailure) {
  test::HttpReceiver rx;
  rx.SetReply(Reply(500, "boom"));
  WebhookChannel ch(Hook(rx.Url(), "s"));
  Status s = ch.Send(Msg());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("HTTP 500"), std::string::npos) << s.ToString();
}

TEST(WebhookChannelTest, RedirectIsAFailureAndNotFollowed) {
  test::HttpReceiver rx;
  test::ReceiverReply redirect = Reply(302);
  redirect.headers = {{"Location", "/elsewhere"}};
  rx.SetReply(redirect);
  WebhookChannel ch(Hook(rx.Url("/hook"), "s"));
  Status s = ch.Send(Msg());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("HTTP 302"), std::string::npos) << s.ToString();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rx.Count(), 1u);  // nothing went to /elsewhere
}

TEST(WebhookChannelTest, HugeResponseBodyIsCappedNotFatal) {
  test::HttpReceiver rx;
  rx.SetReply(Reply(200, std::string(1 << 20, 'x')));  // 1 MiB, far past the 64 KiB cap
  WebhookChannel ch(Hook(rx.Url(), "s"));
  Status s = ch.Send(Msg());
  EXPECT_TRUE(s.ok()) << s.ToString();
  rx.SetReply(Reply(503, std::string(1 << 20, 'y')));
  s = ch.Send(Msg());
  EXPECT_NE(s.message().find("HTTP 503"), std::string::npos) << s.ToString().substr(0, 300);
  EXPECT_LT(s.message().size(), 1000u);
}

TEST(WebhookChannelTest, TimeoutIsRespected) {
  test::HttpReceiver rx;
  rx.SetReply(Reply(200, "", 5s));
  WebhookChannel ch(Hook(rx.Url(), "s", 300ms));
  auto t0 = std::chrono::steady_clock::now();
  Status s = ch.Send(Msg());
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_LT(took, 2s);
}

TEST(WebhookChannelTest, RefusedConnectionIsAFailure) {
  uint16_t port;
  {
    test::HttpReceiver rx;
    port = rx.port();
  }  // stopped: nothing listens there now
  WebhookChannel ch(Hook("http://127.0.0.1:" + std::to_string(port) + "/", "s"));
  Status s = ch.Send(Msg());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

TEST(WebhookChannelTest, EngineDeliversThroughTheWebhook) {
  test::HttpReceiver rx;
  MetricsRegistry metrics;
  FakeClock clock;
  std::vector<std::unique_ptr<AlarmChannel>> chans;
  chans.push_back(std::make_unique<WebhookChannel>(Hook(rx.Url(), "s"), &clock));
  AlarmRule rule;
  rule.name = "store_unreachable";
  rule.summary = "No commit for 60 s";
  rule.fire_above = 60;
  rule.clear_at_or_below = 60;
  double v = 120;
  AlarmOptions opts;
  opts.tick = 0ms;
  opts.instance = "edge-7";
  AlarmEngine e(opts, {{rule, [&] { return v; }}}, std::move(chans), &metrics, &clock);
  ASSERT_TRUE(e.Start().ok());
  e.Tick();
  v = 0;
  e.Tick();
  ASSERT_TRUE(rx.WaitFor(2));
  auto reqs = rx.Requests();
  EXPECT_NE(reqs[0].body.find("\"state\":\"firing\""), std::string::npos) << reqs[0].body;
  EXPECT_NE(reqs[1].body.find("\"state\":\"resolved\""), std::string::npos) << reqs[1].body;
  EXPECT_NE(reqs[0].Header("webhook-id"), reqs[1].Header("webhook-id"));
  e.Stop();
  EXPECT_EQ(metrics.Value("clicktrail_alarm_messages_sent_total", "channel=\"webhook\""), 2);
}

// ---- email -----------------------------------------------------------------------------------

TEST(EmailChannelTest, SendsAProperMessage) {
  test::SmtpSink smtp;
  EmailChannelOptions o =
      Mail(smtp.Url(), "alarms@clicktrail.test", {"ops@example.com", "oncall@example.com"});
  o.name = "mail";
  EmailChannel ch(o);
  Status s = ch.Send(Msg());
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(smtp.WaitFor(1));
  test::SmtpMessage m = smtp.Messages()[0];
  EXPECT_EQ(m.from, "alarms@clicktrail.test");
  EXPECT_EQ(m.to, (std::vector<std::string>{"ops@example.com", "oncall@example.com"}));
  EXPECT_NE(m.data.find("Subject: [clicktrail] FIRING tracking_lag on host-1\r\n"),
            std::string::npos)
      << m.data;
  EXPECT_NE(m.data.find("From: <alarms@clicktrail.test>\r\n"), std::string::npos);
  EXPECT_NE(m.data.find("To: <ops@example.com>, <oncall@example.com>\r\n"), std::string::npos);
  EXPECT_NE(m.data.find("Date: Tue, 14 Nov 2023 22:13:50 +0000\r\n"), std::string::npos) << m.data;
  EXPECT_NE(m.data.find("Message-ID: <alm_test_1@host-1>\r\n"), std::string::npos);
  size_t body = m.data.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_NE(m.data.find("FIRING tracking_lag: Tracking lag over 10 s", body), std::string::npos);
  EXPECT_NE(m.data.find("value:     42", body), std::string::npos);
}

TEST(EmailChannelTest, ResolvedSubjectAndNoHeaderInjection) {
  test::SmtpSink smtp;
  EmailChannel ch(Mail(smtp.Url(), "a@b.test", {"c@d.test"}));
  AlarmMessage m = Msg("resolved");
  m.instance = "host-1\r\nBcc: victim@evil.test";
  ASSERT_TRUE(ch.Send(m).ok());
  ASSERT_TRUE(smtp.WaitFor(1));
  std::string data = smtp.Messages()[0].data;
  EXPECT_NE(data.find("Subject: [clicktrail] RESOLVED tracking_lag on host-1  Bcc: victim"),
            std::string::npos)
      << data;
  EXPECT_EQ(data.find("\r\nBcc:"), std::string::npos);
}

TEST(EmailChannelTest, RejectedMessageIsAFailure) {
  test::SmtpSink smtp;
  smtp.SetDataReply(554);
  EmailChannel ch(Mail(smtp.Url(), "a@b.test", {"c@d.test"}));
  EXPECT_FALSE(ch.Send(Msg()).ok());
}

TEST(EmailChannelTest, DeadServerFailsWithinTheTimeout) {
  test::HttpReceiver silent;  // accepts the connection but never greets: an SMTP server hung
  EmailChannel ch(
      Mail("smtp://127.0.0.1:" + std::to_string(silent.port()), "a@b.test", {"c@d.test"}, 300ms));
  auto t0 = std::chrono::steady_clock::now();
  Status s = ch.Send(Msg());
  EXPECT_FALSE(s.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

// ---- SMS -------------------------------------------------------------------------------------

TEST(SmsChannelTest, PostsAnEncodedFormWithBasicAuth) {
  test::HttpReceiver rx;
  rx.SetReply(Reply(201, "{\"sid\":\"SM1\"}"));
  SmsChannel ch(Sms(rx.Url("/2010-04-01/Accounts/AC1/Messages.json"), "AC1", "tok:en", "+15550001",
                    "+15550002"));
  AlarmMessage m = Msg();
  m.summary = "lag & loss = bad, 100% sure";
  ASSERT_TRUE(ch.Send(m).ok());
  test::ReceivedRequest req = rx.Requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.Header("content-type"), "application/x-www-form-urlencoded");
  // base64("AC1:tok:en")
  EXPECT_EQ(req.Header("authorization"), "Basic QUMxOnRvazplbg==");
  auto form = ParseForm(req.body);
  EXPECT_EQ(form.size(), 3u) << req.body;
  EXPECT_EQ(form["To"], "+15550002");
  EXPECT_EQ(form["From"], "+15550001");
  EXPECT_EQ(form["Body"],
            "clicktrail FIRING tracking_lag: lag & loss = bad, 100% sure (value 42) on host-1");
}

TEST(SmsChannelTest, DefaultTextAndFailures) {
  EXPECT_EQ(SmsChannel::Text(Msg()),
            "clicktrail FIRING tracking_lag: Tracking lag over 10 s (value 42) on host-1");
  AlarmMessage long_msg = Msg();
  long_msg.summary = std::string(1000, 'x');
  EXPECT_EQ(SmsChannel::Text(long_msg).size(), kMaxSmsTextChars);
  test::HttpReceiver rx;
  rx.SetReply(Reply(401));
  SmsChannel ch(Sms(rx.Url(), "u", "p", "1", "2"));
  EXPECT_FALSE(ch.Send(Msg()).ok());
}

}  // namespace
}  // namespace ct
