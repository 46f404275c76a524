// SmsChannel: alarm messages as SMS through a Twilio-style HTTP gateway:
//
//   POST <url>   Authorization: Basic <username:password>
//   Content-Type: application/x-www-form-urlencoded
//   To=<to>&From=<from>&Body=clicktrail FIRING tracking_lag: Tracking lag over 10 s (value 42) on
//   host
//
// (each field percent-encoded). 2xx = accepted by the gateway; anything else is a failure the
// dispatcher retries. Thread safety: one Send() at a time.
#pragma once

#include <string>

#include "monitor/alarm_channel.h"
#include "monitor/curl_util.h"

namespace ct {

struct SmsChannelOptions {
  std::string name = "sms";
  std::string url;       // e.g. https://api.twilio.com/2010-04-01/Accounts/<sid>/Messages.json
  std::string username;  // basic auth (Twilio: the account SID)
  std::string password;  // (Twilio: the auth token)
  std::string from;      // the sending number, E.164
  std::string to;        // the receiving number, E.164
  CurlTimeouts timeouts;
};

// One SMS segment of GSM-7 is 160 characters; longer texts are cut with "..." so a long
// summary costs one or two segments, not ten.
inline constexpr size_t kMaxSmsTextChars = 300;

class SmsChannel : public AlarmChannel {
 public:
  explicit SmsChannel(SmsChannelOptions options);

  const std::string& name() const override { return options_.name; }
  Status Send(const AlarmMessage& msg) override;

  // "clicktrail FIRING tracking_lag: Tracking lag over 10 s (value 42) on host-1".
  static std::string Text(const AlarmMessage& msg);
  // The urlencoded form body for `msg`.
  std::string Form(const AlarmMessage& msg) const;

 private:
  SmsChannelOptions options_;
};

}  // namespace ct
