// Command-line flags of the subcommands: `--name VALUE`, `--name=VALUE`, repeatable `--set
// KEY=VALUE`, and positional arguments. Unknown flags are errors (exit 2, one-line reason).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ct::app {

struct Flags {
  std::map<std::string, std::string> values;              // --name VALUE
  std::vector<std::pair<std::string, std::string>> sets;  // --set KEY=VALUE, in order
  std::vector<std::string> positional;
  bool help = false;
  std::set<std::string> switches;  // --name flags without a value that were given

  std::optional<std::string> Get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

// Parses argv[first..]; `allowed` lists the flags that take a value (without "--"), `switches`
// those that take none.
Result<Flags> ParseFlags(int argc, char** argv, int first, const std::set<std::string>& allowed,
                         const std::set<std::string>& switches = {});

}  // namespace ct::app
