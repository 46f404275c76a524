// `clicktrail journal check [--data DIR]`: reads every journal segment without changing
// anything and reports records, torn tails and corruption; exit 1 if anything is corrupt.
#include <cstdio>

#include "app/commands.h"
#include "app/flags.h"
#include "journal/check.h"
#include "journal/file_env.h"

namespace ct::app {
namespace {

constexpr char kUsage[] =
    "usage: clicktrail journal check [--data DIR]\n"
    "  Verifies the journal under DIR/journal (read-only). Exit 0 if clean, 1 if corrupt.\n";

}  // namespace

int JournalCommand(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 2, {"data"});
  if (!flags.ok()) {
    std::fprintf(stderr, "clicktrail journal: %s\n%s", flags.status().message().c_str(), kUsage);
    return 2;
  }
  if (flags->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags->positional.size() != 1 || flags->positional[0] != "check") {
    std::fprintf(stderr, "clicktrail journal: expected 'check'\n%s", kUsage);
    return 2;
  }
  std::string dir = flags->Get("data").value_or("./data") + "/journal";
  auto report = journal::CheckJournal(dir, journal::FileEnv::Posix());
  if (!report.ok()) {
    std::fprintf(stderr, "clicktrail journal check: %s\n", report.status().ToString().c_str());
    return 1;
  }
  std::fputs(journal::FormatCheckReport(*report).c_str(), stdout);
  return report->clean() ? 0 : 1;
}

}  // namespace ct::app
