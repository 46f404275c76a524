#include "monitor/alarm_state_file.h"

#include <boost/json.hpp>
#include <string_view>

#include "common/atomic_file.h"

namespace ct {
namespace {

// An alarm state file is a few hundred bytes per rule; anything far bigger is not ours.
constexpr size_t kMaxStateFileBytes = 1 << 20;

int64_t GetInt(const boost::json::object& o, std::string_view key, bool* ok) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    *ok = false;
    return 0;
  }
  return v->as_int64();
}

}  // namespace

Result<std::map<std::string, PersistedAlarm>> AlarmStateFile::Load() const {
  std::map<std::string, PersistedAlarm> out;
  Result<std::string> read = ReadWholeFile(path_, kMaxStateFileBytes);
  if (!read.ok()) {
    if (read.status().code() == StatusCode::kNotFound) return out;
    return read.status();
  }
  const std::string& text = *read;

  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) return Status::Corruption(path_ + ": not JSON: " + ec.message());
  const boost::json::object* top = root.if_object();
  const boost::json::value* alarms = top ? top->if_contains("alarms") : nullptr;
  if (alarms == nullptr || !alarms->is_object()) {
    return Status::Corruption(path_ + ": no \"alarms\" object");
  }
  for (const auto& [name, v] : alarms->get_object()) {
    const boost::json::object* o = v.if_object();
    const boost::json::value* state = o ? o->if_contains("state") : nullptr;
    if (state == nullptr || !state->is_string()) {
      return Status::Corruption(path_ + ": alarm " + std::string(name) + " has no state");
    }
    PersistedAlarm a;
    a.state = std::string(state->get_string());
    bool ok = true;
    a.since_us = GetInt(*o, "since_us", &ok);
    a.last_sent_us = GetInt(*o, "last_sent_us", &ok);
    if (!ok || (a.state != "ok" && a.state != "pending" && a.state != "firing")) {
      return Status::Corruption(path_ + ": alarm " + std::string(name) + " is malformed");
    }
    out[std::string(name)] = a;
  }
  return out;
}

Status AlarmStateFile::Save(const std::map<std::string, PersistedAlarm>& alarms) const {
  boost::json::object all;
  for (const auto& [name, a] : alarms) {
    all[name] = {{"state", a.state}, {"since_us", a.since_us}, {"last_sent_us", a.last_sent_us}};
  }
  boost::json::object root{{"version", 1}, {"alarms", std::move(all)}};
  std::string text = boost::json::serialize(root) + "\n";

  return WriteFileAtomically(path_, text);
}

}  // namespace ct
