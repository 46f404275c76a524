#include "monitor/email_channel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <ctime>

#include "common/time_format.h"

namespace ct {
namespace {

// Header values come from configuration and rule names; a CR or LF in them would let one
// inject headers (or a second message), so they become spaces.
std::string OneLine(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// RFC 5322 date-time in UTC: "Tue, 25 Nov 2026 10:00:00 +0000". Written by hand rather than
// strftime so the process locale cannot change the day and month names.
std::string Rfc5322Date(int64_t micros) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t secs = static_cast<time_t>(micros / 1'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kDays[tm.tm_wday],
                     tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

std::string Angle(const std::string& addr) { return "<" + OneLine(addr) + ">"; }

struct ReadState {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadPayload(char* buf, size_t size, size_t nmemb, void* user) {
  auto* st = static_cast<ReadState*>(user);
  size_t n = std::min(size * nmemb, st->data->size() - st->pos);
  std::memcpy(buf, st->data->data() + st->pos, n);
  st->pos += n;
  return n;
}

}  // namespace

EmailChannel::EmailChannel(EmailChannelOptions options) : options_(std::move(options)) {}

std::string EmailChannel::Subject(const AlarmMessage& msg) {
  return OneLine(fmt::format("[clicktrail] {} {} on {}", Upper(msg.state), msg.rule, msg.instance));
}

std::string EmailChannel::Compose(const AlarmMessage& msg) const {
  std::string to;
  for (const auto& addr : options_.to) to += (to.empty() ? "" : ", ") + Angle(addr);
  std::string host = msg.instance.empty() ? "clicktrail" : OneLine(msg.instance);
  std::replace(host.begin(), host.end(), ' ', '-');
  std::string m;
  m += "From: " + Angle(options_.from) + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Subject: " + Subject(msg) + "\r\n";
  m += "Date: " + Rfc5322Date(msg.at_us) + "\r\n";
  m += "Message-ID: <" + OneLine(msg.id) + "@" + host + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "\r\n";
  // The body; libcurl dot-stuffs lines that start with '.' on the way out.
  m += fmt::format("{} {}: {}\r\n\r\n", Upper(msg.state), msg.rule, OneLine(msg.summary));
  m += fmt::format("value:     {}\r\n", msg.value);
  m += fmt::format("threshold: {}\r\n", msg.threshold);
  m += "since:     " + FormatIso8601(msg.since_us) + "\r\n";
  m += "at:        " + FormatIso8601(msg.at_us) + "\r\n";
  m += "instance:  " + OneLine(msg.instance) + "\r\n";
  m += "id:        " + OneLine(msg.id) + "\r\n";
  return m;
}

Status EmailChannel::Send(const AlarmMessage& msg) {
  if (options_.to.empty()) return Status::InvalidArgument("email " + options_.name + ": no To");
  CurlHandle h = NewCurlHandle(options_.timeouts, "smtp,smtps");
  if (!h) return Status::ResourceExhausted("curl_easy_init failed");
  CURL* c = h.get();
  std::string payload = Compose(msg);
  ReadState rs{&payload};
  std::vector<std::string> rcpts;
  for (const auto& addr : options_.to) rcpts.push_back(Angle(addr));
  CurlSlist rcpt = MakeSlist(rcpts);
  std::string from = Angle(options_.from);
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadPayload);
  curl_easy_setopt(c, CURLOPT_READDATA, &rs);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (!options_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  switch (options_.starttls) {
    case EmailChannelOptions::StartTls::kNone:
      break;
    case EmailChannelOptions::StartTls::kTry:
      curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      break;
    case EmailChannelOptions::StartTls::kRequire:
      curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      break;
  }

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    return CurlError(fmt::format("email {} (SMTP {})", options_.name, code), rc, errbuf);
  }
  return Status::Ok();
}

}  // namespace ct
