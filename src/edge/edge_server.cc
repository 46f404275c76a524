#include "edge/edge_server.h"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <thread>
#include <vector>

#include "common/log.h"
#include "edge/edge_worker.h"

namespace ct::edge {
namespace {
constexpr int kListenBacklog = 4096;  // bursts of connects at 10k+ req/s must not see RSTs
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

const Logger& Log() {
  static const Logger log("edge");
  return log;
}

Status Bind(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](const char* what) {
    return Status::IoError(std::string(what) + " " + endpoint.address().to_string() + ":" +
                           std::to_string(endpoint.port()) + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  // Every I/O thread listens on the same port; the kernel spreads connections among them.
  acceptor.set_option(ReusePort(true), ec);
  if (ec) return fail("SO_REUSEPORT");
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(kListenBacklog, ec);
  if (ec) return fail("listen");
  return Status::Ok();
}
}  // namespace

void NormalizeHost(std::string_view host, std::string* out) {
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    host = close == host.npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (size_t colon = host.find(':');
             colon != host.npos && host.find(':', colon + 1) == host.npos) {
    host = host.substr(0, colon);  // one colon: a port; more: a bare IPv6 literal
  }
  for (char c : host) out->push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
}

std::string HostOfUrl(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  std::string out;
  if (u) NormalizeHost(u->encoded_host_and_port(), &out);
  return out;
}

struct EdgeServer::Impl {
  std::unique_ptr<EdgeShared> shared;
  std::vector<std::shared_ptr<Worker>> workers;
  bool running = false;
};

EdgeServer::EdgeServer(EdgeOptions options, LinkTable* links, EventSink* sink, ApiHandler api,
                       MetricsRegistry* metrics, Clock* clock)
    : impl_(std::make_unique<Impl>()) {
  if (options.durability == Durability::kNone) sink = nullptr;
  impl_->shared =
      std::make_unique<EdgeShared>(std::move(options), links, sink, std::move(api), metrics, clock);
}

EdgeServer::~EdgeServer() { Stop(); }

Status EdgeServer::Start() {
  EdgeShared& s = *impl_->shared;
  if (impl_->running) return Status::FailedPrecondition("edge server already started");
  if (s.options.durability != Durability::kNone && s.sink == nullptr) {
    return Status::InvalidArgument("edge: an EventSink is required unless durability is none");
  }
  Result<TrustedProxies> proxies = TrustedProxies::Parse(s.options.trusted_proxies);
  if (!proxies.ok()) {
    return Status::InvalidArgument("edge.trusted_proxies: " + proxies.status().message());
  }
  s.proxies = std::move(*proxies);
  for (std::string& h : s.options.default_hosts) {
    std::string n;
    NormalizeHost(h, &n);
    h = n;
    if (h == "*") s.any_host = true;
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) return Status::InvalidArgument("edge: bad listen address " + s.options.host);
  tcp::endpoint endpoint(address, s.options.port);
  int threads = std::max(1, s.options.threads);
  std::vector<std::shared_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_shared<Worker>(&s);
    CT_RETURN_IF_ERROR(Bind(w->acceptor, endpoint));
    // Port 0: the first bind picks the port, the others join it.
    if (i == 0) endpoint.port(w->acceptor.local_endpoint().port());
    workers.push_back(std::move(w));
  }
  port_ = endpoint.port();
  s.api_pool = std::make_unique<asio::thread_pool>(std::max(1, s.options.api_threads));
  for (auto& w : workers) {
    w->work.emplace(w->ioc.get_executor());
    asio::co_spawn(w->ioc, w->AcceptLoop(), asio::detached);
    asio::co_spawn(w->ioc, w->SweepLoop(), asio::detached);
    w->thread = std::thread([raw = w.get()] { raw->ioc.run(); });
  }
  impl_->workers = std::move(workers);
  impl_->running = true;
  Log().Info("edge listening on {}:{} with {} I/O thread(s)", s.options.host, port_, threads);
  return Status::Ok();
}

void EdgeServer::Stop() {
  if (!impl_->running) return;
  impl_->running = false;
  EdgeShared& s = *impl_->shared;
  s.stopping.store(true);
  // New connections refused first, then idle ones closed; busy ones finish their request and
  // close because `stopping` is set.
  for (auto& w : impl_->workers) asio::post(w->ioc, [raw = w.get()] { raw->BeginStop(); });
  auto deadline = std::chrono::steady_clock::now() + s.options.stop_timeout;
  auto open = [&] {
    size_t n = 0;
    for (auto& w : impl_->workers) n += w->active.load();
    return n;
  };
  while (open() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (size_t n = open(); n > 0) Log().Warn("edge stop: force-closing {} connection(s)", n);
  for (auto& w : impl_->workers) {
    w->work.reset();
    w->ioc.stop();
  }
  for (auto& w : impl_->workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  // Pending API calls post back into the (stopped, still alive) io_contexts: join the pool
  // before the workers go away.
  s.api_pool->stop();
  s.api_pool->join();
  impl_->workers.clear();  // destroys what was force-closed
}

}  // namespace ct::edge
