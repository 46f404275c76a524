// SqliteStore: links, their tags and custom domains (store/store.h). Split from sqlite_store.cc,
// which keeps opening, accounts, tracking and health.
#include <algorithm>
#include <string_view>
#include <utility>

#include "store/link_options_json.h"
#include "store/link_row.h"
#include "store/sqlite/goal_postback_rows.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/transaction.h"

namespace ct {

using sqlite::Db;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

// Tags travel in one column, joined by the unit separator (never valid in a tag: the API
// allows only printable ASCII), so a page of links is one query, not one per link.
constexpr char kTagSeparator = '\x1f';

#define CT_LINK_COLUMNS                                                                      \
  "id, account_id, slug, destination, created_at, updated_at, version, deleted_at, domain, " \
  "title, group_name, options_json, "                                                        \
  "(SELECT group_concat(tag, char(31)) FROM link_tags WHERE link_id = links.id), kind, "     \
  "imported_from, imported_clicks"

Result<LinkRow> ReadLinkRow(const Statement& s) {
  LinkRow row;
  row.id = s.ColumnInt(0);
  row.account_id = s.ColumnInt(1);
  row.slug = s.ColumnText(2);
  row.destination = s.ColumnText(3);
  row.created_at_us = s.ColumnInt(4);
  row.updated_at_us = s.ColumnInt(5);
  row.version = s.ColumnInt(6);
  row.deleted = !s.ColumnIsNull(7);
  row.domain = s.ColumnText(8);
  row.title = s.ColumnText(9);
  row.group = s.ColumnText(10);
  Result<LinkOptions> options = DecodeLinkOptions(s.ColumnText(11));
  if (!options.ok()) return options.status().Annotate("link " + std::to_string(row.id));
  row.options = std::move(*options);
  if (!s.ColumnIsNull(12)) {
    std::string joined = s.ColumnText(12);
    size_t i = 0;
    for (;;) {
      size_t j = joined.find(kTagSeparator, i);
      row.tags.push_back(joined.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
    std::sort(row.tags.begin(), row.tags.end());  // group_concat's order is unspecified
  }
  row.kind = static_cast<LinkKind>(s.ColumnInt(13));
  row.imported_from = s.ColumnText(14);
  if (!s.ColumnIsNull(15)) row.imported_clicks = s.ColumnInt(15);
  return row;
}

// Steps `s` to the end, appending every row.
Status ReadLinkRows(Statement* s, std::vector<LinkRow>* out, size_t max = SIZE_MAX) {
  while (out->size() < max) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<LinkRow> link = ReadLinkRow(*s);
    if (!link.ok()) return link.status();
    out->push_back(std::move(*link));
  }
  return Status::Ok();
}

// Records that (domain, slug) belongs to `link_id` for good. kAlreadyExists if any other link
// ever had it, deleted or renamed since; a link may take back one of its own old slugs.
Status ReserveSlug(Db* db, const std::string& domain, const std::string& slug, int64_t link_id) {
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO slug_history (domain, slug, link_id) VALUES (?, ?, ?)
    ON CONFLICT (domain, slug) DO UPDATE SET link_id = link_id
    WHERE link_id = excluded.link_id)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(domain), std::string_view(slug), link_id));
  CT_RETURN_IF_ERROR(s->Run());
  // The upsert changes a row when the slug is new or already this link's; zero rows means
  // another link holds it.
  if (s->Changes() == 0) return Status::AlreadyExists("slug " + slug + " is taken");
  return Status::Ok();
}

Status WriteTags(Db* db, int64_t link_id, const std::vector<std::string>& tags) {
  Result<Statement> del = db->Prepare("DELETE FROM link_tags WHERE link_id = ?");
  if (!del.ok()) return del.status();
  CT_RETURN_IF_ERROR(del->BindAll(link_id));
  CT_RETURN_IF_ERROR(del->Run());
  Result<Statement> ins = db->Prepare("INSERT INTO link_tags (link_id, tag) VALUES (?, ?)");
  if (!ins.ok()) return ins.status();
  for (const std::string& tag : tags) {
    CT_RETURN_IF_ERROR(ins->BindAll(link_id, std::string_view(tag)));
    CT_RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

// A link's domain is "" or a live domain of its own account; checked under the write lock, so
// it cannot race DeleteDomain's "no live links" check.
Status CheckDomain(Db* db, int64_t account_id, const std::string& domain) {
  if (domain.empty()) return Status::Ok();
  Result<Statement> s =
      db->Prepare("SELECT 1 FROM domains WHERE host = ? AND account_id = ? AND deleted_at IS NULL");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(domain), account_id));
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::InvalidArgument("domain " + domain + " is not one of your domains");
  return Status::Ok();
}

// Appends the goals (deleted ones too) whose version > `version`, and raises max_version.
Status ReadGoalsChangedSince(Db* db, int64_t version, LinkChanges* changes) {
  Result<Statement> s =
      db->Prepare("SELECT " CT_GOAL_COLUMNS " FROM goals WHERE version > ? ORDER BY version");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(version));
  for (;;) {
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    if (!*found) break;
    Result<GoalRow> goal = sqlite::ReadGoalRow(*s);
    if (!goal.ok()) return goal.status();
    changes->max_version = std::max(changes->max_version, goal->version);
    changes->goals.push_back(std::move(*goal));
  }
  return Status::Ok();
}

// kAlreadyExists with a message fit for a client ("slug taken"); other errors unchanged.
Status SlugTaken(const Status& s) {
  return s.code() == StatusCode::kAlreadyExists ? Status::AlreadyExists("slug taken") : s;
}

}  // namespace

Result<int64_t> SqliteStore::NextLinkVersion() {
  // One store-wide counter for links, domains and goals: MAX+1 over their unique indexes, read
  // under the write lock (BEGIN IMMEDIATE), so versions increase in commit order across threads and
  // processes. A reader that has seen version V has therefore seen every change <= V:
  // LinksChangedSince never skips one.
  Result<int64_t> max = writer_->QueryInt(
      "SELECT MAX((SELECT COALESCE(MAX(version), 0) FROM links), "
      "(SELECT COALESCE(MAX(version), 0) FROM domains), "
      "(SELECT COALESCE(MAX(version), 0) FROM goals))");
  if (!max.ok()) return max.status();
  return *max + 1;
}

Result<std::optional<LinkRow>> SqliteStore::ReadLink(Db* db, int64_t account_id, int64_t link_id,
                                                     bool live_only) {
  // Scoped by account: another account's link reads exactly like a missing one.
  Result<Statement> s = db->Prepare(
      live_only ? "SELECT " CT_LINK_COLUMNS
                  " FROM links WHERE id = ? AND account_id = ? AND deleted_at IS NULL"
                : "SELECT " CT_LINK_COLUMNS " FROM links WHERE id = ? AND account_id = ?");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(link_id, account_id));
  std::vector<LinkRow> rows;
  CT_RETURN_IF_ERROR(ReadLinkRows(&*s, &rows, 1));
  if (rows.empty()) return std::optional<LinkRow>();
  return std::optional<LinkRow>(std::move(rows[0]));
}

Result<LinkRow> SqliteStore::InsertLink(const NewLink& link, int64_t now) {
  Db* db = writer_.get();
  CT_RETURN_IF_ERROR(CheckDomain(db, link.account_id, link.domain));
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  LinkRow row = NewLinkRow(link, now, *version);
  Result<Statement> s = db->Prepare(R"sql(
    INSERT INTO links (account_id, domain, slug, destination, title, group_name, options_json,
                       created_at, updated_at, version, kind, imported_from, imported_clicks)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))sql");
  if (!s.ok()) return s.status();
  const std::string options = EncodeLinkOptions(row.options);
  CT_RETURN_IF_ERROR(s->BindAll(
      row.account_id, std::string_view(row.domain), std::string_view(row.slug),
      std::string_view(row.destination), std::string_view(row.title), std::string_view(row.group),
      std::string_view(options), row.created_at_us, row.updated_at_us, row.version,
      static_cast<int64_t>(row.kind), std::string_view(row.imported_from)));
  if (row.imported_clicks) {
    CT_RETURN_IF_ERROR(s->Bind(13, *row.imported_clicks));
  } else {
    CT_RETURN_IF_ERROR(s->BindNull(13));
  }
  // UNIQUE(domain, slug) covers deleted rows too: kAlreadyExists from the engine.
  CT_RETURN_IF_ERROR(SlugTaken(s->Run()));
  row.id = db->LastInsertRowId();
  CT_RETURN_IF_ERROR(SlugTaken(ReserveSlug(db, row.domain, row.slug, row.id)));
  CT_RETURN_IF_ERROR(WriteTags(db, row.id, row.tags));
  return row;
}

Result<LinkRow> SqliteStore::CreateLink(const NewLink& link) {
  std::lock_guard lock(write_mu_);
  Transaction txn(writer_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<LinkRow> row = InsertLink(link, clock_->NowMicros());
  if (!row.ok()) return row.status();  // the guard rolls back
  CT_RETURN_IF_ERROR(txn.Commit());
  return row;
}

Result<std::vector<LinkRow>> SqliteStore::CreateLinks(const std::vector<NewLink>& links) {
  return CreateLinksReporting(links, {});
}

Result<std::vector<LinkRow>> SqliteStore::CreateLinksReporting(
    const std::vector<NewLink>& links, const std::function<void(size_t)>& progress) {
  // Often enough for a smooth bar, rarely enough to cost nothing next to the inserts.
  constexpr size_t kProgressEvery = 256;
  std::lock_guard lock(write_mu_);
  Transaction txn(writer_.get());
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  const int64_t now = clock_->NowMicros();
  std::vector<LinkRow> rows;
  rows.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    Result<LinkRow> row = InsertLink(links[i], now);
    // Any failure rolls back the whole batch (the guard): all or nothing.
    if (!row.ok()) return row.status().Annotate("links[" + std::to_string(i) + "]");
    rows.push_back(std::move(*row));
    if (progress && (i + 1) % kProgressEvery == 0) progress(i + 1);
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  if (progress) progress(links.size());
  return rows;
}

Result<std::vector<SlugUse>> SqliteStore::FindSlugs(int64_t account_id, const std::string& domain,
                                                    const std::vector<std::string>& slugs) {
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  // One snapshot for the whole list.
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  std::vector<SlugUse> out;
  out.reserve(slugs.size());
  for (const std::string& slug : slugs) {
    // slug_history holds every (domain, slug) any link ever had, current slugs included.
    Result<Statement> s = db->Prepare(
        "SELECT h.link_id, l.account_id, l.slug = h.slug AND l.deleted_at IS NULL "
        "FROM slug_history h JOIN links l ON l.id = h.link_id WHERE h.domain = ? AND h.slug = ?");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(std::string_view(domain), std::string_view(slug)));
    Result<bool> found = s->Step();
    if (!found.ok()) return found.status();
    SlugUse use;
    if (*found) {
      const int64_t link_id = s->ColumnInt(0);
      const bool own_live = s->ColumnInt(1) == account_id && s->ColumnInt(2) != 0;
      use.state = SlugUse::State::kTaken;
      if (own_live) {
        Result<std::optional<LinkRow>> link = ReadLink(db, account_id, link_id, /*live_only=*/true);
        if (!link.ok()) return link.status();
        if (link->has_value()) {
          use.state = SlugUse::State::kOwnLink;
          use.link = std::move(**link);
        }
      }
    }
    out.push_back(std::move(use));
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<std::optional<LinkRow>> SqliteStore::GetLink(int64_t account_id, int64_t link_id) {
  ReadLease lease = AcquireReader();
  return ReadLink(lease.db(), account_id, link_id, /*live_only=*/false);
}

Result<LinkPage> SqliteStore::ListLinks(int64_t account_id, const LinkFilter& filter,
                                        int64_t after_id, int limit) {
  LinkPage page;
  if (limit <= 0) return page;
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare("SELECT " CT_LINK_COLUMNS R"sql(
    FROM links WHERE account_id = ?1 AND id > ?2 AND deleted_at IS NULL
      AND (?3 = '' OR EXISTS (SELECT 1 FROM link_tags t WHERE t.tag = ?3 AND t.link_id = links.id))
      AND (?4 = '' OR group_name = ?4)
      AND (?5 = 0 OR domain = ?6)
      AND kind = ?8
    ORDER BY id LIMIT ?7)sql");
  if (!s.ok()) return s.status();
  // One row more than asked tells whether another page exists without a COUNT.
  CT_RETURN_IF_ERROR(s->BindAll(
      account_id, after_id, std::string_view(filter.tag), std::string_view(filter.group),
      static_cast<int64_t>(filter.domain.has_value()), std::string_view(filter.domain.value_or("")),
      static_cast<int64_t>(limit) + 1, static_cast<int64_t>(filter.kind)));
  CT_RETURN_IF_ERROR(ReadLinkRows(&*s, &page.links, static_cast<size_t>(limit) + 1));
  if (page.links.size() > static_cast<size_t>(limit)) {
    page.links.pop_back();
    page.next_after_id = page.links.back().id;
  }
  return page;
}

Result<std::optional<LinkRow>> SqliteStore::UpdateLink(int64_t account_id, int64_t link_id,
                                                       const LinkUpdate& update) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<std::optional<LinkRow>> current = ReadLink(db, account_id, link_id, /*live_only=*/true);
  if (!current.ok() || !current->has_value()) return current;
  LinkRow row = **current;
  if (update.slug && *update.slug != row.slug) {
    row.slug = *update.slug;
    CT_RETURN_IF_ERROR(SlugTaken(ReserveSlug(db, row.domain, row.slug, row.id)));
  }
  if (update.destination) row.destination = *update.destination;
  if (update.title) row.title = *update.title;
  if (update.group) row.group = *update.group;
  if (update.options) row.options = *update.options;
  if (update.tags) {
    row.tags = SortedUniqueTags(*update.tags);
    CT_RETURN_IF_ERROR(WriteTags(db, row.id, row.tags));
  }
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  row.version = *version;
  row.updated_at_us = clock_->NowMicros();
  Result<Statement> s = db->Prepare(R"sql(
    UPDATE links SET slug = ?, destination = ?, title = ?, group_name = ?, options_json = ?,
                     updated_at = ?, version = ?
    WHERE id = ? AND account_id = ?)sql");
  if (!s.ok()) return s.status();
  const std::string options = EncodeLinkOptions(row.options);
  CT_RETURN_IF_ERROR(s->BindAll(std::string_view(row.slug), std::string_view(row.destination),
                                std::string_view(row.title), std::string_view(row.group),
                                std::string_view(options), row.updated_at_us, row.version, link_id,
                                account_id));
  CT_RETURN_IF_ERROR(SlugTaken(s->Run()));  // a taken slug: the guard rolls back
  CT_RETURN_IF_ERROR(txn.Commit());
  return std::optional<LinkRow>(std::move(row));
}

Result<bool> SqliteStore::DeleteLink(int64_t account_id, int64_t link_id) {
  return SoftDeleteVersioned("links", account_id, link_id);
}

Result<bool> SqliteStore::SoftDeleteVersioned(std::string_view table, int64_t account_id,
                                              int64_t id) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  const int64_t now = clock_->NowMicros();
  Result<Statement> s = db->Prepare("UPDATE " + std::string(table) +
                                    R"sql( SET deleted_at = ?, updated_at = ?, version = ?
    WHERE id = ? AND account_id = ? AND deleted_at IS NULL)sql");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(now, now, *version, id, account_id));
  CT_RETURN_IF_ERROR(s->Run());
  if (s->Changes() == 0) return false;  // nothing changed; the guard ends the transaction
  CT_RETURN_IF_ERROR(txn.Commit());
  return true;
}

Result<LinkChanges> SqliteStore::LinksChangedSince(int64_t version) {
  ReadLease lease = AcquireReader();
  Db* db = lease.db();
  // One snapshot: the links, the goals, the domains and max_version agree with each other.
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kDeferred));
  LinkChanges changes;
  changes.max_version = version;
  {
    Result<Statement> s =
        db->Prepare("SELECT " CT_LINK_COLUMNS " FROM links WHERE version > ? ORDER BY version");
    if (!s.ok()) return s.status();
    CT_RETURN_IF_ERROR(s->BindAll(version));
    CT_RETURN_IF_ERROR(ReadLinkRows(&*s, &changes.links));
    if (!changes.links.empty()) changes.max_version = changes.links.back().version;
  }
  CT_RETURN_IF_ERROR(ReadGoalsChangedSince(db, version, &changes));
  Result<int64_t> domain_version = db->QueryInt("SELECT COALESCE(MAX(version), 0) FROM domains");
  if (!domain_version.ok()) return domain_version.status();
  changes.max_version = std::max(changes.max_version, *domain_version);
  // The edge replaces its whole domain set, so send all live domains when any changed.
  changes.domains_changed = version == 0 || *domain_version > version;
  if (changes.domains_changed) {
    Result<Statement> s = db->Prepare(
        "SELECT id, account_id, host, created_at FROM domains WHERE deleted_at IS NULL "
        "ORDER BY id");
    if (!s.ok()) return s.status();
    for (;;) {
      Result<bool> row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      changes.domains.push_back(
          {s->ColumnInt(0), s->ColumnInt(1), s->ColumnText(2), s->ColumnInt(3)});
    }
  }
  CT_RETURN_IF_ERROR(txn.Commit());
  return changes;
}

// ---- domains --------------------------------------------------------------------------------

Result<DomainRow> SqliteStore::CreateDomain(int64_t account_id, const std::string& host) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  DomainRow row{0, account_id, host, clock_->NowMicros()};
  Result<Statement> s = db->Prepare(
      "INSERT INTO domains (account_id, host, created_at, version) VALUES (?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id, std::string_view(host), row.created_at_us, *version));
  Status run = s->Run();
  // The live-host unique index: whichever account holds it (this one included).
  if (run.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("domain " + host + " is already registered");
  }
  CT_RETURN_IF_ERROR(run);
  row.id = db->LastInsertRowId();
  CT_RETURN_IF_ERROR(txn.Commit());
  return row;
}

Result<std::vector<DomainRow>> SqliteStore::ListDomains(int64_t account_id) {
  ReadLease lease = AcquireReader();
  Result<Statement> s = lease.db()->Prepare(
      "SELECT id, account_id, host, created_at FROM domains "
      "WHERE account_id = ? AND deleted_at IS NULL ORDER BY id");
  if (!s.ok()) return s.status();
  CT_RETURN_IF_ERROR(s->BindAll(account_id));
  std::vector<DomainRow> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s->ColumnInt(0), s->ColumnInt(1), s->ColumnText(2), s->ColumnInt(3)});
  }
  return out;
}

Result<bool> SqliteStore::DeleteDomain(int64_t account_id, int64_t domain_id) {
  std::lock_guard lock(write_mu_);
  Db* db = writer_.get();
  Transaction txn(db);
  CT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  Result<Statement> find = db->Prepare(
      "SELECT host FROM domains WHERE id = ? AND account_id = ? AND deleted_at IS NULL");
  if (!find.ok()) return find.status();
  CT_RETURN_IF_ERROR(find->BindAll(domain_id, account_id));
  Result<bool> found = find->Step();
  if (!found.ok()) return found.status();
  if (!*found) return false;
  const std::string host = find->ColumnText(0);
  Result<Statement> live = db->Prepare(
      "SELECT COUNT(*) FROM links WHERE domain = ? AND account_id = ? AND deleted_at IS NULL");
  if (!live.ok()) return live.status();
  CT_RETURN_IF_ERROR(live->BindAll(std::string_view(host), account_id));
  Result<bool> counted = live->Step();
  if (!counted.ok()) return counted.status();
  if (live->ColumnInt(0) > 0) {
    return Status::FailedPrecondition("domain " + host + " still has " +
                                      std::to_string(live->ColumnInt(0)) + " live links");
  }
  Result<int64_t> version = NextLinkVersion();
  if (!version.ok()) return version.status();
  Result<Statement> del =
      db->Prepare("UPDATE domains SET deleted_at = ?, version = ? WHERE id = ? AND account_id = ?");
  if (!del.ok()) return del.status();
  CT_RETURN_IF_ERROR(del->BindAll(clock_->NowMicros(), *version, domain_id, account_id));
  CT_RETURN_IF_ERROR(del->Run());
  CT_RETURN_IF_ERROR(txn.Commit());
  return true;
}

}  // namespace ct
