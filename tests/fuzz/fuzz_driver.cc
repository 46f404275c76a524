// A tiny stand-in for libFuzzer, so the fuzz targets run under gcc + ASan/UBSan in ctest:
// the target's seeds, a few generic ones, then FUZZ_ITERATIONS (default 20000) inputs that are
// either random bytes or mutations of earlier inputs, from a fixed seed (FUZZ_SEED to change
// it). Not coverage-guided; see README.md for real fuzzing with clang.
//
//   fuzz_<name>                 run the built-in campaign
//   fuzz_<name> FILE...         run each file once (reproduce a crash)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace ct::fuzz {
// Targets without seeds of their own still link.
__attribute__((weak)) std::vector<std::string> FuzzSeeds() { return {}; }
}  // namespace ct::fuzz

namespace {

void Run(const std::string& input) {
  // A copy in its own heap block, so ASan catches reads one past the end.
  std::vector<uint8_t> buf(input.begin(), input.end());
  LLVMFuzzerTestOneInput(buf.empty() ? nullptr : buf.data(), buf.size());
}

const char* const kInteresting[] = {"\x00",
                                    "\xff",
                                    "\x7f",
                                    "\x80",
                                    "{",
                                    "}",
                                    "[",
                                    "\"",
                                    "\\",
                                    ":",
                                    "-",
                                    "+",
                                    ".",
                                    "T",
                                    "Z",
                                    "0",
                                    "9",
                                    "\xc3\xa9",
                                    "\xed\xa0\x80",
                                    "\\ud800",
                                    "%",
                                    "/",
                                    "//",
                                    "@",
                                    "#",
                                    "?",
                                    "1e999",
                                    "\r\n",
                                    " "};

std::string Mutate(std::mt19937_64& rng, const std::vector<std::string>& corpus) {
  auto pick = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  std::string s = corpus[pick(corpus.size())];
  int rounds = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < rounds; ++i) {
    switch (pick(9)) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
        break;
      case 1:  // set a byte
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(rng());
        break;
      case 2:  // insert a random byte
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)),
                 static_cast<char>(rng()));
        break;
      case 3:  // delete a range
        if (!s.empty()) {
          size_t at = pick(s.size());
          s.erase(at, 1 + pick(std::min<size_t>(8, s.size() - at)));
        }
        break;
      case 4:  // truncate
        s.resize(pick(s.size() + 1));
        break;
      case 5: {  // duplicate a chunk
        if (s.empty()) break;
        size_t at = pick(s.size()), n = 1 + pick(std::min<size_t>(16, s.size() - at));
        s.insert(pick(s.size() + 1), s.substr(at, n));
        break;
      }
      case 6: {  // splice with another input
        const std::string& o = corpus[pick(corpus.size())];
        s = s.substr(0, pick(s.size() + 1)) + o.substr(pick(o.size() + 1));
        break;
      }
      case 7: {  // insert an interesting token
        const char* tok = kInteresting[pick(std::size(kInteresting))];
        std::string t = tok[0] == '\0' ? std::string(1, '\0') : std::string(tok);
        s.insert(pick(s.size() + 1), t);
        break;
      }
      default: {  // overwrite with a little-endian integer edge value
        static const uint64_t kEdges[] = {
            0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0xffffffff, 0x7fffffffffffffffull, ~0ull};
        uint64_t v = kEdges[pick(std::size(kEdges))];
        size_t width = size_t{1} << pick(4);
        if (s.size() < width) break;
        size_t at = pick(s.size() - width + 1);
        for (size_t b = 0; b < width; ++b) s[at + b] = static_cast<char>(v >> (8 * b));
        break;
      }
    }
  }
  if (s.size() > 8192) s.resize(8192);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) {
      std::ifstream in(argv[i], std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", argv[i]);
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      Run(ss.str());
      std::printf("ran %s\n", argv[i]);
    }
    return 0;
  }
  long iterations = 20000;
  if (const char* e = std::getenv("FUZZ_ITERATIONS")) iterations = std::strtol(e, nullptr, 10);
  uint64_t seed = 0xC11C7A11ull;
  if (const char* e = std::getenv("FUZZ_SEED")) seed = std::strtoull(e, nullptr, 10);

  std::vector<std::string> corpus = ct::fuzz::FuzzSeeds();
  for (const char* s : {"", "\x01", "{}", "2026-11-25T10:00:00Z", "https://example.com/"}) {
    corpus.emplace_back(s);
  }
  for (const auto& s : corpus) Run(s);

  std::mt19937_64 rng(seed);
  const size_t seeds = corpus.size();
  for (long i = 0; i < iterations; ++i) {
    std::string input;
    if (rng() % 4 == 0) {
      input.resize(rng() % 256);
      for (char& c : input) c = static_cast<char>(rng());
    } else {
      input = Mutate(rng, corpus);
    }
    Run(input);
    // Keep a few mutants as parents, so mutations can stack up (bounded).
    if (rng() % 64 == 0) {
      if (corpus.size() < seeds + 2048) {
        corpus.push_back(std::move(input));
      } else {
        corpus[seeds + rng() % 2048] = std::move(input);
      }
    }
  }
  std::printf("%zu seeds + %ld generated inputs, no failure (seed %llu)\n", seeds, iterations,
              static_cast<unsigned long long>(seed));
  return 0;
}
