// BotDetector: is this request a robot? From the maintained crawler list of the npm package
// crawler-user-agents (pinned in third_party/npm: several hundred patterns, compiled into one
// RE2::Set so a check is one pass over the User-Agent), plus heuristics the list cannot see:
// prefetch/preview requests (Purpose / Sec-Purpose / X-Moz / X-Purpose headers, which the edge
// records as kFlagPrefetch), HEAD requests, and an empty User-Agent.
//
// Thread safety: const methods may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/event.h"
#include "common/status.h"

namespace ct::enrich {

class BotDetector {
 public:
  // Loads crawler-user-agents.json (an array of {"pattern": "..."}). Patterns RE2 cannot
  // compile are skipped and counted (skipped_patterns()); none compiling is kInvalidArgument.
  static Result<std::unique_ptr<BotDetector>> Load(const std::string& crawlers_json_path);
  ~BotDetector();

  // The User-Agent matches a crawler pattern.
  bool IsCrawler(std::string_view user_agent) const;
  // Crawler list + heuristics for a whole event.
  bool IsBot(const Event& e) const;

  size_t patterns() const;
  size_t skipped_patterns() const;
  // SHA-256 hex of the accepted patterns in list order: the crawler half of the classifier
  // version (enrich/classifier_version.h). Same list, same fingerprint.
  const std::string& fingerprint() const;

 private:
  BotDetector();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string DefaultCrawlersPath();

}  // namespace ct::enrich
