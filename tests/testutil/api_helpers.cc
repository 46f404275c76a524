#include "testutil/api_helpers.h"

#include <gtest/gtest.h>

#include "testutil/http_client.h"
#include "testutil/json.h"

namespace ct::test {

std::string CreateLinkPath(uint16_t port, const std::string& key, const std::string& slug,
                           const std::string& destination) {
  boost::json::object body{{"destination", destination}};
  if (!slug.empty()) body["slug"] = slug;
  auto r = ApiCall(port, "POST", "/api/v1/links", key, boost::json::serialize(body));
  EXPECT_EQ(r.status, 201) << r.body;
  if (r.status != 201) return "";
  return "/api/v1/links/" + std::to_string(JsonInt(ParseJson(r.body), "id"));
}

int64_t LinkTotal(uint16_t port, const std::string& key, const std::string& link_path) {
  return JsonInt(ParseJson(ApiCall(port, "GET", link_path + "/stats", key).body), "total");
}

}  // namespace ct::test
