#include "audit/audit_exporter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/time_format.h"

namespace voxsecrets::audit {

std::string AuditRecordJsonLine(const store::AuditRecord& record) {
  nlohmann::ordered_json line;
  line["audit_log_id"] = record.id;
  line["chain_id"] = record.chain_id;
  line["seq"] = record.seq;
  line["requested"] = FormatApiTime(record.time_ms / 1000);
  line["time_ms"] = record.time_ms;
  if (record.account_id.has_value()) {
    line["account_id"] = *record.account_id;
  } else {
    line["account_id"] = nullptr;
  }
  line["key_id"] = record.key_id;
  line["credential"] = record.credential;
  line["ip"] = record.ip;
  line["cmd_name"] = record.method;
  // Stored JSON is embedded as JSON; should it ever not parse, it goes in as a string.
  nlohmann::ordered_json args = nlohmann::ordered_json::parse(record.args_json, nullptr, false);
  line["cmd_args"] = args.is_discarded() ? nlohmann::ordered_json(record.args_json) : args;
  nlohmann::ordered_json touched =
      nlohmann::ordered_json::parse(record.touched_json, nullptr, false);
  line["touched"] = touched.is_discarded() ? nlohmann::ordered_json(record.touched_json) : touched;
  line["result_code"] = record.result_code;
  line["prev_hash"] = record.prev_hash;
  line["hash"] = record.hash;
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<std::FILE*> OpenAuditExportFile(const std::string& path) {
  // O_NONBLOCK only so that opening a FIFO without a reader fails instead of hanging; it is
  // cleared below.
  const int fd = ::open(path.c_str(),
                        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) {
      return Status(StatusCode::kPermissionDenied,
                    "audit export: " + path + " is a symbolic link; give the real file's path");
    }
    return Unavailable("audit export: cannot open " + path + ": " + std::strerror(err));
  }
  const auto fail = [fd](Status status) -> Status {
    ::close(fd);
    return status;
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(Unavailable("audit export: cannot stat " + path));
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    return fail(
        Status(StatusCode::kPermissionDenied, "audit export: " + path + " is not a regular file"));
  }
  // An existing file keeps its mode through O_CREAT: records are not for other users' eyes.
  if ((st.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0) {
    return fail(Status(
        StatusCode::kPermissionDenied,
        "audit export: cannot set the mode of " + path + " to 0600: " + std::strerror(errno)));
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return fail(Unavailable("audit export: cannot open " + path));
  }
  std::FILE* out = ::fdopen(fd, "a");
  if (out == nullptr) return fail(Unavailable("audit export: cannot open " + path));
  return out;
}

Result<std::unique_ptr<JsonLinesExporter>> JsonLinesExporter::OpenFile(const std::string& path) {
  VS_ASSIGN_OR_RETURN(std::FILE * out, OpenAuditExportFile(path));
  return std::unique_ptr<JsonLinesExporter>(new JsonLinesExporter(out, /*owned=*/true));
}

std::unique_ptr<JsonLinesExporter> JsonLinesExporter::ToStream(std::FILE* out) {
  return std::unique_ptr<JsonLinesExporter>(new JsonLinesExporter(out, /*owned=*/false));
}

JsonLinesExporter::~JsonLinesExporter() {
  if (owned_) {
    std::fclose(out_);
  } else {
    std::fflush(out_);
  }
}

Status JsonLinesExporter::Export(std::span<const store::AuditRecord> records) {
  std::string text;
  for (const store::AuditRecord& record : records) {
    text += AuditRecordJsonLine(record);
    text += '\n';
  }
  MutexLock lock(mu_);
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size() || std::fflush(out_) != 0) {
    std::clearerr(out_);
    return Unavailable("audit export: write failed");
  }
  return Status::Ok();
}

}  // namespace voxsecrets::audit
