// PostgresStore: links, their tags, custom domains and the edge's change feed, with the SQLite
// store's semantics (store/sqlite/links.cc): slugs unique per domain and never reused
// (slug_history), one store-wide version counter for links, domains and goals.
#include <algorithm>
#include <utility>

#include "store/link_options_json.h"
#include "store/link_row.h"
#include "store/postgres/pg_array.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store.h"

namespace ct {

using pg::Params;
using pg::PgConn;
using pg::PgResult;
using pg::ReadGoalRow;

namespace {

// Tags come back as one text[] column, so a page of links is one query.
#define CT_PG_LINK_COLUMNS                                                                   \
  "id, account_id, slug, destination, created_at, updated_at, version, deleted_at, domain, " \
  "title, group_name, options_json, "                                                        \
  "ARRAY(SELECT tag FROM link_tags WHERE link_id = links.id ORDER BY tag), kind, "           \
  "imported_from, imported_clicks"

// A text[] in PostgreSQL's output form: {a,"b c","d\"e"} -> elements (no NULLs here).
std::vector<std::string> ParseTextArray(std::string_view s) {
  std::vector<std::string> out;
  if (s.size() < 2) return out;
  s = s.substr(1, s.size() - 2);
  size_t i = 0;
  while (i < s.size()) {
    std::string v;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        v += s[i];
      }
      ++i;  // closing quote
    } else {
      while (i < s.size() && s[i] != ',') v += s[i++];
    }
    out.push_back(std::move(v));
    if (i < s.size() && s[i] == ',') ++i;
  }
  return out;
}

Result<LinkRow> ReadLinkRow(const PgResult& r, int i) {
  LinkRow row;
  row.id = r.Int(i, 0);
  row.account_id = r.Int(i, 1);
  row.slug = r.Str(i, 2);
  row.destination = r.Str(i, 3);
  row.created_at_us = r.Int(i, 4);
  row.updated_at_us = r.Int(i, 5);
  row.version = r.Int(i, 6);
  row.deleted = !r.IsNull(i, 7);
  row.domain = r.Str(i, 8);
  row.title = r.Str(i, 9);
  row.group = r.Str(i, 10);
  Result<LinkOptions> options = DecodeLinkOptions(r.Text(i, 11));
  if (!options.ok()) return options.status().Annotate("link " + std::to_string(row.id));
  row.options = std::move(*options);
  row.tags = ParseTextArray(r.Text(i, 12));
  row.kind = static_cast<LinkKind>(r.Int(i, 13));
  row.imported_from = r.Str(i, 14);
  if (!r.IsNull(i, 15)) row.imported_clicks = r.Int(i, 15);
  return row;
}

Status ReadLinkRows(const PgResult& r, std::vector<LinkRow>* out) {
  for (int i = 0; i < r.rows(); ++i) {
    Result<LinkRow> link = ReadLinkRow(r, i);
    if (!link.ok()) return link.status();
    out->push_back(std::move(*link));
  }
  return Status::Ok();
}

// (domain, slug) belongs to `link_id` for good; kAlreadyExists if another link ever had it.
Status ReserveSlug(PgConn* c, const std::string& domain, const std::string& slug, int64_t link_id) {
  Result<PgResult> r = c->Exec(R"sql(
    INSERT INTO slug_history (domain, slug, link_id) VALUES ($1, $2, $3::int8)
    ON CONFLICT (domain, slug) DO UPDATE SET link_id = slug_history.link_id
    WHERE slug_history.link_id = excluded.link_id)sql",
                               Params().Text(domain).Text(slug).Int(link_id));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return Status::AlreadyExists("slug " + slug + " is taken");
  return Status::Ok();
}

Status WriteTags(PgConn* c, int64_t link_id, const std::vector<std::string>& tags) {
  Result<PgResult> del =
      c->Exec("DELETE FROM link_tags WHERE link_id = $1::int8", Params().Int(link_id));
  if (!del.ok()) return del.status();
  for (const std::string& tag : tags) {
    Result<PgResult> ins = c->Exec("INSERT INTO link_tags (link_id, tag) VALUES ($1::int8, $2)",
                                   Params().Int(link_id).Text(tag));
    if (!ins.ok()) return ins.status();
  }
  return Status::Ok();
}

Status CheckDomain(PgConn* c, int64_t account_id, const std::string& domain) {
  if (domain.empty()) return Status::Ok();
  // FOR SHARE: DeleteDomain (FOR UPDATE on the row) cannot pass its "no live links" check while
  // this transaction adds a link on it.
  Result<PgResult> r = c->Exec(
      "SELECT 1 FROM domains WHERE host = $1 AND account_id = $2::int8 AND deleted_at IS NULL "
      "FOR SHARE",
      Params().Text(domain).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    return Status::InvalidArgument("domain " + domain + " is not one of your domains");
  }
  return Status::Ok();
}

Status SlugTaken(const Status& s) {
  return s.code() == StatusCode::kAlreadyExists ? Status::AlreadyExists("slug taken") : s;
}

}  // namespace

Result<int64_t> PostgresStore::NextVersion(PgConn* c) {
  // The row lock is held to commit: versions become visible in the order they were given.
  Result<PgResult> r = c->Exec("UPDATE change_version SET v = v + 1 WHERE id = 1 RETURNING v");
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

Result<std::optional<LinkRow>> PostgresStore::ReadLink(PgConn* c, int64_t account_id,
                                                       int64_t link_id, bool live_only) {
  Result<PgResult> r = c->Exec(
      live_only ? "SELECT " CT_PG_LINK_COLUMNS
                  " FROM links WHERE id = $1::int8 AND account_id = $2::int8 AND deleted_at IS NULL"
                : "SELECT " CT_PG_LINK_COLUMNS
                  " FROM links WHERE id = $1::int8 AND account_id = $2::int8",
      Params().Int(link_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<LinkRow>();
  Result<LinkRow> row = ReadLinkRow(*r, 0);
  if (!row.ok()) return row.status();
  return std::optional<LinkRow>(std::move(*row));
}

Result<LinkRow> PostgresStore::InsertLink(PgConn* c, const NewLink& link, int64_t now) {
  CT_RETURN_IF_ERROR(CheckDomain(c, link.account_id, link.domain));
  Result<int64_t> version = NextVersion(c);
  if (!version.ok()) return version.status();
  LinkRow row = NewLinkRow(link, now, *version);
  Params p;
  p.Int(row.account_id)
      .Text(row.domain)
      .Text(row.slug)
      .Text(row.destination)
      .Text(row.title)
      .Text(row.group)
      .Text(EncodeLinkOptions(row.options))
      .Int(now)
      .Int(row.version)
      .Int(static_cast<int64_t>(row.kind))
      .Text(row.imported_from);
  if (row.imported_clicks) {
    p.Int(*row.imported_clicks);
  } else {
    p.Null();
  }
  Result<PgResult> r = c->Exec(R"sql(
    INSERT INTO links (account_id, domain, slug, destination, title, group_name, options_json,
                       created_at, updated_at, version, kind, imported_from, imported_clicks)
    VALUES ($1::int8, $2, $3, $4, $5, $6, $7, $8::int8, $8::int8, $9::int8, $10::int2, $11,
            $12::int8)
    RETURNING id)sql",
                               p);
  if (!r.ok()) return SlugTaken(r.status());
  row.id = r->Int(0, 0);
  CT_RETURN_IF_ERROR(SlugTaken(ReserveSlug(c, row.domain, row.slug, row.id)));
  CT_RETURN_IF_ERROR(WriteTags(c, row.id, row.tags));
  return row;
}

Result<LinkRow> PostgresStore::CreateLink(const NewLink& link) {
  Result<std::vector<LinkRow>> rows = CreateLinksReporting({link}, {});
  if (!rows.ok()) {
    // One link: the error without the "links[0]" index.
    const std::string& m = rows.status().message();
    const std::string prefix = "links[0]: ";
    return Status(rows.status().code(), m.starts_with(prefix) ? m.substr(prefix.size()) : m);
  }
  return std::move((*rows)[0]);
}

Result<std::vector<LinkRow>> PostgresStore::CreateLinks(const std::vector<NewLink>& links) {
  return CreateLinksReporting(links, {});
}

Result<std::vector<LinkRow>> PostgresStore::CreateLinksReporting(
    const std::vector<NewLink>& links, const std::function<void(size_t)>& progress) {
  constexpr size_t kProgressEvery = 256;
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  const int64_t now = clock_->NowMicros();
  std::vector<LinkRow> rows;
  rows.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    Result<LinkRow> row = InsertLink(c->get(), links[i], now);
    // The lease rolls the transaction back: all or nothing.
    if (!row.ok()) return row.status().Annotate("links[" + std::to_string(i) + "]");
    rows.push_back(std::move(*row));
    if (progress && (i + 1) % kProgressEvery == 0) progress(i + 1);
  }
  CT_RETURN_IF_ERROR((*c)->Run("COMMIT"));
  if (progress) progress(links.size());
  return rows;
}

Result<std::vector<SlugUse>> PostgresStore::FindSlugs(int64_t account_id, const std::string& domain,
                                                      const std::vector<std::string>& slugs) {
  std::vector<SlugUse> out(slugs.size());
  if (slugs.empty()) return out;
  Result<pg::Lease> c = pool_.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // Two queries for the whole list (an import asks thousands at once), on one snapshot.
  pg::ArrayText list;
  for (const std::string& slug : slugs) list.Text(slug);
  // slug_history holds every (domain, slug) any link ever had, current slugs included.
  Result<PgResult> uses = db->Exec(R"sql(
    SELECT q.i, l.id, l.account_id = $2::int8 AND l.slug = h.slug AND l.deleted_at IS NULL
    FROM unnest($3::text[]) WITH ORDINALITY AS q(slug, i)
      JOIN slug_history h ON h.domain = $1 AND h.slug = q.slug
      JOIN links l ON l.id = h.link_id)sql",
                                   Params().Text(domain).Int(account_id).Raw(list.Take()));
  if (!uses.ok()) return uses.status();
  std::vector<std::pair<size_t, int64_t>> own;  // (index into slugs, link id)
  pg::ArrayText own_ids;
  for (int i = 0; i < uses->rows(); ++i) {
    const size_t at = static_cast<size_t>(uses->Int(i, 0) - 1);
    out[at].state = SlugUse::State::kTaken;
    if (uses->Bool(i, 2)) {
      own.emplace_back(at, uses->Int(i, 1));
      own_ids.Int(uses->Int(i, 1));
    }
  }
  if (!own.empty()) {
    Result<PgResult> r =
        db->Exec("SELECT " CT_PG_LINK_COLUMNS
                 " FROM links WHERE id = ANY($1::int8[]) AND account_id = $2::int8 "
                 "AND deleted_at IS NULL",
                 Params().Raw(own_ids.Take()).Int(account_id));
    if (!r.ok()) return r.status();
    std::vector<LinkRow> rows;
    CT_RETURN_IF_ERROR(ReadLinkRows(*r, &rows));
    for (const auto& [at, id] : own) {
      auto it =
          std::find_if(rows.begin(), rows.end(), [id](const LinkRow& l) { return l.id == id; });
      if (it == rows.end()) continue;
      out[at].state = SlugUse::State::kOwnLink;
      out[at].link = *it;
    }
  }
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return out;
}

Result<std::optional<LinkRow>> PostgresStore::GetLink(int64_t account_id, int64_t link_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  return ReadLink(c->get(), account_id, link_id, /*live_only=*/false);
}

Result<LinkPage> PostgresStore::ListLinks(int64_t account_id, const LinkFilter& filter,
                                          int64_t after_id, int limit) {
  LinkPage page;
  if (limit <= 0) return page;
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec("SELECT " CT_PG_LINK_COLUMNS R"sql(
    FROM links WHERE account_id = $1::int8 AND id > $2::int8 AND deleted_at IS NULL
      AND ($3 = '' OR EXISTS (SELECT 1 FROM link_tags t WHERE t.tag = $3 AND t.link_id = links.id))
      AND ($4 = '' OR group_name = $4)
      AND (NOT $5::bool OR domain = $6)
      AND kind = $8::int2
    ORDER BY id LIMIT $7::int8)sql",
                                  Params()
                                      .Int(account_id)
                                      .Int(after_id)
                                      .Text(filter.tag)
                                      .Text(filter.group)
                                      .Bool(filter.domain.has_value())
                                      .Text(filter.domain.value_or(""))
                                      .Int(static_cast<int64_t>(limit) + 1)
                                      .Int(static_cast<int64_t>(filter.kind)));
  if (!r.ok()) return r.status();
  CT_RETURN_IF_ERROR(ReadLinkRows(*r, &page.links));
  if (page.links.size() > static_cast<size_t>(limit)) {
    page.links.pop_back();
    page.next_after_id = page.links.back().id;
  }
  return page;
}

Result<std::optional<LinkRow>> PostgresStore::UpdateLink(int64_t account_id, int64_t link_id,
                                                         const LinkUpdate& update) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // Lock the row first: two updates of one link apply one after the other.
  Result<PgResult> lock = db->Exec(
      "SELECT 1 FROM links WHERE id = $1::int8 AND account_id = $2::int8 AND deleted_at IS NULL "
      "FOR UPDATE",
      Params().Int(link_id).Int(account_id));
  if (!lock.ok()) return lock.status();
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
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  row.version = *version;
  row.updated_at_us = clock_->NowMicros();
  Result<PgResult> r = db->Exec(R"sql(
    UPDATE links SET slug = $1, destination = $2, title = $3, group_name = $4, options_json = $5,
                     updated_at = $6::int8, version = $7::int8
    WHERE id = $8::int8 AND account_id = $9::int8)sql",
                                Params()
                                    .Text(row.slug)
                                    .Text(row.destination)
                                    .Text(row.title)
                                    .Text(row.group)
                                    .Text(EncodeLinkOptions(row.options))
                                    .Int(row.updated_at_us)
                                    .Int(row.version)
                                    .Int(link_id)
                                    .Int(account_id));
  if (!r.ok()) return SlugTaken(r.status());
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return std::optional<LinkRow>(std::move(row));
}

Result<bool> PostgresStore::DeleteLink(int64_t account_id, int64_t link_id) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  const int64_t now = clock_->NowMicros();
  Result<PgResult> r = db->Exec(R"sql(
    UPDATE links SET deleted_at = $1::int8, updated_at = $1::int8, version = $2::int8
    WHERE id = $3::int8 AND account_id = $4::int8 AND deleted_at IS NULL)sql",
                                Params().Int(now).Int(*version).Int(link_id).Int(account_id));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return false;  // the lease rolls the version back
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return true;
}

Result<LinkChanges> PostgresStore::LinksChangedSince(int64_t version) {
  Result<pg::Lease> c = pool_.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  // One snapshot: links, goals, domains and max_version agree with each other.
  LinkChanges changes;
  changes.max_version = version;
  Result<PgResult> links =
      db->Exec("SELECT " CT_PG_LINK_COLUMNS " FROM links WHERE version > $1::int8 ORDER BY version",
               Params().Int(version));
  if (!links.ok()) return links.status();
  CT_RETURN_IF_ERROR(ReadLinkRows(*links, &changes.links));
  if (!changes.links.empty()) changes.max_version = changes.links.back().version;
  Result<PgResult> goals =
      db->Exec("SELECT " CT_PG_GOAL_COLUMNS " FROM goals WHERE version > $1::int8 ORDER BY version",
               Params().Int(version));
  if (!goals.ok()) return goals.status();
  for (int i = 0; i < goals->rows(); ++i) {
    Result<GoalRow> goal = pg::ReadGoalRow(*goals, i);
    if (!goal.ok()) return goal.status();
    changes.max_version = std::max(changes.max_version, goal->version);
    changes.goals.push_back(std::move(*goal));
  }
  Result<PgResult> dv = db->Exec("SELECT COALESCE(MAX(version), 0) FROM domains");
  if (!dv.ok()) return dv.status();
  const int64_t domain_version = dv->Int(0, 0);
  changes.max_version = std::max(changes.max_version, domain_version);
  changes.domains_changed = version == 0 || domain_version > version;
  if (changes.domains_changed) {
    Result<PgResult> d = db->Exec(
        "SELECT id, account_id, host, created_at FROM domains WHERE deleted_at IS NULL "
        "ORDER BY id");
    if (!d.ok()) return d.status();
    for (int i = 0; i < d->rows(); ++i) {
      changes.domains.push_back({d->Int(i, 0), d->Int(i, 1), d->Str(i, 2), d->Int(i, 3)});
    }
  }
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return changes;
}

// ---- domains --------------------------------------------------------------------------------

Result<DomainRow> PostgresStore::CreateDomain(int64_t account_id, const std::string& host) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  DomainRow row{0, account_id, host, clock_->NowMicros()};
  Result<PgResult> r = db->Exec(
      "INSERT INTO domains (account_id, host, created_at, version) "
      "VALUES ($1::int8, $2, $3::int8, $4::int8) RETURNING id",
      Params().Int(account_id).Text(host).Int(row.created_at_us).Int(*version));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("domain " + host + " is already registered");
    }
    return r.status();
  }
  row.id = r->Int(0, 0);
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return row;
}

Result<std::vector<DomainRow>> PostgresStore::ListDomains(int64_t account_id) {
  Result<pg::Lease> c = pool_.Acquire();
  if (!c.ok()) return c.status();
  Result<PgResult> r = (*c)->Exec(
      "SELECT id, account_id, host, created_at FROM domains "
      "WHERE account_id = $1::int8 AND deleted_at IS NULL ORDER BY id",
      Params().Int(account_id));
  if (!r.ok()) return r.status();
  std::vector<DomainRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    out.push_back({r->Int(i, 0), r->Int(i, 1), r->Str(i, 2), r->Int(i, 3)});
  }
  return out;
}

Result<bool> PostgresStore::DeleteDomain(int64_t account_id, int64_t domain_id) {
  Result<pg::Lease> c = pool_.Begin();
  if (!c.ok()) return c.status();
  PgConn* db = c->get();
  Result<PgResult> find = db->Exec(
      "SELECT host FROM domains WHERE id = $1::int8 AND account_id = $2::int8 "
      "AND deleted_at IS NULL FOR UPDATE",
      Params().Int(domain_id).Int(account_id));
  if (!find.ok()) return find.status();
  if (find->rows() == 0) return false;
  const std::string host = find->Str(0, 0);
  Result<PgResult> live = db->Exec(
      "SELECT COUNT(*) FROM links WHERE domain = $1 AND account_id = $2::int8 "
      "AND deleted_at IS NULL",
      Params().Text(host).Int(account_id));
  if (!live.ok()) return live.status();
  if (live->Int(0, 0) > 0) {
    return Status::FailedPrecondition("domain " + host + " still has " +
                                      std::to_string(live->Int(0, 0)) + " live links");
  }
  Result<int64_t> version = NextVersion(db);
  if (!version.ok()) return version.status();
  Result<PgResult> del =
      db->Exec("UPDATE domains SET deleted_at = $1::int8, version = $2::int8 WHERE id = $3::int8",
               Params().Int(clock_->NowMicros()).Int(*version).Int(domain_id));
  if (!del.ok()) return del.status();
  CT_RETURN_IF_ERROR(db->Run("COMMIT"));
  return true;
}

}  // namespace ct
