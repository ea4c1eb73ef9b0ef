// fill_secrets: fills one application of a voxsecrets data dir with N secrets, quickly, for the
// scale cases of scripts/bench (GetSecrets at a million secrets). Bench-only; not installed.
//
//   fill_secrets --data-dir DIR [--store URL] --application NAME --count N [--batch B]
//
// Opens the data as `serve` does (server::OpenData: the store and the master key of DIR),
// creates the application in the first account when it does not exist, and adds secrets through
// secrets::SecretService::Add — the real rules and real sealing, so GetSecretValue opens them —
// in write transactions of B secrets (default 5000), without the API, HTTP and audit records.
// May run beside a serving node (SQLite's WAL lets it write beside the server).
//
// Names: "f" + 8 characters [a-z0-9] of a hash of the index + "x" + the index in base 36, so
// they are unique and a 6-character piece of the hashed part matches about one secret in a
// million (what the bench's name search looks for). Prints "filled N secrets into application
// ID in S s (R/s)" and, with --print-name I, the name of secret I.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "crypto/openssl_random.h"
#include "secrets/application_service.h"
#include "secrets/secret_service.h"
#include "server/data_dir.h"

namespace {

using voxsecrets::Result;
using voxsecrets::Status;
namespace store = voxsecrets::store;
namespace secrets = voxsecrets::secrets;

uint64_t Mix(uint64_t x) {  // splitmix64: a fixed, well-spread hash of the index
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Base36(uint64_t v, size_t min_digits) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[v % 36]);
    v /= 36;
  } while (v != 0 || out.size() < min_digits);
  return out;
}

std::string SecretName(uint64_t index) {
  return "f" + Base36(Mix(index), 8).substr(0, 8) + "x" + Base36(index, 1);
}

int Usage() {
  std::fprintf(stderr,
               "usage: fill_secrets --data-dir DIR [--store URL] --application NAME --count N "
               "[--batch B]\n       fill_secrets --print-name I\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  voxsecrets::server::DataOptions data;
  std::string application;
  int64_t count = -1;
  int64_t batch = 5000;
  // Options come in pairs: --name value.
  for (int i = 1; i < argc; i += 2) {
    const std::string_view arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (value == nullptr) return Usage();
    if (arg == "--data-dir") {
      data.data_dir = value;
    } else if (arg == "--store") {
      data.store_url = value;
    } else if (arg == "--application") {
      application = value;
    } else if (arg == "--count") {
      count = std::strtoll(value, nullptr, 10);
    } else if (arg == "--batch") {
      batch = std::strtoll(value, nullptr, 10);
    } else if (arg == "--print-name") {
      std::printf("%s\n", SecretName(std::strtoull(value, nullptr, 10)).c_str());
      return 0;
    } else {
      return Usage();
    }
  }
  if (data.data_dir.empty() || application.empty() || count < 0 || batch < 1) return Usage();

  voxsecrets::SystemClock clock;
  voxsecrets::crypto::OpenSslRandom random;
  Result<voxsecrets::server::OpenedData> opened = voxsecrets::server::OpenData(data, random, clock);
  if (!opened.ok()) {
    std::fprintf(stderr, "fill_secrets: %s\n", opened.status().message().c_str());
    return 1;
  }
  store::Store& db = *opened->store;
  secrets::ApplicationService applications(clock);
  secrets::SecretService service(*opened->keyring, clock);

  store::ApplicationRecord app;
  Status status = db.Write([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(std::vector<store::AccountRecord> accounts, tx.accounts().List());
    if (accounts.empty()) return voxsecrets::NotFound("the data dir has no account yet");
    const int64_t account_id = accounts.front().id;
    VS_ASSIGN_OR_RETURN(std::optional<store::ApplicationRecord> found,
                        tx.applications().FindByName(account_id, application));
    if (!found.has_value()) {
      secrets::NewApplication fresh;
      fresh.name = application;
      VS_ASSIGN_OR_RETURN(found, applications.Add(tx, account_id, fresh));
    }
    app = *found;
    return Status::Ok();
  });
  if (!status.ok()) {
    std::fprintf(stderr, "fill_secrets: %s\n", status.message().c_str());
    return 1;
  }

  const auto started = std::chrono::steady_clock::now();
  for (int64_t done = 0; done < count;) {
    const int64_t n = std::min(batch, count - done);
    status = db.Write([&](store::Tx& tx) -> Status {
      for (int64_t i = done; i < done + n; ++i) {
        const std::string name = SecretName(static_cast<uint64_t>(i));
        const std::string value = "fill value " + std::to_string(i);
        secrets::NewSecret secret;
        secret.name = name;
        secret.value = value;
        VS_RETURN_IF_ERROR(service.Add(tx, app, secret).status());
      }
      return Status::Ok();
    });
    if (!status.ok()) {
      std::fprintf(stderr, "fill_secrets: after %lld secrets: %s\n", static_cast<long long>(done),
                   status.message().c_str());
      return 1;
    }
    done += n;
    if (done % 100000 == 0 || done == count) {
      std::fprintf(stderr, "fill_secrets: %lld\n", static_cast<long long>(done));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("filled %lld secrets into application %lld in %.1f s (%.0f/s)\n",
              static_cast<long long>(count), static_cast<long long>(app.id), seconds,
              seconds > 0 ? static_cast<double>(count) / seconds : 0.0);
  return 0;
}
