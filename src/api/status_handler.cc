#include "api/status_handler.h"

#include <boost/json.hpp>
#include <cmath>

#include "api/http_util.h"

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
  json::object body;
  body["stages"] = std::move(stages);
  body["alarms"] = ctx_->alarms ? ctx_->alarms() : json::array();
  return JsonResponse(200, body);
}

}  // namespace ct::api
