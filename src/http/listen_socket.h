// ListenSocket: a TCP socket bound to HOST:PORT and listening, made before anything else of a
// server exists, so that a busy or forbidden address is reported before a data dir, a database,
// keys or credentials are created for a server that cannot run. HttpServer::Start takes it over.
//
// Thread-safety: a value type; not shared. Ownership: owns the descriptor (closed on destruction
// unless released); movable, not copyable.
#ifndef VOXSECRETS_HTTP_LISTEN_SOCKET_H_
#define VOXSECRETS_HTTP_LISTEN_SOCKET_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace voxsecrets::http {

class ListenSocket {
 public:
  // Resolves `host` (an IP literal or a name; the first address found), binds with SO_REUSEADDR
  // and listens. Port 0 picks a free port (port()). kUnavailable naming HOST:PORT and the
  // system's reason ("Address already in use", "Permission denied", ...).
  static Result<ListenSocket> Bind(const std::string& host, uint16_t port);

  ListenSocket() = default;
  ListenSocket(ListenSocket&& other) noexcept;
  ListenSocket& operator=(ListenSocket&& other) noexcept;
  ListenSocket(const ListenSocket&) = delete;
  ListenSocket& operator=(const ListenSocket&) = delete;
  ~ListenSocket();

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  int family() const { return family_; }  // AF_INET or AF_INET6
  uint16_t port() const { return port_; }
  // Gives up ownership of the descriptor.
  int Release();

 private:
  int fd_ = -1;
  int family_ = 0;
  uint16_t port_ = 0;
};

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_LISTEN_SOCKET_H_
