// `clicktrail account create NAME [--data DIR]`: creates an account and prints its new API key
// as the only line on stdout. Works while a server runs on the same data (SQLite WAL + busy
// timeout).
#include <cstdio>
#include <filesystem>

#include "api/api_key.h"
#include "app/commands.h"
#include "app/flags.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail account create NAME [--data DIR]\n"
    "  Creates an account and prints its API key (shown once; only its hash is stored).\n"
    "  --data DIR   data directory of the server (default ./data)\n";

}  // namespace

int AccountCommand(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 2, {"data"});
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
  std::string data = flags->Get("data").value_or("./data");
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) {
    std::fprintf(stderr, "clicktrail account: cannot create %s: %s\n", data.c_str(),
                 ec.message().c_str());
    return 1;
  }
  SqliteStoreOptions opts;
  opts.path = data + "/clicktrail.db";
  opts.read_connections = 1;
  auto store = OpenSqliteStore(opts);
  if (!store.ok()) {
    std::fprintf(stderr, "clicktrail account: %s\n", store.status().ToString().c_str());
    return 1;
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
