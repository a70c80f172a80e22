#include "native/flags.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "native/exit_status.h"

namespace edgepiece::cli {

Result<Flags> Flags::Parse(int argc, char** argv, const std::vector<std::string>& value_flags,
                           const std::vector<std::string>& switches) {
  auto contains = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  Flags flags;
  bool only_positional = false;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (!only_positional && arg == "-h") {
      flags.help_ = true;
      continue;
    }
    // -o is short for --output in the commands that have it.
    if (!only_positional && arg == "-o" && contains(value_flags, "output")) arg = "--output";
    if (only_positional || arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      flags.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help") {
      flags.help_ = true;
      continue;
    }
    std::string name = arg.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (contains(switches, name)) {
      if (inline_value) return UsageError("--" + name + " takes no value");
      flags.values_[name] = "1";
    } else if (contains(value_flags, name)) {
      if (!inline_value) {
        if (i + 1 >= argc) return UsageError("--" + name + " needs a value");
        value = argv[++i];
      }
      flags.values_[name] = value;
    } else {
      return UsageError("unknown flag --" + name + " (see --help)");
    }
  }
  return flags;
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

Status Flags::GetDouble(const std::string& name, double fallback, double* out) const {
  *out = fallback;
  if (!Has(name)) return Status::Ok();
  const std::string text = Get(name);
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0) {
    return UsageError("--" + name + " expects a number, got \"" + text + "\"");
  }
  *out = value;
  return Status::Ok();
}

Status Flags::GetUint32(const std::string& name, uint32_t fallback, uint32_t* out) const {
  *out = fallback;
  if (!Has(name)) return Status::Ok();
  const std::string text = Get(name);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0 || value > UINT32_MAX) {
    return UsageError("--" + name + " expects an integer in [0, 4294967295], got \"" + text + "\"");
  }
  *out = static_cast<uint32_t>(value);
  return Status::Ok();
}

}  // namespace edgepiece::cli
