#include "cli/token_command.h"

#include <fstream>
#include <iterator>

#include "auth/credentials.h"
#include "common/secure_bytes.h"

namespace voxsecrets::cli {

Result<std::string> MakeToken(const TokenOptions& options, const Clock& clock) {
  if (options.ttl_seconds < 1 || options.ttl_seconds > 3600) {
    return Status(StatusCode::kOutOfRange, "--ttl must be between 1 and 3600 seconds");
  }
  std::ifstream in(options.credentials_path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kInvalidArgument, "cannot read " + options.credentials_path);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  SecureBytes guard = SecureBytes::FromView(text);
  SecureWipe(text.data(), text.size());
  auto creds = auth::ParseCredentialsJson(guard.view());
  if (!creds.ok()) {
    return Status(creds.status().code(),
                  options.credentials_path + ": " + creds.status().message());
  }
  const int64_t now = clock.NowSeconds();
  const int64_t iss = options.account_id != 0 ? options.account_id : creds->account_id;
  return auth::SignJwt(creds->private_key_pem.view(), creds->key_id, iss, now,
                       now + options.ttl_seconds);
}

}  // namespace voxsecrets::cli
