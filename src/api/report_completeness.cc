#include "api/report_completeness.h"

#include "common/time_format.h"

namespace ct::api {

Completeness ReportCompleteness(const ApiContext& ctx) {
  if (ctx.completeness != nullptr) return ctx.completeness->Now();
  Completeness c;
  c.complete_until_us = ctx.clock->NowMicros();
  return c;
}

std::vector<bool> CompleteBuckets(const std::vector<int64_t>& starts, int64_t to_us,
                                  int64_t complete_until_us) {
  std::vector<bool> complete(starts.size());
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t end = i + 1 < starts.size() ? starts[i + 1] : to_us;
    complete[i] = end <= complete_until_us;
  }
  return complete;
}

void AddCompleteness(boost::json::object* body, const Completeness& c, int64_t data_end_us) {
  (*body)["complete_until"] = FormatIso8601(c.complete_until_us);
  (*body)["incomplete"] = data_end_us > c.complete_until_us;
  if (!c.lagging_stage.empty()) {
    (*body)["lagging_stage"] = c.lagging_stage;
    (*body)["lagging_reason"] = c.lagging_reason;
  }
}

}  // namespace ct::api
