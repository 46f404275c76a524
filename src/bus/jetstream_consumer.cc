#include "bus/jetstream_consumer.h"

namespace ct {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

std::string Header(natsMsg* msg, const char* name) {
  const char* v = nullptr;
  if (natsMsgHeader_Get(msg, name, &v) != NATS_OK || v == nullptr) return "";
  return v;
}

// Parses the contract's headers; false (with `m->error`) if one is missing or not a number.
bool ParseHeaders(BusMessage* m) {
  natsMsg* msg = m->msg.get();
  m->record.edge = Header(msg, wire::kEdgeHeader);
  m->record.msg_id = Header(msg, wire::kMsgIdHeader);
  Result<uint64_t> type = wire::ParseDecimal(Header(msg, wire::kTypeHeader));
  Result<uint64_t> from = wire::ParseDecimal(Header(msg, wire::kFromHeader));
  Result<uint64_t> to = wire::ParseDecimal(Header(msg, wire::kToHeader));
  if (!wire::ValidEdgeId(m->record.edge) || !type.ok() || *type > 255 || !from.ok() || !to.ok() ||
      *to < *from) {
    m->error = "a message without valid Ct-Edge/Ct-Type/Ct-From/Ct-To headers";
    return false;
  }
  m->record.type = static_cast<uint8_t>(*type);
  m->record.from = *from;
  m->record.to = *to;
  return true;
}

}  // namespace

JetStreamConsumer::JetStreamConsumer(NatsOptions nats, ConsumerOptions options)
    : options_(std::move(options)), client_(std::move(nats)) {}

JetStreamConsumer::~JetStreamConsumer() { Reset(); }

void JetStreamConsumer::Reset() {
  if (sub_ != nullptr) natsSubscription_Destroy(sub_);  // keeps the durable consumer
  sub_ = nullptr;
  client_.Reset();
}

bool JetStreamConsumer::ReportFailure() {
  if (!client_.ReportFailure()) return false;
  Reset();
  return true;
}

Status JetStreamConsumer::Connect() {
  if (sub_ != nullptr) return Status::Ok();
  CT_RETURN_IF_ERROR(client_.Connect());
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = client_.options().stream.c_str();
  so.Config.Durable = options_.durable.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = static_cast<int64_t>(options_.ack_wait.count()) * kNanosPerSecond;
  so.Config.MaxDeliver = -1;
  so.Config.MaxAckPending = options_.max_ack_pending;
  so.Config.DeliverPolicy = js_DeliverAll;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const std::string subject(wire::kEventsWildcard);
  natsStatus s = js_PullSubscribe(&sub_, client_.js(), subject.c_str(), options_.durable.c_str(),
                                  nullptr, &so, &jerr);
  if (s != NATS_OK) {
    sub_ = nullptr;
    Status st = NatsStatus(s, "binding the durable consumer " + options_.durable);
    client_.Reset();
    return st;
  }
  if (on_edge_) {
    Status st = client_.Subscribe(wire::kEdgesSubject, [this](std::string_view edge) {
      if (wire::ValidEdgeId(edge)) on_edge_(std::string(edge));
    });
    if (!st.ok()) {
      Reset();
      return st;
    }
  }
  return Status::Ok();
}

Result<std::vector<BusMessage>> JetStreamConsumer::Fetch(int max, std::chrono::milliseconds wait) {
  if (sub_ == nullptr) return Status::Unavailable("not connected");
  natsMsgList list{};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_, max, wait.count(), &jerr);
  std::vector<BusMessage> out;
  if (s == NATS_TIMEOUT) return out;  // nothing (more) within `wait`
  if (s != NATS_OK) {
    natsMsgList_Destroy(&list);
    return NatsStatus(s, "fetching from the durable consumer");
  }
  out.reserve(static_cast<size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    BusMessage m;
    m.msg.reset(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // ours now
    m.subject = natsMsg_GetSubject(m.msg.get());
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, m.msg.get()) == NATS_OK) {
      m.deliveries = meta->NumDelivered;
      jsMsgMetaData_Destroy(meta);
    }
    m.malformed = !ParseHeaders(&m);
    out.push_back(std::move(m));
  }
  natsMsgList_Destroy(&list);
  return out;
}

Status JetStreamConsumer::Ack(const BusMessage& m) {
  natsStatus s = natsMsg_Ack(m.msg.get(), nullptr);
  return s == NATS_OK ? Status::Ok() : NatsStatus(s, "acking");
}

Status JetStreamConsumer::Nak(const BusMessage& m, std::chrono::milliseconds delay) {
  natsStatus s = natsMsg_NakWithDelay(m.msg.get(), delay.count(), nullptr);
  return s == NATS_OK ? Status::Ok() : NatsStatus(s, "naking");
}

Status JetStreamConsumer::PublishWatermark(const std::string& edge, uint64_t committed_below) {
  if (!client_.connected()) return Status::Unavailable("not connected");
  const std::string subject = wire::WatermarkSubject(edge);
  const std::string value = std::to_string(committed_below);
  natsStatus s = natsConnection_PublishString(client_.connection(), subject.c_str(), value.c_str());
  return s == NATS_OK ? Status::Ok() : NatsStatus(s, "publishing the watermark of " + edge);
}

}  // namespace ct
