// AppScope: the applications a call may reach. A key may be limited to some applications of its
// account (docs/AUTH.md "Keys limited to applications"); the services answer an application
// outside the scope exactly like one that does not exist, and list only those inside it.
//
// A value type shared by the layers that see it: auth/ (the principal carries its key's scope),
// iam/ (the rules of limited keys), secrets/ (which applications a call finds) and api/.
// Thread-safety: a plain value.
#ifndef VOXSECRETS_COMMON_APP_SCOPE_H_
#define VOXSECRETS_COMMON_APP_SCOPE_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace voxsecrets {

struct AppScope {
  // nullopt: every application of the account (keys without a limit, legacy credentials).
  // Otherwise only these ids, sorted and unique; empty once every one of them was deleted.
  std::optional<std::vector<int64_t>> ids;

  static AppScope Every() { return AppScope{}; }
  // REQUIRES: nothing; `ids` is sorted and made unique here.
  static AppScope Only(std::vector<int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return AppScope{std::move(ids)};
  }

  bool limited() const { return ids.has_value(); }
  // True when application `id` is inside the scope.
  bool Reaches(int64_t id) const {
    return !ids.has_value() || std::binary_search(ids->begin(), ids->end(), id);
  }

  friend bool operator==(const AppScope&, const AppScope&) = default;
};

}  // namespace voxsecrets

#endif  // VOXSECRETS_COMMON_APP_SCOPE_H_
