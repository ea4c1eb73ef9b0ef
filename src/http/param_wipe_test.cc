// Decoded secret parameters never reach freed memory: a request carrying a secret_value and an
// api_key is decoded (query, urlencoded, multipart and JSON bodies) and destroyed while every
// heap block freed by the process is searched for the values. This test binary replaces the
// global operator new/delete (malloc/free underneath) to see the blocks as they are freed, so it
// is an executable of its own.
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "api/api_types.h"
#include "http/request_decoder.h"

namespace {

// What the hook looks for while armed (set and cleared by the test thread only, between runs).
std::atomic<bool> g_armed{false};
const char* g_needles[2] = {nullptr, nullptr};
size_t g_needle_size = 0;
std::atomic<int> g_found{0};

void Inspect(void* p) {
  if (p == nullptr || !g_armed.load(std::memory_order_acquire)) return;
  const size_t n = malloc_usable_size(p);
  const std::string_view block(static_cast<const char*>(p), n);
  for (const char* needle : g_needles) {
    if (needle != nullptr &&
        block.find(std::string_view(needle, g_needle_size)) != std::string_view::npos) {
      g_found.fetch_add(1);
    }
  }
}

}  // namespace

void* operator new(size_t n) {
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept {
  Inspect(p);
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }

namespace voxsecrets::http {
namespace {

// Long enough to live on the heap (not inside a short string), and unlike anything else.
constexpr std::string_view kSecret = "S3CRET-value-4f1d2c9a8b7e6d5c4b3a2918-never-freed-unwiped";
constexpr std::string_view kApiKey = "AP1KEY-4f1d2c9a8b7e6d5c4b3a29180716253-never-freed-unwipd";
static_assert(kSecret.size() == kApiKey.size());

class ParamWipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_needles[0] = kSecret.data();
    g_needles[1] = kApiKey.data();
    g_needle_size = kSecret.size();
    g_found = 0;
  }

  // Decodes and destroys a request while the hook watches; the number of freed blocks that still
  // held a secret. `raw_body` and `target` are the caller's: they are not freed meanwhile.
  int FreedWithSecrets(std::string_view target, std::string_view content_type,
                       std::string_view body) {
    g_armed = true;
    {
      api::ApiRequest request;
      DecodeApiRequest(RawRequest{"POST", target, content_type, body}, &request);
      EXPECT_EQ(request.params.Get("secret_value"), kSecret) << content_type;
      EXPECT_EQ(request.params.Get("api_key"), kApiKey) << content_type;
    }
    g_armed = false;
    return g_found.load();
  }
};

TEST_F(ParamWipeTest, TheHookSeesAnUnwipedBlock) {
  // The check itself can fail: a plain string with the secret, freed, is found.
  g_armed = true;
  { std::string leak(kSecret); }
  g_armed = false;
  EXPECT_EQ(g_found.load(), 1);
}

TEST_F(ParamWipeTest, QueryString) {
  const std::string target = "/platform_api/AddSecret?secret_value=" + std::string(kSecret) +
                             "&api_key=" + std::string(kApiKey) + "&account_id=1";
  EXPECT_EQ(FreedWithSecrets(target, "", ""), 0);
}

TEST_F(ParamWipeTest, UrlEncodedBodyWithRepeatedNames) {
  const std::string body = "secret_value=first-" + std::string(kSecret) +
                           "&secret_value=" + std::string(kSecret) +
                           "&api_key=" + std::string(kApiKey) + "&application_id=1";
  EXPECT_EQ(FreedWithSecrets("/platform_api/AddSecret", "application/x-www-form-urlencoded", body),
            0);
}

TEST_F(ParamWipeTest, QueryAndBodyMerged) {
  // The query's value is copied into the merged parameters, then the query's own are dropped.
  const std::string target = "/platform_api/AddSecret?api_key=" + std::string(kApiKey);
  const std::string body = "secret_value=" + std::string(kSecret);
  EXPECT_EQ(FreedWithSecrets(target, "application/x-www-form-urlencoded", body), 0);
}

TEST_F(ParamWipeTest, MultipartBody) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"secret_value\"\r\n\r\n" +
      std::string(kSecret) +
      "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n" +
      std::string(kApiKey) + "\r\n--XyZ--\r\n";
  EXPECT_EQ(FreedWithSecrets("/platform_api/AddSecret", "multipart/form-data; boundary=XyZ", body),
            0);
}

TEST_F(ParamWipeTest, JsonBody) {
  // Escapes make the lexer build the value character by character, growing its buffer.
  std::string escaped(kSecret);
  escaped.replace(0, 1, "\\u0053");  // 'S'
  const std::string body = R"({"application_id":1,"secret_value":")" + escaped +
                           R"(","api_key":")" + std::string(kApiKey) + R"(","list":["a","b"]})";
  EXPECT_EQ(FreedWithSecrets("/platform_api/AddSecret", "application/json", body), 0);
}

TEST_F(ParamWipeTest, ReplacedErasedAndAssignedOverValues) {
  api::Params params;
  params.Set("secret_value", std::string(kSecret));
  params.Set("api_key", std::string(kApiKey));
  g_armed = true;
  params.Set("secret_value", std::string("replaced by a value long enough for the heap"));
  params.Set("api_key", std::string());  // an empty value erases
  params.Set("token", std::string(kSecret));
  params = api::Params();
  g_armed = false;
  EXPECT_EQ(g_found.load(), 0);
}

TEST_F(ParamWipeTest, BearerTokenIsWipedWithTheRequest) {
  g_armed = true;
  {
    api::ApiRequest request;
    request.bearer_token = WipingString(kSecret);
    api::ApiRequest copy = request;
    request = api::ApiRequest();
  }
  g_armed = false;
  EXPECT_EQ(g_found.load(), 0);
}

}  // namespace
}  // namespace voxsecrets::http
