// Standard Webhooks v1 signatures: the spec's published test vector, round trips, GET URLs.
#include "postback/signature.h"

#include <gtest/gtest.h>

namespace ct::postback {
namespace {

// The vector of the Standard Webhooks reference libraries (and svix's tests).
constexpr char kSpecSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kSpecId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr char kSpecPayload[] = R"({"test": 2432232314})";
constexpr char kSpecSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignatureTest, ReproducesTheSpecTestVector) {
  EXPECT_TRUE(IsValidSecret(kSpecSecret));
  EXPECT_EQ(Sign(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload), kSpecSignature);
  EXPECT_TRUE(Verify(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload, kSpecSignature));
}

TEST(SignatureTest, VerifyRefusesAnyChange) {
  EXPECT_FALSE(Verify(kSpecSecret, kSpecId, kSpecTimestamp + 1, kSpecPayload, kSpecSignature));
  EXPECT_FALSE(Verify(kSpecSecret, "msg_other", kSpecTimestamp, kSpecPayload, kSpecSignature));
  EXPECT_FALSE(
      Verify(kSpecSecret, kSpecId, kSpecTimestamp, R"({"test": 2432232315})", kSpecSignature));
  EXPECT_FALSE(Verify(NewSecret(), kSpecId, kSpecTimestamp, kSpecPayload, kSpecSignature));
  EXPECT_FALSE(Verify(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload, ""));
  EXPECT_FALSE(Verify(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload,
                      "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  // Several entries (a secret rotation): one valid one is enough.
  EXPECT_TRUE(Verify(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload,
                     std::string("v1,bm9wZQ== ") + kSpecSignature));
}

TEST(SignatureTest, SecretValidity) {
  std::string s = NewSecret();
  EXPECT_TRUE(s.starts_with("whsec_"));
  EXPECT_EQ(s.size(), 6u + 44u);  // base64 of 32 bytes
  EXPECT_TRUE(IsValidSecret(s));
  EXPECT_NE(s, NewSecret());
  EXPECT_FALSE(IsValidSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));  // no prefix
  EXPECT_FALSE(IsValidSecret("whsec_"));
  EXPECT_FALSE(IsValidSecret("whsec_c2hvcnQ="));                          // 5 bytes: too short
  EXPECT_FALSE(IsValidSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"));   // not a multiple of 4
  EXPECT_FALSE(IsValidSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w"));  // URL alphabet
  EXPECT_EQ(Sign("bad", "id", 1, "x"), "");
  EXPECT_FALSE(Verify("bad", "id", 1, "x", "v1,"));
}

TEST(SignatureTest, SignedGetUrlSignsTheCanonicalUrl) {
  const std::string url = "https://p.example/pb?cid=abc";
  std::string signed_url = SignedGetUrl(url, kSpecSecret, "msg_1_2", 1700000000);
  std::string sig = Sign(kSpecSecret, "msg_1_2", 1700000000, url);
  ASSERT_FALSE(sig.empty());
  std::string escaped;
  for (char c : sig) {
    if (c == '+')
      escaped += "%2B";
    else if (c == '/')
      escaped += "%2F";
    else if (c == '=')
      escaped += "%3D";
    else if (c == ',')
      escaped += "%2C";
    else
      escaped += c;
  }
  EXPECT_EQ(signed_url,
            url + "&webhook-id=msg_1_2&webhook-timestamp=1700000000&webhook-signature=" + escaped);
  EXPECT_EQ(SignedGetUrl("https://p.example/pb", kSpecSecret, "i", 5)
                .find("https://p.example/pb?webhook-id=i&"),
            0u);
  EXPECT_EQ(SignedGetUrl("https://p.example/pb?", kSpecSecret, "i", 5)
                .find("https://p.example/pb?webhook-id=i&"),
            0u);
  std::string with_fragment = SignedGetUrl("https://p.example/pb?a=1#frag", kSpecSecret, "i", 5);
  EXPECT_EQ(with_fragment.find("https://p.example/pb?a=1&webhook-id=i&"), 0u);
  EXPECT_TRUE(with_fragment.ends_with("#frag"));
}

}  // namespace
}  // namespace ct::postback
