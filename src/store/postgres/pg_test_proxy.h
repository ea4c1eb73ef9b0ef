// TcpProxy: a TCP forwarder between the tests' stores and PostgreSQL that a test can switch off,
// to show how the store behaves in an outage without owning the database server.
//
// Listens on 127.0.0.1 (ephemeral port) and forwards every accepted connection to the target
// (a host name or address, or a Unix socket directory as libpq names it). Modes:
//   kForward   normal operation;
//   kRefuse    like a server that went down: every open link is cut, new connections are closed
//              at once;
//   kBlackhole like a server that stopped answering: links stay open but nothing is forwarded,
//              new connections are accepted and left hanging.
// Switching back to kForward serves new connections again (links cut or held meanwhile are
// closed). Every byte forwarded from the clients to the server is kept (Sent), so that a test can
// see which statements went out.
//
// Thread-safety: SetMode may be called from any thread; the proxy runs one thread of its own,
// stopped and joined by the destructor.
#ifndef VOXSECRETS_STORE_POSTGRES_PG_TEST_PROXY_H_
#define VOXSECRETS_STORE_POSTGRES_PG_TEST_PROXY_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/mutex.h"
#include "common/status.h"

namespace voxsecrets::store::pgtest {

class TcpProxy {
 public:
  enum class Mode { kForward, kRefuse, kBlackhole };

  static Result<std::unique_ptr<TcpProxy>> Start(std::string target_host, std::string target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::string port() const { return std::to_string(port_); }
  void SetMode(Mode mode);
  // The bytes forwarded from the clients to the server since the start or ClearSent(), all links
  // together, in the order the proxy forwarded them.
  std::string Sent() const EXCLUDES(sent_mu_);
  void ClearSent() EXCLUDES(sent_mu_);
  // How often `text` occurs in Sent() (the SQL text of statements travels as is).
  size_t CountSent(std::string_view text) const EXCLUDES(sent_mu_);

 private:
  TcpProxy(std::string host, std::string port)
      : target_host_(std::move(host)), target_port_(std::move(port)) {}
  void Run();
  int ConnectTarget() const;
  // Copies what `from` has to `to`; false when either side is done. `to_server`: keep the bytes.
  bool Pump(int from, int to, bool to_server) EXCLUDES(sent_mu_);

  const std::string target_host_;
  const std::string target_port_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<Mode> mode_{Mode::kForward};
  std::atomic<bool> stop_{false};
  mutable Mutex sent_mu_;
  std::string sent_ GUARDED_BY(sent_mu_);
  std::thread thread_;
};

}  // namespace voxsecrets::store::pgtest

#endif  // VOXSECRETS_STORE_POSTGRES_PG_TEST_PROXY_H_
