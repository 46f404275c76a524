// OutboxWriter: the outbox rows (store.h DeliveryRow) one commit writes, in the commit's
// transaction, so a delivery exists exactly when its event was committed (a rolled-back batch
// leaves none, a re-committed event adds none: its id is derived from the event's).
//
// Thread safety: none; one per ApplyCommit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/event.h"
#include "common/status.h"
#include "postback/template.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace ct::sqlite {

// Whether `postback` fires for an event of `kind`. For conversions: of goal `goal_id`, credited
// to a click when `attributed`. Deleted postbacks are not passed in (BatchLookups); disabled
// ones fire (their rows wait until the postback is enabled again).
bool PostbackFires(const PostbackRow& postback, EventKind kind, int64_t goal_id, bool attributed);

// "msg_" + ClickId(event id) + "_" + postback id: the Standard Webhooks webhook-id, the same on
// every retry and replay. Piggyback pixels: "_pg" + their index in the goal's list (0-based).
std::string DeliveryId(const EventId& event_id, int64_t postback_id);
std::string PiggybackDeliveryId(const EventId& event_id, size_t index);

class OutboxWriter {
 public:
  // `now_us` is created_at and the first next_attempt of every row.
  OutboxWriter(Db* db, int64_t now_us) : db_(db), now_us_(now_us) {}

  // The postback's delivery of `event`: its URL template expanded with `values`; a POST also
  // carries postback::JsonBody(values).
  [[nodiscard]] Status Add(const Event& event, const PostbackRow& postback,
                           const postback::MacroValues& values);
  // A goal's piggyback pixel fired server-side: a GET of the expanded URL, postback_id 0.
  [[nodiscard]] Status AddPiggyback(const Event& event, size_t index, std::string_view url,
                                    const postback::MacroValues& values);

  uint64_t written() const { return written_; }

 private:
  [[nodiscard]] Status Insert(const std::string& id, const Event& event, int64_t postback_id,
                              std::string_view method, const std::string& url,
                              const std::string& body);

  Db* db_;
  int64_t now_us_;
  uint64_t written_ = 0;
};

}  // namespace ct::sqlite
