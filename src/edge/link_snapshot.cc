#include "edge/link_snapshot.h"

#include <boost/json.hpp>

#include "common/atomic_file.h"
#include "store/link_options_json.h"

namespace ct::edge {
namespace {

namespace json = boost::json;

constexpr int kFormat = 1;
// Far above any real table (a million links is ~500 MB of JSON at most); a bigger file is not
// ours.
constexpr size_t kMaxSnapshotBytes = size_t{4} << 30;

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

json::object LinkToJson(const LinkRow& l) {
  json::object o{{"id", l.id},
                 {"account_id", l.account_id},
                 {"domain", l.domain},
                 {"slug", l.slug},
                 {"destination", l.destination},
                 {"title", l.title},
                 {"tags", Strings(l.tags)},
                 {"group", l.group},
                 {"options", LinkOptionsToJson(l.options)},
                 {"created_at_us", l.created_at_us},
                 {"updated_at_us", l.updated_at_us},
                 {"version", l.version},
                 {"kind", static_cast<int>(l.kind)},
                 {"imported_from", l.imported_from}};
  if (l.imported_clicks) o["imported_clicks"] = *l.imported_clicks;
  return o;
}

json::object GoalToJson(const GoalRow& g) {
  return {{"id", g.id},
          {"account_id", g.account_id},
          {"key", g.key},
          {"name", g.name},
          {"default_value_micros", g.default_value_micros},
          {"currency", g.currency},
          {"window_seconds", g.window_seconds},
          {"counting", static_cast<int>(g.counting)},
          {"attribution", static_cast<int>(g.attribution)},
          {"piggyback_urls", Strings(g.piggyback_urls)},
          {"created_at_us", g.created_at_us},
          {"updated_at_us", g.updated_at_us},
          {"version", g.version}};
}

json::object DomainToJson(const DomainRow& d) {
  return {{"id", d.id},
          {"account_id", d.account_id},
          {"host", d.host},
          {"created_at_us", d.created_at_us}};
}

// Field readers: each failure names the field; the first one wins.
class Reader {
 public:
  Reader(const json::value& v, std::string what) : o_(v.if_object()), what_(std::move(what)) {
    if (!o_) Fail("is not an object");
  }
  int64_t Int(std::string_view k) {
    const json::value* v = Find(k);
    if (v && v->is_int64()) return v->get_int64();
    if (v) Fail(std::string(k) + " is not an integer");
    return 0;
  }
  std::string Str(std::string_view k) {
    const json::value* v = Find(k);
    if (v && v->is_string()) return std::string(v->get_string());
    if (v) Fail(std::string(k) + " is not a string");
    return "";
  }
  std::vector<std::string> Strs(std::string_view k) {
    std::vector<std::string> out;
    const json::value* v = Find(k);
    if (!v) return out;
    if (!v->is_array()) {
      Fail(std::string(k) + " is not an array");
      return out;
    }
    for (const json::value& s : v->get_array()) {
      if (!s.is_string()) {
        Fail(std::string(k) + " holds a non-string");
        return out;
      }
      out.emplace_back(s.get_string());
    }
    return out;
  }
  const json::value* Optional(std::string_view k) const {
    return o_ ? o_->if_contains(k) : nullptr;
  }
  const json::value* Find(std::string_view k) {
    const json::value* v = Optional(k);
    if (!v && o_) Fail("has no " + std::string(k));
    return v;
  }
  void Fail(const std::string& why) {
    if (status_.ok()) status_ = Status::Corruption("link snapshot: " + what_ + " " + why);
  }
  const Status& status() const { return status_; }

 private:
  const json::object* o_;
  std::string what_;
  Status status_ = Status::Ok();
};

Result<LinkRow> LinkFromJson(const json::value& v) {
  Reader r(v, "link");
  LinkRow l;
  l.id = r.Int("id");
  l.account_id = r.Int("account_id");
  l.domain = r.Str("domain");
  l.slug = r.Str("slug");
  l.destination = r.Str("destination");
  l.title = r.Str("title");
  l.tags = r.Strs("tags");
  l.group = r.Str("group");
  l.created_at_us = r.Int("created_at_us");
  l.updated_at_us = r.Int("updated_at_us");
  l.version = r.Int("version");
  const int64_t kind = r.Int("kind");
  if (kind != 0 && kind != 1) r.Fail("kind is not 0 or 1");
  l.kind = static_cast<LinkKind>(kind);
  l.imported_from = r.Str("imported_from");
  if (const json::value* c = r.Optional("imported_clicks")) {
    if (!c->is_int64()) r.Fail("imported_clicks is not an integer");
    if (c->is_int64()) l.imported_clicks = c->get_int64();
  }
  if (const json::value* o = r.Find("options")) {
    Result<LinkOptions> options = LinkOptionsFromJson(*o);
    if (!options.ok()) r.Fail("options: " + options.status().message());
    if (options.ok()) l.options = std::move(*options);
  }
  if (!r.status().ok()) return r.status();
  return l;
}

Result<GoalRow> GoalFromJson(const json::value& v) {
  Reader r(v, "goal");
  GoalRow g;
  g.id = r.Int("id");
  g.account_id = r.Int("account_id");
  g.key = r.Str("key");
  g.name = r.Str("name");
  g.default_value_micros = r.Int("default_value_micros");
  g.currency = r.Str("currency");
  g.window_seconds = r.Int("window_seconds");
  const int64_t counting = r.Int("counting");
  const int64_t attribution = r.Int("attribution");
  if (counting < 0 || counting > 2) r.Fail("counting is out of range");
  if (attribution < 0 || attribution > 1) r.Fail("attribution is out of range");
  g.counting = static_cast<ConversionCounting>(counting);
  g.attribution = static_cast<AttributionModel>(attribution);
  g.piggyback_urls = r.Strs("piggyback_urls");
  g.created_at_us = r.Int("created_at_us");
  g.updated_at_us = r.Int("updated_at_us");
  g.version = r.Int("version");
  if (!r.status().ok()) return r.status();
  return g;
}

Result<DomainRow> DomainFromJson(const json::value& v) {
  Reader r(v, "domain");
  DomainRow d;
  d.id = r.Int("id");
  d.account_id = r.Int("account_id");
  d.host = r.Str("host");
  d.created_at_us = r.Int("created_at_us");
  if (!r.status().ok()) return r.status();
  return d;
}

// The array at `key` of `root`, each item decoded by `decode` into `out`.
template <typename T, typename Decode>
Status DecodeArray(const json::object& root, std::string_view key, Decode decode,
                   std::vector<T>* out) {
  const json::value* v = root.if_contains(key);
  if (!v || !v->is_array()) {
    return Status::Corruption("link snapshot: no " + std::string(key) + " array");
  }
  for (const json::value& item : v->get_array()) {
    Result<T> row = decode(item);
    if (!row.ok()) return row.status();
    out->push_back(std::move(*row));
  }
  return Status::Ok();
}

}  // namespace

LinkSnapshot::LinkSnapshot(std::string path, std::chrono::milliseconds min_interval)
    : path_(std::move(path)), min_interval_(min_interval) {}

void LinkSnapshot::Merge(const LinkChanges& changes, bool domains_complete) {
  for (const LinkRow& l : changes.links) {
    if (l.deleted) {
      links_.erase(l.id);
    } else {
      links_[l.id] = l;
    }
  }
  for (const GoalRow& g : changes.goals) {
    if (g.deleted) {
      goals_.erase(g.id);
    } else {
      goals_[g.id] = g;
    }
  }
  if (domains_complete) domains_ = changes.domains;
  if (changes.max_version != version_ || !changes.links.empty() || !changes.goals.empty() ||
      domains_complete) {
    dirty_ = true;
  }
  version_ = std::max(version_, changes.max_version);
}

LinkChanges LinkSnapshot::State() const {
  LinkChanges c;
  c.links.reserve(links_.size());
  for (const auto& [id, l] : links_) c.links.push_back(l);
  for (const auto& [id, g] : goals_) c.goals.push_back(g);
  c.domains = domains_;
  c.domains_changed = true;
  c.max_version = version_;
  return c;
}

Status LinkSnapshot::SaveIfDirty(bool force) {
  if (!dirty_) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (!force && last_save_ != std::chrono::steady_clock::time_point{} &&
      now - last_save_ < min_interval_) {
    return Status::Ok();
  }
  Status s = WriteFileAtomically(path_, Encode(State()));
  if (!s.ok()) return s;
  dirty_ = false;
  last_save_ = now;
  return Status::Ok();
}

Result<LinkChanges> LinkSnapshot::Load() {
  Result<std::string> text = ReadWholeFile(path_, kMaxSnapshotBytes);
  if (!text.ok()) return text.status();
  Result<LinkChanges> state = Decode(*text);
  if (!state.ok()) return Status::Corruption(path_ + ": " + state.status().message());
  links_.clear();
  goals_.clear();
  for (const LinkRow& l : state->links) links_[l.id] = l;
  for (const GoalRow& g : state->goals) goals_[g.id] = g;
  domains_ = state->domains;
  version_ = state->max_version;
  dirty_ = false;
  return state;
}

std::string LinkSnapshot::Encode(const LinkChanges& state) {
  json::array links, goals, domains;
  links.reserve(state.links.size());
  for (const LinkRow& l : state.links) links.push_back(LinkToJson(l));
  for (const GoalRow& g : state.goals) goals.push_back(GoalToJson(g));
  for (const DomainRow& d : state.domains) domains.push_back(DomainToJson(d));
  json::object root{{"format", kFormat},
                    {"version", state.max_version},
                    {"links", std::move(links)},
                    {"goals", std::move(goals)},
                    {"domains", std::move(domains)}};
  return json::serialize(root) + "\n";
}

Result<LinkChanges> LinkSnapshot::Decode(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return Status::Corruption("link snapshot: not JSON: " + ec.message());
  const json::object* o = root.if_object();
  if (!o) return Status::Corruption("link snapshot: not a JSON object");
  const json::value* format = o->if_contains("format");
  if (!format || !format->is_int64() || format->get_int64() != kFormat) {
    return Status::Corruption("link snapshot: unknown format (expected " + std::to_string(kFormat) +
                              ")");
  }
  const json::value* version = o->if_contains("version");
  if (!version || !version->is_int64() || version->get_int64() < 0) {
    return Status::Corruption("link snapshot: no version");
  }
  LinkChanges c;
  c.max_version = version->get_int64();
  c.domains_changed = true;
  CT_RETURN_IF_ERROR(DecodeArray(*o, "links", LinkFromJson, &c.links));
  CT_RETURN_IF_ERROR(DecodeArray(*o, "goals", GoalFromJson, &c.goals));
  CT_RETURN_IF_ERROR(DecodeArray(*o, "domains", DomainFromJson, &c.domains));
  return c;
}

}  // namespace ct::edge
