#include "store/postgres/pg_pool.h"

#include <chrono>
#include <string>
#include <utility>

#include "store/store_error.h"

namespace voxsecrets::store::pg {

ConnectionPool::Lease::~Lease() {
  if (pool_ == nullptr) return;  // moved from
  if (conn_ != nullptr && !conn_->broken() && conn_->InTransaction()) {
    // Only reached when a transaction was abandoned (e.g. an exception in a callback).
    if (!conn_->Exec("ROLLBACK", "rollback").ok()) conn_.reset();
  }
  if (conn_ != nullptr) {
    conn_->DropAhead();
    conn_->ClearErrors();
  }
  pool_->Release(std::move(conn_));
}

void ConnectionPool::Lease::Discard() { conn_.reset(); }

ConnectionPool::ConnectionPool(ConnectionSettings settings, int size,
                               std::chrono::milliseconds acquire_timeout, Histogram* acquire_wait)
    : settings_(std::move(settings)),
      size_(size < 1 ? 1 : size),
      acquire_timeout_(acquire_timeout),
      acquire_wait_(acquire_wait) {}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::vector<std::unique_ptr<Connection>> to_close;  // closed after the lock is released
  {
    MutexLock lock(mu_);
    if (!idle_.empty() || open_ < size_) {
      if (acquire_wait_ != nullptr) acquire_wait_->Observe(0);
    } else {
      const auto started = std::chrono::steady_clock::now();
      const auto deadline = started + acquire_timeout_;
      while (idle_.empty() && open_ >= size_ &&
             cv_.WaitUntil(mu_, deadline) == std::cv_status::no_timeout) {
      }
      if (acquire_wait_ != nullptr) {
        acquire_wait_->Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
    }
    if (idle_.empty() && open_ >= size_) {
      return StoreError(StatusCode::kUnavailable, "postgresql: no free connection within " +
                                                      std::to_string(acquire_timeout_.count()) +
                                                      " ms (pool of " + std::to_string(size_) +
                                                      ")");
    }
    while (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->broken()) return Lease(*this, std::move(conn));
      --open_;  // a broken idle session is closed and its slot reused below
      to_close.push_back(std::move(conn));
    }
    ++open_;  // reserve the slot while connecting without the lock
  }
  Result<std::unique_ptr<Connection>> conn = Connection::Open(settings_);
  if (!conn.ok()) {
    {
      MutexLock lock(mu_);
      --open_;
    }
    cv_.Signal();
    return conn.status();
  }
  return Lease(*this, std::move(conn).value());
}

void ConnectionPool::AddIdle(std::unique_ptr<Connection> conn) {
  {
    MutexLock lock(mu_);
    ++open_;
    idle_.push_back(std::move(conn));
  }
  cv_.Signal();
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  {
    MutexLock lock(mu_);
    if (conn != nullptr && !conn->broken()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  cv_.Signal();
}

}  // namespace voxsecrets::store::pg
