#include "monitor/webhook_channel.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cstdio>

#include "common/time_format.h"

namespace ct {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

// The key bytes of a Standard Webhooks secret; any other string is its own key.
std::string SecretKey(const std::string& secret) {
  if (secret.rfind(kSecretPrefix, 0) != 0) return secret;
  std::string_view b64 = std::string_view(secret).substr(kSecretPrefix.size());
  std::string out(b64.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0 || b64.size() % 4 != 0) return secret;  // not base64 after all: use it verbatim
  // EVP_DecodeBlock counts the padding as zero bytes; drop them.
  size_t pad = 0;
  if (!b64.empty() && b64.back() == '=') ++pad;
  if (b64.size() > 1 && b64[b64.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

WebhookChannel::WebhookChannel(WebhookChannelOptions options, Clock* clock)
    : options_(std::move(options)), clock_(clock ? clock : Clock::System()) {}

std::string WebhookChannel::Body(const AlarmMessage& msg) {
  boost::json::object o;
  o["rule"] = msg.rule;
  o["state"] = msg.state;
  o["summary"] = msg.summary;
  o["value"] = msg.value;
  o["threshold"] = msg.threshold;
  o["since"] = FormatIso8601(msg.since_us);
  o["at"] = FormatIso8601(msg.at_us);
  o["instance"] = msg.instance;
  o["id"] = msg.id;
  return boost::json::serialize(o);
}

std::string WebhookChannel::Sign(const std::string& secret, const std::string& id,
                                 int64_t timestamp, const std::string& body) {
  std::string key = SecretKey(secret);
  std::string signed_content = id + "." + std::to_string(timestamp) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(),
           mac, &mac_len) == nullptr) {
    return "";
  }
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<char*>(mac), mac_len));
}

Status WebhookChannel::Send(const AlarmMessage& msg) {
  HttpPostRequest req;
  req.url = options_.url;
  req.timeouts = options_.timeouts;
  req.body = Body(msg);
  // The timestamp is per attempt (a receiver rejects stale ones); the id is per message.
  int64_t ts = clock_->NowMicros() / 1'000'000;
  req.headers = {"Content-Type: application/json", "webhook-id: " + msg.id,
                 "webhook-timestamp: " + std::to_string(ts)};
  if (!options_.secret.empty()) {
    std::string sig = Sign(options_.secret, msg.id, ts, req.body);
    if (sig.empty()) return Status::Internal("webhook: HMAC-SHA256 failed");
    req.headers.push_back("webhook-signature: " + sig);
  }
  Result<HttpPostResponse> resp = CurlHttpPost(req);
  if (!resp.ok()) return resp.status().Annotate("webhook " + options_.name);
  return HttpStatusToStatus("webhook " + options_.name, *resp);
}

}  // namespace ct
