// `voxsecrets token`: prints a bearer JWT made from a credentials.json, as Voximplant's clients
// make them (RS256, kid = key_id, iss = account_id or a child account, iat = now).
#ifndef VOXSECRETS_CLI_TOKEN_COMMAND_H_
#define VOXSECRETS_CLI_TOKEN_COMMAND_H_

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace voxsecrets::cli {

struct TokenOptions {
  std::string credentials_path;
  int64_t ttl_seconds = 600;  // 1..3600
  int64_t account_id = 0;     // 0 = the credentials' account; else a child account to act as
};

// The token, or an error naming the problem (never the key).
Result<std::string> MakeToken(const TokenOptions& options, const Clock& clock);

}  // namespace voxsecrets::cli

#endif  // VOXSECRETS_CLI_TOKEN_COMMAND_H_
