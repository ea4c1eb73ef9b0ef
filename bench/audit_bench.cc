// The cost of the audit trail (docs/AUDIT.md "Performance").
//
//  BM_Dispatch: AddSecret and GetSecretValue through the real Dispatcher (SQLite store in a
//    temporary directory, WAL + synchronous=FULL, keyring, legacy credentials), with auditing
//    off, on with group commit (the default), and on without group commit (one transaction, one
//    fsync per read record). Threads 1, 8 and 32: group commit pays off when reads are
//    concurrent.
//  BM_AppendDurable: the audit writer alone, grouped and direct.
//
// Each configuration keeps its own stack for the whole run (made on first use).
#include <benchmark/benchmark.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/audit_recorder.h"
#include "audit/audit_log.h"
#include "common/mutex.h"
#include "store/sqlite/sqlite_test_util.h"
#include "tests/testing/api_fixture.h"

namespace voxsecrets {
namespace {

enum AuditMode : int64_t { kOff = 0, kGrouped = 1, kDirect = 2 };

struct DispatchEnv {
  std::unique_ptr<api::ApiStack> stack;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<api::AuditRecorder> recorder;
  api::ApiStack::Account account;
  int64_t app_id = 0;
  int64_t secret_id = 0;
  std::atomic<int64_t> next_name{0};
};

DispatchEnv& GetDispatchEnv(int64_t mode) {
  static Mutex mu;
  static auto* envs PT_GUARDED_BY(mu) =
      new std::map<int64_t, std::unique_ptr<DispatchEnv>>();  // kept to the end
  MutexLock lock(mu);
  std::unique_ptr<DispatchEnv>& slot = (*envs)[mode];
  if (slot) return *slot;
  slot = std::make_unique<DispatchEnv>();
  DispatchEnv& env = *slot;
  api::ApiStackOptions options;
  if (mode != kOff) {
    options.make_audit = [&env, mode](api::ApiStack& stack) -> api::AuditHook* {
      audit::AuditLogOptions log_options;
      log_options.group_commit = mode == kGrouped;
      auto log = audit::AuditLog::Open(stack.store(), log_options);
      if (!log.ok()) std::abort();
      env.log = std::move(log).value();
      env.recorder = std::make_unique<api::AuditRecorder>(*env.log, stack.clock());
      return env.recorder.get();
    };
  }
  auto stack = api::ApiStack::Create(options);
  if (!stack.ok()) std::abort();
  env.stack = std::move(stack).value();
  auto account = env.stack->CreateAccount("bench");
  auto app = account.ok() ? env.stack->CreateApplication(account->id, "app")
                          : Result<int64_t>(account.status());
  if (!app.ok()) std::abort();
  env.account = *account;
  env.app_id = *app;
  auto body =
      env.stack->CallJson("AddSecret", {{"account_id", std::to_string(env.account.id)},
                                        {"api_key", env.account.api_key},
                                        {"application_id", std::to_string(env.app_id)},
                                        {"secret_name", "Read"},
                                        {"secret_value", "a value of some 40 bytes......"}});
  if (!body.contains("result")) std::abort();
  env.secret_id = body["result"][0]["secret_id"];
  return env;
}

void BM_Dispatch(benchmark::State& state) {
  const bool add = state.range(0) == 1;
  DispatchEnv& env = GetDispatchEnv(state.range(1));
  const std::string account = std::to_string(env.account.id);
  const std::string app = std::to_string(env.app_id);
  const std::string secret = std::to_string(env.secret_id);
  int64_t errors = 0;
  for (auto _ : state) {
    api::ApiResponse response;
    if (add) {
      const std::string name = "S" + std::to_string(env.next_name.fetch_add(1));
      response = env.stack->Call("AddSecret", {{"account_id", account},
                                               {"api_key", env.account.api_key},
                                               {"application_id", app},
                                               {"secret_name", name},
                                               {"secret_value", "a value of some 40 bytes......"}});
    } else {
      response = env.stack->Call("GetSecretValue", {{"account_id", account},
                                                    {"api_key", env.account.api_key},
                                                    {"application_id", app},
                                                    {"secret_id", secret}});
    }
    if (response.body.find("\"error\"") != std::string::npos) ++errors;
    benchmark::DoNotOptimize(response);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["errors"] = static_cast<double>(errors);
  if (env.log != nullptr && state.thread_index() == 0) {
    // Records per durable-append transaction so far (1 without group commit): the fsyncs saved.
    const audit::AuditLogStats stats = env.log->stats();
    if (stats.batches > 0) {
      state.counters["records_per_commit"] =
          static_cast<double>(stats.records) / static_cast<double>(stats.batches);
    }
  }
}
// range(0): 0 = GetSecretValue, 1 = AddSecret; range(1): AuditMode.
BENCHMARK(BM_Dispatch)
    ->ArgNames({"add", "audit"})
    ->ArgsProduct({{0, 1}, {kOff, kGrouped, kDirect}})
    ->Threads(1)
    ->Threads(8)
    ->Threads(32)
    ->UseRealTime()
    ->MinTime(2.0);

struct AppendEnv {
  store::StorePtr store;
  std::unique_ptr<audit::AuditLog> log;
};

AppendEnv& GetAppendEnv(bool grouped) {
  static Mutex mu;
  static auto* envs PT_GUARDED_BY(mu) =
      new std::map<bool, std::unique_ptr<AppendEnv>>();  // kept to the end
  MutexLock lock(mu);
  std::unique_ptr<AppendEnv>& slot = (*envs)[grouped];
  if (slot) return *slot;
  slot = std::make_unique<AppendEnv>();
  slot->store = store::MakeTempSqliteStore();
  if (!slot->store) std::abort();
  audit::AuditLogOptions options;
  options.group_commit = grouped;
  auto log = audit::AuditLog::Open(*slot->store, options);
  if (!log.ok()) std::abort();
  slot->log = std::move(log).value();
  return *slot;
}

void BM_AppendDurable(benchmark::State& state) {
  AppendEnv& env = GetAppendEnv(state.range(0) == 1);
  audit::AuditEntry entry;
  entry.time_ms = 1767225600000;
  entry.account_id = 1;
  entry.ip = "127.0.0.1";
  entry.method = "GetSecretValue";
  entry.args_json = R"({"application_id":"1","secret_id":"1"})";
  entry.application_ids = {1};
  entry.secret_ids = {1};
  for (auto _ : state) {
    if (!env.log->AppendDurable(entry).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendDurable)
    ->ArgName("grouped")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(8)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace voxsecrets
