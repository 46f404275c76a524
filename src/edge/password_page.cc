#include "edge/password_page.h"

#include <fmt/format.h>

namespace ct::edge {

void HtmlEscape(std::string_view in, std::string* out) {
  for (char c : in) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendPasswordPage(int status, std::string_view slug, std::string_view query, bool head,
                        std::string_view tail, std::string* out, int64_t retry_after) {
  std::string body =
      "<!doctype html><html lang=en><meta charset=utf-8>"
      "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
      "<meta name=robots content=noindex><title>Password required</title>"
      "<style>body{font:16px system-ui,sans-serif;max-width:22em;margin:15vh auto;padding:0 1em}"
      "input,button{font:inherit;padding:.4em;margin:.3em 0;width:100%;box-sizing:border-box}"
      ".err{color:#b00}</style><h1>Password required</h1>";
  if (status == 401) body += "<p class=err role=alert>Wrong password. Try again.</p>";
  if (status == 429) {
    body += "<p class=err role=alert>Too many attempts. Try again in a few seconds.</p>";
  }
  body += "<form method=post action=\"/";
  HtmlEscape(slug, &body);
  if (!query.empty()) {
    body += '?';
    HtmlEscape(query, &body);
  }
  body +=
      "\"><label>Password <input type=password name=password autocomplete=current-password "
      "required autofocus></label><button type=submit>Continue</button></form></html>";
  fmt::format_to(std::back_inserter(*out),
                 "HTTP/1.1 {} {}\r\nContent-Type: text/html; charset=utf-8\r\n"
                 "Cache-Control: no-store\r\nX-Robots-Tag: noindex\r\nContent-Length: {}\r\n",
                 status,
                 status == 401   ? "Unauthorized"
                 : status == 429 ? "Too Many Requests"
                                 : "OK",
                 body.size());
  if (retry_after > 0) fmt::format_to(std::back_inserter(*out), "Retry-After: {}\r\n", retry_after);
  out->append(tail);
  if (!head) out->append(body);
}

void AppendGonePage(bool head, std::string_view tail, std::string* out) {
  constexpr std::string_view kBody = "<!doctype html><title>Gone</title>This link has expired.";
  fmt::format_to(std::back_inserter(*out),
                 "HTTP/1.1 410 Gone\r\nContent-Type: text/html; charset=utf-8\r\n"
                 "Cache-Control: no-store\r\nContent-Length: {}\r\n",
                 kBody.size());
  out->append(tail);
  if (!head) out->append(kBody);
}

}  // namespace ct::edge
