#include "audit/refusal_log.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <functional>
#include <span>
#include <utility>

#include "audit/audit_masking.h"
#include "common/encoding.h"

namespace voxsecrets::audit {
namespace {

void AppendLengthPrefixed(std::string& out, std::string_view field) {
  const uint64_t size = field.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  out.append(field);
}

}  // namespace

std::string RefusalDigest(std::string_view method,
                          const std::map<std::string, std::string, std::less<>>& params) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return std::string(64, '0');
  }
  std::string chunk;
  const auto feed = [&](std::string_view a, std::string_view b) {
    chunk.clear();
    AppendLengthPrefixed(chunk, a);
    AppendLengthPrefixed(chunk, b);
    EVP_DigestUpdate(ctx, chunk.data(), chunk.size());
  };
  feed("voxsecrets-refusal-v1", method);
  for (const auto& [name, value] : params) {
    if (IsMaskedParam(name) || LooksLikeCredential(value)) {
      feed(name, "<masked " + std::to_string(value.size()) + " bytes>");
    } else {
      feed(name, value);
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const bool ok = EVP_DigestFinal_ex(ctx, digest, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    ERR_clear_error();
    return std::string(64, '0');
  }
  return HexEncode(std::span<const uint8_t>(digest, len));
}

std::string RefusalArgsJson(const RefusedCall& first, uint64_t count, uint64_t max_params,
                            uint64_t total_bytes, int64_t until_ms) {
  std::string out = "{\"refused\":{\"count\":" + std::to_string(count) +
                    ",\"params\":" + std::to_string(max_params) +
                    ",\"bytes\":" + std::to_string(total_bytes) + ",\"sha256\":";
  // Both are ours (hex digits, decimal digits), bounded: the record's size does not depend on
  // anything the caller sent.
  AppendJsonString(out, first.digest.substr(0, 64));
  if (!first.claimed_account_id.empty()) {
    out += ",\"account_id\":";
    AppendJsonString(out, first.claimed_account_id.substr(0, 20));
  }
  out += ",\"until_ms\":" + std::to_string(until_ms) + "}}";
  return out;
}

AuditEntry RefusalEntry(const RefusedCall& call) {
  AuditEntry entry;
  entry.time_ms = call.time_ms;
  entry.account_id = call.account_id;
  entry.key_id = call.key_id;
  entry.credential = call.credential;
  entry.ip = call.ip;
  entry.method = call.method;
  entry.result_code = call.result_code;
  entry.args_json = RefusalArgsJson(call, 1, call.params, call.param_bytes, call.time_ms);
  return entry;
}

RefusalLog::RefusalLog(AuditLog& log, const Clock& clock, RefusalLogOptions options)
    : log_(log), clock_(clock), options_(options) {
  flusher_ = std::thread([this] { RunFlusher(); });
}

RefusalLog::~RefusalLog() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (flusher_.joinable()) flusher_.join();
  Flush();
}

std::string RefusalLog::KeyOf(const RefusedCall& call) {
  std::string key = call.ip;
  key += '\0';
  key += call.method;
  key += '\0';
  key += std::to_string(call.result_code);
  key += '\0';
  key += call.account_id.has_value() ? std::to_string(*call.account_id) : std::string();
  key += '\0';
  key += call.key_id;
  return key;
}

bool RefusalLog::Count(const RefusedCall& call) {
  const std::string key = KeyOf(call);
  const int64_t now = clock_.NowMillis();
  bool wake = false;
  {
    MutexLock lock(mu_);
    auto it = bursts_.find(key);
    if (it != bursts_.end() && now < it->second.opened_ms + options_.window.count()) {
      Burst& burst = it->second;
      if (burst.count == 0) burst.first_counted = call;
      ++burst.count;
      burst.max_params = std::max(burst.max_params, call.params);
      burst.total_bytes += call.param_bytes;
      burst.last_ms = call.time_ms;
      ++stats_.aggregated;
      return true;
    }
    // A new burst: the previous one of this key (its window is over) and, when too many are
    // open, the oldest one go to the flusher to be written out (never on the caller's thread).
    if (it != bursts_.end()) {
      if (it->second.count > 0) pending_.push_back(std::move(it->second));
      bursts_.erase(it);
    }
    if (bursts_.size() >= options_.max_open_bursts) {
      auto oldest = std::min_element(
          bursts_.begin(), bursts_.end(),
          [](const auto& a, const auto& b) { return a.second.opened_ms < b.second.opened_ms; });
      if (oldest->second.count > 0) pending_.push_back(std::move(oldest->second));
      bursts_.erase(oldest);
    }
    bursts_[key].opened_ms = now;
    ++stats_.bursts;
    wake = !pending_.empty();
  }
  if (wake) cv_.Signal();
  return false;
}

Status RefusalLog::Record(const RefusedCall& call) {
  if (Count(call)) return Status::Ok();
  return log_.AppendDurable(RefusalEntry(call));
}

void RefusalLog::RecordAsync(const RefusedCall& call, std::function<void(const Status&)> done) {
  if (Count(call)) return done(Status::Ok());
  AuditLog::Job job;
  job.entry = RefusalEntry(call);
  job.done = [done = std::move(done)](const Status&, const Status& committed) { done(committed); };
  log_.Submit(std::move(job));
}

void RefusalLog::WriteAggregate(const Burst& burst) {
  if (burst.count == 0) return;
  AuditEntry entry = RefusalEntry(burst.first_counted);
  entry.args_json = RefusalArgsJson(burst.first_counted, burst.count, burst.max_params,
                                    burst.total_bytes, burst.last_ms);
  const Status status = log_.AppendDurable(entry);
  MutexLock lock(mu_);
  if (status.ok()) {
    ++stats_.aggregates;
  } else {
    ++stats_.failures;
  }
}

void RefusalLog::FlushExpired() {
  MutexLock flushing(flush_mu_);  // a caller returns once what it saw expire is written
  const int64_t now = clock_.NowMillis();
  std::vector<Burst> expired;
  {
    MutexLock lock(mu_);
    expired = std::move(pending_);
    pending_.clear();
    for (auto it = bursts_.begin(); it != bursts_.end();) {
      if (now >= it->second.opened_ms + options_.window.count()) {
        expired.push_back(std::move(it->second));
        it = bursts_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Burst& burst : expired) WriteAggregate(burst);
}

void RefusalLog::Flush() {
  MutexLock flushing(flush_mu_);
  std::vector<Burst> open;
  {
    MutexLock lock(mu_);
    open = std::move(pending_);
    pending_.clear();
    for (auto& [key, burst] : bursts_) open.push_back(std::move(burst));
    bursts_.clear();
  }
  for (const Burst& burst : open) WriteAggregate(burst);
}

void RefusalLog::RunFlusher() {
  const auto period = std::max(std::chrono::milliseconds(1), options_.window / 4);
  MutexLock lock(mu_);
  while (!stopping_) {
    const auto wake = std::chrono::steady_clock::now() + period;
    while (!stopping_ && pending_.empty() &&
           cv_.WaitUntil(mu_, wake) == std::cv_status::no_timeout) {
    }
    if (stopping_) break;
    lock.Unlock();
    FlushExpired();
    lock.Lock();
  }
}

RefusalLogStats RefusalLog::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace voxsecrets::audit
