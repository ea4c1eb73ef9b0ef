// Small helpers for tests that call services inside a store transaction and want the Result
// back: InWrite(store, [&](store::Tx& tx) { return service.Add(tx, ...); }).
// On an error the transaction rolls back (Write's contract) and the error is returned.
#ifndef VOXSECRETS_TESTS_TESTING_TX_HELPERS_H_
#define VOXSECRETS_TESTS_TESTING_TX_HELPERS_H_

#include <optional>
#include <type_traits>
#include <utility>

#include "common/status.h"
#include "store/store.h"

namespace voxsecrets::store {

template <typename Fn>
auto RunIn(bool write, Store& store, Fn&& fn) -> std::invoke_result_t<Fn&, Tx&> {
  using R = std::invoke_result_t<Fn&, Tx&>;
  std::optional<R> out;
  const TxFn body = [&](Tx& tx) -> Status {
    out.reset();
    out.emplace(fn(tx));
    return out->status();
  };
  const Status status = write ? store.Write(body) : store.Read(body);
  if (!status.ok()) return status;
  return std::move(*out);
}

template <typename Fn>
auto InWrite(Store& store, Fn&& fn) {
  return RunIn(true, store, std::forward<Fn>(fn));
}

template <typename Fn>
auto InRead(Store& store, Fn&& fn) {
  return RunIn(false, store, std::forward<Fn>(fn));
}

}  // namespace voxsecrets::store

#endif  // VOXSECRETS_TESTS_TESTING_TX_HELPERS_H_
