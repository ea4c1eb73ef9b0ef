#include "cli/config_file.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace voxsecrets::cli {
namespace {

const char* TypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInteger:
      return "an integer";
    case ConfigType::kBoolean:
      return "a boolean (true or false)";
  }
  return "?";
}

std::string Where(const std::string& source_name, int line) {
  return line > 0 ? source_name + ":" + std::to_string(line) + ": " : source_name + ": ";
}

Status Refuse(const std::string& source_name, int line, const std::string& what) {
  return Status(StatusCode::kInvalidArgument, Where(source_name, line) + what);
}

}  // namespace

Result<ConfigFile> ConfigFile::Load(const std::string& path, std::span<const ConfigKey> known) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kInvalidArgument, "cannot read the config file " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status(StatusCode::kInvalidArgument, "cannot read the config file " + path);
  return Parse(text.str(), path, known);
}

Result<ConfigFile> ConfigFile::Parse(std::string_view text, const std::string& source_name,
                                     std::span<const ConfigKey> known) {
  toml::table table;
  try {
    table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return Refuse(source_name, static_cast<int>(e.source().begin.line),
                  "invalid TOML: " + std::string(e.description()));
  }
  ConfigFile out;
  out.source_name_ = source_name;
  for (auto&& [key, node] : table) {
    const int line = static_cast<int>(key.source().begin.line);
    const std::string name(key.str());
    const ConfigKey* spec = nullptr;
    for (const ConfigKey& k : known) {
      if (k.name == name) spec = &k;
    }
    if (spec == nullptr) {
      const bool section = node.is_table();
      return Refuse(source_name, line,
                    (section ? "unknown section '" : "unknown key '") + name +
                        "' (keys are the long option names of `voxsecrets serve`, e.g. "
                        "data-dir, listen, store; no sections)");
    }
    ConfigEntry entry;
    entry.line = line;
    bool ok = false;
    switch (spec->type) {
      case ConfigType::kString:
        if (auto v = node.value<std::string>(); v && node.is_string()) {
          if (v->find('\0') != std::string::npos) {
            return Refuse(source_name, line, "key '" + name + "' must not contain NUL");
          }
          entry.value = *v;
          ok = true;
        }
        break;
      case ConfigType::kInteger:
        if (auto v = node.value<int64_t>(); v && node.is_integer()) {
          entry.value = std::to_string(*v);
          ok = true;
        }
        break;
      case ConfigType::kBoolean:
        if (auto v = node.value<bool>(); v && node.is_boolean()) {
          entry.value = *v ? "true" : "false";
          ok = true;
        }
        break;
    }
    if (!ok) {
      return Refuse(source_name, line, "key '" + name + "' must be " + TypeName(spec->type));
    }
    out.entries_.emplace(name, std::move(entry));
  }
  return out;
}

const ConfigEntry* ConfigFile::Find(std::string_view key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace voxsecrets::cli
