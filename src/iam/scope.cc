#include "iam/scope.h"

namespace voxsecrets::iam {

std::string_view ReachForDocs(Reach reach) {
  switch (reach) {
    case Reach::kApplications:
      return "its applications";
    case Reach::kAccount:
      return "no";
    case Reach::kNothing:
      break;
  }
  return "yes";
}

Status CheckReach(const AppScope& scope, Reach reach) {
  if (!scope.limited()) return Status::Ok();
  if (scope.ids->empty()) {
    return Status(StatusCode::kPermissionDenied,
                  "Forbidden command: every application this key was limited to has been deleted; "
                  "give it applications with UpdateKey or delete it.");
  }
  if (reach == Reach::kAccount) {
    return Status(StatusCode::kPermissionDenied,
                  "Forbidden command: this key is limited to some applications and the method "
                  "works on the whole account.");
  }
  return Status::Ok();
}

}  // namespace voxsecrets::iam
