// Fuzz target for serving static files (the control panel) from untrusted request lines:
// http::Responder with StaticAssets (src/http/responder.h, static_assets.h) and
// IfNoneMatchMatches.
//
// Input layout: the first line is the verb, the second the request target, the rest the
// If-None-Match header. Besides "never crash, never hang", it checks on every input:
//   * the answer is 200/304 (a file), 405 (a file's path with another verb), 404, or — for
//     /platform_api targets — the API's answer, never a file;
//   * 200 carries exactly the file's bytes, its ETag and the panel's headers; a file is found only
//     by its exact path ("/" meaning "/index.html"), so no target reaches anything else;
//   * 304 only when If-None-Match matches the file's tag, with no body;
//   * every other answer keeps Cache-Control no-store and the API's headers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "http/responder.h"
#include "http/static_assets.h"
#include "metrics/prometheus_metrics.h"

namespace {

using namespace voxsecrets;

void Check(bool condition) {
  if (!condition) std::abort();
}

std::string_view TakeLine(std::string_view* rest) {
  const size_t nl = rest->find('\n');
  const std::string_view line = rest->substr(0, nl);
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  return line;
}

class Files final : public http::StaticAssets {
 public:
  std::optional<http::StaticAsset> Find(std::string_view path) const override {
    const auto it = files_.find(std::string(path));
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }
  const std::map<std::string, http::StaticAsset>& all() const { return files_; }

 private:
  const std::map<std::string, http::StaticAsset> files_ = {
      {"/index.html", {"text/html; charset=utf-8", "<!doctype html>", "\"1111\"", false}},
      {"/assets/app-AAAA1111.js", {"text/javascript; charset=utf-8", "x", "\"2222\"", true}},
  };
};

class Api final : public api::ApiHandler {
 public:
  api::ApiResponse Handle(const api::ApiRequest&) override { return {R"({"result":1})"}; }
};

class AlwaysReady final : public http::HealthCheck {
 public:
  bool Ready() override { return true; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Files files;
  static Api api;
  static AlwaysReady health;
  static metrics::PrometheusMetrics metrics;
  static const http::Responder responder(api, health, metrics, false, &files);

  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view verb = TakeLine(&rest);
  const std::string_view target = TakeLine(&rest);
  const std::string_view if_none_match = rest;

  (void)http::IfNoneMatchMatches(if_none_match, "\"1111\"");
  Check(http::IfNoneMatchMatches("*", "\"1111\""));

  const http::Route route = http::RouteOf(target);
  const http::HttpReply reply =
      responder.Respond(route, {.verb = verb, .target = target, .if_none_match = if_none_match});

  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path == "/") path = "/index.html";
  const auto file = files.all().find(std::string(path));
  const bool is_file = route == http::Route::kNotFound && file != files.all().end();
  if (!is_file) {
    Check(reply.status != 304 && reply.route_label != "panel");
    Check(reply.cache_control == http::kNoStore);
    Check(reply.security_headers.data() == http::kApiSecurityHeaders);
    if (route == http::Route::kNotFound) Check(reply.status == 404);
    return 0;
  }
  Check(reply.route_label == "panel");
  if (verb != "GET" && verb != "HEAD") {
    Check(reply.status == 405 && reply.cache_control == http::kNoStore);
    return 0;
  }
  const http::StaticAsset& asset = file->second;
  Check(reply.security_headers.data() == http::kPanelSecurityHeaders);
  Check(reply.etag == asset.etag);
  Check(reply.cache_control == (asset.immutable ? http::kImmutable : http::kRevalidate));
  if (http::IfNoneMatchMatches(if_none_match, asset.etag)) {
    Check(reply.status == 304 && reply.body.empty());
  } else {
    Check(reply.status == 200 && reply.body == asset.body);
    Check(reply.content_type == asset.content_type);
  }
  return 0;
}
