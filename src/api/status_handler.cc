#include "api/status_handler.h"

#include <boost/json.hpp>
#include <cmath>

#include "api/http_util.h"
#include "api/report_completeness.h"

namespace ct::api {

namespace json = boost::json;

ApiResponse StatusHandler::Get(const Principal& /*who*/) const {
  json::array stages;
  if (ctx_->status) {
    for (const StageHealth& s : ctx_->status()) {
      json::object o;
      o["name"] = s.name;
      o["state"] = HealthStateName(s.state);
      // JSON has no NaN or Infinity; a figure that is not a number reads as 0.
      o["lag_seconds"] = std::isfinite(s.lag_seconds) ? s.lag_seconds : 0.0;
      o["detail"] = s.detail;
      if (s.last_error.empty()) {
        o["last_error"] = nullptr;
      } else {
        o["last_error"] = s.last_error;
      }
      stages.push_back(std::move(o));
    }
  }
  const Completeness completeness = ReportCompleteness(*ctx_);
  json::object body;
  // "incomplete" here: reports ending now are not complete yet beyond the in-flight margin, so
  // it is whether the reports lag (a lagging stage is named), not whether a minute is open.
  AddCompleteness(&body, completeness, completeness.complete_until_us);
  body["incomplete"] = !completeness.lagging_stage.empty();
  body["stages"] = std::move(stages);
  body["alarms"] = ctx_->alarms ? ctx_->alarms() : json::array();
  return JsonResponse(200, body);
}

}  // namespace ct::api
