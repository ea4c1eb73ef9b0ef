// ConnectionPool: at most `size` PostgreSQL sessions shared by the transactions of one Store.
//
// Sessions are opened lazily, when a transaction needs one and none is idle, and dropped when they
// turn out broken (lost, terminated by the server, or an answer missed its deadline); the next
// Acquire opens a fresh one. So a database that went away and came back is reconnected to without
// anyone's help, and while it is away Acquire fails within the connect timeout (kUnavailable)
// instead of hanging. When all `size` sessions are in use, Acquire waits up to `acquire_timeout`
// for one to be released, then fails with kUnavailable.
//
// Thread-safety: Acquire may be called from any thread. A Lease belongs to the thread that got it.
// Ownership: the pool owns every session; a Lease lends one and must not outlive the pool.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_POOL_H_
#define VOXSECRETS_STORE_POSTGRES_PG_POOL_H_

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "common/metrics.h"
#include "common/mutex.h"
#include "common/status.h"
#include "store/postgres/pg_connection.h"

namespace voxsecrets::store::pg {

class ConnectionPool {
 public:
  // A session lent to one user. On destruction an open transaction is rolled back and the
  // session goes back to the pool, unless it is broken or was discarded (then it is closed).
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> conn)
        : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& conn() { return *conn_; }
    // Closes the session instead of returning it (its state is unknown).
    void Discard();

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // REQUIRES: size >= 1.
  // `acquire_wait` (nullable, not owned) observes each Acquire's wait for a slot, in seconds.
  ConnectionPool(ConnectionSettings settings, int size, std::chrono::milliseconds acquire_timeout,
                 Histogram* acquire_wait = nullptr);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle session, or a new one when fewer than `size` exist. kUnavailable when the server
  // cannot be reached or no session was released within the acquire timeout.
  Result<Lease> Acquire();

  // Adds an already open session (the one that ran the migrations) as idle.
  void AddIdle(std::unique_ptr<Connection> conn);

  const ConnectionSettings& settings() const { return settings_; }

 private:
  void Release(std::unique_ptr<Connection> conn) EXCLUDES(mu_);

  const ConnectionSettings settings_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  Histogram* const acquire_wait_;
  Mutex mu_;
  CondVar cv_;  // signalled when a session or a slot is freed
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;  // sessions idle, lent, or being opened
};

}  // namespace voxsecrets::store::pg

#endif  // VOXSECRETS_STORE_POSTGRES_PG_POOL_H_
