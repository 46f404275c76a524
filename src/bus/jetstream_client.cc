#include "bus/jetstream_client.h"

#include <string>
#include <vector>

#include "bus/wire.h"
#include "common/log.h"

namespace ct {
namespace {

const Logger& Log() {
  static const Logger log("nats");
  return log;
}

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Frees a natsOptions on scope exit.
struct OptionsGuard {
  natsOptions* opts = nullptr;
  ~OptionsGuard() {
    if (opts != nullptr) natsOptions_Destroy(opts);
  }
};

}  // namespace

std::vector<std::string> SplitServers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

Status NatsStatus(natsStatus s, std::string_view what) {
  std::string text = std::string(what) + ": " + natsStatus_GetText(s);
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0' && text.find(last) == std::string::npos) {
    text += " (" + std::string(last) + ")";
  }
  return Status::Unavailable(text);
}

Status EnsureStream(jsCtx* js, const NatsOptions& options) {
  jsErrCode jerr = static_cast<jsErrCode>(0);
  jsStreamInfo* si = nullptr;
  natsStatus s = js_GetStreamInfo(&si, js, options.stream.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    const jsStreamConfig* c = si->Config;
    std::string problem;
    bool has_subject = false;
    for (int i = 0; i < c->SubjectsLen; ++i) {
      if (wire::kEventsWildcard == c->Subjects[i]) has_subject = true;
    }
    if (!has_subject) problem = "its subjects do not include " + std::string(wire::kEventsWildcard);
    if (c->Storage != js_FileStorage) problem = "it is not on file storage";
    if (c->Replicas != options.replicas) {
      problem = "it has " + std::to_string(c->Replicas) + " replicas, nats.replicas is " +
                std::to_string(options.replicas);
    }
    jsStreamInfo_Destroy(si);
    if (!problem.empty()) {
      return Status::FailedPrecondition("stream " + options.stream + " exists but " + problem);
    }
    return Status::Ok();
  }
  if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
    return NatsStatus(s, "reading stream " + options.stream);
  }
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subjects[] = {wire::kEventsWildcard.data()};  // a literal: NUL-terminated
  cfg.Name = options.stream.c_str();
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Retention = js_LimitsPolicy;
  cfg.Replicas = options.replicas;
  cfg.MaxAge = static_cast<int64_t>(options.max_age.count()) * 3600 * kNanosPerSecond;
  cfg.Duplicates = static_cast<int64_t>(options.duplicate_window.count()) * kNanosPerSecond;
  s = js_AddStream(&si, js, &cfg, nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(si);
    Log().Info("created stream {} ({} replicas)", options.stream, options.replicas);
    return Status::Ok();
  }
  if (jerr == JSStreamNameExistErr) return EnsureStream(js, options);  // another process won
  return NatsStatus(s, "creating stream " + options.stream);
}

JetStreamClient::JetStreamClient(NatsOptions options)
    : options_(std::move(options)), gate_(CallbackGate::Create(this)) {}

JetStreamClient::~JetStreamClient() { Reset(); }

void JetStreamClient::EnablePublishAsync(int64_t max_pending, AckFn on_ack) {
  max_pending_ = max_pending;
  on_ack_ = std::move(on_ack);
}

void JetStreamClient::OnAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                            void* closure) {
  std::string error;
  if (pa == nullptr) {
    error = pae != nullptr ? std::string(natsStatus_GetText(pae->Err)) +
                                 (pae->ErrText != nullptr ? std::string(": ") + pae->ErrText : "")
                           : "no ack";
  }
  static_cast<CallbackGate*>(closure)->Run([&](void* owner) {
    auto* self = static_cast<JetStreamClient*>(owner);
    // js_ only changes while the gate is closed. An older connection's context stays alive
    // while its handler runs, so its address cannot be the current one's.
    if (js == self->js_ && self->on_ack_) self->on_ack_(msg, error);
  });
  natsMsg_Destroy(msg);  // ours to destroy, whether or not the owner saw it
}

void JetStreamClient::OnMsg(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure) {
  const std::string_view data(natsMsg_GetData(msg),
                              static_cast<size_t>(natsMsg_GetDataLength(msg)));
  static_cast<CallbackGate*>(closure)->Run([&](void* owner) {
    auto* self = static_cast<JetStreamClient*>(owner);
    if (nc == self->nc_ && self->on_msg_) self->on_msg_(data);
  });
  natsMsg_Destroy(msg);
}

Status JetStreamClient::Subscribe(const std::string& subject, MsgFn on_msg) {
  if (nc_ == nullptr) return Status::FailedPrecondition("not connected");
  if (sub_ != nullptr) return Status::FailedPrecondition("already subscribed");
  on_msg_ = std::move(on_msg);  // before the subscription exists: no handler reads it yet
  natsStatus s =
      natsConnection_Subscribe(&sub_, nc_, subject.c_str(), &JetStreamClient::OnMsg, gate_);
  if (s != NATS_OK) {
    sub_ = nullptr;
    return NatsStatus(s, "subscribing to " + subject);
  }
  return Status::Ok();
}

Status JetStreamClient::Connect() {
  if (nc_ != nullptr) return Status::Ok();
  if (options_.servers.empty()) return Status::InvalidArgument("nats.servers is empty");
  OptionsGuard g;
  natsStatus s = natsOptions_Create(&g.opts);
  if (s != NATS_OK) return NatsStatus(s, "nats options");
  std::vector<const char*> servers;
  for (const auto& srv : options_.servers) servers.push_back(srv.c_str());
  natsOptions_SetServers(g.opts, servers.data(), static_cast<int>(servers.size()));
  natsOptions_SetName(g.opts, options_.client_name.c_str());
  natsOptions_SetTimeout(g.opts, options_.connect_timeout.count());
  natsOptions_SetMaxReconnect(g.opts, -1);  // forever; Reset() is the harder fallback
  natsOptions_SetReconnectWait(g.opts, options_.reconnect_wait.count());
  natsOptions_SetReconnectJitter(g.opts, options_.reconnect_wait.count(),
                                 options_.reconnect_wait.count());
  natsOptions_SetPingInterval(g.opts, 2000);
  natsOptions_SetMaxPingsOut(g.opts, 3);
  s = natsConnection_Connect(&nc_, g.opts);
  if (s != NATS_OK) {
    nc_ = nullptr;
    return NatsStatus(s, "connecting to " + options_.servers.front() + " and others");
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options_.request_timeout.count();
  if (on_ack_) {
    jo.PublishAsync.MaxPending = max_pending_;
    jo.PublishAsync.AckHandler = &JetStreamClient::OnAck;
    jo.PublishAsync.AckHandlerClosure = gate_;
    jo.PublishAsync.StallWait = options_.request_timeout.count();
  }
  s = natsConnection_JetStream(&js_, nc_, &jo);
  if (s != NATS_OK) {
    Status st = NatsStatus(s, "JetStream context");
    Reset();
    return st;
  }
  Status st = EnsureStream(js_, options_);
  if (!st.ok()) {
    Reset();
    return st;
  }
  gate_->Open();
  return Status::Ok();
}

bool JetStreamClient::ReportFailure() {
  if (++failures_ < options_.rebuild_after) return false;
  Log().Warn("{} NATS operations failed in a row: rebuilding the connection", failures_);
  failures_ = 0;
  ++rebuilds_;
  Reset();
  return true;
}

void JetStreamClient::Reset() {
  if (nc_ == nullptr) return;
  // Close first: no new message is dispatched after this returns, but a handler already
  // running (or holding a dequeued message) still runs: the gate waits for it, and drops it if
  // it starts later.
  natsConnection_Close(nc_);
  gate_->Close();
  if (sub_ != nullptr) natsSubscription_Destroy(sub_);
  sub_ = nullptr;
  on_msg_ = nullptr;
  if (js_ != nullptr) jsCtx_Destroy(js_);
  natsConnection_Destroy(nc_);
  js_ = nullptr;
  nc_ = nullptr;
  ++generation_;
}

}  // namespace ct
