// `clicktrail config sample`: prints a configuration file with every key, its help and its
// default — the same table that validates a loaded file (config/config_keys.cc).
// `clicktrail config check FILE`: loads FILE as every command would; exit 0 and "ok", or exit 2
// and the first problem (a deployment script can check a config before restarting a role).
#include <cstdio>
#include <string_view>

#include "app/commands.h"
#include "config/config.h"

namespace ct::app {

int ConfigCommand(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[2]) == "sample") {
    std::fputs(Config::SampleFile().c_str(), stdout);
    return 0;
  }
  if (argc == 4 && std::string_view(argv[2]) == "check") {
    auto cfg = Config::Load(std::string(argv[3]), {});
    if (!cfg.ok()) {
      std::fprintf(stderr, "clicktrail config check: %s\n", cfg.status().message().c_str());
      return 2;
    }
    std::puts("ok");
    return 0;
  }
  if (argc == 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
    std::puts(
        "usage: clicktrail config sample | check FILE\n"
        "  sample      prints a config file with every key at its default\n"
        "  check FILE  validates FILE (exit 2 and the first problem if it is not valid)");
    return 0;
  }
  std::fputs("usage: clicktrail config sample | check FILE\n", stderr);
  return 2;
}

}  // namespace ct::app
