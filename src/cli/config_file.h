// ConfigFile: the TOML configuration file of `voxsecrets serve --config FILE` (and of the admin
// commands, which read the same file to find the same data dir and store).
//
// The file is flat: each key is the long name of a command-line option without the dashes
// (`data-dir = "/var/lib/voxsecrets"`, `listen = "0.0.0.0:8443"`, `threads = 4`,
// `plain-http = true`). No tables. A value has the TOML type of its option: a string for an
// option taking text, an integer for a number, a boolean for a flag.
//
// Refused, each with the file name, line and key: TOML syntax errors, keys no command knows
// (typos must not be ignored silently), values of the wrong type, and a key given twice (TOML
// itself refuses that).
//
// Thread-safety: an immutable value after Load/Parse. No I/O after Load.
#ifndef VOXSECRETS_CLI_CONFIG_FILE_H_
#define VOXSECRETS_CLI_CONFIG_FILE_H_

#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace voxsecrets::cli {

enum class ConfigType { kString, kInteger, kBoolean };

// One key the file may hold.
struct ConfigKey {
  std::string name;  // "data-dir"
  ConfigType type = ConfigType::kString;
};

struct ConfigEntry {
  std::string value;  // as the command line would spell it: text, "42", "true"/"false"
  int line = 0;       // where the key is in the file (1-based)
};

class ConfigFile {
 public:
  // Reads and parses `path`. kInvalidArgument for an unreadable file and for every refusal above;
  // the message starts with "FILE:LINE:" when there is a line to point at.
  static Result<ConfigFile> Load(const std::string& path, std::span<const ConfigKey> known);
  // The same on text in memory; `source_name` stands for the file name in messages.
  static Result<ConfigFile> Parse(std::string_view text, const std::string& source_name,
                                  std::span<const ConfigKey> known);

  // The entry for `key`, or nullptr when the file does not set it.
  const ConfigEntry* Find(std::string_view key) const;
  const std::string& source_name() const { return source_name_; }
  const std::map<std::string, ConfigEntry, std::less<>>& entries() const { return entries_; }

 private:
  std::string source_name_;
  std::map<std::string, ConfigEntry, std::less<>> entries_;
};

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_CONFIG_FILE_H_
