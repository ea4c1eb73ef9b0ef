#include "api/method_table.h"

#include <cassert>
#include <utility>

namespace voxsecrets::api {
namespace {

[[maybe_unused]] bool IsMethodName(std::string_view name) {
  if (name.empty() || name[0] < 'A' || name[0] > 'Z') return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void MethodTable::Add(MethodSpec spec) {
  assert((spec.handler || spec.prepare) && "a method needs a handler");
  assert(IsMethodName(spec.name) && "method names are CamelCase identifiers");
  std::string name = spec.name;
  const bool inserted = methods_.emplace(std::move(name), std::move(spec)).second;
  assert(inserted && "method registered twice");
  (void)inserted;
}

const MethodSpec* MethodTable::Find(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodTable::Names() const {
  std::vector<std::string> names;
  names.reserve(methods_.size());
  for (const auto& [name, spec] : methods_) names.push_back(name);
  return names;
}

std::vector<const MethodSpec*> MethodTable::Specs() const {
  std::vector<const MethodSpec*> specs;
  specs.reserve(methods_.size());
  for (const auto& [name, spec] : methods_) specs.push_back(&spec);
  return specs;
}

std::vector<std::string> AllowedMethods(const MethodTable& table, const std::vector<int>& role_ids,
                                        const AppScope& scope) {
  std::vector<std::string> names;
  for (const MethodSpec* spec : table.Specs()) {
    if (spec->roles.Allows(role_ids) && iam::CheckReach(scope, spec->reach).ok()) {
      names.push_back(spec->name);
    }
  }
  return names;
}

std::string MethodsMarkdown(const MethodTable& table) {
  std::string out = "| method | access | roles | limited keys |\n|---|---|---|---|\n";
  for (const MethodSpec* spec : table.Specs()) {
    std::string roles;
    if (spec->roles.any_caller()) {
      roles = "any valid key";
    } else {
      for (int id : spec->roles.role_ids()) {
        if (!roles.empty()) roles += ", ";
        roles += std::string(iam::FindRoleById(id)->name);
      }
    }
    out += "| " + spec->name + " | " + (spec->access == Access::kWrite ? "write" : "read") + " | " +
           roles + " | " + std::string(iam::ReachForDocs(spec->reach)) + " |\n";
  }
  return out;
}

}  // namespace voxsecrets::api
