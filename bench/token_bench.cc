// GetSecretValue through the real Dispatcher (SQLite store in a temporary directory, keyring,
// bearer authentication against the store) with a fresh token per request versus one reused
// token (docs/AUTH.md "The fast path"). Fresh tokens are minted before the timing, each distinct
// (iat differs) and each used once, so every request pays decode + RS256 verify; the reused
// token is verified once and then answered by the verified-token cache (still a store lookup of
// the key per request).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "auth/rs256.h"
#include "common/encoding.h"
#include "iam/roles.h"
#include "tests/testing/api_fixture.h"

namespace voxsecrets {
namespace {

constexpr int kFreshTokens = 2000;

struct Env {
  std::unique_ptr<api::ApiStack> stack;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> tokens;  // distinct, each valid for the whole run
};

Env& Shared() {
  static Env* const env = [] {
    auto* e = new Env();  // kept to the end of the process
    auto stack = api::ApiStack::Create();
    if (!stack.ok()) std::abort();
    e->stack = std::move(stack).value();
    auto account = e->stack->CreateAccount("bench");
    if (!account.ok()) std::abort();
    auto key = e->stack->CreateKey(account->id, {iam::kRoleDeveloper});
    auto app = e->stack->CreateApplication(account->id, "benchapp");
    if (!key.ok() || !app.ok()) std::abort();
    e->params = {{"application_id", std::to_string(*app)}, {"secret_name", "Token"}};
    auto added = e->stack->CallJson("AddSecret", {{"application_id", std::to_string(*app)},
                                                  {"secret_name", "Token"},
                                                  {"secret_value", std::string(64, 'v')},
                                                  {"account_id", std::to_string(account->id)},
                                                  {"api_key", account->api_key}});
    if (!added.contains("result")) std::abort();
    auto private_key =
        auth::ParseRsaPrivateKeyPem(api::SharedTestKeyPair(key->pair_index).private_key_pem.view());
    if (!private_key.ok()) std::abort();
    const int64_t now = e->stack->clock().NowSeconds();
    const std::string header =
        Base64UrlEncode(R"({"alg":"RS256","typ":"JWT","kid":")" + key->key_id + "\"}");
    for (int i = 0; i < kFreshTokens; ++i) {
      const std::string payload = Base64UrlEncode("{\"iss\":" + std::to_string(account->id) +
                                                  ",\"iat\":" + std::to_string(now - i) +
                                                  ",\"exp\":" + std::to_string(now + 600) + "}");
      auto signature = auth::SignRs256(private_key->get(), header + "." + payload);
      if (!signature.ok()) std::abort();
      e->tokens.push_back(header + "." + payload + "." + Base64UrlEncode(*signature));
    }
    return e;
  }();
  return *env;
}

bool Succeeded(const api::ApiResponse& response) {
  return response.body.rfind("{\"result\":", 0) == 0;
}

// Each fresh token is used once in the whole process (token 0 is the reused one), so this
// benchmark cannot be repeated (--benchmark_repetitions): later runs are skipped.
void BM_GetSecretValueFreshToken(benchmark::State& state) {
  Env& env = Shared();
  static size_t next = 1;
  if (next + static_cast<size_t>(state.max_iterations) > env.tokens.size()) {
    state.SkipWithError("no unused fresh tokens left (run without repetitions)");
    return;
  }
  size_t i = next;
  next += static_cast<size_t>(state.max_iterations);
  for (auto _ : state) {
    api::ApiResponse r = env.stack->Call("GetSecretValue", env.params, env.tokens[i++]);
    if (!Succeeded(r)) state.SkipWithError("GetSecretValue failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_GetSecretValueFreshToken)->Iterations(kFreshTokens - 1);

void BM_GetSecretValueReusedToken(benchmark::State& state) {
  Env& env = Shared();
  for (auto _ : state) {
    api::ApiResponse r = env.stack->Call("GetSecretValue", env.params, env.tokens[0]);
    if (!Succeeded(r)) state.SkipWithError("GetSecretValue failed");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_GetSecretValueReusedToken);

}  // namespace
}  // namespace voxsecrets

BENCHMARK_MAIN();
