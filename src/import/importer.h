// The import of one export file into one account (`clicktrail import`): every SourceLink is
// checked with the API's own rules (api/slug.h, api/destination.h, api/link_fields.h), matched
// against what already holds its slug on the target domain, and the new links are created in
// ONE store transaction (Store::CreateLinksReporting): all of them or none.
//
// Idempotent: a slug the account already has on that domain with the same destination is
// counted as "already existed" and left alone, so importing a file twice creates nothing the
// second time. Every row that is not created or found is skipped with one of the reasons
// below, never silently.
// Thread safety: one import per call; the store may be in use by a running server meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "import/export_parsers.h"
#include "store/store.h"

namespace ct::import {

// Why a row was skipped (the summary's keys).
inline constexpr std::string_view kUnreadableRow = "unreadable row";  // see SourceLink
inline constexpr std::string_view kInvalidSlug = "invalid slug";      // not [A-Za-z0-9_-]{1,64}
inline constexpr std::string_view kInvalidDestination = "invalid destination";  // not http(s)...
inline constexpr std::string_view kBlockedDestination = "destination blocked";  // blocked_hosts
inline constexpr std::string_view kInvalidTitle = "invalid title";  // control characters, bad UTF-8
inline constexpr std::string_view kInvalidTag = "invalid tag";
inline constexpr std::string_view kDuplicateInFile = "duplicate in file";  // its slug came earlier
// Another account, a deleted link, an old slug of a renamed link, or one of the account's
// links with another destination holds the slug.
inline constexpr std::string_view kSlugTaken = "slug taken";

struct ImportOptions {
  int64_t account_id = 0;
  std::string domain;  // "" = the default domain; else a live domain of the account
  ExportFormat format = ExportFormat::kBitly;
  std::vector<std::string> blocked_hosts;  // links.blocked_hosts, parsed
  bool dry_run = false;                    // check and match everything, create nothing
};

// How far the import got, for a progress bar. Called on the importing thread.
class ImportProgress {
 public:
  virtual ~ImportProgress() = default;
  virtual void Begin(std::string_view phase, size_t total) = 0;
  virtual void Update(size_t done) = 0;
  virtual void End() = 0;
};

struct ImportSummary {
  size_t rows = 0;
  size_t created = 0;  // with dry_run: how many would be created
  size_t existed = 0;
  std::map<std::string, std::vector<size_t>, std::less<>> skipped;  // reason -> positions
  std::string_view position = "line";  // what the positions count (ParsedExport::position)
  size_t Skipped() const;
};

struct ImportOutcome {
  ImportSummary summary;
  // Not OK when the store failed: nothing was created (the summary still reports the checks).
  Status status;
};

ImportOutcome RunImport(Store* store, const ImportOptions& options, const ParsedExport& parsed,
                        ImportProgress* progress);

// A title as the API takes it: line breaks and tabs become spaces, and past
// api::kMaxTitleBytes it is cut at a UTF-8 character boundary (page titles fetched by the
// other tools are often longer; a long title is not worth losing the link over).
std::string FitTitle(std::string_view title);

}  // namespace ct::import
