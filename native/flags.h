// The command line of one subcommand: --name value / --name=value options,
// boolean --switches and positional arguments.
#ifndef EDGEPIECE_NATIVE_FLAGS_H_
#define EDGEPIECE_NATIVE_FLAGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/base/status.h"

namespace edgepiece::cli {

// Parsed flags of one subcommand; errors are usage errors (exit_status.h).
class Flags {
 public:
  // `value_flags` take a value; `switches` do not; -h and --help set help().
  // An unknown flag is a usage error.
  static Result<Flags> Parse(int argc, char** argv, const std::vector<std::string>& value_flags,
                             const std::vector<std::string>& switches);
  // True when --name was given.
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The value of --name, or `fallback` when it was not given.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  // Arguments that are not flags, in order.
  const std::vector<std::string>& positional() const { return positional_; }
  // True when -h or --help was given.
  bool help() const { return help_; }

  // Typed getters: *out is `fallback` when --name is absent; a bad value is
  // a usage error.
  Status GetDouble(const std::string& name, double fallback, double* out) const;
  // As GetDouble, for an integer in [0, 2^32).
  Status GetUint32(const std::string& name, uint32_t fallback, uint32_t* out) const;

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace edgepiece::cli

#endif  // EDGEPIECE_NATIVE_FLAGS_H_
