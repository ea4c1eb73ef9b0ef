// Shared fixture of the api/ audit tests: the acme stack of api_test_base.h with a real audit log
// (audit::AuditLog + AuditRecorder, group commit on) over a FaultyAuditStore (failure injection),
// exporting JSON lines to a file in the stack's directory, and helpers that read the records
// back. Test-only.
#ifndef VOXSECRETS_API_API_AUDIT_TEST_BASE_H_
#define VOXSECRETS_API_API_AUDIT_TEST_BASE_H_

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "api/api_test_base.h"
#include "api/audit_recorder.h"
#include "audit/audit_exporter.h"
#include "audit/audit_log.h"
#include "audit/audit_verify.h"

namespace voxsecrets::api {

class ApiAuditTest : public ApiCallTest {
 protected:
  ApiStackOptions StackOptions() override {
    ApiStackOptions options;
    options.faulty_audit_store = true;
    options.make_audit = [this](ApiStack& stack) -> AuditHook* {
      export_path_ = stack.directory() + "/audit.jsonl";
      auto exporter = audit::JsonLinesExporter::OpenFile(export_path_);
      EXPECT_TRUE(exporter.ok());
      if (exporter.ok()) exporter_ = std::move(exporter).value();
      audit::AuditLogOptions log_options;
      log_options.label = "api-test";
      log_options.created_ms = stack.clock().NowMillis();
      log_options.exporter = exporter_.get();
      auto log = audit::AuditLog::Open(stack.store(), log_options);
      EXPECT_TRUE(log.ok()) << log.status().ToString();
      if (!log.ok()) return nullptr;
      log_ = std::move(log).value();
      // Writes join the log's group commit, as they do on SQLite in `serve`.
      recorder_ = std::make_unique<AuditRecorder>(*log_, stack.clock(), /*batch_writes=*/true);
      return recorder_.get();
    };
    return options;
  }

  void TearDown() override {
    log_.reset();  // joins the committer while the store still exists
    ApiCallTest::TearDown();
  }

  std::vector<store::AuditRecord> Records() {
    std::vector<store::AuditRecord> records;
    Status status = stack().store().Read([&](store::Tx& tx) -> Status {
      VS_ASSIGN_OR_RETURN(records, tx.audit().ListAfter(0, 1000000));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return records;
  }
  size_t RecordCount() { return Records().size(); }

  // Checks that exactly one record was added since there were `before`, and that it tells this
  // call (method, account) and its answer (`body`'s error code, 0 on success). Returns it.
  store::AuditRecord ExpectOneRecord(const nlohmann::json& body, size_t before,
                                     const std::string& method, std::optional<int64_t> account_id) {
    const std::vector<store::AuditRecord> records = Records();
    EXPECT_EQ(records.size(), before + 1) << method << " " << body.dump();
    if (records.size() != before + 1) return {};
    const store::AuditRecord& record = records.back();
    const int code = body.contains("error") ? body["error"].value("code", -1) : 0;
    EXPECT_EQ(record.method, method);
    EXPECT_EQ(record.result_code, code) << method << " " << body.dump();
    EXPECT_EQ(record.account_id, account_id) << method;
    EXPECT_EQ(record.ip, "127.0.0.1");
    EXPECT_FALSE(record.hash.empty());
    return record;
  }

  std::string ExportText() {
    std::ifstream in(export_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The raw bytes of the database files (main file and WAL).
  std::string DatabaseBytes() {
    std::string bytes;
    for (const std::string& suffix : {std::string(), std::string("-wal")}) {
      std::ifstream in(stack().database_path() + suffix, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      bytes += text.str();
    }
    return bytes;
  }

  // Group commit tests (api_group_commit_test.cc on SQLite, server/group_commit_pg_test.cc on
  // PostgreSQL): the calls queued behind a first batch ("first") in a batch that is made to fail —
  // five AddSecret "lost0".."lost4", a GetSecretValue of "readme" (stored beforehand) and one of
  // "nope" (fails anyway, 341).
  static void FailingBatchCalls(std::vector<ParamList>* next, std::vector<std::string>* methods) {
    for (int i = 0; i < 5; ++i) {
      next->push_back({{"secret_name", "lost" + std::to_string(i)}, {"secret_value", "v"}});
      methods->push_back("AddSecret");
    }
    next->push_back({{"secret_name", "readme"}});
    methods->push_back("GetSecretValue");
    next->push_back({{"secret_name", "nope"}});  // fails anyway (341): keeps its own error
    methods->push_back("GetSecretValue");
  }
  // The answers to "first" and FailingBatchCalls when the second batch failed: error 4 to exactly
  // its calls, none of them stored or recorded, the first batch kept, and the store going on.
  void ExpectOnlyTheFailedBatchLost(const std::vector<nlohmann::json>& answers,
                                    size_t records_before) {
    auto exists = [&](const std::string& name) {
      return CallApp("GetSecretValue", {{"secret_name", name}}).contains("result");
    };
    ASSERT_EQ(answers.size(), 8u);
    EXPECT_TRUE(answers[0].contains("result")) << answers[0].dump();  // the batch before
    for (size_t i = 1; i <= 6; ++i) {
      EXPECT_EQ(ErrorOf(answers[i]), Err(4)) << i << " " << answers[i].dump();
    }
    EXPECT_EQ(ErrorOf(answers[7])["code"], 341) << answers[7].dump();
    EXPECT_EQ(answers[6].dump().find("the value"), std::string::npos);  // no value without record
    EXPECT_TRUE(exists("first"));
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(exists("lost" + std::to_string(i))) << i;
    // The first call's record is there; none of the failed batch's.
    const std::vector<store::AuditRecord> records = Records();
    for (size_t i = records_before; i < records.size(); ++i) {
      if (records[i].method == "AddSecret") {
        EXPECT_EQ(records[i].result_code, 0);
        EXPECT_NE(records[i].args_json.find("\"first\""), std::string::npos)
            << records[i].args_json;
      }
    }
    // The store goes on: the next calls commit.
    EXPECT_GT(AddSecret("after", "v"), 0);
    EXPECT_TRUE(exists("readme"));
    ExpectChainVerifies();
  }

  void ExpectChainVerifies() {
    Result<audit::VerifyReport> report = audit::VerifyAuditChain(stack().store());
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok) << report->problem;
  }

  std::string export_path_;
  std::unique_ptr<audit::JsonLinesExporter> exporter_;
  std::unique_ptr<audit::AuditLog> log_;
  std::unique_ptr<AuditRecorder> recorder_;
};

}  // namespace voxsecrets::api

#endif  // VOXSECRETS_API_API_AUDIT_TEST_BASE_H_
