// WebhookChannel: alarm messages as signed JSON POSTs, per Standard Webhooks v1.
//
//   POST <url>
//   content-type: application/json
//   webhook-id: <message id>            (the same on every retry: the receiver's dedup key)
//   webhook-timestamp: <unix seconds>   (of this attempt)
//   webhook-signature: v1,<base64 HMAC-SHA256(secret, id + "." + timestamp + "." + body)>
//   {"rule":..,"state":..,"summary":..,"value":..,"threshold":..,"since":"<ISO 8601>",
//    "at":"<ISO 8601>","instance":..,"id":..}
//
// 2xx = delivered; anything else (3xx included: never followed) or a transport error = failure.
// Thread safety: Send() may be called from one thread at a time (the dispatcher's rule).
#pragma once

#include <string>

#include "common/clock.h"
#include "monitor/alarm_channel.h"
#include "monitor/curl_util.h"

namespace ct {

struct WebhookChannelOptions {
  std::string name = "webhook";
  std::string url;  // http:// or https://
  // The signing secret. "whsec_<base64>" (the Standard Webhooks form) is base64-decoded to the
  // key bytes; any other string is used as the key bytes as they are. Empty = no signature
  // header (not recommended; the receiver cannot tell us from anyone else).
  std::string secret;
  CurlTimeouts timeouts;
};

class WebhookChannel : public AlarmChannel {
 public:
  // `clock` stamps webhook-timestamp; null = Clock::System(). Not owned.
  explicit WebhookChannel(WebhookChannelOptions options, Clock* clock = nullptr);

  const std::string& name() const override { return options_.name; }
  Status Send(const AlarmMessage& msg) override;

  // The JSON body for `msg` (exposed for tests and for the status page's "preview").
  static std::string Body(const AlarmMessage& msg);
  // "v1,<base64 signature>" of `id.timestamp.body` under `secret` (see options.secret).
  static std::string Sign(const std::string& secret, const std::string& id, int64_t timestamp,
                          const std::string& body);

 private:
  WebhookChannelOptions options_;
  Clock* clock_;
};

// Standard base64 (with padding) of raw bytes, via OpenSSL's EVP_EncodeBlock.
std::string Base64Encode(std::string_view bytes);

}  // namespace ct
