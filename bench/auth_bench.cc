// Benchmarks of the authentication hot path (docs/AUTH.md "The fast path"): RS256 verification
// against a cached EVP_PKEY versus parsing the PEM on every call (what libjwt / cpp-jwt do), JWT
// decoding, a key cache hit, and the whole Authenticator::AuthenticateBearer over an in-memory
// directory (the directory costs nothing here, so this is the auth layer's own cost; the store
// adds its own).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/credentials.h"
#include "auth/fake_key_directory.h"
#include "auth/jwt.h"
#include "auth/key_cache.h"
#include "auth/rs256.h"
#include "common/clock.h"
#include "common/encoding.h"

namespace voxsecrets::auth {
namespace {

constexpr int64_t kParent = 100;
constexpr int64_t kChild = 101;

struct Fixture {
  Fixture() {
    Result<KeyPair> generated = GenerateRsaKeyPair();
    if (!generated.ok()) std::abort();
    pair = std::move(generated).value();
    Result<EvpPkeyPtr> parsed = ParseRsaPublicKeyPem(pair.public_key_pem);
    if (!parsed.ok()) std::abort();
    public_key = std::move(parsed).value();
    directory.AddAccount(kParent);
    directory.AddAccount(kChild, kParent);
    directory.AddKey({"bench-key", kParent, pair.public_key_pem, {1}, {}});
    token = Sign(kParent);
    child_token = Sign(kChild);
    Result<ParsedJwt> jwt = ParseJwt(token);
    if (!jwt.ok()) std::abort();
    signing_input = jwt->signing_input;
    signature = jwt->signature;
  }
  std::string Sign(int64_t iss) const {
    const int64_t now = clock.NowSeconds();
    Result<std::string> t = SignJwt(pair.private_key_pem.view(), "bench-key", iss, now, now + 60);
    if (!t.ok()) std::abort();
    return std::move(t).value();
  }

  FakeClock clock;
  KeyPair pair;
  EvpPkeyPtr public_key;
  FakeKeyDirectory directory;
  KeyCache cache;
  Authenticator auth{directory, cache, clock};
  std::string token;
  std::string child_token;
  std::string signing_input;
  std::string signature;
};

Fixture& Shared() {
  static Fixture* const fixture = new Fixture();  // built once, never destroyed
  return *fixture;
}

void BM_Rs256VerifyCachedKey(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    bool ok = VerifyRs256(f.public_key.get(), f.signing_input, f.signature);
    if (!ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Rs256VerifyCachedKey)->ThreadRange(1, 2)->UseRealTime();

void BM_Rs256ParsePemAndVerify(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    Result<EvpPkeyPtr> key = ParseRsaPublicKeyPem(f.pair.public_key_pem);
    bool ok = key.ok() && VerifyRs256(key->get(), f.signing_input, f.signature);
    if (!ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Rs256ParsePemAndVerify);

void BM_ParseJwt(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    Result<ParsedJwt> jwt = ParseJwt(f.token);
    benchmark::DoNotOptimize(jwt);
  }
}
BENCHMARK(BM_ParseJwt);

void BM_KeyCacheHit(benchmark::State& state) {
  Fixture& f = Shared();
  KeyCache cache;
  if (!cache.Get("bench-key", f.pair.public_key_pem).ok()) std::abort();
  for (auto _ : state) {
    Result<SharedPublicKey> key = cache.Get("bench-key", f.pair.public_key_pem);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_KeyCacheHit)->ThreadRange(1, 2)->UseRealTime();

// A reused token: the verified-token cache answers; still a directory lookup, the key identity
// check, the issuer and the time rules (token_cache.h).
void BM_AuthenticateBearer(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    Result<Principal> p = f.auth.AuthenticateBearer(f.token);
    if (!p.ok()) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateBearer)->ThreadRange(1, 2)->UseRealTime();

// Same with iss naming a child account (one more directory lookup).
void BM_AuthenticateBearerChild(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    Result<Principal> p = f.auth.AuthenticateBearer(f.child_token);
    if (!p.ok()) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateBearerChild);

// A forged token (bad signature): the cost an attacker can impose per request.
void BM_AuthenticateBearerForged(benchmark::State& state) {
  Fixture& f = Shared();
  std::string forged = f.token;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  for (auto _ : state) {
    Result<Principal> p = f.auth.AuthenticateBearer(forged);
    if (p.ok()) state.SkipWithError("forged token accepted");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateBearerForged);

// Fresh token per request versus a reused one (docs/AUTH.md "The fast path"). Fresh tokens are
// minted before the timing (each distinct: iat differs), each authenticated once by an
// Authenticator with its token cache on (every call a miss: decode, verify, insert).
constexpr int kFreshTokens = 2000;

const std::vector<std::string>& FreshTokens() {
  static const std::vector<std::string>* const tokens = [] {
    Fixture& f = Shared();
    Result<EvpPkeyPtr> key = ParseRsaPrivateKeyPem(f.pair.private_key_pem.view());
    if (!key.ok()) std::abort();
    auto* out = new std::vector<std::string>();
    const int64_t now = f.clock.NowSeconds();
    const std::string header = Base64UrlEncode(R"({"alg":"RS256","typ":"JWT","kid":"bench-key"})");
    for (int i = 0; i < kFreshTokens; ++i) {
      const std::string payload = Base64UrlEncode("{\"iss\":" + std::to_string(kParent) +
                                                  ",\"iat\":" + std::to_string(now - i) +
                                                  ",\"exp\":" + std::to_string(now + 60) + "}");
      Result<std::string> signature = SignRs256(key->get(), header + "." + payload);
      if (!signature.ok()) std::abort();
      out->push_back(header + "." + payload + "." + Base64UrlEncode(*signature));
    }
    return out;
  }();
  return *tokens;
}

void BM_AuthenticateFreshToken(benchmark::State& state) {
  Fixture& f = Shared();
  const std::vector<std::string>& tokens = FreshTokens();
  Authenticator auth(f.directory, f.cache, f.clock);  // an empty token cache for this run
  size_t i = 0;
  for (auto _ : state) {
    Result<Principal> p = auth.AuthenticateBearer(tokens[i++ % tokens.size()]);
    if (!p.ok()) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateFreshToken)->Iterations(kFreshTokens);

void BM_AuthenticateReusedToken(benchmark::State& state) {
  Fixture& f = Shared();
  Authenticator auth(f.directory, f.cache, f.clock);
  const std::string& token = FreshTokens().front();
  for (auto _ : state) {
    Result<Principal> p = auth.AuthenticateBearer(token);
    if (!p.ok()) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateReusedToken);

// The same reused token with the cache off: what every request cost before the cache.
void BM_AuthenticateReusedTokenNoCache(benchmark::State& state) {
  Fixture& f = Shared();
  Authenticator auth(f.directory, f.cache, f.clock, /*token_cache_entries=*/0);
  const std::string& token = FreshTokens().front();
  for (auto _ : state) {
    Result<Principal> p = auth.AuthenticateBearer(token);
    if (!p.ok()) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateReusedTokenNoCache);

}  // namespace
}  // namespace voxsecrets::auth

BENCHMARK_MAIN();
