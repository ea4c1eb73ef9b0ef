// Fuzz target for the credentials.json parser (auth::ParseCredentialsJson): the file an operator
// or a CI system hands to the CLI, and what CreateKey returns. Besides "never crash", it checks:
//   * a failure is kInvalidArgument naming the member at fault, with a short message;
//   * a success has account_id >= 1, a non-empty key_id and a private key with a PEM armour;
//   * what BuildCredentialsJson makes of a success parses back to the same credentials (when its
//     text members are UTF-8, which BuildCredentialsJson requires).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/credentials.h"
#include "common/utf8.h"

namespace {

using voxsecrets::StatusCode;
using voxsecrets::Utf8CodePoints;
using voxsecrets::auth::BuildCredentialsJson;
using voxsecrets::auth::Credentials;
using voxsecrets::auth::ParseCredentialsJson;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseCredentialsJson(text);
  if (!parsed.ok()) {
    Check(parsed.status().code() == StatusCode::kInvalidArgument);
    Check(!parsed.status().field_name().empty());
    Check(parsed.status().message().size() < 200);
    return 0;
  }
  const Credentials& c = *parsed;
  Check(c.account_id >= 1);
  Check(!c.key_id.empty());
  const std::string_view pem = c.private_key_pem.view();
  Check(pem.find("-----BEGIN ") != std::string_view::npos);
  Check(pem.find("PRIVATE KEY-----") != std::string_view::npos);

  auto built = BuildCredentialsJson(c);
  if (!Utf8CodePoints(c.account_email) || !Utf8CodePoints(c.key_id)) return 0;
  Check(built.ok());
  auto again = ParseCredentialsJson(built->view());
  Check(again.ok());
  Check(again->account_id == c.account_id);
  Check(again->account_email == c.account_email);
  Check(again->key_id == c.key_id);
  Check(again->private_key_pem.view() == pem);
  return 0;
}
