// Authentication of API requests (RELIABILITY §5): a key only in `Authorization: Bearer <key>`
// (a key in the query string is refused, since URLs end up in logs), checked for shape and
// checksum before any store lookup, looked up by its SHA-256; revoked keys are refused.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "edge/api_handler.h"
#include "store/store.h"

namespace ct::api {

struct Principal {
  int64_t account_id = 0;
  int64_t key_id = 0;
};

// kNotFound (-> 401) with a message for the client when the request is not authenticated;
// kUnavailable when the store cannot answer.
Result<Principal> Authenticate(const ApiRequest& req, Store& store);

}  // namespace ct::api
