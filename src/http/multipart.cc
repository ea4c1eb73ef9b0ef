// multipart/form-data (RFC 7578 over RFC 2046), as sent by the official clients:
//   Node (npm form-data), Go (mime/multipart), PHP (hand-built), Java (Apache httpmime, with
//   per-part Content-Type and Content-Transfer-Encoding headers).
//
// One forward pass: the body is scanned for "\n--boundary" with string_view::find, each part's
// headers are read line by line, and every byte is looked at a bounded number of times, so 100k
// tiny parts cost the same as one big one.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "common/ascii.h"
#include "http/body_decoders.h"
#include "http/request_decoder.h"

namespace voxsecrets::http::internal {
namespace {

Status Malformed(std::string_view reason) {
  return Status(StatusCode::kMalformedRequest,
                "The multipart body is malformed: " + std::string(reason) + ".");
}

bool StartsWithAt(std::string_view s, size_t pos, std::string_view prefix) {
  return pos <= s.size() && s.substr(pos).starts_with(prefix);
}

std::string_view TrimSpaceTab(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A delimiter line: "--boundary" at the start of a line, then either "--" (the close delimiter)
// or optional spaces/tabs and a line end.
struct Delimiter {
  size_t content_end = 0;  // where the content before it ends (its CRLF / LF excluded)
  size_t next = 0;         // the first byte after the delimiter line (the next part's headers)
  bool close = false;
};

// Checks whether a delimiter line starts at `at` (which must be the start of a line).
std::optional<Delimiter> DelimiterAt(std::string_view body, std::string_view dash_boundary,
                                     size_t at) {
  if (!StartsWithAt(body, at, dash_boundary)) return std::nullopt;
  Delimiter d;
  if (at > 0) {
    d.content_end = at - 1;  // the '\n' before it
    if (d.content_end > 0 && body[d.content_end - 1] == '\r') --d.content_end;
  }
  size_t p = at + dash_boundary.size();
  if (StartsWithAt(body, p, "--")) {
    d.close = true;
    d.next = p + 2;
    return d;
  }
  while (p < body.size() && (body[p] == ' ' || body[p] == '\t')) ++p;
  if (StartsWithAt(body, p, "\n")) {
    d.next = p + 1;
  } else if (StartsWithAt(body, p, "\r\n")) {
    d.next = p + 2;
  } else {
    return std::nullopt;  // "--boundaryX...": content, not a delimiter
  }
  return d;
}

// Finds the first delimiter line starting after the '\n' at or after `from`, or at `from` itself
// when from == 0. `nl_dash_boundary` is "\n--boundary".
std::optional<Delimiter> FindDelimiter(std::string_view body, std::string_view nl_dash_boundary,
                                       size_t from) {
  const std::string_view dash_boundary = nl_dash_boundary.substr(1);
  if (from == 0) {
    if (auto d = DelimiterAt(body, dash_boundary, 0)) return d;
  }
  while (from < body.size()) {
    const size_t nl = body.find(nl_dash_boundary, from);
    if (nl == std::string_view::npos) return std::nullopt;
    if (auto d = DelimiterAt(body, dash_boundary, nl + 1)) return d;
    from = nl + 1;
  }
  return std::nullopt;
}

}  // namespace

Status DecodeMultipart(std::string_view body, std::string_view boundary, api::Params* out) {
  if (boundary.empty() || boundary.size() > kMaxBoundaryLength) {
    return Malformed("no usable boundary");
  }
  const std::string nl_dash_boundary = "\n--" + std::string(boundary);
  const std::string_view dash_boundary = std::string_view(nl_dash_boundary).substr(1);

  std::optional<Delimiter> delimiter = FindDelimiter(body, nl_dash_boundary, 0);
  if (!delimiter) return Malformed("the boundary does not occur");
  while (!delimiter->close) {
    // Part headers, up to an empty line. Only Content-Disposition matters; a folded
    // continuation line (leading space or tab) extends the header before it.
    size_t pos = delimiter->next;
    size_t disposition_begin = 0;
    size_t disposition_end = 0;
    bool have_disposition = false;
    bool last_was_disposition = false;
    size_t content_start = 0;
    while (true) {
      const size_t nl = body.find('\n', pos);
      if (nl == std::string_view::npos) return Malformed("part headers do not end");
      std::string_view line = body.substr(pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) {
        content_start = nl + 1;
        break;
      }
      if (line.starts_with(dash_boundary)) return Malformed("part headers do not end");
      if (line.front() == ' ' || line.front() == '\t') {
        if (last_was_disposition) disposition_end = pos + line.size();
      } else {
        last_was_disposition = false;
        const size_t colon = line.find(':');
        if (colon != std::string_view::npos && !have_disposition &&
            EqualsIgnoreAsciiCase(TrimSpaceTab(line.substr(0, colon)), "content-disposition")) {
          have_disposition = true;
          last_was_disposition = true;
          disposition_begin = pos + colon + 1;
          disposition_end = pos + line.size();
        }
      }
      pos = nl + 1;
    }
    std::optional<std::string> name;
    if (have_disposition) {
      name =
          HeaderParam(body.substr(disposition_begin, disposition_end - disposition_begin), "name");
    }
    if (!name || name->empty()) return Malformed("a part has no name");

    // The content runs to the next delimiter. Searching from the '\n' that ended the headers
    // also accepts an empty value whose delimiter follows the blank line directly.
    delimiter = FindDelimiter(body, nl_dash_boundary, content_start - 1);
    if (!delimiter) return Malformed("the closing boundary is missing");
    const size_t content_end = std::max(delimiter->content_end, content_start);
    out->Set(std::move(*name),
             std::string(body.substr(content_start, content_end - content_start)));
  }
  return Status::Ok();
}

}  // namespace voxsecrets::http::internal
