#include "common/event.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ct {
namespace {

Event SampleEvent() {
  Event e;
  e.kind = EventKind::kClick;
  for (size_t i = 0; i < e.id.size(); ++i) e.id[i] = static_cast<uint8_t>(i * 17 + 3);
  e.time_us = 1'732'528'800'123'456;
  e.link_id = 42;
  e.account_id = -7;  // negative values must survive the little-endian encoding too
  e.ip = "2001:db8::1";
  e.user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
  e.referrer = "https://example.org/page?q=1";
  e.accept_language = "en-GB,en;q=0.9";
  return e;
}

void ExpectSameEvent(const Event& a, const Event& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.time_us, b.time_us);
  EXPECT_EQ(a.link_id, b.link_id);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.ip, b.ip);
  EXPECT_EQ(a.user_agent, b.user_agent);
  EXPECT_EQ(a.referrer, b.referrer);
  EXPECT_EQ(a.accept_language, b.accept_language);
}

TEST(EventTest, RoundTrip) {
  Event e = SampleEvent();
  std::string enc;
  EncodeEvent(e, &enc);
  // 1 + 1 + 16 + 3*8 + 1 + 7*2 + strings (the last three empty here).
  EXPECT_EQ(enc.size(),
            57 + e.ip.size() + e.user_agent.size() + e.referrer.size() + e.accept_language.size());
  EXPECT_EQ(static_cast<uint8_t>(enc[0]), 2);
  auto d = DecodeEvent(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ExpectSameEvent(*d, e);
}

TEST(EventTest, RoundTripHeadAndExtremes) {
  Event e;
  e.kind = EventKind::kHead;
  e.time_us = INT64_MIN;
  e.link_id = INT64_MAX;
  e.account_id = 0;
  e.user_agent = std::string("\0\xff\x01", 3);  // binary bytes are carried as is
  std::string enc;
  EncodeEvent(e, &enc);
  auto d = DecodeEvent(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ExpectSameEvent(*d, e);
}

TEST(EventTest, EncodeViewMatchesEncodeEvent) {
  Event e = SampleEvent();
  e.flags = kFlagPrefetch | kFlagNewVisitor;
  e.country = "DE";
  e.visitor_id = "AAECAwQFBgcICQoLDA0ODw";
  e.destination = "https://example.com/{click_id}";
  std::string a, b;
  EncodeEvent(e, &a);
  EncodeEventView({e.kind, e.id, e.time_us, e.link_id, e.account_id, e.flags, e.ip, e.user_agent,
                   e.referrer, e.accept_language, e.country, e.visitor_id, e.destination},
                  &b);
  EXPECT_EQ(a, b);
  auto d = DecodeEvent(a);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->flags, e.flags);
  EXPECT_EQ(d->country, "DE");
  EXPECT_EQ(d->visitor_id, e.visitor_id);
  EXPECT_EQ(d->destination, e.destination);
}

// Journals written before v2 must still replay: a hand-built v1 record decodes with the new
// fields empty.
TEST(EventTest, DecodesVersion1) {
  Event e = SampleEvent();
  std::string v2;
  EncodeEvent(e, &v2);
  // v1 = v2 without the flags byte (offset 1+1+16+24 = 42) and the 3 trailing empty strings.
  std::string v1 = v2.substr(0, 42) + v2.substr(43, v2.size() - 43 - 6);
  v1[0] = 1;
  auto d = DecodeEvent(v1);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ExpectSameEvent(*d, e);
  EXPECT_EQ(d->flags, 0);
  EXPECT_TRUE(d->destination.empty());
}

TEST(EventTest, EncodeAppends) {
  std::string out = "prefix";
  EncodeEvent(SampleEvent(), &out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_TRUE(DecodeEvent(std::string_view(out).substr(6)).ok());
}

TEST(EventTest, CapsTruncate) {
  Event e = SampleEvent();
  e.ip = std::string(kMaxIpBytes + 10, 'i');
  e.user_agent = std::string(kMaxUserAgentBytes + 1, 'u');
  e.referrer = std::string(kMaxReferrerBytes * 2, 'r');
  e.accept_language = std::string(kMaxAcceptLanguageBytes + 100, 'l');
  std::string enc;
  EncodeEvent(e, &enc);
  auto d = DecodeEvent(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ip, std::string(kMaxIpBytes, 'i'));
  EXPECT_EQ(d->user_agent, std::string(kMaxUserAgentBytes, 'u'));
  EXPECT_EQ(d->referrer, std::string(kMaxReferrerBytes, 'r'));
  EXPECT_EQ(d->accept_language, std::string(kMaxAcceptLanguageBytes, 'l'));
}

TEST(EventTest, ExactlyAtCapIsKept) {
  Event e = SampleEvent();
  e.ip = std::string(kMaxIpBytes, 'i');
  std::string enc;
  EncodeEvent(e, &enc);
  auto d = DecodeEvent(enc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ip.size(), kMaxIpBytes);
}

TEST(EventTest, EveryTruncationIsRefused) {
  std::string enc;
  EncodeEvent(SampleEvent(), &enc);
  for (size_t n = 0; n < enc.size(); ++n) {
    auto d = DecodeEvent(std::string_view(enc).substr(0, n));
    ASSERT_FALSE(d.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
  }
}

TEST(EventTest, EmptyStringsTruncationsRefused) {
  Event e;  // all strings empty: the shortest valid encoding
  std::string enc;
  EncodeEvent(e, &enc);
  EXPECT_EQ(enc.size(), 57u);
  ASSERT_TRUE(DecodeEvent(enc).ok());
  for (size_t n = 0; n < enc.size(); ++n) {
    ASSERT_FALSE(DecodeEvent(std::string_view(enc).substr(0, n)).ok()) << n;
  }
}

TEST(EventTest, UnknownVersionRefused) {
  std::string enc;
  EncodeEvent(SampleEvent(), &enc);
  for (int v : {0, 3, 255}) {
    std::string bad = enc;
    bad[0] = static_cast<char>(v);
    auto d = DecodeEvent(bad);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), StatusCode::kCorruption);
    EXPECT_NE(d.status().message().find("version"), std::string::npos);
  }
}

TEST(EventTest, UnknownKindRefused) {
  std::string enc;
  EncodeEvent(SampleEvent(), &enc);
  // 4 (conversion) is known, but only in the v3 encoding.
  for (int k : {0, 4, 5, 200}) {
    std::string bad = enc;
    bad[1] = static_cast<char>(k);
    EXPECT_FALSE(DecodeEvent(bad).ok()) << k;
  }
}

TEST(EventTest, ConversionRoundTripsInV3AndImpressionInV2) {
  Event c = SampleEvent();
  c.kind = EventKind::kConversion;
  c.goal_id = 42;
  c.value_micros = 12'500'000;
  c.flags = kFlagHasValue | kFlagServerToServer;
  c.currency = "EUR";
  c.order_id = "A-1001";
  c.click_ref = "AAAAAAAAAAAAAAAAAAAAAA";
  std::string enc;
  EncodeEvent(c, &enc);
  EXPECT_EQ(enc[0], 3);
  auto d = DecodeEvent(enc);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->goal_id, 42);
  EXPECT_EQ(d->value_micros, 12'500'000);
  EXPECT_EQ(d->currency, "EUR");
  EXPECT_EQ(d->order_id, "A-1001");
  EXPECT_EQ(d->click_ref, c.click_ref);
  // Truncated anywhere in the v3 tail: refused.
  for (size_t n = enc.size() - 30; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeEvent(std::string_view(enc).substr(0, n)).ok()) << n;
  }
  Event i = SampleEvent();
  i.kind = EventKind::kImpression;
  std::string enc2;
  EncodeEvent(i, &enc2);
  EXPECT_EQ(enc2[0], 2);
  ASSERT_TRUE(DecodeEvent(enc2).ok());
  EXPECT_EQ(DecodeEvent(enc2)->kind, EventKind::kImpression);
}

TEST(EventTest, ClickIdParsesOnlyItsCanonicalSpelling) {
  EventIdGenerator g;
  EventId id = g.Next();
  std::string cid = ClickId(id);
  ASSERT_EQ(cid.size(), 22u);
  auto back = ParseClickId(cid);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, id);
  EXPECT_FALSE(ParseClickId(cid.substr(0, 21)).has_value());
  EXPECT_FALSE(ParseClickId(cid + "A").has_value());
  EXPECT_FALSE(ParseClickId("!!!!!!!!!!!!!!!!!!!!!!").has_value());
  // The last character carries 2 unused bits: a non-zero spelling is not canonical.
  std::string odd = std::string(21, 'A') + "B";
  EXPECT_FALSE(ParseClickId(odd).has_value());
}

TEST(EventTest, TrailingBytesRefused) {
  std::string enc;
  EncodeEvent(SampleEvent(), &enc);
  enc.push_back('\0');
  auto d = DecodeEvent(enc);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("trailing"), std::string::npos);
}

TEST(EventTest, OversizedLengthRefused) {
  // A hand-built encoding whose ip claims more than its cap (and has the bytes for it).
  Event e;
  std::string enc;
  EncodeEvent(e, &enc);
  size_t ip_len_at = 2 + 16 + 24 + 1;  // version, kind, id, 3 x i64, flags
  std::string bad = enc.substr(0, ip_len_at);
  uint16_t n = kMaxIpBytes + 1;
  bad.push_back(static_cast<char>(n & 0xff));
  bad.push_back(static_cast<char>(n >> 8));
  bad.append(n, 'x');
  bad.append(12, '\0');  // six empty strings
  EXPECT_FALSE(DecodeEvent(bad).ok());
  // The same with the cap respected decodes.
  std::string good = enc.substr(0, ip_len_at);
  good.push_back(static_cast<char>(kMaxIpBytes));
  good.push_back('\0');
  good.append(kMaxIpBytes, 'x');
  good.append(12, '\0');
  EXPECT_TRUE(DecodeEvent(good).ok());
}

TEST(EventTest, EventIdHexIs32LowercaseHex) {
  EventId id{};
  id[0] = 0xab;
  id[15] = 0x01;
  std::string hex = EventIdHex(id);
  EXPECT_EQ(hex, "ab000000000000000000000000000001");
}

TEST(EventIdGeneratorTest, UniqueAcrossThreads) {
  EventIdGenerator gen;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25'000;
  std::vector<std::vector<EventId>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ids[t].reserve(kPerThread);
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(gen.Next());
    });
  }
  for (auto& th : threads) th.join();
  std::set<EventId> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(EventIdGeneratorTest, TimeOrderedPrefixAndRandomTail) {
  EventIdGenerator a, b;
  const int64_t t = 1'764'000'000'123'456;  // µs
  EventId x = a.Next(t), y = b.Next(t), x2 = a.Next(t);
  EXPECT_NE(x, y);
  EXPECT_NE(x, x2);
  // Bytes 0-5: the milliseconds, big endian; equal for equal times.
  EXPECT_TRUE(std::equal(x.begin(), x.begin() + 6, y.begin()));
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | x[i];
  EXPECT_EQ(ms, static_cast<uint64_t>(t / 1000));
  // A later time sorts after (the store's keys grow at their right edge).
  EventId later = a.Next(t + 1000);
  EXPECT_LT(x, later);
  // The 10-byte tails of many ids are all distinct (80 random bits each).
  std::set<std::array<uint8_t, 10>> tails;
  for (int i = 0; i < 10000; ++i) {
    EventId id = a.Next(t);
    std::array<uint8_t, 10> tail;
    std::copy(id.begin() + 6, id.end(), tail.begin());
    tails.insert(tail);
  }
  EXPECT_EQ(tails.size(), 10000u);
}

}  // namespace
}  // namespace ct
