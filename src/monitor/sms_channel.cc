#include "monitor/sms_channel.h"

#include <fmt/format.h>

namespace ct {

SmsChannel::SmsChannel(SmsChannelOptions options) : options_(std::move(options)) {}

std::string SmsChannel::Text(const AlarmMessage& msg) {
  std::string state = msg.state;
  for (char& c : state) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string text = fmt::format("clicktrail {} {}: {} (value {}) on {}", state, msg.rule,
                                 msg.summary, msg.value, msg.instance);
  if (text.size() > kMaxSmsTextChars) {
    size_t cut = kMaxSmsTextChars - 3;
    // Never cut a UTF-8 sequence in half: back up to the start of a character.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text;
}

std::string SmsChannel::Form(const AlarmMessage& msg) const {
  return "To=" + CurlEscape(options_.to) + "&From=" + CurlEscape(options_.from) +
         "&Body=" + CurlEscape(Text(msg));
}

Status SmsChannel::Send(const AlarmMessage& msg) {
  HttpPostRequest req;
  req.url = options_.url;
  req.timeouts = options_.timeouts;
  req.username = options_.username;
  req.password = options_.password;
  req.headers = {"Content-Type: application/x-www-form-urlencoded"};
  req.body = Form(msg);
  Result<HttpPostResponse> resp = CurlHttpPost(req);
  if (!resp.ok()) return resp.status().Annotate("sms " + options_.name);
  return HttpStatusToStatus("sms " + options_.name, *resp);
}

}  // namespace ct
