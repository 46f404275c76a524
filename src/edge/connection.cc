// One connection's session, as a recipe: read a request, look up the link, append to the
// journal, send the 302 — and the API and error paths beside it. Everything here runs on the
// connection's I/O thread; the only waits are socket I/O, the journal flush and the API pool.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "common/log.h"
#include "edge/edge_worker.h"
#include "edge/request_parser.h"
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
          if (req_.expect_continue && req_.route == Route::kApi && !parser_->is_done()) {
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
    if (!req_.is_get && !req_.is_head) {
      s_.metrics.method_not_allowed->Inc();
      co_return co_await Send(MethodNotAllowedHead(), tail, {});
    }
    // Look up the link.
    const LinkTarget* link = w_->links.Get().Find(req_.slug);
    if (link == nullptr) co_return co_await NotFound(tail);
    // Copy the 302 now: the snapshot may be replaced while the journal is written.
    out_.assign(link->response_head);
    out_.append(tail);
    // Append to the journal (the flush writes this thread's whole batch at once).
    if (s_.sink != nullptr) {
      EventKind kind = req_.is_head ? EventKind::kHead : EventKind::kClick;
      payload_.clear();
      EventView ev;
      ev.kind = kind;
      ev.id = s_.ids.Next();
      ev.time_us = s_.clock->NowMicros();
      ev.link_id = link->link_id;
      ev.account_id = link->account_id;
      ev.ip = conn_.peer_ip;
      ev.user_agent = req_.HeaderValue(req_.user_agent);
      ev.referrer = req_.HeaderValue(req_.referer);
      ev.accept_language = req_.HeaderValue(req_.accept_language);
      EncodeEventView(ev, &payload_);
      journal::AppendRecord(&w_->batch, journal::RecordType::kEvent, payload_);
      conn_.SetState(ConnState::kBusy);
      // On false the journal failed: the 302 goes out anyway (counted as unrecorded).
      co_await w_->AsyncJournal(asio::use_awaitable);
    }
    // Send the 302.
    (req_.is_head ? s_.metrics.head : s_.metrics.redirect)->Inc();
    if (!co_await Write(out_)) co_return;
    s_.metrics.redirect_latency->Observe(
        std::chrono::duration<double>(Steady::now() - header_done_at_).count());
  }

  asio::awaitable<void> NotFound(std::string_view tail) {
    s_.metrics.not_found->Inc();
    co_await Send(NotFoundHead(), tail, req_.is_head ? std::string_view() : NotFoundBody());
  }

  asio::awaitable<void> CallApi(std::string_view tail) {
    s_.metrics.api->Inc();
    ApiRequest request{req_.method, req_.target, {}, std::move(req_.body), conn_.peer_ip};
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
    SerializeApiResponse(response, req_.is_head, tail, &out_);
    co_await Write(out_);
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
  Steady::time_point header_done_at_;
};

}  // namespace

Connection::Connection(Worker* w, tcp::socket s) : worker(w), socket(std::move(s)) {
  boost::system::error_code ec;
  // Small replies must leave at once, not wait for Nagle's timer.
  socket.set_option(tcp::no_delay(true), ec);
  auto peer = socket.remote_endpoint(ec);
  if (!ec) peer_ip = peer.address().to_string();
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
