// Seeds for the gcc fuzz driver (fuzz_driver.cc). A target may define FuzzSeeds() to give the
// driver valid inputs to mutate; under libFuzzer (CT_LIBFUZZER) it is unused.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ct::fuzz {

std::vector<std::string> FuzzSeeds();

}  // namespace ct::fuzz

// A broken property: report and abort, so the driver (or libFuzzer) saves the input.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
