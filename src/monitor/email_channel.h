// EmailChannel: alarm messages as plain-text mail over SMTP (libcurl).
//
//   Subject: [clicktrail] FIRING tracking_lag on host-1      (RESOLVED / REPEAT likewise)
//
// The message is RFC 5322 (From, To, Subject, Date, Message-ID, MIME-Version, Content-Type)
// with a short text body. Delivered = the server accepted the DATA (2xx); anything else is a
// failure the dispatcher retries. Thread safety: one Send() at a time.
#pragma once

#include <string>
#include <vector>

#include "monitor/alarm_channel.h"
#include "monitor/curl_util.h"

namespace ct {

struct EmailChannelOptions {
  std::string name = "email";
  // smtp://host[:port] or smtps://host[:port] (implicit TLS). Other schemes are refused.
  std::string url;
  std::string username;  // AUTH when not empty
  std::string password;
  // STARTTLS on smtp://: kNone = never, kTry = if offered, kRequire = fail without it.
  enum class StartTls { kNone, kTry, kRequire };
  StartTls starttls = StartTls::kNone;
  std::string from;             // bare address: alarms@example.com
  std::vector<std::string> to;  // bare addresses; at least one
  CurlTimeouts timeouts;
};

class EmailChannel : public AlarmChannel {
 public:
  explicit EmailChannel(EmailChannelOptions options);

  const std::string& name() const override { return options_.name; }
  Status Send(const AlarmMessage& msg) override;

  // "[clicktrail] FIRING tracking_lag on host-1".
  static std::string Subject(const AlarmMessage& msg);
  // The whole RFC 5322 message (CRLF line ends) as it goes after DATA.
  std::string Compose(const AlarmMessage& msg) const;

 private:
  EmailChannelOptions options_;
};

}  // namespace ct
