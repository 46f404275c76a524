#include "import/importer.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "api/destination.h"
#include "api/link_fields.h"
#include "api/slug.h"

namespace ct::import {
namespace {

// Slugs looked up per FindSlugs call: small enough to report progress between calls.
constexpr size_t kLookupChunk = 4096;
// How often the check loop reports progress.
constexpr size_t kCheckProgressEvery = 1024;
// A slug taken by someone else between our lookup and our write costs one retry of the
// transaction without that row; past this many the import gives up (the store is too busy).
constexpr int kMaxWriteAttempts = 8;

struct Candidate {
  size_t row = 0;  // index into ParsedExport::links
  NewLink link;
};

// The reason a row cannot be imported, or "" with *out filled.
std::string_view Check(const SourceLink& s, const ImportOptions& o, NewLink* out) {
  if (!s.unreadable.empty()) return kUnreadableRow;
  // The printed short links must keep working, so the slug is kept as is, never replaced.
  if (s.slug.empty() || !api::ValidateSlug(s.slug).ok()) return kInvalidSlug;
  Result<std::string> dest = api::ValidateDestination(s.destination, o.blocked_hosts);
  if (!dest.ok()) {
    return api::IsBlockedHost(dest.status()) ? kBlockedDestination : kInvalidDestination;
  }
  std::string title = FitTitle(s.title);
  if (!api::CheckTitle(title).ok()) return kInvalidTitle;
  std::vector<std::string> tags = s.tags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  if (!api::CheckTags(tags).ok()) return kInvalidTag;
  out->account_id = o.account_id;
  out->slug = s.slug;
  out->domain = o.domain;
  out->destination = std::move(*dest);
  out->title = std::move(title);
  out->tags = std::move(tags);
  out->imported_from = std::string(FormatName(o.format));
  out->imported_clicks = s.clicks;
  return {};
}

// The index CreateLinks names in its error ("links[3]: slug taken"), or -1.
int64_t FailedIndex(const Status& s) {
  const std::string& m = s.message();
  if (m.rfind("links[", 0) != 0) return -1;
  int64_t i = -1;
  std::from_chars(m.data() + 6, m.data() + m.size(), i);
  return i;
}

class Importer {
 public:
  Importer(Store* store, const ImportOptions& options, const ParsedExport& parsed,
           ImportProgress* progress)
      : store_(store), o_(options), parsed_(parsed), progress_(progress) {
    out_.summary.rows = parsed.links.size();
    out_.summary.position = parsed.position;
  }

  ImportOutcome Run() {
    std::vector<Candidate> candidates = CheckRows();
    if (Status s = Match(&candidates); !s.ok()) {
      out_.status = s;
      return std::move(out_);
    }
    if (o_.dry_run) {
      out_.summary.created = candidates.size();
    } else {
      out_.status = Write(&candidates);
    }
    return std::move(out_);
  }

 private:
  void Skip(std::string_view reason, size_t row) {
    auto it = out_.summary.skipped.find(reason);
    if (it == out_.summary.skipped.end()) {
      it = out_.summary.skipped.emplace(std::string(reason), std::vector<size_t>{}).first;
    }
    it->second.push_back(parsed_.links[row].line);
  }

  void Begin(std::string_view phase, size_t total) {
    if (progress_) progress_->Begin(phase, total);
  }
  void Update(size_t done) {
    if (progress_) progress_->Update(done);
  }
  void End() {
    if (progress_) progress_->End();
  }

  // Each row through the API's rules; a slug seen earlier in the file is a duplicate.
  std::vector<Candidate> CheckRows() {
    const auto& rows = parsed_.links;
    Begin("checking", rows.size());
    std::vector<Candidate> candidates;
    candidates.reserve(rows.size());
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < rows.size(); ++i) {
      Candidate c{i, {}};
      std::string_view reason = Check(rows[i], o_, &c.link);
      if (reason.empty() && !seen.emplace(c.link.slug, i).second) reason = kDuplicateInFile;
      if (!reason.empty()) {
        Skip(reason, i);
      } else {
        candidates.push_back(std::move(c));
      }
      if ((i + 1) % kCheckProgressEvery == 0) Update(i + 1);
    }
    Update(rows.size());
    End();
    return candidates;
  }

  // Drops the candidates whose slug is already held: "already existed" when it is the
  // account's own live link to the same destination, "slug taken" otherwise.
  Status Match(std::vector<Candidate>* candidates) {
    Begin("matching", candidates->size());
    std::vector<Candidate> fresh;
    fresh.reserve(candidates->size());
    for (size_t start = 0; start < candidates->size(); start += kLookupChunk) {
      const size_t end = std::min(candidates->size(), start + kLookupChunk);
      std::vector<std::string> slugs;
      for (size_t i = start; i < end; ++i) slugs.push_back((*candidates)[i].link.slug);
      Result<std::vector<SlugUse>> uses = store_->FindSlugs(o_.account_id, o_.domain, slugs);
      if (!uses.ok()) return uses.status().Annotate("looking up slugs");
      for (size_t i = start; i < end; ++i) {
        Candidate& c = (*candidates)[i];
        const SlugUse& use = (*uses)[i - start];
        if (use.state == SlugUse::State::kFree) {
          fresh.push_back(std::move(c));
        } else if (use.state == SlugUse::State::kOwnLink && use.link->kind == LinkKind::kLink &&
                   use.link->destination == c.link.destination) {
          ++out_.summary.existed;
        } else {
          Skip(kSlugTaken, c.row);
        }
      }
      Update(end);
    }
    End();
    *candidates = std::move(fresh);
    return Status::Ok();
  }

  Status Write(std::vector<Candidate>* candidates) {
    for (int attempt = 0; attempt < kMaxWriteAttempts; ++attempt) {
      if (candidates->empty()) return Status::Ok();
      std::vector<NewLink> links;
      links.reserve(candidates->size());
      for (const Candidate& c : *candidates) links.push_back(c.link);
      Begin("writing", links.size());
      Result<std::vector<LinkRow>> created =
          store_->CreateLinksReporting(links, [this](size_t done) { Update(done); });
      End();
      if (created.ok()) {
        out_.summary.created = created->size();
        return Status::Ok();
      }
      // A slug someone took since Match: skip that row and write the rest again. The failed
      // transaction left nothing behind.
      const int64_t failed = FailedIndex(created.status());
      if (created.status().code() != StatusCode::kAlreadyExists || failed < 0 ||
          static_cast<size_t>(failed) >= candidates->size()) {
        return created.status();
      }
      Skip(kSlugTaken, (*candidates)[failed].row);
      candidates->erase(candidates->begin() + failed);
    }
    return Status::Unavailable("slugs kept being taken while importing; try again");
  }

  Store* store_;
  const ImportOptions& o_;
  const ParsedExport& parsed_;
  ImportProgress* progress_;
  ImportOutcome out_;
};

}  // namespace

size_t ImportSummary::Skipped() const {
  size_t n = 0;
  for (const auto& [reason, rows] : skipped) n += rows.size();
  return n;
}

std::string FitTitle(std::string_view title) {
  std::string t(title);
  for (char& c : t) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  if (t.size() > api::kMaxTitleBytes) {
    size_t cut = api::kMaxTitleBytes;
    // Back up over continuation bytes to the first byte of the character that does not fit.
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
    t.resize(cut);
  }
  return t;
}

ImportOutcome RunImport(Store* store, const ImportOptions& options, const ParsedExport& parsed,
                        ImportProgress* progress) {
  return Importer(store, options, parsed, progress).Run();
}

}  // namespace ct::import
