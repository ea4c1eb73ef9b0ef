#include "audit/audit_exporter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_test_util.h"

namespace voxsecrets::audit {
namespace {

store::AuditRecord Sample(int64_t id) {
  store::AuditRecord record;
  record.id = id;
  record.chain_id = 3;
  record.seq = id;
  record.time_ms = 1767225601234;
  record.account_id = 4;
  record.key_id = "k";
  record.credential = "service_key";
  record.ip = "10.1.2.3";
  record.method = "AddSecret";
  record.args_json = R"({"secret_name":"Db","secret_value":"***"})";
  record.touched_json = R"({"secret_ids":[9]})";
  record.result_code = 0;
  record.prev_hash = std::string(64, '0');
  record.hash = std::string(64, 'a');
  return record;
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(AuditExporterTest, LineCarriesTheMaskedFieldsAndTheChain) {
  const nlohmann::json line = nlohmann::json::parse(AuditRecordJsonLine(Sample(7)));
  EXPECT_EQ(line["audit_log_id"], 7);
  EXPECT_EQ(line["chain_id"], 3);
  EXPECT_EQ(line["seq"], 7);
  EXPECT_EQ(line["requested"], "2026-01-01 00:00:01");
  EXPECT_EQ(line["time_ms"], 1767225601234);
  EXPECT_EQ(line["account_id"], 4);
  EXPECT_EQ(line["credential"], "service_key");
  EXPECT_EQ(line["cmd_name"], "AddSecret");
  EXPECT_EQ(line["cmd_args"]["secret_value"], "***");
  EXPECT_EQ(line["touched"]["secret_ids"][0], 9);
  EXPECT_EQ(line["result_code"], 0);
  EXPECT_EQ(line["hash"], std::string(64, 'a'));

  store::AuditRecord anonymous = Sample(8);
  anonymous.account_id = std::nullopt;
  anonymous.args_json = "not json";
  const nlohmann::json other = nlohmann::json::parse(AuditRecordJsonLine(anonymous));
  EXPECT_TRUE(other["account_id"].is_null());
  EXPECT_EQ(other["cmd_args"], "not json");
}

TEST(AuditExporterTest, FileExporterAppendsPrivateLines) {
  store::TempDir dir;
  const std::string path = dir.File("audit.jsonl");
  {
    auto exporter = JsonLinesExporter::OpenFile(path);
    ASSERT_TRUE(exporter.ok());
    std::vector<store::AuditRecord> records = {Sample(1), Sample(2)};
    EXPECT_TRUE((*exporter)->Export(records).ok());
  }
  {
    auto exporter = JsonLinesExporter::OpenFile(path);
    ASSERT_TRUE(exporter.ok());
    std::vector<store::AuditRecord> records = {Sample(3)};
    EXPECT_TRUE((*exporter)->Export(records).ok());
  }
  const std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(lines[2])["audit_log_id"], 3);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(JsonLinesExporter::OpenFile(dir.File("missing/dir/x.jsonl")).ok());
}

TEST(AuditExporterTest, ExportFileRefusesASymlinkAndTightensAnExistingFilesMode) {
  store::TempDir dir;
  // A link planted where the export goes: refused, and its target is left alone.
  const std::string target = dir.File("elsewhere.txt");
  std::ofstream(target) << "keep\n";
  const std::string link = dir.File("audit.jsonl");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  auto refused = JsonLinesExporter::OpenFile(link);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("symbolic link"), std::string::npos);
  EXPECT_EQ(Lines(target), std::vector<std::string>{"keep"});
  // A dangling link is refused too (O_CREAT would otherwise create its target).
  const std::string dangling = dir.File("dangling.jsonl");
  ASSERT_EQ(::symlink(dir.File("nowhere.jsonl").c_str(), dangling.c_str()), 0);
  EXPECT_FALSE(JsonLinesExporter::OpenFile(dangling).ok());
  struct stat st {};
  EXPECT_NE(::stat(dir.File("nowhere.jsonl").c_str(), &st), 0);

  // An existing file readable by others becomes 0600; its lines stay and new ones follow.
  const std::string open_file = dir.File("open.jsonl");
  std::ofstream(open_file) << "{\"earlier\":1}\n";
  ASSERT_EQ(::chmod(open_file.c_str(), 0644), 0);
  {
    auto exporter = JsonLinesExporter::OpenFile(open_file);
    ASSERT_TRUE(exporter.ok()) << exporter.status().ToString();
    std::vector<store::AuditRecord> records = {Sample(1)};
    EXPECT_TRUE((*exporter)->Export(records).ok());
  }
  ASSERT_EQ(::stat(open_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Lines(open_file).size(), 2u);

  // A directory is no export file.
  EXPECT_EQ(OpenAuditExportFile(dir.path()).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace voxsecrets::audit
