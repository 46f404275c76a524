// clicktrail: one binary, its roles chosen by the first argument (../shared/API.md).
#include <cstdio>
#include <string_view>

#include "app/commands.h"

namespace {

constexpr char kUsage[] =
    "clicktrail - self-hosted link and conversion tracking\n\n"
    "usage: clicktrail COMMAND [options]\n\n"
    "commands:\n"
    "  serve                     run every role in one process (embedded SQLite + journal)\n"
    "  account create NAME       create an account; prints its API key\n"
    "  user create EMAIL         create a dashboard user (password on stdin); prints its id\n"
    "  journal check             verify the journal's segments (read-only)\n"
    "  config sample|check FILE  print a config with every key at its default; validate FILE\n"
    "  export-hits --out FILE    write raw hits to NDJSON or CSV (gzip if FILE ends .gz)\n"
    "  rebuild --from --to       recompute rollups from the raw hits (online, resumable)\n"
    "  reconcile                 per edge and hour: answered = journaled = committed?\n"
    "  import --format F FILE    import links from a Bitly, YOURLS, Shlink or Kutt export\n"
    "  edge|tracker|notifier|api one role of distributed mode (NATS JetStream + PostgreSQL)\n\n"
    "Run `clicktrail COMMAND --help` for the options of a command.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "serve") return ct::app::ServeCommand(argc, argv);
  if (cmd == "account") return ct::app::AccountCommand(argc, argv);
  if (cmd == "journal") return ct::app::JournalCommand(argc, argv);
  if (cmd == "config") return ct::app::ConfigCommand(argc, argv);
  if (cmd == "export-hits") return ct::app::ExportHitsCommand(argc, argv);
  if (cmd == "rebuild") return ct::app::RebuildCommand(argc, argv);
  if (cmd == "reconcile") return ct::app::ReconcileCommand(argc, argv);
  if (cmd == "import") return ct::app::ImportCommand(argc, argv);
  if (cmd == "user") return ct::app::UserCommand(argc, argv);
  if (cmd == "edge" || cmd == "tracker" || cmd == "notifier" || cmd == "api") {
    return ct::app::DistributedRoleCommand(argc, argv);
  }
  std::fprintf(stderr, "clicktrail: unknown command '%s'\n%s", argv[1], kUsage);
  return 2;
}
