// `clicktrail config sample`: prints a configuration file with every key, its help and its
// default — the same table that validates a loaded file (config/config_keys.cc).
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
  if (argc == 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
    std::puts(
        "usage: clicktrail config sample\n  Prints a config file with every key at its default.");
    return 0;
  }
  std::fputs("usage: clicktrail config sample\n", stderr);
  return 2;
}

}  // namespace ct::app
