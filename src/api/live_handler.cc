#include "api/live_handler.h"

#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <set>

#include "api/hits_handler.h"
#include "api/http_util.h"
#include "api/link_fields.h"
#include "common/log.h"

namespace ct::api {
namespace {

using Steady = std::chrono::steady_clock;

const Logger& Log() {
  static const Logger log("api");
  return log;
}

// A decimal integer >= min, all of `s`.
std::optional<int64_t> ParseInt(std::string_view s, int64_t min) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < min) return std::nullopt;
  return v;
}

class LiveStream : public ApiStream {
 public:
  LiveStream(const ApiContext* ctx, int64_t account_id, int64_t link_id, int64_t after,
             std::shared_ptr<std::atomic<int64_t>> open, Gauge* open_gauge, Counter* events)
      : ctx_(ctx),
        account_id_(account_id),
        link_id_(link_id),
        cursor_(after),
        open_(std::move(open)),
        open_gauge_(open_gauge),
        events_(events),
        last_sent_(Steady::now()) {}

  ~LiveStream() override {
    open_->fetch_sub(1);
    if (open_gauge_) open_gauge_->Add(-1);
  }

  StreamChunk Next() override {
    StreamChunk out;
    Result<LiveHitPage> page =
        ctx_->store->ListLiveHits(account_id_, link_id_, cursor_, kLiveBatch);
    if (!page.ok()) {
      // The store is down or busy: keep the stream (and its cursor) and try again a bit later;
      // the client sees pings meanwhile, then the hits it missed.
      if (!store_failing_)
        Log().Warn("live stream: store read failed: {}", page.status().ToString());
      store_failing_ = true;
      out.next_call = std::chrono::seconds(1);
    } else {
      store_failing_ = false;
      cursor_ = page->scanned_to;
      for (const LiveHit& h : page->hits) AppendEvent(h, &out.bytes);
      if (events_) events_->Inc(page->hits.size());
      // A full window means more is waiting: call again at once.
      bool backlog = page->examined == kLiveBatch;
      out.next_call = backlog ? std::chrono::milliseconds(0) : kLivePollInterval;
    }
    Steady::time_point now = Steady::now();
    if (out.bytes.empty() && now - last_sent_ >= kLivePingInterval) out.bytes = ": ping\n\n";
    if (!out.bytes.empty()) last_sent_ = now;
    return out;
  }

 private:
  void AppendEvent(const LiveHit& h, std::string* out) const {
    boost::json::object data = HitToJson(h.row);
    LinkRow link;
    link.slug = h.slug;
    link.domain = h.domain;
    data["link_id"] = h.row.link_id;
    data["slug"] = h.slug;
    data["short_url"] = ShortUrl(link, ctx_->options.public_url);
    // JSON has no raw newlines (serialize escapes them), so one data: line holds it all.
    out->append("id: ").append(std::to_string(h.seq)).append("\nevent: hit\ndata: ");
    out->append(boost::json::serialize(data)).append("\n\n");
  }

  const ApiContext* ctx_;
  const int64_t account_id_;
  const int64_t link_id_;
  int64_t cursor_;
  std::shared_ptr<std::atomic<int64_t>> open_;
  Gauge* open_gauge_;
  Counter* events_;
  Steady::time_point last_sent_;
  bool store_failing_ = false;
};

}  // namespace

LiveHandler::LiveHandler(const ApiContext* ctx) : ctx_(ctx) {
  if (ctx_->metrics) {
    open_gauge_ = ctx_->metrics->AddGauge("clicktrail_api_live_streams",
                                          "Live click streams (GET /api/v1/live) open now.");
    events_ = ctx_->metrics->AddCounter("clicktrail_api_live_events_total",
                                        "Hits sent to live click streams.");
  }
}

ApiResponse LiveHandler::Open(const Principal& who, const ApiRequest& req) {
  auto u = boost::urls::parse_origin_form(req.target);
  if (!u) return ErrorResponse(400, "bad_request", "malformed request target");
  int64_t link_id = 0;
  std::optional<int64_t> after;
  std::set<std::string> seen;
  for (auto p : u->params()) {
    const std::string& v = p.value;
    if (p.key.empty() && v.empty()) continue;
    if (!seen.insert(p.key).second) {
      return ErrorResponse(400, "bad_request", p.key + ": given more than once");
    }
    if (p.key == "link_id") {
      auto id = ParseInt(v, 1);
      // Not a link id: no such link of the account (as a malformed id in a path).
      if (!id) return ErrorResponse(404, "not_found", "link not found");
      link_id = *id;
    } else if (p.key == "after") {
      after = ParseInt(v, 0);
      if (!after) return ErrorResponse(400, "bad_request", "after: an event id of this stream");
    } else {
      return ErrorResponse(400, "bad_request",
                           "unknown parameter '" + p.key.substr(0, 80) + "'; use link_id, after");
    }
  }
  // EventSource sends the last id it saw when it reconnects, to the URL it first opened: the
  // header is the newer of the two.
  if (const std::string* last = req.Header("last-event-id"); last != nullptr && !last->empty()) {
    after = ParseInt(*last, 0);
    if (!after)
      return ErrorResponse(400, "bad_request", "Last-Event-ID: an event id of this stream");
  }
  if (link_id > 0) {
    auto link = ctx_->store->GetLink(who.account_id, link_id);
    if (!link.ok()) return ErrorFromStatus(link.status());
    if (!link->has_value()) return ErrorResponse(404, "not_found", "link not found");
  }
  if (!after) {
    // From now: after the last hit committed before this request.
    Result<int64_t> last = ctx_->store->LastHitSeq();
    if (!last.ok()) return ErrorFromStatus(last.status());
    after = *last;
  }
  if (open_->fetch_add(1) >= ctx_->options.max_streams) {
    open_->fetch_sub(1);
    ApiResponse r =
        ErrorResponse(503, "too_many_streams", "too many live streams are open; try again later");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }
  if (open_gauge_) open_gauge_->Add(1);
  ApiResponse r;
  r.status = 200;
  r.content_type = "text/event-stream";
  // Reverse proxies (nginx) would otherwise buffer the stream.
  r.headers.emplace_back("X-Accel-Buffering", "no");
  // EventSource reconnects 2 s after a drop (its default is 3).
  r.body = "retry: 2000\n\n";
  r.stream = std::make_shared<LiveStream>(ctx_, who.account_id, link_id, *after, open_, open_gauge_,
                                          events_);
  return r;
}

}  // namespace ct::api
