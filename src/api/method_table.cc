#include "api/method_table.h"

#include <cassert>
#include <utility>

namespace voxsecrets::api {

void MethodTable::Add(std::string name, Access access, MethodHandler handler) {
  assert(handler && "a method needs a handler");
  const bool inserted =
      methods_.emplace(std::move(name), MethodSpec{access, std::move(handler)}).second;
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

}  // namespace voxsecrets::api
