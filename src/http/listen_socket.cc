#include "http/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace voxsecrets::http {

Result<ListenSocket> ListenSocket::Bind(const std::string& host, uint16_t port) {
  const std::string where =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Status(StatusCode::kUnavailable,
                  "Cannot resolve the listen address " + where + ": " + ::gai_strerror(rc) + ".");
  }
  ListenSocket out;
  out.family_ = found->ai_family;
  out.fd_ = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  int err = out.fd_ < 0 ? errno : 0;
  if (err == 0) {
    const int one = 1;
    ::setsockopt(out.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(out.fd_, found->ai_addr, found->ai_addrlen) != 0 ||
        ::listen(out.fd_, SOMAXCONN) != 0) {
      err = errno;
    }
  }
  ::freeaddrinfo(found);
  if (err != 0) {
    return Status(StatusCode::kUnavailable,
                  "Cannot listen on " + where + ": " + std::strerror(err) + ".");
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  if (::getsockname(out.fd_, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
    if (bound.ss_family == AF_INET6) {
      out.port_ = ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
    } else {
      out.port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
    }
  }
  return out;
}

ListenSocket::ListenSocket(ListenSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), family_(other.family_), port_(other.port_) {}

ListenSocket& ListenSocket::operator=(ListenSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    family_ = other.family_;
    port_ = other.port_;
  }
  return *this;
}

ListenSocket::~ListenSocket() {
  if (fd_ >= 0) ::close(fd_);
}

int ListenSocket::Release() { return std::exchange(fd_, -1); }

}  // namespace voxsecrets::http
