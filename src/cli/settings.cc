#include "cli/settings.h"

#include <cctype>

namespace voxsecrets::cli {
namespace {

std::string LongName(const CLI::Option* option) {
  const auto& names = option->get_lnames();
  return names.empty() ? std::string() : names.front();
}

ConfigType TypeOf(const CLI::Option* option) {
  if (option->get_expected_max() == 0) return ConfigType::kBoolean;  // a flag
  // "INT", or "INT:INT in [1 - 1000]" once a validator such as CLI::Range is attached.
  const std::string full = option->get_type_name();
  const std::string type = full.substr(0, full.find(':'));
  if (type == "INT" || type == "UINT") return ConfigType::kInteger;
  return ConfigType::kString;
}

std::string Sources(const std::string& name) {
  return "--" + name + " (on the command line, in " + EnvironmentName(name) + " or as " + name +
         " in the --config file)";
}

}  // namespace

std::string EnvironmentName(const std::string& long_name) {
  std::string out = "VOXSECRETS_";
  for (char c : long_name) {
    out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

void Settings::Attach(CLI::App& app, CLI::App* serve) {
  for (const CLI::Option* option : serve->get_options()) {
    const std::string name = LongName(option);
    if (name.empty() || name == "help") continue;
    keys_.push_back({name, TypeOf(option)});
  }
  Bind(serve, /*all_options=*/true);
  // Every other command with --data-dir, at any depth (`account create`, `keys status`, ...).
  std::vector<CLI::App*> pending = app.get_subcommands([](CLI::App*) { return true; });
  while (!pending.empty()) {
    CLI::App* command = pending.back();
    pending.pop_back();
    for (CLI::App* sub : command->get_subcommands([](CLI::App*) { return true; })) {
      pending.push_back(sub);
    }
    if (command != serve && command->get_option_no_throw("--data-dir") != nullptr) {
      Bind(command, /*all_options=*/false);
    }
  }
}

void Settings::Bind(CLI::App* command, bool all_options) {
  auto bound = std::make_unique<Bound>();
  bound->command = command;
  for (CLI::Option* option : command->get_options()) {
    const std::string name = LongName(option);
    if (name.empty() || name == "help") continue;
    bool known = false;
    for (const ConfigKey& key : keys_) known = known || key.name == name;
    if (!all_options && !known) continue;
    option->envname(EnvironmentName(name));
    bound->settable.push_back(option);
    if (option->get_required()) {
      option->required(false);  // checked by Apply(), once every source has had its say
      bound->required.push_back(option);
    }
  }
  bound->config = command->add_option(
      "--config", bound->config_path,
      "TOML config file; keys are serve's long option names (data-dir = \"...\"). Precedence: "
      "command line > VOXSECRETS_<OPTION> environment > this file > defaults");
  bound->config->envname("VOXSECRETS_CONFIG");
  bound_.push_back(std::move(bound));
}

Status Settings::Apply() const {
  for (const auto& bound : bound_) {
    if (!bound->command->parsed()) continue;
    if (bound->config->count() > 0) {
      VS_ASSIGN_OR_RETURN(ConfigFile file, ConfigFile::Load(bound->config_path, keys_));
      for (CLI::Option* option : bound->settable) {
        if (option->count() > 0) continue;  // the command line or the environment set it
        const std::string name = LongName(option);
        const ConfigEntry* entry = file.Find(name);
        if (entry == nullptr) continue;
        try {
          option->add_result(entry->value);
          option->run_callback();
        } catch (const CLI::Error& e) {
          return Status(StatusCode::kInvalidArgument, file.source_name() + ":" +
                                                          std::to_string(entry->line) + ": key '" +
                                                          name + "': " + e.what());
        }
      }
    }
    for (const CLI::Option* option : bound->required) {
      if (option->count() == 0) {
        return Status(StatusCode::kInvalidArgument, Sources(LongName(option)) + " is required");
      }
    }
  }
  return Status::Ok();
}

}  // namespace voxsecrets::cli
