#include "monitor/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ct {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.Add(v);
}

std::vector<double> LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,    0.1,    0.25,    0.5,    1,     2.5,    5,     10};
}

MetricsRegistry::Entry* MetricsRegistry::Find(const std::string& name,
                                              const std::string& labels) const {
  for (const auto& e : entries_) {
    if (e->name == name && e->labels == labels) return e.get();
  }
  return nullptr;
}

Counter* MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                     const std::string& labels) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, labels)) return e->counter.get();
  auto e =
      std::make_unique<Entry>(Entry{name, help, labels, Kind::kCounter, nullptr, nullptr, nullptr});
  e->counter = std::make_unique<Counter>();
  Counter* c = e->counter.get();
  entries_.push_back(std::move(e));
  return c;
}

Gauge* MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                 const std::string& labels) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, labels)) return e->gauge.get();
  auto e =
      std::make_unique<Entry>(Entry{name, help, labels, Kind::kGauge, nullptr, nullptr, nullptr});
  e->gauge = std::make_unique<Gauge>();
  Gauge* g = e->gauge.get();
  entries_.push_back(std::move(e));
  return g;
}

Histogram* MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         std::vector<double> bounds, const std::string& labels) {
  std::lock_guard lock(mu_);
  if (Entry* e = Find(name, labels)) return e->histogram.get();
  auto e = std::make_unique<Entry>(
      Entry{name, help, labels, Kind::kHistogram, nullptr, nullptr, nullptr});
  e->histogram = std::make_unique<Histogram>(std::move(bounds));
  Histogram* h = e->histogram.get();
  entries_.push_back(std::move(e));
  return h;
}

double MetricsRegistry::Value(const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mu_);
  Entry* e = Find(name, labels);
  if (e == nullptr) return -1;
  if (e->kind == Kind::kCounter) return static_cast<double>(e->counter->Value());
  if (e->kind == Kind::kGauge) return e->gauge->Value();
  return static_cast<double>(e->histogram->Count());
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::set<std::string> described;
  auto braces = [](const std::string& labels, const std::string& extra = "") {
    std::string all = labels;
    if (!extra.empty()) all += (all.empty() ? "" : ",") + extra;
    return all.empty() ? std::string() : "{" + all + "}";
  };
  for (const auto& e : entries_) {
    if (described.insert(e->name).second) {
      const char* type = e->kind == Kind::kCounter ? "counter"
                         : e->kind == Kind::kGauge ? "gauge"
                                                   : "histogram";
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", e->name, e->help, e->name, type);
    }
    switch (e->kind) {
      case Kind::kCounter:
        out += fmt::format("{}{} {}\n", e->name, braces(e->labels), e->counter->Value());
        break;
      case Kind::kGauge:
        out += fmt::format("{}{} {}\n", e->name, braces(e->labels), e->gauge->Value());
        break;
      case Kind::kHistogram: {
        const Histogram& h = *e->histogram;
        uint64_t cum = 0;
        for (size_t i = 0; i < h.bounds().size(); ++i) {
          cum += h.BucketCount(i);
          out += fmt::format("{}_bucket{} {}\n", e->name,
                             braces(e->labels, fmt::format("le=\"{}\"", h.bounds()[i])), cum);
        }
        cum += h.BucketCount(h.bounds().size());
        out += fmt::format("{}_bucket{} {}\n", e->name, braces(e->labels, "le=\"+Inf\""), cum);
        out += fmt::format("{}_sum{} {}\n", e->name, braces(e->labels), h.Sum());
        out += fmt::format("{}_count{} {}\n", e->name, braces(e->labels), h.Count());
        break;
      }
    }
  }
  return out;
}

}  // namespace ct
