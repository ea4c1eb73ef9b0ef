#include "api/read_hint.h"

#include <optional>
#include <string>
#include <string_view>

#include "api/params.h"

namespace voxsecrets::api {

store::ReadHint ReadHintFor(Prefetch what, const ApiRequest& request,
                            const auth::Authenticator& authenticator) {
  store::ReadHint hint;
  if (what == Prefetch::kNothing) return hint;
  const Params& params = request.params;
  std::optional<int64_t> account_id;
  if (!request.bearer_token.empty()) {
    if (const auth::VerifiedTokenCache* tokens = authenticator.token_cache()) {
      if (std::optional<auth::VerifiedToken> token = tokens->Find(request.bearer_token)) {
        account_id = token->iss;
      }
    }
  } else if (std::optional<std::string_view> legacy = params.Get("account_id")) {
    account_id = ParseInt64(*legacy);
  }
  if (!account_id.has_value() || *account_id <= 0) return hint;

  if (std::optional<std::string_view> id = params.Get("application_id")) {
    hint.application_id = ParseInt64(*id);
    if (!hint.application_id.has_value()) return hint;
  } else if (std::optional<std::string_view> name = params.Get("application_name");
             name.has_value() && !name->empty() && name->find('.') == std::string_view::npos) {
    hint.application_name = std::string(*name);
  } else {
    return hint;
  }
  hint.account_id = *account_id;
  if (what != Prefetch::kSecret && what != Prefetch::kSecretValue) return hint;
  hint.complete = what == Prefetch::kSecretValue && !params.Get("version").has_value();
  if (std::optional<std::string_view> id = params.Get("secret_id")) {
    hint.secret_id = ParseInt64(*id);
  } else if (std::optional<std::string_view> name = params.Get("secret_name")) {
    hint.secret_name = std::string(*name);
  }
  return hint;
}

}  // namespace voxsecrets::api
