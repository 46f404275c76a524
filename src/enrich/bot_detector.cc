#include "enrich/bot_detector.h"

#include <re2/re2.h>
#include <re2/set.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/hash.h"

#ifndef CT_NPM_DIR
#error "CT_NPM_DIR must name the pinned npm data (CMakeLists.txt defines it)"
#endif

namespace ct::enrich {
namespace {

// The list's ~1500 patterns in one DFA need more than RE2's default 8 MiB; with too little a
// match fails (and IsCrawler would say "human" for everything), so the budget is generous.
constexpr int64_t kSetMaxMem = 128 << 20;

}  // namespace

struct BotDetector::Impl {
  std::unique_ptr<RE2::Set> set;
  size_t patterns = 0;
  size_t skipped = 0;
  std::string fingerprint;
};

BotDetector::BotDetector() : impl_(std::make_unique<Impl>()) {}
BotDetector::~BotDetector() = default;

Result<std::unique_ptr<BotDetector>> BotDetector::Load(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Status::NotFound("crawler list " + path + ": " + std::strerror(errno));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::IoError("crawler list " + path + ": read failed");
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(text.str(), ec);
  if (ec || !doc.is_array()) {
    return Status::InvalidArgument("crawler list " + path + ": not a JSON array" +
                                   (ec ? ": " + ec.message() : std::string()));
  }
  std::unique_ptr<BotDetector> d(new BotDetector());
  RE2::Options opts;
  opts.set_max_mem(kSetMaxMem);
  opts.set_log_errors(false);  // rejected patterns are counted, not printed one by one
  // Unanchored and case-sensitive, as the list's own README says its patterns are meant.
  d->impl_->set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  std::string accepted;  // the patterns that count, one per line, for the fingerprint
  for (const auto& entry : doc.as_array()) {
    const boost::json::object* o = entry.if_object();
    const boost::json::value* p = o ? o->if_contains("pattern") : nullptr;
    if (p == nullptr || !p->is_string() || p->as_string().empty()) {
      ++d->impl_->skipped;
      continue;
    }
    const auto& s = p->as_string();
    if (d->impl_->set->Add(re2::StringPiece(s.data(), s.size()), nullptr) < 0) {
      ++d->impl_->skipped;
      continue;
    }
    ++d->impl_->patterns;
    accepted.append(s.data(), s.size()).push_back('\n');
  }
  d->impl_->fingerprint = Sha256Hex(accepted);
  if (d->impl_->patterns == 0) {
    return Status::InvalidArgument("crawler list " + path + ": no pattern RE2 accepts");
  }
  if (!d->impl_->set->Compile()) {
    return Status::InvalidArgument("crawler list " + path + ": RE2 could not compile the set");
  }
  return d;
}

bool BotDetector::IsCrawler(std::string_view ua) const {
  if (ua.empty()) return false;
  // No vector: RE2 may stop at the first pattern that matches.
  return impl_->set->Match(re2::StringPiece(ua.data(), ua.size()), nullptr);
}

bool BotDetector::IsBot(const Event& e) const {
  // An empty User-Agent is a script (every browser sends one); a HEAD is a link checker or an
  // unfurler (browsers GET); a prefetch/preview is a browser or app fetching ahead of a human
  // who may never click.
  if (e.user_agent.empty() || e.kind == EventKind::kHead || (e.flags & kFlagPrefetch) != 0) {
    return true;
  }
  return IsCrawler(e.user_agent);
}

size_t BotDetector::patterns() const { return impl_->patterns; }
size_t BotDetector::skipped_patterns() const { return impl_->skipped; }
const std::string& BotDetector::fingerprint() const { return impl_->fingerprint; }

std::string DefaultCrawlersPath() {
  return std::string(CT_NPM_DIR) + "/crawler-user-agents/crawler-user-agents.json";
}

}  // namespace ct::enrich
