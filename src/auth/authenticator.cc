#include "auth/authenticator.h"

#include <memory>
#include <optional>
#include <utility>

#include "auth/api_key_hash.h"
#include "auth/jwt.h"
#include "auth/rs256.h"
#include "common/secure_bytes.h"
#include "iam/roles.h"

namespace voxsecrets::auth {
namespace {

Status Unauthenticated() { return Status(StatusCode::kUnauthenticated, "Authorization failed."); }

}  // namespace

Authenticator::Authenticator(KeyDirectory& directory, KeyCache& keys, const Clock& clock,
                             size_t token_cache_entries)
    : directory_(&directory),
      keys_(keys),
      clock_(clock),
      tokens_(token_cache_entries > 0 ? std::make_unique<VerifiedTokenCache>(token_cache_entries)
                                      : nullptr) {}

Authenticator::Authenticator(KeyCache& keys, const Clock& clock, size_t token_cache_entries)
    : directory_(nullptr),
      keys_(keys),
      clock_(clock),
      tokens_(token_cache_entries > 0 ? std::make_unique<VerifiedTokenCache>(token_cache_entries)
                                      : nullptr) {}

Result<Principal> Authenticator::AuthenticateBearer(std::string_view token) const {
  if (directory_ == nullptr) return InternalError("auth: no key directory");
  return AuthenticateBearer(token, *directory_);
}

Result<Principal> Authenticator::AuthenticateLegacy(int64_t account_id,
                                                    std::string_view api_key) const {
  if (directory_ == nullptr) return InternalError("auth: no key directory");
  return AuthenticateLegacy(account_id, api_key, *directory_);
}

Result<Principal> Authenticator::AuthenticateBearer(std::string_view token,
                                                    KeyDirectory& directory) const {
  // Fast path: these very bytes were verified before (see the header for what is re-checked).
  if (tokens_ != nullptr) {
    if (std::optional<VerifiedToken> hit = tokens_->Find(token)) {
      VS_ASSIGN_OR_RETURN(std::optional<KeyInfo> key, directory.FindKey(hit->kid));
      if (!key) {
        tokens_->Erase(token);
        return Unauthenticated();
      }
      Result<SharedPublicKey> current = keys_.Get(key->key_id, key->public_key_pem);
      if (current.ok() && *current == hit->key) {
        Result<Principal> principal =
            Finish(directory, hit->iss, hit->iat, hit->exp, std::move(*key));
        if (!principal.ok() && principal.status().code() == StatusCode::kTokenExpired) {
          tokens_->Erase(token);
        }
        return principal;
      }
      // The directory's key for this kid is not the one that verified the token: start over.
      tokens_->Erase(token);
    }
  }

  // 1. Decoding.
  VS_ASSIGN_OR_RETURN(ParsedJwt jwt, ParseJwt(token));

  // 2. Algorithm, key, signature, issuer.
  if (jwt.alg != "RS256" || jwt.has_crit) return Unauthenticated();
  VS_ASSIGN_OR_RETURN(std::optional<KeyInfo> key, directory.FindKey(jwt.kid));
  if (!key) return Unauthenticated();
  Result<SharedPublicKey> public_key = keys_.Get(key->key_id, key->public_key_pem);
  if (!public_key.ok()) {
    return Status(StatusCode::kDataLoss, "A stored key cannot be used.");
  }
  if (!VerifyRs256(public_key->get(), jwt.signing_input, jwt.signature)) {
    return Unauthenticated();
  }
  VS_ASSIGN_OR_RETURN(Principal principal,
                      Finish(directory, jwt.iss, jwt.iat, jwt.exp, std::move(*key)));
  if (tokens_ != nullptr) {
    tokens_->Insert(token, VerifiedToken{std::move(jwt.kid), jwt.iss, jwt.iat, jwt.exp,
                                         std::move(public_key).value()});
  }
  return principal;
}

Result<Principal> Authenticator::Finish(KeyDirectory& directory, int64_t iss, int64_t iat,
                                        int64_t exp, KeyInfo key) const {
  VS_RETURN_IF_ERROR(CheckIssuer(directory, iss, key.account_id));

  // 3-5. Time. All values are within 0..2^53 (jwt.h), so nothing here can overflow.
  const int64_t now = clock_.NowSeconds();
  if (exp - iat > kMaxTokenTtlSeconds) {
    return Status(StatusCode::kTokenTtlTooLong,
                  "The token lifetime (exp - iat) exceeds 3600 seconds.");
  }
  if (iat > now + kMaxClockSkewSeconds) {
    return Status(StatusCode::kTokenFromFuture, "The token is issued in the future.");
  }
  if (exp <= now) return Status(StatusCode::kTokenExpired, "The token has expired.");

  Principal principal;
  principal.account_id = iss;
  principal.key_account_id = key.account_id;
  principal.kind = CredentialKind::kServiceKey;
  principal.key_id = std::move(key.key_id);
  principal.role_ids = std::move(key.role_ids);
  principal.application_scope = std::move(key.application_scope);
  return principal;
}

Status Authenticator::CheckIssuer(KeyDirectory& directory, int64_t iss,
                                  int64_t key_account_id) const {
  if (iss == key_account_id) return Status::Ok();
  VS_ASSIGN_OR_RETURN(AccountLink link, directory.FindAccount(iss));
  if (!link.exists || link.parent_id != key_account_id) return Unauthenticated();
  return Status::Ok();
}

Result<Principal> Authenticator::AuthenticateLegacy(int64_t account_id, std::string_view api_key,
                                                    KeyDirectory& directory) const {
  if (account_id < 1 || api_key.empty()) return Unauthenticated();
  VS_ASSIGN_OR_RETURN(std::string hash, HashApiKey(api_key));
  VS_ASSIGN_OR_RETURN(std::optional<std::string> stored, directory.FindApiKeyHash(account_id));
  if (!stored || stored->empty() || !ConstantTimeEquals(hash, *stored)) return Unauthenticated();

  Principal principal;
  principal.account_id = account_id;
  principal.key_account_id = account_id;
  principal.kind = CredentialKind::kLegacyApiKey;
  principal.role_ids = iam::AllRoleIds();
  return principal;
}

}  // namespace voxsecrets::auth
