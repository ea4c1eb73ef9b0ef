#include "cli/migrate_command.h"

#include <cstdio>

#include "server/migrate.h"

namespace voxsecrets::cli {

void MigrateCommand::Register(CLI::App& app) {
  command_ = app.add_subcommand(
      "migrate",
      "Copy a stopped SQLite node into an empty PostgreSQL database (same ids, same "
      "sealed values, same audit chains)");
  command_->add_option("--data-dir", data_.data_dir, "Data directory of the stopped node")
      ->required();
  command_->add_option("--store", data_.store_url,
                       "The node's database when not DIR/voxsecrets.db (sqlite:///PATH)");
  command_->add_option("--to", to_, "postgresql:// URL of the new, empty database")->required();
}

int MigrateCommand::Run() {
  std::printf("migrating %s to a PostgreSQL database\n", data_.data_dir.c_str());
  std::fflush(stdout);
  auto report = server::MigrateNode(data_, to_, [](std::string_view what, int64_t rows) {
    std::printf("  %-14.*s %lld\n", static_cast<int>(what.size()), what.data(),
                static_cast<long long>(rows));
    std::fflush(stdout);
  });
  if (!report.ok()) {
    std::fprintf(stderr, "voxsecrets migrate: %s\n", report.status().message().c_str());
    return 1;
  }
  const server::CopyCounts& n = report->copied;
  std::printf("migrated %s to %s in %.1f s:\n", report->source.c_str(), report->target.c_str(),
              report->seconds);
  std::printf(
      "  %lld account(s), %lld key(s), %lld application(s), %lld secret(s) with %lld older "
      "version(s), %lld data key(s), %lld meta entries, %lld audit chain(s), %lld audit "
      "record(s)\n",
      static_cast<long long>(n.accounts), static_cast<long long>(n.keys),
      static_cast<long long>(n.applications), static_cast<long long>(n.secrets),
      static_cast<long long>(n.secret_versions), static_cast<long long>(n.data_keys),
      static_cast<long long>(n.meta), static_cast<long long>(n.audit_chains),
      static_cast<long long>(n.audit_records));
  const store::IdWatermarks& m = report->watermarks;
  std::printf(
      "  new ids start above: account %lld, application %lld, secret %lld, audit record "
      "%lld\n",
      static_cast<long long>(m.accounts), static_cast<long long>(m.applications),
      static_cast<long long>(m.secrets), static_cast<long long>(m.audit_records));
  if (!report->audit.ok) {
    std::printf("audit log BROKEN on the target: %s\n", report->audit.problem.c_str());
    return 1;
  }
  std::printf("  audit log intact on the target: %lld chain(s), %lld record(s)\n",
              static_cast<long long>(report->audit.chains),
              static_cast<long long>(report->audit.records));
  std::printf(
      "Start the nodes with --store <the URL> and the same master key as this node (values "
      "were not re-encrypted).\n");
  return 0;
}

}  // namespace voxsecrets::cli
