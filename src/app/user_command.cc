// `clicktrail user create EMAIL --account ID [--role owner|editor|viewer] [--data DIR |
// --config FILE]`: creates a dashboard user in an account, reading the password from the first
// line of stdin (never from argv, which other users of the machine can see), and prints the
// new user's id. Works while a server runs on the same data (SQLite WAL + busy timeout). With
// --config and postgres.url set (distributed mode), the user goes to PostgreSQL.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "api/role_policy.h"
#include "api/session_handler.h"
#include "api/user_password.h"
#include "app/commands.h"
#include "app/distributed_options.h"
#include "app/flags.h"
#include "config/config.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail user create EMAIL --account ID [--role owner|editor|viewer]\n"
    "                              [--data DIR | --config FILE]\n"
    "  Creates a dashboard user; the password (10 to 128 characters) is the first line of\n"
    "  stdin. Prints the user's id.\n"
    "  --account ID   the account (as printed by the API: GET /api/v1/account)\n"
    "  --role R       owner (default), editor or viewer\n"
    "  --data DIR     data directory of the server (default ./data)\n"
    "  --config FILE  the server's configuration file (its data_dir; in distributed mode,\n"
    "                 its postgres.url)\n";

int Fail(const std::string& msg, int code = 1) {
  std::fprintf(stderr, "clicktrail user: %s\n", msg.c_str());
  return code;
}

}  // namespace

int UserCommand(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 2, {"account", "role", "data", "config"});
  if (!flags.ok()) return Fail(flags.status().message() + "\n" + kUsage, 2);
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags->positional.size() != 2 || flags->positional[0] != "create") {
    return Fail(std::string("expected 'create EMAIL'\n") + kUsage, 2);
  }
  auto email = api::NormalizeEmail(flags->positional[1]);
  if (!email.ok()) return Fail(email.status().message(), 2);
  int64_t account_id = 0;
  try {
    size_t used = 0;
    const std::string a = flags->Get("account").value_or("");
    account_id = std::stoll(a, &used);
    if (used != a.size() || account_id <= 0) throw std::invalid_argument(a);
  } catch (const std::exception&) {
    return Fail("--account must be a positive account id", 2);
  }
  const std::string role = flags->Get("role").value_or("owner");
  if (!api::ParseRole(role)) return Fail("--role must be owner, editor or viewer", 2);
  if (flags->Get("data") && flags->Get("config")) {
    return Fail("give --data or --config, not both", 2);
  }
  std::string data = flags->Get("data").value_or("./data");
  std::optional<PostgresOptions> postgres;
  if (auto file = flags->Get("config")) {
    auto config = Config::Load(file, {});
    if (!config.ok()) return Fail(config.status().message(), 2);
    data = config->Str("data_dir");
    if (!config->Str("postgres.url").empty()) {
      auto pg = PostgresOptionsFrom(*config);
      if (!pg.ok()) return Fail(pg.status().message(), 2);
      postgres = *pg;
    }
  }

  std::string password;
  if (!std::getline(std::cin, password)) return Fail("no password on stdin", 2);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (Status s = api::CheckPasswordLength(password); !s.ok()) return Fail(s.message(), 2);
  auto hash = api::HashUserPassword(password);
  if (!hash.ok()) return Fail(hash.status().ToString());

  Result<std::unique_ptr<Store>> store = Status::Internal("no store");
  if (postgres) {
    postgres->pool_size = 1;
    store = OpenPostgresStore(*postgres);
  } else {
    SqliteStoreOptions opts;
    opts.path = data + "/clicktrail.db";
    opts.read_connections = 1;
    store = OpenSqliteStore(opts);
  }
  if (!store.ok()) return Fail(store.status().ToString());
  auto user = (*store)->CreateUser({account_id, *email, role, *hash});
  if (!user.ok()) {
    if (user.status().code() == StatusCode::kAlreadyExists) return Fail("email taken");
    if (user.status().code() == StatusCode::kNotFound) return Fail("no such account");
    return Fail(user.status().ToString());
  }
  std::printf("%lld\n", static_cast<long long>(user->id));
  return 0;
}

}  // namespace ct::app
