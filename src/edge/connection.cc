// One connection's session, as a recipe: read a request, look up the link, append to the
// journal, send the 302 — and the pixel, conversion, API and error paths beside it. Everything here
// runs on the connection's I/O thread; the only waits are socket I/O, the journal flush and the API
// pool.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "common/log.h"
#include "common/password.h"
#include "edge/click_context.h"
#include "edge/conversion_pixel.h"
#include "edge/edge_worker.h"
#include "edge/location_builder.h"
#include "edge/password_page.h"
#include "edge/request_parser.h"
#include "enrich/request_facts.h"
#include "journal/format.h"

namespace ct::edge {
namespace {

namespace http = boost::beast::http;
using Steady = std::chrono::steady_clock;

constexpr size_t kReadChunk = 4096;           // per read; a whole typical request
constexpr size_t kMaxDrainBytes = 64 * 1024;  // read after an error reply, so close sends FIN

const Logger& Log() {
  static const Logger log("edge");
  return log;
}

class Session {
 public:
  Session(Worker* w, tcp::socket socket) : w_(w), s_(*w->shared), conn_(w, std::move(socket)) {}

  asio::awaitable<void> Run() {
    for (;;) {
      // Read a request.
      int status = co_await ReadRequest();
      if (status < 0) co_return;  // closed, timed out or stopping: nothing to answer
      if (status > 0) co_return co_await RejectAndClose(status);
      bool close = !parser_->keep_alive() || s_.stopping.load(std::memory_order_relaxed);
      std::string_view tail = HeaderTail(close, req_.version == 10);
      switch (req_.route) {
        case Route::kRedirect:
          co_await Redirect(tail);
          break;
        case Route::kPixel:
          co_await Pixel(tail);
          break;
        case Route::kConversion:
          co_await Conversion(tail);
          break;
        case Route::kApi:
          co_await CallApi(tail);
          break;
        case Route::kNotFound:
          co_await NotFound(tail);
          break;
      }
      if (close || !conn_.socket.is_open()) break;
    }
    boost::system::error_code ignored;
    conn_.socket.shutdown(tcp::socket::shutdown_send, ignored);
  }

 private:
  // 0: a complete request is in req_; > 0: the status to reject it with; < 0: connection gone.
  asio::awaitable<int> ReadRequest() {
    parser_.emplace(&req_);
    conn_.SetState(buffer_.size() > 0 || first_ ? ConnState::kHeaders : ConnState::kIdle);
    first_ = false;
    for (;;) {
      while (buffer_.size() > 0 && !parser_->is_done()) {
        bool header_was_done = parser_->is_header_done();
        std::string_view buffered(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        boost::beast::error_code ec;
        size_t n = parser_->put(buffer_.data(), ec);
        if (ec == http::error::need_more) break;
        if (ec)
          co_return req_.reject_status ? req_.reject_status : StatusForParseError(ec, buffered);
        if (!header_was_done && parser_->is_header_done()) {
          // Beast joins obs-folded lines silently and we want to refuse them: check the raw
          // header section once, now that it is complete.
          size_t end = buffered.find("\r\n\r\n");
          if (int bad = CheckRawHeader(buffered.substr(0, end + 4)); bad) co_return bad;
          header_done_at_ = Steady::now();
          conn_.SetState(ConnState::kBody);
          bool keeps_body =
              req_.route == Route::kApi || (req_.route == Route::kRedirect && req_.is_post);
          if (req_.expect_continue && keeps_body && !parser_->is_done()) {
            if (!co_await Write(ContinueResponse())) co_return -1;
          }
        }
        buffer_.consume(n);
      }
      if (parser_->is_done()) co_return 0;
      if (s_.stopping.load(std::memory_order_relaxed) && conn_.state == ConnState::kIdle) {
        co_return -1;
      }
      auto [ec, n] = co_await conn_.socket.async_read_some(buffer_.prepare(kReadChunk), kAsTuple);
      if (ec) co_return -1;
      buffer_.commit(n);
      // The header timeout runs from the first byte of a request, not from the idle start.
      if (conn_.state == ConnState::kIdle) conn_.SetState(ConnState::kHeaders);
    }
  }

  asio::awaitable<void> Redirect(std::string_view tail) {
    if (!req_.is_get && !req_.is_head && !req_.is_post) co_return co_await MethodNotAllowed(tail);
    // Route by Host, then look up the link.
    const LinkTable::Snapshot& links = w_->links.Get();
    uint32_t domain = ResolveDomain(links);
    const LinkEntry* link =
        domain == LinkTable::kNoDomain ? nullptr : links.Find(domain, req_.slug);
    // A pixel's slug answers only /p/{slug}: it has nowhere to send anyone.
    if (link == nullptr || link->kind() != LinkKind::kLink) co_return co_await NotFound(tail);
    if (req_.is_post) co_return co_await PasswordPost(*link, tail);
    co_await Click(*link, tail, /*password_ok=*/false);
  }

  // The domain a request's Host names: a custom domain, else the default one if the host is a
  // default host, else kNoDomain (404).
  uint32_t ResolveDomain(const LinkTable::Snapshot& links) {
    if (req_.host < 0) return LinkTable::kDefaultDomain;  // HTTP/1.0 without Host
    host_.clear();
    NormalizeHost(req_.HeaderValue(req_.host), &host_);
    uint32_t custom = links.DomainOfHost(host_);
    if (custom != LinkTable::kNoDomain) return custom;
    if (s_.any_host) return LinkTable::kDefaultDomain;
    for (const std::string& h : s_.options.default_hosts) {
      if (h == host_) return LinkTable::kDefaultDomain;
    }
    return LinkTable::kNoDomain;
  }

  // Serves a click on `link`: evaluates its options, formats the response into out_ and the
  // event into the journal batch — all before the first co_await, since `link` lives in this
  // thread's snapshot, which another connection may release meanwhile.
  asio::awaitable<void> Click(const LinkEntry& link, std::string_view tail, bool password_ok) {
    const EdgeOptions& o = s_.options;
    std::string_view query = QueryOf(req_.target);
    std::string_view ip = BeginEvent();
    ClickDecision d = DecideClick(link, {now_us_, !req_.is_head, password_ok}, facts_, w_->rng);
    out_.clear();
    if (d.outcome == ClickOutcome::kPasswordRequired) {
      // The form: not a click, nothing journaled.
      s_.metrics.password_form->Inc();
      AppendPasswordPage(200, link.slug(), query, req_.is_head, tail, &out_);
      co_await Write(out_);
      co_return;
    }
    EventId id = s_.ids.Next(now_us_);
    uint8_t flags = RequestFlags();
    if (password_ok) flags |= kFlagPasswordOk;
    if (d.outcome != ClickOutcome::kRedirect) flags |= kFlagFallback;
    // Cookies only with something a visitor comes back through: not on a HEAD, not on a 410.
    bool sets_cookies = !req_.is_head && d.outcome != ClickOutcome::kGone;
    std::string_view visitor = ReadVisitor(id, sets_cookies, &flags);
    const LinkExtras* x = link.extras();
    bool click_cookie = sets_cookies && o.click_cookie;
    // One id for the ct_cid cookie and the {click_id} macro.
    if (click_cookie || (x != nullptr && x->has_macros)) EnsureClickId(id);
    if (d.outcome == ClickOutcome::kGone) {
      AppendGonePage(req_.is_head, tail, &out_);
    } else if (x == nullptr) {
      FormatRedirectHead(link.destination(), &out_);  // checked safe when the link was loaded
    } else {
      location_.clear();
      MacroContext m{&facts_, click_id_, link.slug(), link.link_id(), DomainName(), visitor, query};
      const LinkOptions& lo = x->options;
      bool fallback = d.outcome == ClickOutcome::kFallback;
      // The fallback is a plain landing page: no query forwarding or UTM on it.
      if (!BuildLocation(d.destination, m, lo.forward_query && !fallback, fallback ? Utm{} : lo.utm,
                         &location_)) {
        // A destination that expands to something unsafe is not sent anywhere.
        s_.metrics.unsafe_location->Inc();
        co_return co_await NotFound(tail);
      }
      FormatRedirectHead(location_, &out_);
    }
    if ((flags & kFlagNewVisitor) != 0) AppendVisitorCookie(visitor, &out_);
    if (click_cookie) AppendClickCookie(click_id_, s_.click_cookie_attributes, &out_);
    if (d.outcome != ClickOutcome::kGone) out_.append(tail);
    // Append to the journal (the flush writes this thread's whole batch at once).
    EventView ev =
        RequestEvent(req_.is_head ? EventKind::kHead : EventKind::kClick, id, ip, visitor, flags);
    ev.link_id = link.link_id();
    ev.account_id = link.account_id();
    ev.destination = d.destination;
    // On false the journal failed: the response goes out anyway (counted as unrecorded).
    if (AppendEvent(ev)) co_await w_->AsyncJournal(asio::use_awaitable);
    // Send the 302 (or the 410).
    if (d.outcome == ClickOutcome::kGone) {
      s_.metrics.gone->Inc();
    } else {
      (req_.is_head ? s_.metrics.head : s_.metrics.redirect)->Inc();
    }
    if (!co_await Write(out_)) co_return;
    s_.metrics.redirect_latency->Observe(
        std::chrono::duration<double>(Steady::now() - header_done_at_).count());
  }

  // GET|HEAD /p/{slug}: the GIF whatever happens (an email must never show a broken image).
  // A pixel of this host also journals an impression (a HEAD: kHead), recorded like a click.
  asio::awaitable<void> Pixel(std::string_view tail) {
    if (!req_.is_get && !req_.is_head) co_return co_await MethodNotAllowed(tail);
    // Route by Host, then look up the pixel; a link's slug here is no pixel.
    const LinkTable::Snapshot& links = w_->links.Get();
    const LinkEntry* pixel = nullptr;
    if (!req_.slug.empty()) {
      uint32_t domain = ResolveDomain(links);
      if (domain != LinkTable::kNoDomain) pixel = links.Find(domain, req_.slug);
    }
    s_.metrics.pixel->Inc();
    if (pixel == nullptr || pixel->kind() != LinkKind::kPixel) {
      s_.metrics.pixel_unknown->Inc();
      co_return co_await SendGif(tail);
    }
    std::string_view ip = BeginEvent();
    EventId id = s_.ids.Next(now_us_);
    uint8_t flags = RequestFlags();
    std::string_view visitor = ReadVisitor(id, /*may_set=*/!req_.is_head, &flags);
    out_.assign(PixelHead());
    if ((flags & kFlagNewVisitor) != 0) AppendVisitorCookie(visitor, &out_);
    out_.append(tail);
    if (!req_.is_head) out_.append(PixelGif());
    // Journal the impression (before the co_await: `pixel` lives in this thread's snapshot).
    EventView ev = RequestEvent(req_.is_head ? EventKind::kHead : EventKind::kImpression, id, ip,
                                visitor, flags);
    ev.link_id = pixel->link_id();
    ev.account_id = pixel->account_id();
    if (AppendEvent(ev)) co_await w_->AsyncJournal(asio::use_awaitable);
    co_await Write(out_);
  }

  // GET|HEAD /c/{key}: the conversion pixel. A live goal's GET journals a conversion (click id
  // from the query, else the ct_cid cookie) and answers the GIF — or, to a client that asks for
  // HTML, a page of the goal's piggyback <img> tags. An unknown key: the GIF, nothing journaled.
  // A HEAD journals nothing: link scanners and mail proxies probe URLs with HEAD, and a probe
  // is not a conversion.
  asio::awaitable<void> Conversion(std::string_view tail) {
    if (!req_.is_get && !req_.is_head) co_return co_await MethodNotAllowed(tail);
    s_.metrics.conversion->Inc();
    // Goal keys are store-wide and unguessable: no Host routing, so a conversion pixel works
    // on every host the edge serves (the one whose ct_cid cookie the visitor carries).
    const GoalRow* goal = req_.slug.empty() ? nullptr : w_->links.Get().FindGoal(req_.slug);
    if (goal == nullptr) {
      s_.metrics.conversion_unknown_goal->Inc();
      co_return co_await SendGif(tail);
    }
    if (req_.is_head) co_return co_await SendGif(tail);
    ParseConversionQuery(QueryOf(req_.target), &conversion_);
    bool html = conversion_.html || PrefersHtml(req_.HeaderValue(req_.accept));
    std::string_view ip = BeginEvent();
    EventId id = s_.ids.Next(now_us_);
    uint8_t flags = RequestFlags();
    std::string_view visitor = ReadVisitor(id, /*may_set=*/false, &flags);
    if (conversion_.has_value) flags |= kFlagHasValue;
    if (html) flags |= kFlagPiggybackServed;
    EventView ev = RequestEvent(EventKind::kConversion, id, ip, visitor, flags);
    ev.account_id = goal->account_id;
    ev.goal_id = goal->id;
    ev.value_micros = conversion_.value_micros;
    ev.currency = conversion_.currency;
    ev.order_id = conversion_.order_id;
    ev.click_ref = !conversion_.click_id.empty()
                       ? std::string_view(conversion_.click_id)
                       : FindIdCookie(req_.HeaderValue(req_.cookie), kClickCookie);
    // Format the answer now, while `goal` (in this thread's snapshot) is still ours.
    out_.clear();
    if (html) {
      body_.clear();
      AppendPiggybackPage(*goal, ConversionMacros(*goal, ev), &body_);
      AppendPiggybackHead(body_.size(), &out_);
      out_.append(tail);
      out_.append(body_);
    } else {
      out_.assign(PixelHead());
      out_.append(tail);
      out_.append(PixelGif());
    }
    if (AppendEvent(ev)) co_await w_->AsyncJournal(asio::use_awaitable);
    co_await Write(out_);
  }

  // The first step of every journaled event: the client (the peer, or what our trusted
  // proxies say it is), this request's visitor facts, the event time. Resets click_id_.
  std::string_view BeginEvent() {
    std::string_view ip = ClientIp();
    facts_.Reset(s_.options.geo.get(), s_.options.user_agents.get(), ip,
                 req_.HeaderValue(req_.user_agent), req_.HeaderValue(req_.accept_language));
    now_us_ = s_.clock->NowMicros();
    click_id_.clear();
    return ip;
  }

  uint8_t RequestFlags() const { return req_.prefetch ? kFlagPrefetch : 0; }

  // click_id_ = ClickId(id), formatted once per event (no allocation once warm).
  void EnsureClickId(const EventId& id) {
    if (click_id_.empty()) AppendClickId(id, &click_id_);
  }

  // The ct_vid visitor id: the incoming cookie, else (when `may_set`) a new one made from this
  // event's id — then kFlagNewVisitor is set and the caller sends the cookie.
  std::string_view ReadVisitor(const EventId& id, bool may_set, uint8_t* flags) {
    if (!s_.options.visitor_cookie) return {};
    std::string_view visitor = FindVisitorCookie(req_.HeaderValue(req_.cookie));
    if (!visitor.empty() || !may_set) return visitor;
    EnsureClickId(id);
    *flags |= kFlagNewVisitor;
    return click_id_;
  }

  // The fields every event takes from the request the same way: country (looked up on the
  // real address), the address (anonymised if configured), User-Agent, Referer,
  // Accept-Language and the visitor. Views into this request and this Session.
  EventView RequestEvent(EventKind kind, const EventId& id, std::string_view ip,
                         std::string_view visitor, uint8_t flags) {
    const EdgeOptions& o = s_.options;
    EventView ev;
    ev.kind = kind;
    ev.id = id;
    ev.time_us = now_us_;
    ev.flags = flags;
    // Country first (on the real address), then anonymise what is kept.
    if (o.geo) ev.country = facts_.Country();
    if (o.anonymize_ip) {
      anon_ip_ = enrich::AnonymizeIp(ip);
      ev.ip = anon_ip_;
    } else {
      ev.ip = ip;
    }
    ev.user_agent = req_.HeaderValue(req_.user_agent);
    ev.referrer = req_.HeaderValue(req_.referer);
    ev.accept_language = req_.HeaderValue(req_.accept_language);
    ev.visitor_id = visitor;
    return ev;
  }

  // Appends `ev` to this thread's journal batch (encoded now, so its views need only live
  // until the call); true when there is a journal whose flush the caller must then await:
  //   if (AppendEvent(ev)) co_await w_->AsyncJournal(asio::use_awaitable);
  // A plain function, not a coroutine: no extra frame on the redirect path.
  bool AppendEvent(const EventView& ev) {
    if (s_.sink == nullptr) return false;
    payload_.clear();
    EncodeEventView(ev, &payload_);
    journal::AppendRecord(&w_->batch, journal::RecordType::kEvent, payload_);
    conn_.SetState(ConnState::kBusy);
    return true;
  }

  asio::awaitable<void> SendGif(std::string_view tail) {
    co_await Send(PixelHead(), tail, req_.is_head ? std::string_view() : PixelGif());
  }

  asio::awaitable<void> MethodNotAllowed(std::string_view tail) {
    s_.metrics.method_not_allowed->Inc();
    co_await Send(MethodNotAllowedHead(), tail, {});
  }

  // POST /{slug}: a password form. The check (PBKDF2, ~0.1 s) runs on the API pool, never on
  // the I/O thread; the link is looked up again afterwards (this thread's snapshot may move).
  asio::awaitable<void> PasswordPost(const LinkEntry& link, std::string_view tail) {
    const LinkExtras* x = link.extras();
    if (x == nullptr || x->options.password_hash.empty()) co_return co_await MethodNotAllowed(tail);
    std::string hash = x->options.password_hash;
    int64_t link_id = link.link_id();
    uint32_t domain = link.domain();
    std::string password;
    std::string_view field;
    std::string_view type = req_.HeaderValue(req_.content_type);
    if (type.starts_with("application/x-www-form-urlencoded") &&
        FindQueryParam(req_.body, "password", &field)) {
      FormDecode(field, &password);
    }
    // Bounded per link before any hashing: a flood of guesses costs one bucket check each.
    if (int64_t retry_after = s_.password_attempts.Acquire(link_id); retry_after > 0) {
      s_.metrics.password_throttled->Inc();
      out_.clear();
      AppendPasswordPage(429, link.slug(), QueryOf(req_.target), false, tail, &out_, retry_after);
      co_await Write(out_);
      co_return;
    }
    conn_.SetState(ConnState::kBusy);
    bool ok = !password.empty() && co_await VerifyOnPool(std::move(password), hash);
    const LinkEntry* now = w_->links.Get().Find(domain, req_.slug);
    if (now == nullptr || now->link_id() != link_id || now->kind() != LinkKind::kLink) {
      co_return co_await NotFound(tail);
    }
    if (now->extras() == nullptr || now->extras()->options.password_hash != hash) ok = false;
    if (!ok) {
      s_.metrics.password_rejected->Inc();
      out_.clear();
      AppendPasswordPage(401, now->slug(), QueryOf(req_.target), false, tail, &out_);
      co_await Write(out_);
      co_return;
    }
    co_await Click(*now, tail, /*password_ok=*/true);
  }

  asio::awaitable<bool> VerifyOnPool(std::string password, std::string hash) {
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
        [this, &password, &hash](auto handler) {
          asio::post(*s_.api_pool, [p = std::move(password), h = std::move(hash),
                                    handler = std::move(handler)]() mutable {
            bool ok = VerifyPassword(p, h);
            auto ex = asio::get_associated_executor(handler);
            asio::post(ex,
                       [handler = std::move(handler), ok]() mutable { std::move(handler)(ok); });
          });
        },
        asio::use_awaitable);
  }

  // The request's custom domain name ("" for the default domain), for the {domain} macro.
  std::string_view DomainName() const {
    return req_.host < 0 || s_.any_host || IsDefaultHost() ? std::string_view() : host_;
  }
  bool IsDefaultHost() const {
    for (const std::string& h : s_.options.default_hosts) {
      if (h == host_) return true;
    }
    return false;
  }

  // The peer, or the client our trusted proxies say it is (edge/trusted_proxies.h).
  std::string_view ClientIp() const {
    if (!conn_.peer_trusted || req_.x_forwarded_for < 0) return conn_.peer_ip;
    return s_.proxies.ClientIp(conn_.peer_ip, true, req_.HeaderValue(req_.x_forwarded_for));
  }

  static std::string_view QueryOf(std::string_view target) {
    size_t q = target.find('?');
    return q == target.npos ? std::string_view() : target.substr(q + 1);
  }

  asio::awaitable<void> NotFound(std::string_view tail) {
    s_.metrics.not_found->Inc();
    co_await Send(NotFoundHead(), tail, req_.is_head ? std::string_view() : NotFoundBody());
  }

  asio::awaitable<void> CallApi(std::string_view tail) {
    s_.metrics.api->Inc();
    // The client's address (login throttling, server-to-server conversions), not the proxy's.
    std::string client_ip(ClientIp());
    ApiRequest request{req_.method, req_.target, {}, std::move(req_.body), std::move(client_ip)};
    request.headers.assign(req_.headers.begin(), req_.headers.begin() + req_.num_headers);
    conn_.SetState(ConnState::kBusy);
    ApiResponse response =
        co_await asio::async_initiate<decltype(asio::use_awaitable), void(ApiResponse)>(
            [this, &request](auto handler) {
              asio::post(*s_.api_pool, [api = &s_.api, req = std::move(request),
                                        h = std::move(handler)]() mutable {
                ApiResponse r = Invoke(*api, req);
                auto ex = asio::get_associated_executor(h);
                asio::post(ex, [h = std::move(h), r = std::move(r)]() mutable {
                  std::move(h)(std::move(r));
                });
              });
            },
            asio::use_awaitable);
    if (response.stream) co_return co_await Stream(std::move(response));
    SerializeApiResponse(response, req_.is_head, tail, &out_);
    co_await Write(out_);
  }

  // A streamed answer (server-sent events): the head now, then each piece the stream produces
  // (ApiStream::Next on the API pool), waiting between them on a timer of this thread, until
  // the stream is done, the client goes away (EOF, an error, or any byte: an event-stream client
  // sends nothing after its request) or the server stops. The connection closes at the end.
  asio::awaitable<void> Stream(ApiResponse response) {
    using namespace asio::experimental::awaitable_operators;
    SerializeApiResponse(response, req_.is_head, "Connection: close\r\n\r\n", &out_);
    std::shared_ptr<ApiStream> stream = std::move(response.stream);
    if (!co_await Write(out_) || req_.is_head) {
      conn_.Close();
      co_return;
    }
    asio::steady_timer timer(conn_.socket.get_executor());
    char probe[256];
    while (!s_.stopping.load(std::memory_order_relaxed)) {
      conn_.SetState(ConnState::kBusy);
      StreamChunk chunk = co_await NextOnPool(stream);
      // Closed meanwhile (the server stopping): nothing more to send.
      if (!conn_.socket.is_open()) break;
      if (!chunk.bytes.empty() && !co_await Write(chunk.bytes)) break;
      if (chunk.done || s_.stopping.load(std::memory_order_relaxed)) break;
      conn_.SetState(ConnState::kStreaming);
      timer.expires_after(chunk.next_call);
      // as_tuple on both: neither throws, so whichever completes first wins and the other is
      // cancelled (a read cancelled by the timer is no sign of the client leaving).
      auto woke = co_await (timer.async_wait(kAsTuple) ||
                            conn_.socket.async_read_some(asio::buffer(probe), kAsTuple));
      if (woke.index() == 1) break;
    }
    conn_.Close();
  }

  asio::awaitable<StreamChunk> NextOnPool(const std::shared_ptr<ApiStream>& stream) {
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(StreamChunk)>(
        [this, &stream](auto handler) {
          asio::post(*s_.api_pool, [st = stream, h = std::move(handler)]() mutable {
            StreamChunk c = NextChunk(*st);
            auto ex = asio::get_associated_executor(h);
            asio::post(
                ex, [h = std::move(h), c = std::move(c)]() mutable { std::move(h)(std::move(c)); });
          });
        },
        asio::use_awaitable);
  }

  static StreamChunk NextChunk(ApiStream& stream) {
    // As Invoke: an exception ends this stream, not the pool.
    try {
      return stream.Next();
    } catch (const std::exception& e) {
      Log().Error("API stream threw: {}", e.what());
    } catch (...) {
      Log().Error("API stream threw a non-exception");
    }
    return StreamChunk{{}, true};
  }

  static ApiResponse Invoke(const ApiHandler& api, const ApiRequest& request) {
    // Third-party-ish code on a pool thread: an exception must not take the pool down.
    try {
      return api(request);
    } catch (const std::exception& e) {
      Log().Error("API handler threw: {}", e.what());
    } catch (...) {
      Log().Error("API handler threw a non-exception");
    }
    return ApiResponse{500, "text/plain; charset=utf-8", "internal error\n", {}};
  }

  asio::awaitable<void> RejectAndClose(int status) {
    s_.metrics.bad_request->Inc();
    if (!co_await Write(ErrorResponse(status))) co_return;
    // Half-close, then read what the client still sends: closing with unread bytes would send
    // a RST that can destroy our reply in the client's receive queue before it reads it.
    boost::system::error_code ec;
    conn_.socket.shutdown(tcp::socket::shutdown_send, ec);
    conn_.SetState(ConnState::kBody);
    size_t drained = 0;
    while (drained < kMaxDrainBytes) {
      auto [rec, n] = co_await conn_.socket.async_read_some(buffer_.prepare(kReadChunk), kAsTuple);
      if (rec) break;
      drained += n;
    }
  }

  asio::awaitable<void> Send(std::string_view head, std::string_view tail, std::string_view body) {
    out_.assign(head);
    out_.append(tail);
    out_.append(body);
    co_await Write(out_);
  }

  asio::awaitable<bool> Write(std::string_view bytes) {
    conn_.SetState(ConnState::kWriting);
    auto [ec, n] = co_await asio::async_write(conn_.socket, asio::buffer(bytes), kAsTuple);
    if (ec) {
      conn_.Close();
      co_return false;
    }
    co_return true;
  }

  Worker* w_;
  EdgeShared& s_;
  Connection conn_;
  bool first_ = true;
  boost::beast::flat_buffer buffer_;  // reused for every request on this connection
  RequestData req_;
  std::optional<RequestParser> parser_;
  std::string out_;
  std::string payload_;
  std::string host_;      // the request's normalised Host
  std::string location_;  // an expanded Location
  std::string click_id_;  // ClickId of the current event, when it needs one
  std::string anon_ip_;
  std::string body_;  // the conversion pixel's HTML page
  ConversionQuery conversion_;
  int64_t now_us_ = 0;  // the current event's time
  RequestFacts facts_;
  Steady::time_point header_done_at_;
};

}  // namespace

Connection::Connection(Worker* w, tcp::socket s) : worker(w), socket(std::move(s)) {
  boost::system::error_code ec;
  // Small replies must leave at once, not wait for Nagle's timer.
  socket.set_option(tcp::no_delay(true), ec);
  auto peer = socket.remote_endpoint(ec);
  if (!ec) {
    auto addr = peer.address();
    // An IPv4 client on a dual-stack socket: report it as IPv4.
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
      addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
    }
    peer_ip = addr.to_string();
    peer_trusted = w->shared->proxies.Contains(peer_ip);
  }
  since = w->coarse_now;
  w->connections.push_back(*this);
  w->active.fetch_add(1, std::memory_order_relaxed);
  w->shared->connections.fetch_add(1, std::memory_order_relaxed);
  w->shared->metrics.connections_active->Add(1);
}

Connection::~Connection() {
  worker->active.fetch_sub(1, std::memory_order_relaxed);
  worker->shared->connections.fetch_sub(1, std::memory_order_relaxed);
  worker->shared->metrics.connections_active->Add(-1);
}

void Connection::SetState(ConnState s) {
  state = s;
  since = worker->coarse_now;
}

void Connection::Close() {
  boost::system::error_code ignored;
  socket.close(ignored);  // a pending read or write completes with operation_aborted
}

asio::awaitable<void> RunConnection(Worker* worker, tcp::socket socket) {
  Session session(worker, std::move(socket));
  co_await session.Run();
}

}  // namespace ct::edge
