// `clicktrail account create NAME [--data DIR | --config FILE]`: creates an account and prints
// its new API key as the only line on stdout. Works while a server runs on the same data (SQLite
// WAL + busy timeout). With --config and postgres.url set (distributed mode), on PostgreSQL.
#include <cstdio>
#include <filesystem>

#include "api/api_key.h"
#include "app/commands.h"
#include "app/distributed_options.h"
#include "app/flags.h"
#include "config/config.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail account create NAME [--data DIR | --config FILE]\n"
    "  Creates an account and prints its API key (shown once; only its hash is stored).\n"
    "  --data DIR     data directory of the server (default ./data)\n"
    "  --config FILE  a distributed-mode config: the account goes to postgres.url\n";

// The store the account goes to: PostgreSQL when the config names one, else the SQLite file
// under --data. exit 2 on a bad config, 1 when the store cannot be opened.
Result<std::unique_ptr<Store>> OpenTargetStore(const Flags& flags, int* exit_code) {
  *exit_code = 2;
  if (auto file = flags.Get("config")) {
    auto cfg = Config::Load(file, flags.sets);
    if (!cfg.ok()) return cfg.status();
    if (!cfg->Str("postgres.url").empty()) {
      auto pg = PostgresOptionsFrom(*cfg);
      if (!pg.ok()) return pg.status();
      *exit_code = 1;
      return OpenPostgresStore(*pg);
    }
  }
  std::string data = flags.Get("data").value_or("./data");
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  *exit_code = 1;
  if (ec) return Status::IoError("cannot create " + data + ": " + ec.message());
  SqliteStoreOptions opts;
  opts.path = data + "/clicktrail.db";
  opts.read_connections = 1;
  return OpenSqliteStore(opts);
}

}  // namespace

int AccountCommand(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 2, {"data", "config"});
  if (!flags.ok()) {
    std::fprintf(stderr, "clicktrail account: %s\n%s", flags.status().message().c_str(), kUsage);
    return 2;
  }
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags->positional.size() != 2 || flags->positional[0] != "create") {
    std::fprintf(stderr, "clicktrail account: expected 'create NAME'\n%s", kUsage);
    return 2;
  }
  const std::string& name = flags->positional[1];
  if (name.empty() || name.size() > 200) {
    std::fprintf(stderr, "clicktrail account: NAME must be 1 to 200 characters\n");
    return 2;
  }
  int exit_code = 1;
  auto store = OpenTargetStore(*flags, &exit_code);
  if (!store.ok()) {
    std::fprintf(stderr, "clicktrail account: %s\n", store.status().ToString().c_str());
    return exit_code;
  }
  api::NewApiKey key = api::GenerateApiKey();
  auto id = (*store)->CreateAccount({name, key.hash, key.prefix});
  if (!id.ok()) {
    std::fprintf(stderr, "clicktrail account: %s\n", id.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", key.key.c_str());
  return 0;
}

}  // namespace ct::app
