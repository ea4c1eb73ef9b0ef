#include "http/server_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace voxsecrets::http::testing {

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string TestResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::unique_ptr<TestConnection> TestConnection::Connect(uint16_t port, SSL_CTX* tls) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return nullptr;
  timeval tv{};
  tv.tv_sec = kHangGuard.count();
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return nullptr;
  }
  SSL* ssl = nullptr;
  if (tls != nullptr) {
    ssl = SSL_new(tls);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) != 1) {
      SSL_free(ssl);
      ::close(fd);
      return nullptr;
    }
  }
  return std::unique_ptr<TestConnection>(new TestConnection(fd, ssl));
}

TestConnection::~TestConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ::close(fd_);
}

bool TestConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    long n;
    if (ssl_ != nullptr) {
      n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    } else {
      n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

long TestConnection::ReadSome() {
  char buf[16384];
  long n;
  errno = 0;
  if (ssl_ != nullptr) {
    n = SSL_read(ssl_, buf, sizeof(buf));
    if (n <= 0) {
      timed_out_ = errno == EAGAIN || errno == EWOULDBLOCK;
      return SSL_get_error(ssl_, static_cast<int>(n)) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
  } else {
    n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) timed_out_ = errno == EAGAIN || errno == EWOULDBLOCK;
  }
  if (n > 0) buffer_.append(buf, static_cast<size_t>(n));
  return n;
}

std::optional<TestResponse> TestConnection::ReadResponse(bool head_request) {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (ReadSome() <= 0) return std::nullopt;
  }
  TestResponse response;
  const std::string head = buffer_.substr(0, header_end);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
  response.status = std::atoi(status_line.c_str() + 9);
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value_start = colon + 1;
    while (value_start < line.size() && line[value_start] == ' ') ++value_start;
    response.headers[line.substr(0, colon)] = line.substr(value_start);
  }
  buffer_.erase(0, header_end + 4);
  if (head_request || (response.status >= 100 && response.status < 200)) return response;
  const size_t length = std::strtoul(response.Header("Content-Length").c_str(), nullptr, 10);
  while (buffer_.size() < length) {
    if (ReadSome() <= 0) return std::nullopt;
  }
  response.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

bool TestConnection::WaitForClose() {
  const size_t before = buffer_.size();
  const long n = ReadSome();
  if (n > 0 || buffer_.size() != before) return false;
  // EOF or an error: a reset means closed; a timeout means the hang guard expired.
  return n == 0 || !timed_out_;
}

TestConnection::Peer TestConnection::WaitFor(std::chrono::milliseconds wait) {
  if (!buffer_.empty()) return Peer::kSentData;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready == 0) return Peer::kSilent;
  const long n = ReadSome();
  if (n > 0) return Peer::kSentData;
  return Peer::kClosed;  // EOF, a reset, or poll itself failing on a dead socket
}

std::optional<TestResponse> TestConnection::RoundTrip(std::string_view request) {
  if (!Send(request)) return std::nullopt;
  return ReadResponse();
}

std::string GetRequest(std::string_view target, std::string_view extra_headers) {
  std::string r = "GET ";
  r.append(target).append(" HTTP/1.1\r\nHost: localhost\r\n").append(extra_headers);
  r.append("\r\n");
  return r;
}

std::string PostRequest(std::string_view target, std::string_view content_type,
                        std::string_view body, std::string_view extra_headers) {
  std::string r = "POST ";
  r.append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
  r.append("Content-Type: ").append(content_type).append("\r\n");
  r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append(extra_headers).append("\r\n").append(body);
  return r;
}

std::string ChunkedPostRequest(std::string_view target, std::string_view content_type,
                               std::string_view body, size_t chunk) {
  std::string r = "POST ";
  r.append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
  r.append("Content-Type: ").append(content_type).append("\r\n");
  r.append("Transfer-Encoding: chunked\r\n\r\n");
  char size[32];
  while (!body.empty()) {
    const size_t n = std::min(chunk, body.size());
    std::snprintf(size, sizeof(size), "%zx\r\n", n);
    r.append(size).append(body.substr(0, n)).append("\r\n");
    body.remove_prefix(n);
  }
  r.append("0\r\n\r\n");
  return r;
}

// ---- TempCertificate ----

namespace {

[[noreturn]] void Fail(const char* what) { throw std::runtime_error(what); }

}  // namespace

TempCertificate::TempCertificate() {
  char tmpl[] = "/tmp/vs_http_test_XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) Fail("mkdtemp");
  dir_ = tmpl;
  cert_file_ = dir_ + "/cert.pem";
  key_file_ = dir_ + "/key.pem";

  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) Fail("EVP_EC_gen");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (san == nullptr || X509_add_ext(cert, san, -1) != 1) Fail("subjectAltName");
  X509_EXTENSION_free(san);
  if (X509_sign(cert, key, EVP_sha256()) == 0) Fail("X509_sign");

  FILE* f = std::fopen(cert_file_.c_str(), "w");
  if (f == nullptr || PEM_write_X509(f, cert) != 1) Fail("write cert");
  std::fclose(f);
  f = std::fopen(key_file_.c_str(), "w");
  if (f == nullptr || PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    Fail("write key");
  }
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TempCertificate::~TempCertificate() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace voxsecrets::http::testing
