// `clicktrail import --format bitly|yourls|shlink|kutt FILE --account ID|KEY [--data DIR |
// --config FILE] [--domain HOST] [--dry-run]`: brings the links (and their click totals) of
// another shortener's export into an account, all in one transaction (import/importer.h).
// Works while a server runs on the same data, like `account create`; the server's edge picks
// the new links up on its next poll.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/api_key.h"
#include "api/destination.h"
#include "api/link_fields.h"
#include "app/commands.h"
#include "app/flags.h"
#include "config/config.h"
#include "import/import_summary.h"
#include "import/importer.h"
#include "import/progress_bar.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail import --format bitly|yourls|shlink|kutt FILE --account ID|API_KEY\n"
    "                         [--data DIR | --config FILE] [--domain HOST] [--dry-run]\n"
    "  Imports the links of another shortener's export (and their click totals, kept as\n"
    "  imported_total) into an account, in one transaction. Importing again creates nothing\n"
    "  new. Rows that cannot be imported are skipped and listed with the reason.\n"
    "  --format F      bitly (CSV), yourls (SQL dump or CSV), shlink (CSV), kutt (API JSON)\n"
    "  --account A     the account's id, or one of its API keys (ct_...)\n"
    "  --domain HOST   put the links on this custom domain of the account (default: the\n"
    "                  default domain); the export's own domains are not used\n"
    "  --data DIR      data directory of the server (default ./data; key data_dir)\n"
    "  --config FILE   read data_dir and links.blocked_hosts from this configuration\n"
    "  --dry-run       check and match everything, create nothing\n"
    "  FILE may be - for standard input.\n"
    "Exit status: 0 the file was processed (even with skipped rows), 1 the write failed\n"
    "(nothing was imported), 2 bad usage or an unreadable file.\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "clicktrail import: %s\n%s", why.c_str(), kUsage);
  return 2;
}

Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IoError("cannot read " + path);
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > import::kMaxExportBytes) {
      return Status::InvalidArgument(path + " is larger than " +
                                     std::to_string(import::kMaxExportBytes >> 20) + " MiB");
    }
    buf << in.rdbuf();
    if (in.bad()) return Status::IoError("reading " + path + " failed");
  }
  return buf.str();
}

// The account named by --account: an id, or an API key of it (as the API authenticates).
Result<int64_t> ResolveAccount(Store* store, const std::string& arg) {
  if (arg.rfind(api::kApiKeyPrefix, 0) == 0) {
    if (!api::ApiKeyWellFormed(arg)) return Status::InvalidArgument("malformed API key");
    auto info = store->FindApiKey(api::HashApiKey(arg));
    if (!info.ok()) return info.status();
    if (!info->has_value() || (*info)->revoked) {
      return Status::NotFound("no account has this API key (or it was revoked)");
    }
    return (*info)->account_id;
  }
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), id);
  if (ec != std::errc() || ptr != arg.data() + arg.size() || id <= 0) {
    return Status::InvalidArgument("--account must be an account id or an API key");
  }
  auto exists = store->AccountExists(id);
  if (!exists.ok()) return exists.status();
  if (!*exists) return Status::NotFound("no account " + arg);
  return id;
}

}  // namespace

int ImportCommand(int argc, char** argv) {
  // --dry-run takes no value; ParseFlags only knows flags with one.
  std::vector<char*> args;
  bool dry_run = false;
  for (int i = 0; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--dry-run") {
      dry_run = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  auto flags = ParseFlags(static_cast<int>(args.size()), args.data(), 2,
                          {"format", "account", "data", "config", "domain"});
  if (!flags.ok()) return Usage(flags.status().message());
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags->positional.size() != 1) return Usage("expected one FILE");
  auto format_name = flags->Get("format");
  if (!format_name) return Usage("--format is required");
  auto format = import::ParseFormatName(*format_name);
  if (!format) return Usage("unknown format '" + *format_name + "'");
  auto account_arg = flags->Get("account");
  if (!account_arg) return Usage("--account is required");

  std::vector<std::pair<std::string, std::string>> overrides = flags->sets;
  if (auto d = flags->Get("data")) overrides.emplace_back("data_dir", *d);
  auto config = Config::Load(flags->Get("config"), overrides);
  if (!config.ok()) return Usage(config.status().message());
  const std::string db_path = config->Str("data_dir") + "/clicktrail.db";
  if (!std::filesystem::exists(db_path)) {
    return Usage("no clicktrail data in " + config->Str("data_dir") +
                 " (create the account first: clicktrail account create NAME)");
  }

  // Read and parse before touching the store: a file we cannot read changes nothing.
  const std::string& file = flags->positional[0];
  auto text = ReadInput(file);
  if (!text.ok()) return Usage(text.status().message());
  auto parsed = import::ParseExport(*format, *text);
  if (!parsed.ok()) {
    std::fprintf(stderr, "clicktrail import: %s: %s\n", file.c_str(),
                 parsed.status().message().c_str());
    return 2;
  }

  SqliteStoreOptions opts;
  opts.path = db_path;
  opts.read_connections = 1;
  auto store = OpenSqliteStore(opts);
  if (!store.ok()) {
    std::fprintf(stderr, "clicktrail import: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto account = ResolveAccount(store->get(), *account_arg);
  if (!account.ok()) {
    if (account.status().code() == StatusCode::kInvalidArgument ||
        account.status().code() == StatusCode::kNotFound) {
      return Usage(account.status().message());
    }
    std::fprintf(stderr, "clicktrail import: %s\n", account.status().ToString().c_str());
    return 1;
  }

  import::ImportOptions options;
  options.account_id = *account;
  options.format = *format;
  options.dry_run = dry_run;
  options.blocked_hosts = api::ParseBlockedHosts(config->Str("links.blocked_hosts"));
  if (auto d = flags->Get("domain"); d && !d->empty()) {
    auto host = api::NormalizeHost(*d);
    if (!host.ok()) return Usage("--domain: " + host.status().message());
    auto domains = (*store)->ListDomains(*account);
    if (!domains.ok()) {
      std::fprintf(stderr, "clicktrail import: %s\n", domains.status().ToString().c_str());
      return 1;
    }
    if (std::none_of(domains->begin(), domains->end(),
                     [&](const DomainRow& r) { return r.host == *host; })) {
      return Usage("--domain: " + *host + " is not a domain of account " +
                   std::to_string(*account));
    }
    options.domain = *host;
  }

  import::ProgressBar progress(stderr, isatty(STDERR_FILENO) != 0);
  import::ImportOutcome outcome = import::RunImport(store->get(), options, *parsed, &progress);
  std::printf("clicktrail import: %s export %s into account %lld, %s%s\n",
              std::string(import::FormatName(*format)).c_str(), file.c_str(),
              static_cast<long long>(*account),
              options.domain.empty() ? "default domain" : ("domain " + options.domain).c_str(),
              dry_run ? " (dry run: nothing written)" : "");
  std::fputs(import::FormatSummary(outcome.summary, dry_run).c_str(), stdout);
  std::fflush(stdout);
  if (!outcome.status.ok()) {
    std::fprintf(stderr, "clicktrail import: nothing was imported: %s\n",
                 outcome.status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace ct::app
