#include "server/migrate.h"

#include <chrono>
#include <filesystem>
#include <limits>
#include <optional>
#include <vector>

#include "server/data_dir_lock.h"
#include "server/store_url.h"

namespace voxsecrets::server {
namespace {

constexpr int64_t kBatch = 1000;

// Reads `what` from `source` in a read transaction of its own.
template <typename T, typename Fn>
Result<T> ReadFrom(store::Store& source, Fn fn) {
  T out{};
  VS_RETURN_IF_ERROR(source.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(out, fn(tx));
    return Status::Ok();
  }));
  return out;
}

// Every row of `source`, copied into `out` (a write transaction on the target).
Status CopyAll(store::Store& source, store::Tx& out, const CopyProgress& progress, CopyCounts& n,
               store::IdWatermarks& marks) {
  auto report = [&](std::string_view what, int64_t rows) {
    if (progress) progress(what, rows);
  };
  VS_ASSIGN_OR_RETURN(bool empty, out.copy().IsEmpty());
  if (!empty) {
    return Status(StatusCode::kAlreadyExists,
                  "the target database is not empty (it holds voxsecrets data); migrate only "
                  "into a new, empty database");
  }
  VS_ASSIGN_OR_RETURN(marks, ReadFrom<store::IdWatermarks>(
                                 source, [](store::Tx& tx) { return tx.copy().Watermarks(); }));

  // Accounts by id: a parent (made first) before its children.
  VS_ASSIGN_OR_RETURN(std::vector<store::AccountRecord> accounts,
                      ReadFrom<std::vector<store::AccountRecord>>(
                          source, [](store::Tx& tx) { return tx.accounts().List(); }));
  for (const auto& account : accounts) {
    VS_RETURN_IF_ERROR(out.copy().InsertAccount(account));
    ++n.accounts;
  }
  report("accounts", n.accounts);

  // Keys (with their roles and the applications they are limited to) and applications, account
  // by account; the keys go in after the applications their lists name.
  std::vector<store::KeyRecord> keys;
  std::vector<store::ApplicationRecord> applications;
  for (const auto& account : accounts) {
    for (int64_t offset = 0;; offset += kBatch) {
      VS_ASSIGN_OR_RETURN(
          auto page, ReadFrom<store::Page<store::KeyRecord>>(source, [&](store::Tx& tx) {
            return tx.keys().ListByAccount(account.id, std::nullopt, kBatch, offset);
          }));
      for (auto& key : page.items) keys.push_back(std::move(key));
      if (static_cast<int64_t>(page.items.size()) < kBatch) break;
    }
    for (int64_t offset = 0;; offset += kBatch) {
      store::ApplicationFilter filter;
      filter.count = kBatch;
      filter.offset = offset;
      VS_ASSIGN_OR_RETURN(
          auto page, ReadFrom<store::Page<store::ApplicationRecord>>(source, [&](store::Tx& tx) {
            return tx.applications().List(account.id, filter);
          }));
      for (const auto& app : page.items) applications.push_back(app);
      if (static_cast<int64_t>(page.items.size()) < kBatch) break;
    }
  }
  for (const auto& app : applications) {
    VS_RETURN_IF_ERROR(out.copy().InsertApplication(app));
    ++n.applications;
  }
  report("applications", n.applications);
  for (const auto& key : keys) {
    VS_RETURN_IF_ERROR(out.keys().Insert(key));
    ++n.keys;
  }
  report("keys", n.keys);

  // Secrets, sealed as they are (bound to these very ids), and the data keys that open them.
  int64_t reported = 0;
  for (const auto& app : applications) {
    VS_ASSIGN_OR_RETURN(
        auto secrets, ReadFrom<std::vector<store::SecretRecord>>(
                          source, [&](store::Tx& tx) { return tx.secrets().ListSealed(app.id); }));
    for (const auto& secret : secrets) {
      VS_RETURN_IF_ERROR(out.copy().InsertSecret(secret));
      if (++n.secrets - reported >= kBatch) report("secrets", reported = n.secrets);
    }
    // The older versions of their values, sealed as they are (bound to their version too).
    VS_ASSIGN_OR_RETURN(auto versions, ReadFrom<std::vector<store::SecretVersionRecord>>(
                                           source, [&](store::Tx& tx) {
                                             return tx.secret_versions().ListSealed(app.id);
                                           }));
    for (const auto& version : versions) {
      VS_RETURN_IF_ERROR(out.secret_versions().Insert(app.id, version));
      ++n.secret_versions;
    }
  }
  report("secrets", n.secrets);
  report("secret versions", n.secret_versions);
  VS_ASSIGN_OR_RETURN(auto data_keys,
                      ReadFrom<std::vector<store::DataKeyRecord>>(
                          source, [](store::Tx& tx) { return tx.data_keys().ListAll(); }));
  for (const auto& key : data_keys) {
    VS_RETURN_IF_ERROR(out.data_keys().Insert(key));
    ++n.data_keys;
  }
  report("data keys", n.data_keys);
  VS_ASSIGN_OR_RETURN(auto meta, (ReadFrom<std::vector<std::pair<std::string, std::string>>>(
                                     source, [](store::Tx& tx) { return tx.copy().ListMeta(); })));
  for (const auto& [key, value] : meta) {
    VS_RETURN_IF_ERROR(out.meta().Put(key, value));
    ++n.meta;
  }
  report("meta", n.meta);

  // The audit log: chains (ids are gap-free, so inserting them in order gives the same ids),
  // then the records as they are (their hashes cover their ids).
  VS_ASSIGN_OR_RETURN(auto chains,
                      ReadFrom<std::vector<store::AuditChainRecord>>(
                          source, [](store::Tx& tx) { return tx.audit().ListChains(); }));
  for (const auto& chain : chains) {
    VS_ASSIGN_OR_RETURN(int64_t id, out.audit().InsertChain(chain));
    if (id != chain.chain_id) {
      return Status(StatusCode::kDataLoss,
                    "audit chain " + std::to_string(chain.chain_id) + " would become chain " +
                        std::to_string(id) +
                        " (the source's chain ids have a gap; run `voxsecrets audit verify`)");
    }
    ++n.audit_chains;
  }
  report("audit chains", n.audit_chains);
  reported = 0;
  for (int64_t after = 0;;) {
    VS_ASSIGN_OR_RETURN(auto records,
                        ReadFrom<std::vector<store::AuditRecord>>(source, [&](store::Tx& tx) {
                          return tx.audit().ListAfter(after, kBatch);
                        }));
    for (const auto& record : records) {
      VS_RETURN_IF_ERROR(out.audit().Insert(record));
      ++n.audit_records;
    }
    if (n.audit_records - reported >= kBatch) report("audit records", reported = n.audit_records);
    if (static_cast<int64_t>(records.size()) < kBatch) break;
    after = records.back().id;
  }
  report("audit records", n.audit_records);

  // Ids go on where the source's would have (deleted ids are never handed out again).
  return out.copy().RaiseWatermarks(marks);
}

// What `store` holds, counted the way CopyAll counts.
Result<CopyCounts> CountRows(store::Store& store) {
  CopyCounts n;
  VS_RETURN_IF_ERROR(store.Read([&](store::Tx& tx) -> Status {
    VS_ASSIGN_OR_RETURN(auto accounts, tx.accounts().List());
    n.accounts = static_cast<int64_t>(accounts.size());
    for (const auto& account : accounts) {
      VS_ASSIGN_OR_RETURN(auto keys, tx.keys().ListByAccount(account.id, std::nullopt, 1, 0));
      n.keys += keys.total_count;
      store::ApplicationFilter filter;
      filter.count = std::numeric_limits<int32_t>::max();
      VS_ASSIGN_OR_RETURN(auto apps, tx.applications().List(account.id, filter));
      n.applications += apps.total_count;
      for (const auto& app : apps.items) {
        store::SecretFilter secrets;
        secrets.count = 1;
        VS_ASSIGN_OR_RETURN(auto page, tx.secrets().List(app.id, secrets));
        n.secrets += page.total_count;
        VS_ASSIGN_OR_RETURN(auto versions, tx.secret_versions().ListSealed(app.id));
        n.secret_versions += static_cast<int64_t>(versions.size());
      }
    }
    VS_ASSIGN_OR_RETURN(auto data_keys, tx.data_keys().ListAll());
    n.data_keys = static_cast<int64_t>(data_keys.size());
    VS_ASSIGN_OR_RETURN(auto meta, tx.copy().ListMeta());
    n.meta = static_cast<int64_t>(meta.size());
    VS_ASSIGN_OR_RETURN(auto chains, tx.audit().ListChains());
    n.audit_chains = static_cast<int64_t>(chains.size());
    store::AuditQuery query;
    query.count = 1;
    VS_ASSIGN_OR_RETURN(auto records, tx.audit().Query(query));
    n.audit_records = records.total_count;
    return Status::Ok();
  }));
  return n;
}

}  // namespace

Result<CopyCounts> CopyStore(store::Store& source, store::Store& target,
                             const CopyProgress& progress, store::IdWatermarks* watermarks) {
  CopyCounts n;
  store::IdWatermarks marks;
  VS_RETURN_IF_ERROR(target.Write([&](store::Tx& out) -> Status {
    n = CopyCounts{};  // a retried transaction starts over
    return CopyAll(source, out, progress, n, marks);
  }));
  if (watermarks != nullptr) *watermarks = marks;
  return n;
}

Result<MigrateReport> MigrateNode(const DataOptions& source, const std::string& target_url,
                                  const CopyProgress& progress) {
  const auto started = std::chrono::steady_clock::now();
  if (source.data_dir.empty()) {
    return Status(StatusCode::kInvalidArgument, "--data-dir is required");
  }
  VS_ASSIGN_OR_RETURN(StoreLocation from, ParseStoreUrl(source.store_url, source.data_dir));
  if (from.kind != StoreKind::kSqlite) {
    return Status(StatusCode::kInvalidArgument,
                  "migrate copies a node on SQLite; " + DescribeStore(from) + " is not one");
  }
  VS_ASSIGN_OR_RETURN(StoreLocation to, ParseStoreUrl(target_url, source.data_dir));
  if (to.kind != StoreKind::kPostgres) {
    return Status(StatusCode::kInvalidArgument,
                  "--to must be a postgresql:// URL (the new, empty database)");
  }
  long pid = 0;
  if (DataDirLock::IsHeld(source.data_dir, &pid)) {
    return Status(StatusCode::kUnavailable,
                  "a voxsecrets server is running on " + source.data_dir +
                      (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                      "; stop it first: migrate copies a stopped node");
  }
  // Held while copying: no server can start on the data dir meanwhile.
  VS_ASSIGN_OR_RETURN(DataDirLock lock, DataDirLock::Acquire(source.data_dir));

  std::error_code ec;
  if (!std::filesystem::exists(from.sqlite_path, ec)) {
    return Status(StatusCode::kInvalidArgument, "no voxsecrets database at " + from.sqlite_path);
  }
  OpenStoreOptions source_options;
  source_options.sqlite_read_connections = 1;
  source_options.create = false;
  VS_ASSIGN_OR_RETURN(store::StorePtr from_store, OpenStore(from, source_options));
  OpenStoreOptions target_options;
  target_options.create = true;  // an empty database gets the schema
  VS_ASSIGN_OR_RETURN(store::StorePtr to_store, OpenStore(to, target_options));

  MigrateReport report;
  report.source = DescribeStore(from);
  report.target = DescribeStore(to);
  VS_ASSIGN_OR_RETURN(report.copied,
                      CopyStore(*from_store, *to_store, progress, &report.watermarks));
  // Read the copy back: everything arrived, and the audit log verifies there.
  VS_ASSIGN_OR_RETURN(CopyCounts there, CountRows(*to_store));
  if (!(there == report.copied)) {
    return Status(StatusCode::kDataLoss,
                  "the target does not hold what was copied (" + std::to_string(there.secrets) +
                      " of " + std::to_string(report.copied.secrets) + " secrets, " +
                      std::to_string(there.audit_records) + " of " +
                      std::to_string(report.copied.audit_records) + " audit records)");
  }
  VS_ASSIGN_OR_RETURN(report.audit, audit::VerifyAuditChain(*to_store));
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace voxsecrets::server
