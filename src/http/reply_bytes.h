// The bytes of an HTTP/1.x response for an HttpReply: the status line, the header fields and the
// body in one buffer, exactly as Beast's serializer wrote them before (same fields, same order,
// same spelling: reply_bytes_test.cc compares the two), so that the answer leaves in one write
// (one TLS record for a small answer) without Beast's per-field allocations and buffer-sequence
// iteration.
//
// Header fields, in order: Content-Type (not on a 304), Cache-Control, ETag (when set), the
// security headers, Allow (when set), Retry-After (when set), Connection (HTTP/1.1: `close` when
// not kept alive; HTTP/1.0: `keep-alive` when kept alive), Content-Length (not on a 304; for a
// HEAD request the length of the GET answer, with no body sent).
//
// Thread-safety: a pure function.
#ifndef VOXSECRETS_HTTP_REPLY_BYTES_H_
#define VOXSECRETS_HTTP_REPLY_BYTES_H_

#include <string>

#include "http/responder.h"

namespace voxsecrets::http {

// `version` is the request's (10 or 11). The result is reserved to its exact size before the body
// is copied into it (it is never reallocated with the body in it); the body may be a secret value:
// the caller wipes the result (and `reply.body`) once written.
std::string ReplyBytes(const HttpReply& reply, unsigned version, bool keep_alive, bool head);

}  // namespace voxsecrets::http

#endif  // VOXSECRETS_HTTP_REPLY_BYTES_H_
