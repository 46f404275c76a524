#include "api/user_password.h"

#include <sodium.h>

#include <cstdlib>
#include <mutex>

namespace ct::api {
namespace {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Fails only if no randomness source works; a password hash without salt randomness would
    // be worse than stopping.
    if (sodium_init() < 0) std::abort();
  });
}

}  // namespace

Status CheckPasswordLength(std::string_view password) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return Status::InvalidArgument("password must be 10 to 128 characters");
  }
  return Status::Ok();
}

Result<std::string> HashUserPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Internal("password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool VerifyUserPassword(const std::string& hash, std::string_view password) {
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool VerifyAgainstDummy(std::string_view password) {
  static const std::string dummy = [] {
    auto h = HashUserPassword("no user has this password: it only costs time");
    return h.ok() ? *h : std::string();
  }();
  VerifyUserPassword(dummy, password);
  return false;
}

}  // namespace ct::api
