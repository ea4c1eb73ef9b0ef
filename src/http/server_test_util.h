// Test-only helpers for http_server_test: a raw HTTP/1.1 client over a blocking POSIX socket
// (optionally TLS via OpenSSL), so that tests control every byte (slow, malformed, pipelined or
// oversized requests) without pulling Beast into the test TUs, and a throwaway self-signed
// certificate.
//
// Thread-safety: one TestConnection per thread. Every socket has a receive/send timeout
// (kHangGuard) so that a server bug makes a test fail instead of hang; it is not a performance
// threshold.
#ifndef VOXSECRETS_HTTP_SERVER_TEST_UTIL_H_
#define VOXSECRETS_HTTP_SERVER_TEST_UTIL_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace voxsecrets::http::testing {

inline constexpr std::chrono::seconds kHangGuard{30};

struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  std::string body;

  // The header's value, or "" when absent.
  std::string Header(const std::string& name) const;
};

class TestConnection {
 public:
  // Connects to 127.0.0.1:port; with `tls` (a client context) performs the TLS handshake.
  // nullptr when the connection (or handshake) fails.
  static std::unique_ptr<TestConnection> Connect(uint16_t port, SSL_CTX* tls = nullptr);
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  // Writes all of `bytes`; false when the connection failed.
  bool Send(std::string_view bytes);
  // Reads one response (a 1xx interim response counts as one); for the answer to a HEAD request
  // set `head` (no body follows). nullopt when the connection closed or failed first.
  std::optional<TestResponse> ReadResponse(bool head = false);
  // Reads until the server closes the connection; true when it did (EOF or reset), false when
  // data arrived instead or the hang guard expired.
  bool WaitForClose();
  // What the server did within `wait` (plain connections only): closed the connection (EOF or
  // reset), sent data, or nothing yet. Lets a test act as a slow client that reacts to the
  // server instead of sleeping.
  enum class Peer { kSilent, kClosed, kSentData };
  Peer WaitFor(std::chrono::milliseconds wait);
  // Sends a request and reads its response.
  std::optional<TestResponse> RoundTrip(std::string_view request);

 private:
  TestConnection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // Appends what arrives to buffer_; 0 on EOF, < 0 on error or timeout.
  long ReadSome();

  int fd_;
  SSL* ssl_;
  bool timed_out_ = false;  // the last failed read hit the hang guard
  std::string buffer_;
};

// "GET <target> HTTP/1.1" with Host and the given extra header lines ("Name: value\r\n"...).
std::string GetRequest(std::string_view target, std::string_view extra_headers = {});
// A POST with Content-Length.
std::string PostRequest(std::string_view target, std::string_view content_type,
                        std::string_view body, std::string_view extra_headers = {});
// A POST with the body sent as chunks of at most `chunk` bytes.
std::string ChunkedPostRequest(std::string_view target, std::string_view content_type,
                               std::string_view body, size_t chunk);

// A self-signed EC P-256 certificate for CN=localhost / 127.0.0.1, written as PEM files into a
// fresh temporary directory (removed by the destructor).
class TempCertificate {
 public:
  TempCertificate();
  ~TempCertificate();
  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string cert_file_;
  std::string key_file_;
};

}  // namespace voxsecrets::http::testing

#endif  // VOXSECRETS_HTTP_SERVER_TEST_UTIL_H_
