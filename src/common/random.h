// Randomness from the kernel's CSPRNG (getrandom), for API keys, slugs and event-id prefixes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ct {

// Fills `out` with `n` cryptographically random bytes. Aborts if the kernel cannot supply them:
// a key or id built from weak randomness is worse than no key (a crash with a reason).
void RandomBytes(void* out, size_t n);
uint64_t RandomU64();

// `n` characters drawn uniformly from [0-9A-Za-z] (rejection sampling, no modulo bias).
std::string RandomBase62(size_t n);

}  // namespace ct
