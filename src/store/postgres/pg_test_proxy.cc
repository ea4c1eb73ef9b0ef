#include "store/postgres/pg_test_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace voxsecrets::store::pgtest {
namespace {

struct Link {
  int client = -1;
  int upstream = -1;  // -1 while held in kBlackhole
};

void CloseLink(Link& link) {
  if (link.client >= 0) ::close(link.client);
  if (link.upstream >= 0) ::close(link.upstream);
  link.client = -1;
  link.upstream = -1;
}

}  // namespace

bool TcpProxy::Pump(int from, int to, bool to_server) {
  char buffer[64 * 1024];
  ssize_t n = ::recv(from, buffer, sizeof(buffer), 0);
  if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
  if (to_server) {
    MutexLock lock(sent_mu_);
    sent_.append(buffer, static_cast<size_t>(n));
  }
  ssize_t sent = 0;
  while (sent < n) {
    ssize_t w = ::send(to, buffer + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent += w;
  }
  return true;
}

std::string TcpProxy::Sent() const {
  MutexLock lock(sent_mu_);
  return sent_;
}

void TcpProxy::ClearSent() {
  MutexLock lock(sent_mu_);
  sent_.clear();
}

size_t TcpProxy::CountSent(std::string_view text) const {
  MutexLock lock(sent_mu_);
  size_t count = 0;
  for (size_t at = sent_.find(text); at != std::string::npos; at = sent_.find(text, at + 1)) {
    ++count;
  }
  return count;
}

Result<std::unique_ptr<TcpProxy>> TcpProxy::Start(std::string target_host,
                                                  std::string target_port) {
  std::unique_ptr<TcpProxy> proxy(new TcpProxy(std::move(target_host), std::move(target_port)));
  if (::pipe2(proxy->wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return InternalError("proxy: pipe failed");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return InternalError("proxy: socket failed");
  proxy->listen_fd_ = fd;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 64) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return InternalError(std::string("proxy: cannot listen: ") + std::strerror(errno));
  }
  proxy->port_ = ntohs(addr.sin_port);
  proxy->thread_ = std::thread([p = proxy.get()] { p->Run(); });
  return proxy;
}

TcpProxy::~TcpProxy() {
  stop_.store(true);
  if (wake_pipe_[1] >= 0) (void)!::write(wake_pipe_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void TcpProxy::SetMode(Mode mode) {
  mode_.store(mode);
  (void)!::write(wake_pipe_[1], "x", 1);
}

int TcpProxy::ConnectTarget() const {
  if (!target_host_.empty() && target_host_[0] == '/') {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = target_host_ + "/.s.PGSQL." + target_port_;
    if (path.size() >= sizeof(addr.sun_path)) {
      ::close(fd);
      return -1;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(target_host_.c_str(), target_port_.c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

void TcpProxy::Run() {
  std::vector<Link> links;
  Mode seen = Mode::kForward;
  while (!stop_.load()) {
    const Mode mode = mode_.load();
    if (mode != seen) {
      for (Link& link : links) {
        if (mode == Mode::kRefuse || (mode == Mode::kForward && link.upstream < 0)) {
          CloseLink(link);
        }
      }
      seen = mode;
    }
    std::erase_if(links, [](const Link& link) { return link.client < 0; });

    std::vector<pollfd> fds;
    fds.push_back({wake_pipe_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    if (mode == Mode::kForward) {
      for (const Link& link : links) {
        fds.push_back({link.client, POLLIN, 0});
        fds.push_back({link.upstream, POLLIN, 0});
      }
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof(drain)) > 0) {
      }
    }
    if (mode == Mode::kForward && mode_.load() == Mode::kForward) {
      for (size_t i = 0; i < links.size(); ++i) {
        Link& link = links[i];
        const pollfd& client = fds[2 + 2 * i];
        const pollfd& upstream = fds[3 + 2 * i];
        bool alive = true;
        if (client.revents != 0) alive = Pump(link.client, link.upstream, /*to_server=*/true);
        if (alive && upstream.revents != 0) {
          alive = Pump(link.upstream, link.client, /*to_server=*/false);
        }
        if (!alive) CloseLink(link);
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      const Mode now = mode_.load();  // SetMode may have run while this thread polled
      if (now == Mode::kRefuse) {
        ::close(client);
      } else if (now == Mode::kBlackhole) {
        links.push_back({client, -1});
      } else {
        int upstream = ConnectTarget();
        if (upstream < 0) {
          ::close(client);
        } else {
          links.push_back({client, upstream});
        }
      }
    }
  }
  for (Link& link : links) CloseLink(link);
}

}  // namespace voxsecrets::store::pgtest
