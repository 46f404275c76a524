#include "config/config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ct {
namespace {

const ConfigKey* FindKey(std::string_view name) {
  for (const auto& k : ConfigKeys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view TypeName(ConfigType t) {
  switch (t) {
    case ConfigType::kInt:
      return "integer";
    case ConfigType::kString:
      return "string";
    case ConfigType::kBool:
      return "true|false";
    case ConfigType::kEnum:
      return "one of";
    case ConfigType::kHostPort:
      return "host:port";
  }
  return "?";
}

std::string Allowed(const ConfigKey& k) {
  switch (k.type) {
    case ConfigType::kInt:
      return "an integer from " + std::to_string(k.min) + " to " + std::to_string(k.max);
    case ConfigType::kEnum: {
      std::string s = "one of ";
      for (size_t i = 0; i < k.choices.size(); ++i) {
        if (i) s += "|";
        s += k.choices[i];
      }
      return s;
    }
    case ConfigType::kBool:
      return "true or false";
    case ConfigType::kHostPort:
      return "HOST:PORT with a port from 0 to 65535 (0: any free port)";
    case ConfigType::kString:
      return "a string";
  }
  return "";
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view value) {
  size_t colon = value.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("expected HOST:PORT");
  }
  std::string_view host = value.substr(0, colon), port = value.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p < 0 || p > 65535) {
    return Status::InvalidArgument("expected HOST:PORT with a port from 0 to 65535");
  }
  return std::make_pair(std::string(host), static_cast<uint16_t>(p));
}

Status ValidateConfigValue(const ConfigKey& k, std::string_view v) {
  auto bad = [&] {
    return Status::InvalidArgument("config key '" + std::string(k.name) + "' = '" + std::string(v) +
                                   "': must be " + Allowed(k));
  };
  switch (k.type) {
    case ConfigType::kInt: {
      int64_t n = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) return bad();
      if (n < k.min || n > k.max) return bad();
      return Status::Ok();
    }
    case ConfigType::kBool:
      return (v == "true" || v == "false") ? Status::Ok() : bad();
    case ConfigType::kEnum:
      for (auto c : k.choices) {
        if (c == v) return Status::Ok();
      }
      return bad();
    case ConfigType::kHostPort:
      return ParseHostPort(v).ok() ? Status::Ok() : bad();
    case ConfigType::kString:
      for (char c : v) {
        if (static_cast<unsigned char>(c) < 0x20) return bad();
      }
      return Status::Ok();
  }
  return bad();
}

Config Config::Defaults() {
  Config c;
  for (const auto& k : ConfigKeys()) c.values_[std::string(k.name)] = std::string(k.default_value);
  return c;
}

Result<Config> Config::Load(const std::optional<std::string>& file,
                            const std::vector<std::pair<std::string, std::string>>& overrides) {
  Config c = Defaults();
  auto set = [&](const std::string& key, std::string_view value,
                 const std::string& where) -> Status {
    const ConfigKey* k = FindKey(key);
    if (k == nullptr) {
      return Status::InvalidArgument(where + "unknown config key '" + key +
                                     "' (clicktrail serve --help lists them)");
    }
    Status s = ValidateConfigValue(*k, value);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
    c.values_[key] = std::string(value);
    return Status::Ok();
  };
  if (file) {
    std::ifstream in(*file);
    if (!in) return Status::InvalidArgument("cannot read config file '" + *file + "'");
    std::string line, section;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      std::string where = *file + ":" + std::to_string(lineno) + ": ";
      std::string_view l = Trim(line);
      if (l.empty() || l.front() == '#') continue;
      if (l.front() == '[') {
        if (l.back() != ']' || l.size() < 3) {
          return Status::InvalidArgument(where + "malformed section header");
        }
        section = std::string(Trim(l.substr(1, l.size() - 2)));
        continue;
      }
      size_t eq = l.find('=');
      if (eq == std::string_view::npos) {
        return Status::InvalidArgument(where + "expected 'key = value'");
      }
      std::string key(Trim(l.substr(0, eq)));
      std::string_view value = Trim(l.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (!section.empty()) key = section + "." + key;
      CT_RETURN_IF_ERROR(set(key, value, where));
    }
  }
  for (const auto& [key, value] : overrides) CT_RETURN_IF_ERROR(set(key, value, ""));
  return c;
}

int64_t Config::Int(std::string_view key) const {
  const std::string& v = Str(key);
  int64_t n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

const std::string& Config::Str(std::string_view key) const {
  auto it = values_.find(key);
  // Keys are compile-time names from the table; a miss is a typo in the code.
  if (it == values_.end()) std::abort();
  return it->second;
}

bool Config::Bool(std::string_view key) const { return Str(key) == "true"; }

std::pair<std::string, uint16_t> Config::HostPort(std::string_view key) const {
  return *ParseHostPort(Str(key));
}

std::string Config::HelpText() {
  std::ostringstream out;
  for (const auto& k : ConfigKeys()) {
    out << "  " << k.name << " (" << TypeName(k.type);
    if (k.type == ConfigType::kEnum || k.type == ConfigType::kInt) out << " " << Allowed(k);
    out << "; default '" << k.default_value << "')\n      " << k.help << "\n";
  }
  return out.str();
}

std::string Config::SampleFile() {
  std::ostringstream out;
  out << "# clicktrail configuration. Every key, at its default. Keys may also be grouped:\n"
         "# [journal] followed by `durability = strict` sets journal.durability.\n\n";
  for (const auto& k : ConfigKeys()) {
    out << "# " << k.help << "\n# Allowed: " << Allowed(k) << ".\n"
        << k.name << " = " << k.default_value << "\n\n";
  }
  return out.str();
}

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> out;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == value.npos ? std::string_view() : value.substr(comma + 1);
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != item.npos) out.emplace_back(item.substr(b, e - b + 1));
  }
  return out;
}

}  // namespace ct
