// Benchmarks of the encryption-at-rest core: sealing and opening value records (AES-256-GCM with
// the record header and associated data) for the value sizes the API allows, plus the costs of a
// data key cache miss (unwrap) and of a locked key page.
//
// Value sizes: 16 B, 256 B, 1 KiB, 8 KiB and 32 KiB (8192 code points of 4 bytes, the largest
// value the API accepts).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "crypto/aead.h"
#include "crypto/data_key_wrap.h"
#include "crypto/locked_key.h"
#include "crypto/master_key.h"
#include "crypto/openssl_random.h"
#include "crypto/value_record.h"

namespace voxsecrets::crypto {
namespace {

struct Fixture {
  Fixture() {
    auto a = Aes256Gcm::Create();
    if (!a.ok()) std::abort();
    aead = std::move(a).value();
    auto k = GenerateMasterKey(random);
    if (!k.ok()) std::abort();
    dek = std::move(k).value();
  }
  OpenSslRandom random;
  Aes256GcmPtr aead;
  LockedKey dek = std::move(LockedKey::Allocate()).value();
  const ValueContext ctx{1001, 2002, 3003};
};

void SizeArgs(benchmark::internal::Benchmark* b) {
  for (int size : {16, 256, 1024, 8192, 32768}) b->Arg(size);
}

void BM_SealValue(benchmark::State& state) {
  Fixture f;
  const std::string plain(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    auto sealed = SealValueRecord(*f.aead, f.dek.bytes(), 1, f.random, f.ctx, plain);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_SealValue)->Apply(SizeArgs);

void BM_OpenValue(benchmark::State& state) {
  Fixture f;
  const std::string plain(static_cast<size_t>(state.range(0)), 'x');
  auto sealed = SealValueRecord(*f.aead, f.dek.bytes(), 1, f.random, f.ctx, plain);
  if (!sealed.ok()) std::abort();
  for (auto _ : state) {
    auto opened = OpenValueRecord(*f.aead, f.dek.bytes(), f.ctx, *sealed);
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_OpenValue)->Apply(SizeArgs);

// Sealing from several threads at once (one shared Aes256Gcm, as in the server).
BENCHMARK(BM_SealValue)->Arg(1024)->Threads(2);

// A data key cache miss: unwrap a stored data key into a fresh locked page.
void BM_UnwrapDataKey(benchmark::State& state) {
  Fixture f;
  store::DataKeyRecord record;
  record.application_id = 7;
  record.version = 1;
  record.master_key_version = 1;
  auto wrapped = WrapDataKey(*f.aead, f.dek, 1, f.random, 7, 1, std::string(16, 'i'), f.dek);
  if (!wrapped.ok()) std::abort();
  record.wrapped_key = *wrapped;
  for (auto _ : state) {
    auto key = UnwrapDataKey(*f.aead, f.dek, 1, record);
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_UnwrapDataKey);

void BM_LockedKeyAllocate(benchmark::State& state) {
  for (auto _ : state) {
    auto key = LockedKey::Allocate();
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_LockedKeyAllocate);

}  // namespace
}  // namespace voxsecrets::crypto
