// Authenticator: turns an API credential into a Principal (docs/DECISIONS.md "Authorization",
// "Tokens" and "Order of checks").
//
// Bearer tokens (AuthenticateBearer), checked in this order; the first failure is the answer:
//   1. ParseJwt (jwt.h)                                            → kTokenMalformed   (447)
//   2. `alg` is not "RS256" (e.g. "none", "HS256"), or a `crit`
//      header is present; unknown or deleted `kid`; bad signature;
//      `iss` is neither the key's account nor a direct child of it
//      (an account whose parent_id is the key's account; one level
//      only; a parent can not be reached with a child's key), or
//      names no existing account                                    → kUnauthenticated  (100)
//   3. exp − iat > 3600                                             → kTokenTtlTooLong  (454)
//   4. iat > now + 60 (60 s of clock skew allowed)                  → kTokenFromFuture  (455)
//   5. exp ≤ now (RFC 7519 §4.1.4: not accepted on or after exp;
//      a token whose exp equals the current second is expired)     → kTokenExpired     (456)
// A token may be used any number of times until it expires (no jti / replay check).
// Fast path for reused tokens: a token that passed every check is remembered in a
// VerifiedTokenCache (token_cache.h); when the very same token text comes again, decoding and
// the signature check are skipped, but the key is still looked up in the directory (a deleted key
// → 100 at once; the current roles are the ones used), it must still be the key that verified the
// signature (else the token is verified from scratch), and the issuer and steps 3-5 are checked
// again. The answers are therefore the same with or without the cache, only faster.
// Every kUnauthenticated has the same message, "Authorization failed.", whichever check failed.
// The signature is checked before any account lookup, so forged tokens cost no account queries.
// On success: account_id = iss, key_account_id = the key's account, key_id = kid,
// role_ids = the key's roles, kind = kServiceKey.
//
// Legacy credentials (AuthenticateLegacy): account_id + api_key; the api_key's SHA-256 hex is
// compared in constant time with the stored hash. An unknown account, an account without an
// api_key, a wrong or empty api_key → kUnauthenticated. On success the principal holds every role.
//
// Directory failures (non-OK Results, e.g. kUnavailable) are returned unchanged. A stored public
// key that does not parse → kDataLoss (a corrupt record, not the caller's fault).
// No method logs, and no Status carries the token, the api_key or key material.
//
// The directory: each method takes the KeyDirectory to ask, so that a caller can answer from the
// transaction of the call being authenticated (api/tx_key_directory.h: the lookups and the method
// share one snapshot). The overloads without one use the directory given at construction.
//
// Thread-safety: methods are const and may be called concurrently (KeyDirectory, KeyCache and Clock
// are thread-safe by contract; a directory passed to one call is used by that call only).
// Lifetimes: `directory`, `keys` and `clock` are not owned and must outlive the Authenticator; it
// owns its verified-token cache.
#ifndef VOXSECRETS_AUTH_AUTHENTICATOR_H_
#define VOXSECRETS_AUTH_AUTHENTICATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "auth/key_cache.h"
#include "auth/key_directory.h"
#include "auth/principal.h"
#include "auth/token_cache.h"
#include "common/clock.h"
#include "common/status.h"

namespace voxsecrets::auth {

class Authenticator {
 public:
  static constexpr int64_t kMaxTokenTtlSeconds = 3600;
  static constexpr int64_t kMaxClockSkewSeconds = 60;

  // `token_cache_entries`: bound of the verified-token cache; 0 turns the cache off.
  Authenticator(KeyDirectory& directory, KeyCache& keys, const Clock& clock,
                size_t token_cache_entries = VerifiedTokenCache::kDefaultMaxEntries);
  // Without a default directory: only the overloads that take one may be used (the others
  // return kInternal).
  Authenticator(KeyCache& keys, const Clock& clock,
                size_t token_cache_entries = VerifiedTokenCache::kDefaultMaxEntries);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // `token` is the JWT itself, without "Bearer " (see jwt.h ExtractBearerToken).
  Result<Principal> AuthenticateBearer(std::string_view token, KeyDirectory& directory) const;
  Result<Principal> AuthenticateBearer(std::string_view token) const;

  Result<Principal> AuthenticateLegacy(int64_t account_id, std::string_view api_key,
                                       KeyDirectory& directory) const;
  Result<Principal> AuthenticateLegacy(int64_t account_id, std::string_view api_key) const;

  // nullptr when the cache is off. For tests, metrics, and the prefetch hint of a call
  // (api/read_hint.h: the `iss` of a cached token names the account a call will act as; a hint
  // only, it proves nothing).
  const VerifiedTokenCache* token_cache() const { return tokens_.get(); }

 private:
  // The issuer check and steps 3-5 for a token whose signature `key` verified; the principal.
  Result<Principal> Finish(KeyDirectory& directory, int64_t iss, int64_t iat, int64_t exp,
                           KeyInfo key) const;
  // Step 2 for `iss`: OK when the key of `key_account_id` may act as account `iss`.
  Status CheckIssuer(KeyDirectory& directory, int64_t iss, int64_t key_account_id) const;

  KeyDirectory* const directory_;  // nullptr: none by default
  KeyCache& keys_;
  const Clock& clock_;
  const std::unique_ptr<VerifiedTokenCache> tokens_;  // nullptr: off
};

}  // namespace voxsecrets::auth

#endif  // VOXSECRETS_AUTH_AUTHENTICATOR_H_
