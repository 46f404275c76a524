// Link passwords, stored as PBKDF2-HMAC-SHA256 (OpenSSL):
// "pbkdf2-sha256$<iterations>$<salt>$<hash>" with base64url salt (16 random bytes) and hash (32
// bytes). PBKDF2 rather than Argon2 because the edge verifies on its own threads and must bound the
// memory one guess costs; the iteration count is stored, so it can be raised later without
// invalidating old hashes.
#pragma once

#include <string>
#include <string_view>

namespace ct {

inline constexpr int kPasswordIterations = 100'000;

std::string HashPassword(std::string_view password, int iterations = kPasswordIterations);
// False for a wrong password and for a malformed `stored` (never throws). Constant time in the
// password's bytes once the hash is computed.
bool VerifyPassword(std::string_view password, std::string_view stored);

// base64url without padding (RFC 4648 §5), e.g. for click ids and cookie values.
std::string Base64UrlEncode(std::string_view bytes);
// The same, appended to `out` (no allocation once `out` has the capacity: the edge's hot path).
void AppendBase64Url(std::string_view bytes, std::string* out);
// Empty optional-like: returns false on any character outside the alphabet or a bad length.
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace ct
