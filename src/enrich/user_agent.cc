#include "enrich/user_agent.h"

#include <re2/re2.h>
#include <re2/set.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "common/hash.h"
#include "common/log.h"
#include "enrich/ua_tokens.h"

#ifndef CT_NPM_DIR
#error "CT_NPM_DIR must name the pinned npm data (CMakeLists.txt defines it)"
#endif

namespace ct::enrich {
namespace {

// uap-core's templates refer to $1..$9 at most.
constexpr int kMaxGroups = 9;
// The cache: a site's traffic repeats a few thousand User-Agents; 16 shards keep the lock of
// one shard uncontended, and a shard that fills up is cleared (simpler than LRU, and the
// working set refills it within seconds).
constexpr size_t kShards = 16;
constexpr size_t kShardEntries = 4096;
// RE2's default 8 MiB is not enough for the DFA of a set of ~600 uap-core regexes; without it a
// set match fails and the parser falls back to trying each regex in turn.
constexpr int64_t kSetMaxMem = 64 << 20;

// One regex of a uap-core list with its replacement templates ("" = none given).
struct Rule {
  std::unique_ptr<RE2> re;
  std::array<std::string, 3> replacement;
};

// One of uap-core's three lists: the rules in file order, and an RE2::Set over them that finds
// the first matching rule in one pass over the User-Agent.
struct RuleList {
  std::vector<Rule> rules;
  std::unique_ptr<RE2::Set> set;
  size_t skipped = 0;

  // Captures of the first rule that matches (first match wins, as in every uap port); null if
  // none does. `groups` gets $1..$9 ("" for a group that did not take part).
  const Rule* Match(std::string_view ua,
                    std::array<re2::StringPiece, kMaxGroups + 1>* groups) const {
    const re2::StringPiece text(ua.data(), ua.size());
    const Rule* first = nullptr;
    std::vector<int> hits;
    RE2::Set::ErrorInfo err{};
    if (set != nullptr && set->Match(text, &hits, &err)) {
      int lowest = *std::min_element(hits.begin(), hits.end());
      first = &rules[static_cast<size_t>(lowest)];
    } else if (set == nullptr || err.kind != RE2::Set::kNoError) {
      for (const Rule& r : rules) {  // no set, or its DFA ran out of memory: one by one
        if (RE2::PartialMatch(text, *r.re)) {
          first = &r;
          break;
        }
      }
    }
    if (first == nullptr) return nullptr;
    // Captures need the regex itself (a set only says which regexes match).
    const int n = std::min(first->re->NumberOfCapturingGroups(), kMaxGroups);
    groups->fill({});
    first->re->Match(text, 0, text.size(), RE2::UNANCHORED, groups->data(), n + 1);
    return first;
  }
};

// uap-core's replacement rule: a template's $N are replaced by group N; without a template the
// value is group `default_group` (0: none). The result is trimmed.
std::string Expand(const std::string& tmpl, const std::array<re2::StringPiece, kMaxGroups + 1>& g,
                   int default_group) {
  std::string out;
  if (tmpl.empty()) {
    if (default_group > 0) out.assign(g[default_group].data(), g[default_group].size());
  } else {
    for (size_t i = 0; i < tmpl.size(); ++i) {
      if (tmpl[i] == '$' && i + 1 < tmpl.size() && tmpl[i + 1] >= '1' && tmpl[i + 1] <= '9') {
        const auto& piece = g[tmpl[i + 1] - '0'];
        out.append(piece.data(), piece.size());
        ++i;
      } else {
        out += tmpl[i];
      }
    }
  }
  size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return out.substr(b, out.find_last_not_of(" \t") - b + 1);
}

std::string Scalar(const YAML::Node& n, const char* key) {
  const YAML::Node v = n[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// Compiles one list; `keys` names its replacement templates.
RuleList CompileList(const YAML::Node& list, const std::array<const char*, 3>& keys) {
  RuleList out;
  RE2::Options base;
  base.set_log_errors(false);  // rejected regexes are counted, not printed one by one
  RE2::Options set_opts = base;
  set_opts.set_max_mem(kSetMaxMem);
  out.set = std::make_unique<RE2::Set>(set_opts, RE2::UNANCHORED);
  for (const YAML::Node& item : list) {
    const std::string regex = Scalar(item, "regex");
    RE2::Options opts = base;
    // The only flag uap-core uses is "i" (device_parsers).
    const bool icase = Scalar(item, "regex_flag") == "i";
    opts.set_case_sensitive(!icase);
    auto re = std::make_unique<RE2>(regex, opts);
    // RE2 rejects what needs backtracking (look-arounds, back-references); such a regex is
    // skipped, and a UA it would have matched falls through to a later, more general rule.
    if (regex.empty() || !re->ok() ||
        out.set->Add(icase ? "(?i:" + regex + ")" : regex, nullptr) < 0) {
      ++out.skipped;
      continue;
    }
    Rule r;
    r.re = std::move(re);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != nullptr) r.replacement[i] = Scalar(item, keys[i]);
    }
    out.rules.push_back(std::move(r));
  }
  if (out.rules.empty() || !out.set->Compile()) out.set.reset();
  return out;
}

struct TransparentHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct CacheShard {
  std::mutex mu;
  std::unordered_map<std::string, UserAgentInfo, TransparentHash, std::equal_to<>> map;
};

}  // namespace

struct UserAgentParser::Impl {
  RuleList browsers, oses, devices;
  std::string fingerprint;
  mutable std::array<CacheShard, kShards> cache;

  UserAgentInfo ParseUncached(std::string_view ua) const {
    std::array<re2::StringPiece, kMaxGroups + 1> g;
    std::string browser = "Other", os = "Other", device = "Other", brand, model;
    if (const Rule* r = browsers.Match(ua, &g)) browser = Expand(r->replacement[0], g, 1);
    if (const Rule* r = oses.Match(ua, &g)) os = Expand(r->replacement[0], g, 1);
    if (const Rule* r = devices.Match(ua, &g)) {
      device = Expand(r->replacement[0], g, 1);
      brand = Expand(r->replacement[1], g, 0);
      model = Expand(r->replacement[2], g, 1);
    }
    UapFamilies f{browser, os, device, brand, model};
    UserAgentInfo info;
    info.os = std::string(OsToken(os));
    info.browser = std::string(BrowserToken(browser));
    info.device = std::string(DeviceToken(f, info.os, ua));
    return info;
  }
};

UserAgentParser::UserAgentParser() : impl_(std::make_unique<Impl>()) {}
UserAgentParser::~UserAgentParser() = default;

Result<std::unique_ptr<UserAgentParser>> UserAgentParser::Load(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Status::NotFound("uap-core regexes " + path + ": " + std::strerror(errno));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {  // yaml-cpp reports by exception; it stops here
    return Status::InvalidArgument("uap-core regexes " + path + ": " + e.what());
  }
  if (!root.IsMap() || !root["user_agent_parsers"].IsSequence() ||
      !root["os_parsers"].IsSequence() || !root["device_parsers"].IsSequence()) {
    return Status::InvalidArgument("uap-core regexes " + path +
                                   ": not a uap-core regexes.yaml (no *_parsers lists)");
  }
  std::unique_ptr<UserAgentParser> p(new UserAgentParser());
  Impl& impl = *p->impl_;
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    impl.fingerprint = Sha256Hex(bytes.str());
  }
  try {
    impl.browsers =
        CompileList(root["user_agent_parsers"], {"family_replacement", nullptr, nullptr});
    impl.oses = CompileList(root["os_parsers"], {"os_replacement", nullptr, nullptr});
    impl.devices = CompileList(root["device_parsers"],
                               {"device_replacement", "brand_replacement", "model_replacement"});
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("uap-core regexes " + path + ": " + e.what());
  }
  if (impl.browsers.rules.empty() || impl.oses.rules.empty() || impl.devices.rules.empty()) {
    return Status::InvalidArgument("uap-core regexes " + path +
                                   ": a parser list has no regex "
                                   "RE2 accepts");
  }
  // The counts are only known here (the class's header has no accessor for them).
  static const Logger log("enrich");
  log.Info(
      "uap-core regexes: {} browser, {} os, {} device compiled; {} skipped (RE2 cannot run "
      "them: look-arounds or back-references)",
      impl.browsers.rules.size(), impl.oses.rules.size(), impl.devices.rules.size(),
      impl.browsers.skipped + impl.oses.skipped + impl.devices.skipped);
  return p;
}

const std::string& UserAgentParser::fingerprint() const { return impl_->fingerprint; }

UserAgentInfo UserAgentParser::Parse(std::string_view ua) const {
  CacheShard& shard = impl_->cache[TransparentHash()(ua) % kShards];
  {
    std::lock_guard lock(shard.mu);
    if (auto it = shard.map.find(ua); it != shard.map.end()) return it->second;
  }
  // Parsed outside the lock: two threads may parse the same new UA once each, which is
  // cheaper than making every other UA of the shard wait on the regexes.
  UserAgentInfo info = impl_->ParseUncached(ua);
  std::lock_guard lock(shard.mu);
  if (shard.map.size() >= kShardEntries) shard.map.clear();
  shard.map.emplace(std::string(ua), info);
  return info;
}

std::string DefaultUapRegexesPath() { return std::string(CT_NPM_DIR) + "/uap-core/regexes.yaml"; }

}  // namespace ct::enrich
