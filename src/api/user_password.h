// Dashboard user passwords: Argon2id through libsodium's crypto_pwhash_str (salt and cost
// parameters are encoded in the returned string, so they can be raised later without a
// migration). Slow on purpose (~64 MiB, 2 passes): call on the API pool, never an I/O thread.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ct::api {

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 128;  // bounds the work one request can cause

// kInvalidArgument with a message for the client unless 10..128 bytes.
Status CheckPasswordLength(std::string_view password);
// kInternal if libsodium cannot hash (out of memory).
Result<std::string> HashUserPassword(std::string_view password);
bool VerifyUserPassword(const std::string& hash, std::string_view password);
// Runs one verification against a fixed hash and returns false: what a sign-in with an
// unknown email costs, so its answer takes about as long as a wrong password's.
bool VerifyAgainstDummy(std::string_view password);

}  // namespace ct::api
