// Shortcuts for process-level tests that drive the REST API.
#include <cstdint>
#include <string>

#pragma once

namespace ct::test {

// Creates a link with `slug` (empty: generated) and returns its API path "/api/v1/links/{id}";
// returns "" and records a gtest failure if the API did not answer 201.
std::string CreateLinkPath(uint16_t port, const std::string& key, const std::string& slug,
                           const std::string& destination = "https://example.com/");

// The `total` of the link's stats (day interval, default range); -1 if the call failed.
int64_t LinkTotal(uint16_t port, const std::string& key, const std::string& link_path);

}  // namespace ct::test
