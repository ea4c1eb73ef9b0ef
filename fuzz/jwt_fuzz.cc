// Fuzzes the JWT layer: base64url codecs, ParseJwt, ExtractBearerToken, ParseCredentialsJson and
// the whole Authenticator::AuthenticateBearer over a fixed in-memory directory (account 100 with
// key "fuzz-key", child account 101). The seed corpus (jwt_corpus/) holds tokens signed by the
// private half of kFuzzPublicKey (not kept anywhere), valid at kFuzzNow, so the fuzzer starts from
// inputs that reach every check, including the success path.
//
// Besides "no crash, no sanitizer report", it checks invariants and traps when one breaks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/credentials.h"
#include "auth/fake_key_directory.h"
#include "auth/jwt.h"
#include "auth/key_cache.h"
#include "common/clock.h"
#include "common/encoding.h"

namespace {

using namespace voxsecrets;        // NOLINT: fuzz harness
using namespace voxsecrets::auth;  // NOLINT: fuzz harness

constexpr int64_t kFuzzNow = 1767225600;  // iat of the seed tokens
constexpr char kFuzzPublicKey[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzyMoY+Gq9M1E5yq90etY\n"
    "8KNowW3YQjx5p2WONCodhdR6ssJN9SG0xqrjhU74gQozxLnUxdDlg6vP+BbZFum9\n"
    "2uz86IjzjzboxXqD7mcfAaERIRQBYD1UGKevoJo+l6+Psan47PzJDf0HxfIQ5Trx\n"
    "69BwkTo67LKWQcHI+AryifFElEjiF/G/F2YwXbXwK15GAoupiRNlXbl0toDlKTz+\n"
    "P6Da3AmeZMgiChqzFL6rIt74NvNgIAINr8KE4HT7FUL2qYKkOLLP/oPr1NYmmP/E\n"
    "vWwu7+hYAO6nDQ25zsDe/PYeveAGNZ0eaZ5CMShj66ax7seax0HMpgr4OhHAHazL\n"
    "oQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

// Built once per process and never destroyed (libFuzzer calls the entry point millions of times).
struct Harness {
  Harness() : clock(kFuzzNow), auth(directory, cache, clock) {
    directory.AddAccount(100);
    directory.AddAccount(101, 100);
    directory.AddAccount(200);
    directory.AddKey({"fuzz-key", 100, kFuzzPublicKey, {1}, {}});
  }
  FakeClock clock;
  FakeKeyDirectory directory;
  KeyCache cache;
  Authenticator auth;
};

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* const harness = new Harness();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Codecs: whatever decodes must re-encode to the very same text (canonical decoding).
  if (std::optional<std::string> bytes = Base64UrlDecode(input)) {
    Check(Base64UrlEncode(*bytes) == input);
  }
  if (std::optional<std::string> bytes = Base64Decode(input)) {
    Check(Base64Encode(*bytes) == input);
  }

  std::string_view token = input;
  if (std::optional<std::string_view> bearer = ExtractBearerToken(input)) token = *bearer;

  Result<ParsedJwt> jwt = ParseJwt(token);
  if (jwt.ok()) {
    Check(token.size() <= kMaxJwtLength);
    Check(token.substr(0, jwt->signing_input.size()) == jwt->signing_input);
    Check(!jwt->kid.empty() && jwt->iss >= 1);
    Check(jwt->iat >= 0 && jwt->iat <= kMaxNumericDate);
    Check(jwt->exp >= 0 && jwt->exp <= kMaxNumericDate);
  } else {
    Check(jwt.status().code() == StatusCode::kTokenMalformed);
  }

  Result<Principal> principal = harness->auth.AuthenticateBearer(token);
  if (principal.ok()) {
    // Only a correctly signed token can get here; it must satisfy every rule.
    Check(jwt.ok() && jwt->alg == "RS256" && jwt->kid == "fuzz-key");
    Check(principal->account_id == 100 || principal->account_id == 101);
    Check(principal->key_account_id == 100);
    Check(jwt->exp - jwt->iat <= 3600 && jwt->iat <= kFuzzNow + 60 && jwt->exp > kFuzzNow);
  } else {
    const StatusCode code = principal.status().code();
    Check(code == StatusCode::kTokenMalformed || code == StatusCode::kUnauthenticated ||
          code == StatusCode::kTokenTtlTooLong || code == StatusCode::kTokenFromFuture ||
          code == StatusCode::kTokenExpired);
    Check((code == StatusCode::kTokenMalformed) == !jwt.ok());
  }

  Result<Credentials> credentials = ParseCredentialsJson(input);
  if (credentials.ok()) {
    Check(credentials->account_id >= 1 && !credentials->key_id.empty());
  } else {
    Check(credentials.status().code() == StatusCode::kInvalidArgument);
  }
  return 0;
}
