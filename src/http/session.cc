// One client connection: the coroutine that reads requests with Beast, asks the Responder, and
// writes the answers, with the limits, deadlines, eviction and shutdown behaviour documented in
// server.h. This is the only TU of vs_http that includes Beast.
#include "http/session.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <optional>
#include <string>

#include "common/secure_bytes.h"
#include "http/reply_bytes.h"
#include "http/request_decoder.h"

namespace voxsecrets::http::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Every buffer that holds request bytes (the read buffer, the parser's header fields and body)
// wipes its memory when it releases it: requests carry secret values and credentials.
using ReadBuffer = beast::basic_flat_buffer<WipingAllocator<char>>;
using RequestBody = bhttp::basic_string_body<char, std::char_traits<char>, WipingAllocator<char>>;
using RequestParser = bhttp::request_parser<RequestBody, WipingAllocator<char>>;

// How long a TLS close_notify exchange or a lingering close may take before the socket is closed.
constexpr auto kCloseTimeout = std::chrono::seconds(2);
// A lingering close discards at most this much unread input.
constexpr size_t kLingerMaxBytes = 1 << 20;
// Bytes asked for when waiting for the next request.
constexpr size_t kReadChunk = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// The answer to plain HTTP on a TLS port (as nginx does: 400, say why, close).
constexpr std::string_view kPlainHttpOnTlsPort =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 83\r\n"
    "Cache-Control: no-store\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This port speaks HTTPS only: the request was plain HTTP. Use https:// to connect.\r\n";
static_assert(kPlainHttpOnTlsPort.size() - kPlainHttpOnTlsPort.find("\r\n\r\n") - 4 == 83);

auto Redirect(beast::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// The reply to a request that could not be read, or nullopt when nothing should be answered
// (the peer went away, timed out, or the server is being stopped).
std::optional<HttpReply> ReplyToReadError(const beast::error_code& ec, const ServerOptions& o) {
  if (ec == bhttp::error::body_limit) {
    return TransportErrorReply(
        413, "Request body too large (limit " + std::to_string(o.max_body_bytes) + " bytes).");
  }
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return TransportErrorReply(431, "Request header fields too large.");
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return TransportErrorReply(400, "Malformed HTTP request.");
  }
  return std::nullopt;
}

// A TLS connection starts with a handshake record (0x16); an HTTP request with its method, in
// upper-case letters.
bool LooksLikePlainHttp(const ReadBuffer& buffer) {
  if (buffer.size() == 0) return false;
  const char first = *static_cast<const char*>(buffer.data().data());
  return first >= 'A' && first <= 'Z';
}

// What a connection is doing, for Shutdown() and for eviction (both run on the strand).
enum class Phase {
  kWaiting,   // TLS handshake, or waiting for the first byte of a request: shutdown closes it
  kReading,   // a request is arriving: shutdown lets it finish; eviction may close it
  kHandling,  // a complete request is handled or answered: neither closes it
  kClosing,   // closing: either may close it
};

// One connection. Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(SessionHost& server, tcp::socket socket, ssl::context* tls, uint64_t id,
          std::string peer_ip, Clock::time_point accepted)
      : server_(server),
        stream_(MakeStream(std::move(socket), tls)),
        // Room for one maximal request plus a read chunk: the parser limits trip first.
        buffer_(server.options().max_header_bytes + server.options().max_body_bytes +
                2 * kReadChunk),
        id_(id),
        peer_ip_(std::move(peer_ip)),
        accepted_(accepted) {
    server_.connections(state_).Increment();
  }

  ~Session() override {
    server_.connections(state_).Decrement();
    server_.Unregister(id_);
  }

  // Starts the connection's coroutine on its strand. REQUIRES: owned by a shared_ptr.
  void Start() {
    asio::co_spawn(stream_.get_executor(), Run(this->shared_from_this()), asio::detached);
  }

  // SessionBase
  void OnServerStop(bool force) override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this(), force] {
      if (force || self->phase_ == Phase::kWaiting || self->phase_ == Phase::kClosing) {
        self->CloseSocket();
      }
    });
  }
  void Evict() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->phase_ == Phase::kHandling) {
        self->evicted_ = true;  // answer what it asked, then close
      } else {
        self->CloseSocket();
      }
    });
  }
  void CloseUnsynchronized() override { CloseSocket(); }

 private:
  enum class CloseMode { kAbort, kNormal, kLinger };

  static Stream MakeStream(tcp::socket socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      (void)tls;
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  // Moves the connection to `state` in voxsecrets_http_connections. On the strand only.
  void Enter(ConnectionState state) {
    if (state == state_) return;
    server_.connections(state_).Decrement();
    state_ = state;
    server_.connections(state_).Increment();
  }

  // Closing (not just cancelling) also stops composed TLS operations between two steps.
  void CloseSocket() {
    beast::error_code ignored;
    tcp_layer().socket().close(ignored);
  }

  // `self` keeps the session alive for as long as the coroutine runs.
  asio::awaitable<void> Run(std::shared_ptr<Session> self) {
    (void)self;
    beast::error_code ec;
    const ServerOptions& options = server_.options();
    if (server_.stopping()) co_return;
    // The first request's deadlines count from the accept: the TLS handshake, the wait for its
    // first byte and its head share head_timeout; the whole of it read_timeout.
    Clock::time_point start = accepted_;
    if constexpr (kTls) {
      tcp_layer().expires_at(start + options.head_timeout);
      // The first bytes decide: a TLS handshake, or plain HTTP sent to the wrong port.
      const size_t n =
          co_await tcp_layer().async_read_some(buffer_.prepare(kReadChunk), Redirect(ec));
      if (ec) {
        server_.CountTlsFailure();
        co_return;
      }
      buffer_.commit(n);
      if (LooksLikePlainHttp(buffer_)) {
        co_await AnswerPlainHttp();
        co_return;
      }
      const size_t used =
          co_await stream_.async_handshake(ssl::stream_base::server, buffer_.data(), Redirect(ec));
      // A client sends nothing but its hello before the server answers it.
      if (ec || used != buffer_.size()) {
        server_.CountTlsFailure();
        co_return;
      }
      buffer_.consume(used);
    }
    CloseMode close = CloseMode::kAbort;
    for (size_t served = 0;;) {
      if (buffer_.size() == 0) {
        // Wait for the first bytes of the next request; nothing is owed to the client yet.
        if (server_.stopping()) break;
        ScrubBuffer();
        phase_ = Phase::kWaiting;
        Enter(ConnectionState::kIdle);
        if (served == 0) {
          tcp_layer().expires_at(start + options.head_timeout);
        } else {
          tcp_layer().expires_after(options.idle_timeout);
        }
        const size_t n =
            co_await stream_.async_read_some(buffer_.prepare(kReadChunk), Redirect(ec));
        if (ec) {
          close = CloseMode::kAbort;  // closed by the peer, timed out, evicted or stopped
          break;
        }
        buffer_.commit(n);
      }
      if (served > 0) start = Clock::now();  // a later request: from its first byte
      phase_ = Phase::kReading;
      ++served;
      close = co_await ServeOne(served, start);
      if (close != CloseMode::kNormal || !keep_alive_) break;
    }
    phase_ = Phase::kClosing;
    Enter(ConnectionState::kClosing);
    server_.MarkEvictable(id_);  // owes nothing any more
    co_await Close(close);
  }

  // Answers plain HTTP on the TLS port with a short text, then closes after draining what the
  // client still sends (so that it reads the answer rather than a reset).
  asio::awaitable<void> AnswerPlainHttp() {
    beast::error_code ec;
    const Clock::time_point started = Clock::now();
    phase_ = Phase::kClosing;
    Enter(ConnectionState::kClosing);
    buffer_.consume(buffer_.size());
    tcp_layer().expires_after(kCloseTimeout);
    co_await asio::async_write(tcp_layer(),
                               asio::buffer(kPlainHttpOnTlsPort.data(), kPlainHttpOnTlsPort.size()),
                               Redirect(ec));
    if (ec) co_return;
    server_.RecordRequest("invalid", 400, started);
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    size_t discarded = 0;
    while (!ec && discarded < kLingerMaxBytes) {
      buffer_.clear();
      discarded += co_await tcp_layer().async_read_some(buffer_.prepare(kReadChunk), Redirect(ec));
    }
    tcp_layer().close();
  }

  // Reads, handles and answers one request that started at `start`. keep_alive_ says whether to
  // read another one; the result says how to close the connection if not.
  asio::awaitable<CloseMode> ServeOne(size_t index, Clock::time_point start) {
    const ServerOptions& options = server_.options();
    beast::error_code ec;
    RequestParser& parser = parser_.emplace();
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(options.max_body_bytes);
    keep_alive_ = false;
    Enter(ConnectionState::kReading);

    tcp_layer().expires_at(start + options.head_timeout);
    co_await bhttp::async_read_header(stream_, buffer_, parser, Redirect(ec));
    const Clock::time_point started = Clock::now();
    tcp_layer().expires_at(start + options.read_timeout);  // the whole request
    if (!ec && !parser.is_done() &&
        beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                 Redirect(ec));
    }
    if (!ec && !parser.is_done())
      co_await bhttp::async_read(stream_, buffer_, parser, Redirect(ec));
    if (ec) {
      std::optional<HttpReply> reply = ReplyToReadError(ec, options);
      if (!reply) co_return CloseMode::kAbort;
      // The rest of the request may still be in flight: answer, then drain before closing so
      // that the client reads the answer instead of a connection reset.
      phase_ = Phase::kHandling;
      server_.MarkBusy(id_);
      const unsigned status = reply->status;
      if (!co_await Write(std::move(*reply), 11, /*keep_alive=*/false, /*head=*/false)) {
        co_return CloseMode::kAbort;
      }
      server_.RecordRequest("invalid", status, started);
      co_return CloseMode::kLinger;
    }

    // A complete request: from here until it is answered, no eviction closes the connection.
    phase_ = Phase::kHandling;
    server_.MarkBusy(id_);
    const auto& req = parser.get();
    std::string_view forwarded_for;
    for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it) {
      forwarded_for = it->value();  // the last one: see ClientIp()
    }
    const HttpRequestView view{.verb = req.method_string(),
                               .target = req.target(),
                               .content_type = req[bhttp::field::content_type],
                               .authorization = req[bhttp::field::authorization],
                               .forwarded_for = forwarded_for,
                               .if_none_match = req[bhttp::field::if_none_match],
                               .body = req.body(),
                               .peer_ip = peer_ip_};
    const Route route = server_.responder().Served(RouteOf(view.target));

    HttpReply reply;
    Enter(ConnectionState::kHandling);
    {
      server_.in_flight().Increment();
      struct Done {
        Gauge& g;
        ~Done() { g.Decrement(); }
      } done{server_.in_flight()};
      if (route == Route::kApi) {
        reply = co_await RespondApi(view);
      } else {
        reply = server_.responder().Respond(route, view);
      }
    }
    const bool keep_alive = req.keep_alive() && index < options.max_keepalive_requests &&
                            !server_.stopping() && !evicted_;
    const unsigned status = reply.status;
    const std::string_view label =
        reply.route_label.empty() ? RouteLabel(route) : reply.route_label;
    const bool head = req.method() == bhttp::verb::head;
    // Its answer is ready: from now on the connection owes its client nothing more, and may make
    // room for another; an eviction during the write closes it once the answer is out.
    if (keep_alive) server_.MarkEvictable(id_);
    const bool written = co_await Write(std::move(reply), req.version(), keep_alive, head);
    parser_.reset();  // its fields and body are wiped as they are freed
    if (!written) co_return CloseMode::kAbort;
    server_.RecordRequest(label, status, started);
    keep_alive_ = keep_alive && !evicted_;
    co_return CloseMode::kNormal;
  }

  // An API call, admitted against the bound on calls in progress (queued for a handler thread,
  // running, or waiting for their audit record's or write batch's commit); 429 when the server is
  // saturated.
  asio::awaitable<HttpReply> RespondApi(const HttpRequestView& view) {
    if (!server_.BeginApiCall()) {
      server_.CountOverloaded("queue_full");
      co_return OverloadedReply();
    }
    struct End {
      SessionHost& host;
      ~End() { host.EndApiCall(); }
    } end{server_};
    // The API may answer later from another thread (a read waits for its audit record's group
    // commit, a write for its batch): the coroutine waits without holding the thread.
    HttpReply reply =
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(HttpReply)>(
            [this, &view](auto handler) { this->StartApiCall(std::move(handler), view); },
            asio::use_awaitable);
    co_return reply;
  }

  // Hands the API request to the Responder (on the handler pool when there is one) with a
  // completion that resumes `handler` on the session's executor. `view` stays valid until then:
  // it points into this session's request, and the coroutine waits for the answer. A call that
  // waited for a handler thread past max_queue_wait is not run (429).
  template <typename Handler>
  void StartApiCall(Handler handler, const HttpRequestView& view) {
    auto resume = std::make_shared<Handler>(std::move(handler));
    SessionHost& host = server_;
    host.CallStarted();
    auto done = [resume, &host](HttpReply reply) {
      const auto executor = asio::get_associated_executor(*resume);
      asio::post(executor, [resume, reply = std::move(reply)]() mutable {
        std::move (*resume)(std::move(reply));
      });
      host.CallFinished();
    };
    auto api_done = [done, &host](HttpReply reply) {
      if (reply.status == 429) host.CountOverloaded("audit");  // the API found it saturated
      done(std::move(reply));
    };
    const Responder* responder = &host.responder();
    if (asio::thread_pool* pool = host.handler_pool()) {
      const Clock::time_point deadline = Clock::now() + host.options().max_queue_wait;
      asio::post(*pool, [responder, view, deadline, &host, done = std::move(done),
                         api_done = std::move(api_done)]() mutable {
        if (Clock::now() > deadline) {
          host.CountOverloaded("queue_wait");
          return done(OverloadedReply());
        }
        responder->RespondAsync(Route::kApi, view, std::move(api_done));
      });
    } else {
      responder->RespondAsync(Route::kApi, view, std::move(api_done));
    }
  }

  // Sends `reply` (for a HEAD request: its header only, Content-Length included); false when the
  // connection failed.
  asio::awaitable<bool> Write(HttpReply reply, unsigned version, bool keep_alive, bool head) {
    Enter(ConnectionState::kWriting);
    // The whole answer in one buffer: one write, one TLS record for a small answer.
    std::string bytes = ReplyBytes(reply, version, keep_alive, head);
    SecureWipe(reply.body.data(), reply.body.size());  // may hold a secret value
    beast::error_code ec;
    tcp_layer().expires_after(server_.options().read_timeout);
    co_await asio::async_write(stream_, asio::buffer(bytes), Redirect(ec));
    SecureWipe(bytes.data(), bytes.size());
    co_return !ec;
  }

  // Between requests: wipes what earlier requests left in the (empty) read buffer, as they may
  // have carried secret values, and gives back memory a large request made it grow to.
  void ScrubBuffer() {
    const size_t n = std::min(buffer_.capacity(), buffer_.max_size());
    if (buffer_.size() != 0 || n == 0) return;
    const auto region = buffer_.prepare(n);
    SecureWipe(region.data(), region.size());
    if (buffer_.capacity() > 2 * kReadChunk) buffer_.shrink_to_fit();
  }

  asio::awaitable<void> Close(CloseMode mode) {
    beast::error_code ec;
    if (mode == CloseMode::kLinger && !server_.stopping()) {
      // Stop sending, then read and discard what the client is still sending until it closes.
      if constexpr (!kTls) tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
      tcp_layer().expires_after(kCloseTimeout);
      size_t discarded = 0;
      while (!ec && discarded < kLingerMaxBytes) {
        buffer_.clear();
        discarded += co_await stream_.async_read_some(buffer_.prepare(kReadChunk), Redirect(ec));
      }
    } else if (mode == CloseMode::kNormal) {
      if constexpr (kTls) {
        if (!server_.stopping()) {
          tcp_layer().expires_after(kCloseTimeout);
          co_await stream_.async_shutdown(Redirect(ec));  // close_notify both ways
        }
      }
      tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    tcp_layer().close();
  }

  SessionHost& server_;
  Stream stream_;
  ReadBuffer buffer_;
  std::optional<RequestParser> parser_;
  const uint64_t id_;
  const std::string peer_ip_;
  const Clock::time_point accepted_;
  Phase phase_ = Phase::kWaiting;  // accessed on the strand only
  // On the strand only (and in the constructor and destructor).
  ConnectionState state_ = kTls ? ConnectionState::kHandshake : ConnectionState::kIdle;
  bool evicted_ = false;  // on the strand only: close once the current answer is out
  bool keep_alive_ = false;
};

}  // namespace

std::string PeerIp(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return {};
  asio::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

void StartSession(SessionHost& host, tcp::socket socket, ssl::context* tls, uint64_t id,
                  std::string peer_ip, Clock::time_point accepted) {
  if (tls != nullptr) {
    auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        host, std::move(socket), tls, id, std::move(peer_ip), accepted);
    host.Register(id, session);
    session->Start();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(host, std::move(socket), tls, id,
                                                                std::move(peer_ip), accepted);
    host.Register(id, session);
    session->Start();
  }
}

}  // namespace voxsecrets::http::internal
