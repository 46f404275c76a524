// Standard Webhooks v1 signatures (standard-webhooks spec 1.0.0; RELIABILITY.md §5 "Signing").
//
//   webhook-id:         the delivery id (the same on every retry: the idempotency key)
//   webhook-timestamp:  seconds since the epoch, fresh on every attempt
//   webhook-signature:  "v1," + base64(HMAC-SHA256(secret bytes, id + "." + timestamp + "." +
//                       payload))
// The secret is "whsec_" + base64 of the key bytes (>= 24). For a POST the payload is the body.
// A GET postback (the affiliate style: everything in the URL) signs the canonical URL — the
// expanded URL before the signature parameters are added — and carries the three values as
// query parameters webhook-id, webhook-timestamp and webhook-signature (and as headers too).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ct::postback {

inline constexpr std::string_view kSecretPrefix = "whsec_";

// A new secret: kSecretPrefix + base64 of 32 bytes from the CSPRNG.
std::string NewSecret();
// kSecretPrefix followed by base64 that decodes to 24..64 bytes.
bool IsValidSecret(std::string_view secret);

// "v1,<base64>"; "" if the secret is not valid.
std::string Sign(std::string_view secret, std::string_view id, int64_t timestamp_s,
                 std::string_view payload);

// `url` with "webhook-id=..&webhook-timestamp=..&webhook-signature=.." appended to its query
// (values percent-encoded), the signature computed over `url` as given.
std::string SignedGetUrl(std::string_view url, std::string_view secret, std::string_view id,
                         int64_t timestamp_s);

// For receivers (and our tests): true when `signature_header` (space-separated "v1,<sig>"
// entries) holds a valid signature of the payload.
bool Verify(std::string_view secret, std::string_view id, int64_t timestamp_s,
            std::string_view payload, std::string_view signature_header);

}  // namespace ct::postback
