#include "app/flags.h"

namespace ct::app {

Result<Flags> ParseFlags(int argc, char** argv, int first, const std::set<std::string>& allowed,
                         const std::set<std::string>& switches) {
  Flags f;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      f.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      f.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    size_t eq = name.find('=');
    bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (switches.count(name)) {
      if (inline_value) return Status::InvalidArgument("flag --" + name + " takes no value");
      f.switches.insert(name);
      continue;
    }
    if (name != "set" && !allowed.count(name)) {
      return Status::InvalidArgument("unknown flag --" + name);
    }
    if (!inline_value) {
      if (i + 1 >= argc) return Status::InvalidArgument("flag --" + name + " needs a value");
      value = argv[++i];
    }
    if (name == "set") {
      size_t e = value.find('=');
      if (e == std::string::npos || e == 0) {
        return Status::InvalidArgument("--set needs KEY=VALUE, got '" + value + "'");
      }
      f.sets.emplace_back(value.substr(0, e), value.substr(e + 1));
    } else {
      f.values[name] = value;
    }
  }
  return f;
}

}  // namespace ct::app
