#include "app/alarm_setup.h"

#include <boost/url/parse.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "monitor/email_channel.h"
#include "monitor/sms_channel.h"
#include "monitor/webhook_channel.h"

namespace ct::app {
namespace {

constexpr const char* kChannelNames[] = {"webhook", "email", "sms"};

// An event rule (an fsync error, corruption, an unrecorded click) is "bad" while its counter
// grew within the window, and clears once the window passes without a new one.
constexpr auto kEventWindow = std::chrono::minutes(10);

bool Configured(const Config& c, const std::string& channel) {
  return !c.Str("alarm." + channel + ".url").empty();
}

Status CheckUrl(const Config& c, const std::string& key,
                std::initializer_list<const char*> schemes) {
  const std::string& v = c.Str(key);
  if (v.empty()) return Status::Ok();
  auto u = boost::urls::parse_absolute_uri(v);
  bool scheme_ok = false;
  if (u) {
    for (const char* s : schemes) scheme_ok |= u->scheme() == s;
  }
  if (!u || !scheme_ok || u->encoded_host().empty()) {
    std::string allowed;
    for (const char* s : schemes) allowed += std::string(allowed.empty() ? "" : " or ") + s;
    return Status::InvalidArgument("config key '" + key + "' = '" + v + "': must be an absolute " +
                                   allowed + " URL with a host");
  }
  return Status::Ok();
}

// The rules of one evaluation run back to back; one snapshot of the figures (a statvfs and a
// few metric lookups) serves them all.
constexpr auto kSnapshotMaxAge = std::chrono::milliseconds(100);

class FiguresCache {
 public:
  FiguresCache(FiguresSource source, Clock* clock) : source_(std::move(source)), clock_(clock) {}
  HealthFigures Get() {
    std::lock_guard lock(mu_);
    auto now = clock_->SteadyNow();
    if (!taken_ || now - *taken_ > kSnapshotMaxAge) {
      figures_ = source_();
      taken_ = now;
    }
    return figures_;
  }

 private:
  FiguresSource source_;
  Clock* clock_;
  std::mutex mu_;
  HealthFigures figures_;
  std::optional<std::chrono::steady_clock::time_point> taken_;
};

using Field = std::function<std::optional<double>(const HealthFigures&)>;

AlarmSource Value(std::shared_ptr<FiguresCache> cache, Field field) {
  return [cache, field = std::move(field)] { return field(cache->Get()); };
}

// The increase of a counter within the last kEventWindow, sampled at every evaluation.
AlarmSource Events(std::shared_ptr<FiguresCache> cache, Field counter, Clock* clock) {
  struct Samples {
    std::mutex mu;
    std::deque<std::pair<std::chrono::steady_clock::time_point, double>> values;
  };
  auto samples = std::make_shared<Samples>();
  return [cache, counter = std::move(counter), clock, samples]() -> std::optional<double> {
    std::optional<double> v = counter(cache->Get());
    if (!v) return std::nullopt;
    auto now = clock->SteadyNow();
    std::lock_guard lock(samples->mu);
    auto& q = samples->values;
    q.emplace_back(now, *v);
    while (q.size() > 1 && now - q.front().first > kEventWindow) q.pop_front();
    return *v - q.front().second;
  };
}

}  // namespace

Status ValidateAlarmConfig(const Config& c) {
  CT_RETURN_IF_ERROR(CheckUrl(c, "alarm.webhook.url", {"http", "https"}));
  CT_RETURN_IF_ERROR(CheckUrl(c, "alarm.email.url", {"smtp", "smtps"}));
  CT_RETURN_IF_ERROR(CheckUrl(c, "alarm.sms.url", {"http", "https"}));
  if (Configured(c, "email") &&
      (c.Str("alarm.email.from").empty() || SplitList(c.Str("alarm.email.to")).empty())) {
    return Status::InvalidArgument(
        "config key 'alarm.email.url' is set: 'alarm.email.from' and 'alarm.email.to' are needed");
  }
  if (Configured(c, "sms") && (c.Str("alarm.sms.from").empty() || c.Str("alarm.sms.to").empty())) {
    return Status::InvalidArgument(
        "config key 'alarm.sms.url' is set: 'alarm.sms.from' and 'alarm.sms.to' are needed");
  }
  for (const auto& key : ConfigKeys()) {
    std::string name(key.name);
    if (name.rfind("alarm.", 0) != 0 || name.size() < 9 ||
        name.substr(name.size() - 9) != ".channels") {
      continue;
    }
    for (const auto& ch : SplitList(c.Str(name))) {
      bool known = false;
      for (const char* n : kChannelNames) known |= ch == n;
      if (!known) {
        return Status::InvalidArgument("config key '" + name + "': unknown channel '" + ch +
                                       "' (webhook, email or sms)");
      }
      if (!Configured(c, ch)) {
        return Status::InvalidArgument("config key '" + name + "' names channel '" + ch +
                                       "' but 'alarm." + ch + ".url' is not set");
      }
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<AlarmEngine>> BuildAlarmEngine(const Config& c, FiguresSource figures,
                                                      const std::string& state_file,
                                                      MetricsRegistry* metrics, Clock* clock) {
  CT_RETURN_IF_ERROR(ValidateAlarmConfig(c));
  std::vector<std::unique_ptr<AlarmChannel>> channels;
  if (Configured(c, "webhook")) {
    WebhookChannelOptions o;
    o.url = c.Str("alarm.webhook.url");
    o.secret = c.Str("alarm.webhook.secret");
    channels.push_back(std::make_unique<WebhookChannel>(o, clock));
  }
  if (Configured(c, "email")) {
    EmailChannelOptions o;
    o.url = c.Str("alarm.email.url");
    o.username = c.Str("alarm.email.username");
    o.password = c.Str("alarm.email.password");
    const std::string& tls = c.Str("alarm.email.starttls");
    o.starttls = tls == "require" ? EmailChannelOptions::StartTls::kRequire
                 : tls == "try"   ? EmailChannelOptions::StartTls::kTry
                                  : EmailChannelOptions::StartTls::kNone;
    o.from = c.Str("alarm.email.from");
    o.to = SplitList(c.Str("alarm.email.to"));
    channels.push_back(std::make_unique<EmailChannel>(o));
  }
  if (Configured(c, "sms")) {
    SmsChannelOptions o;
    o.url = c.Str("alarm.sms.url");
    o.username = c.Str("alarm.sms.username");
    o.password = c.Str("alarm.sms.password");
    o.from = c.Str("alarm.sms.from");
    o.to = c.Str("alarm.sms.to");
    channels.push_back(std::make_unique<SmsChannel>(o));
  }

  using std::chrono::milliseconds;
  using std::chrono::seconds;
  auto rule = [&](std::string name, std::string summary, double fire_above, double clear_at,
                  milliseconds fire_after, milliseconds clear_after) {
    return AlarmRule{name,
                     std::move(summary),
                     fire_above,
                     clear_at,
                     fire_after,
                     clear_after,
                     SplitList(c.Str("alarm." + name + ".channels"))};
  };
  const double lag = static_cast<double>(c.Int("alarm.pipeline_lag_s"));
  const milliseconds lag_for = seconds(c.Int("alarm.pipeline_lag_for_s"));
  const double failures = static_cast<double>(c.Int("alarm.store_failures"));
  const double disk = static_cast<double>(c.Int("alarm.disk_used_percent"));
  auto cache = std::make_shared<FiguresCache>(std::move(figures), clock);
  auto num = [](auto v) -> std::optional<double> { return static_cast<double>(v); };
  std::vector<std::pair<AlarmRule, AlarmSource>> rules;
  // Hysteresis: lag clears at half its threshold and only after as long as it took to fire,
  // so a backlog hovering around the limit does not page anyone twice.
  rules.emplace_back(rule("pipeline_lag",
                          "Tracking lag: the oldest uncommitted click is over " +
                              std::to_string(static_cast<int64_t>(lag)) + " s old",
                          lag, lag / 2, lag_for, std::max(lag_for, milliseconds(seconds(5)))),
                     Value(cache, [](const HealthFigures& f) {
                       return std::optional<double>(f.tracker_lag_seconds);
                     }));
  rules.emplace_back(
      rule("store_unreachable",
           "The store failed " + std::to_string(static_cast<int64_t>(failures)) +
               " health probes in a row",
           failures - 0.5, 0, milliseconds(0), seconds(5)),
      Value(cache, [num](const HealthFigures& f) { return num(f.store_probe_failures); }));
  rules.emplace_back(
      rule("journal_failed", "The journal writer stopped: clicks are redirected but not recorded",
           0.5, 0, milliseconds(0), milliseconds(0)),
      Value(cache, [num](const HealthFigures& f) { return num(f.journal_failed ? 1 : 0); }));
  rules.emplace_back(
      rule("journal_fsync_error", "A journal fsync failed (records rewritten)", 0.5, 0,
           milliseconds(0), milliseconds(0)),
      Events(
          cache, [num](const HealthFigures& f) { return num(f.journal_fsync_errors); }, clock));
  rules.emplace_back(
      rule("journal_corruption",
           "Corrupt journal data was found and quarantined (see journal check)", 0.5, 0,
           milliseconds(0), milliseconds(0)),
      Events(
          cache, [num](const HealthFigures& f) { return num(f.journal_corruption); }, clock));
  rules.emplace_back(
      rule("disk_free_low",
           "The journal's disk is over " + std::to_string(static_cast<int64_t>(disk)) + " % full",
           disk, disk - 5, seconds(10), seconds(30)),
      Value(cache, [](const HealthFigures& f) { return f.journal_disk_used_percent; }));
  rules.emplace_back(
      rule("clicks_unrecorded", "Redirects were answered whose clicks could not be journaled", 0.5,
           0, milliseconds(0), milliseconds(0)),
      Events(
          cache, [num](const HealthFigures& f) { return num(f.clicks_unrecorded); }, clock));
  // Postbacks (RELIABILITY.md §6): DESIGN promise 3 holds only if someone hears when they stall.
  const double backlog = static_cast<double>(c.Int("alarm.postback_backlog_s"));
  const double endpoint_failures = static_cast<double>(c.Int("alarm.postback_endpoint_failures"));
  rules.emplace_back(rule("postback_backlog",
                          "The oldest undelivered postback is over " +
                              std::to_string(static_cast<int64_t>(backlog)) + " s old",
                          backlog, backlog / 2, seconds(5), seconds(10)),
                     Value(cache, [](const HealthFigures& f) {
                       return std::optional<double>(f.outbox_oldest_age_seconds);
                     }));
  rules.emplace_back(
      rule("postback_endpoint_failing",
           "A postback endpoint failed " + std::to_string(static_cast<int64_t>(endpoint_failures)) +
               " attempts in a row",
           endpoint_failures - 0.5, 0, milliseconds(0), seconds(5)),
      Value(cache, [num](const HealthFigures& f) { return num(f.postback_endpoint_failures); }));
  rules.emplace_back(
      rule("postback_dead_letters",
           "Postbacks ran out of retries and were dead-lettered (replay them through the API)", 0.5,
           0, milliseconds(0), milliseconds(0)),
      Value(cache, [num](const HealthFigures& f) { return num(f.outbox_dead); }));
  rules.emplace_back(
      rule("postback_disabled",
           "A postback was disabled: its receiver answered 410 Gone (re-enable it through the API)",
           0.5, 0, milliseconds(0), milliseconds(0)),
      Value(cache, [num](const HealthFigures& f) { return num(f.postbacks_disabled); }));

  AlarmOptions opts;
  opts.tick = milliseconds(c.Int("alarm.tick_ms"));
  opts.repeat_every = std::chrono::minutes(c.Int("alarm.repeat_minutes"));
  opts.state_file = state_file;
  opts.instance = c.Str("alarm.instance");
  auto engine =
      std::make_unique<AlarmEngine>(opts, std::move(rules), std::move(channels), metrics, clock);
  return engine;
}

}  // namespace ct::app
