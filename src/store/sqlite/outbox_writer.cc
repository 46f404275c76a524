#include "store/sqlite/outbox_writer.h"

#include <algorithm>

namespace ct::sqlite {

bool PostbackFires(const PostbackRow& pb, EventKind kind, int64_t goal_id, bool attributed) {
  switch (kind) {
    case EventKind::kClick:
      return (pb.events & kPostbackOnClick) != 0;
    case EventKind::kImpression:
      return (pb.events & kPostbackOnImpression) != 0;
    case EventKind::kConversion:
      return (pb.events & kPostbackOnConversion) != 0 &&
             (pb.goal_ids.empty() ||
              std::find(pb.goal_ids.begin(), pb.goal_ids.end(), goal_id) != pb.goal_ids.end()) &&
             (attributed || !pb.attributed_only);
    case EventKind::kHead:
      return false;
  }
  return false;
}

std::string DeliveryId(const EventId& event_id, int64_t postback_id) {
  return "msg_" + ClickId(event_id) + "_" + std::to_string(postback_id);
}

std::string PiggybackDeliveryId(const EventId& event_id, size_t index) {
  return "msg_" + ClickId(event_id) + "_pg" + std::to_string(index);
}

Status OutboxWriter::Add(const Event& event, const PostbackRow& postback,
                         const postback::MacroValues& values) {
  const bool post = postback.method == "POST";
  return Insert(DeliveryId(event.id, postback.id), event, postback.id, post ? "POST" : "GET",
                postback::ExpandTemplate(postback.url_template, values),
                post ? postback::JsonBody(values) : std::string());
}

Status OutboxWriter::AddPiggyback(const Event& event, size_t index, std::string_view url,
                                  const postback::MacroValues& values) {
  return Insert(PiggybackDeliveryId(event.id, index), event, /*postback_id=*/0, "GET",
                postback::ExpandTemplate(url, values), std::string());
}

Status OutboxWriter::Insert(const std::string& id, const Event& event, int64_t postback_id,
                            std::string_view method, const std::string& url,
                            const std::string& body) {
  // ON CONFLICT DO NOTHING: the id is derived from the event, so a row already there is this
  // very delivery (an event applied again after its hit expired): never a second one.
  Result<Statement> s = db_->Prepare(R"sql(
    INSERT INTO outbox (id, account_id, postback_id, event_id, event_kind, event_time_us,
                        method, url, body, state, created_at, next_attempt_us)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
    ON CONFLICT (id) DO NOTHING)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(id), event.account_id, postback_id,
                                Blob{event.id.data(), event.id.size()},
                                static_cast<int64_t>(event.kind), event.time_us, method,
                                std::string_view(url), std::string_view(body), now_us_, now_us_));
  CT_RETURN_IF_ERROR(s->Run());
  written_ += static_cast<uint64_t>(s->Changes());
  return Status::Ok();
}

}  // namespace ct::sqlite
