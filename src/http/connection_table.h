// ConnectionTable: which connections the server holds, per client address, and which one to close
// when a new connection needs room (docs/SECURITY.md "Connections").
//
// Every open connection is in the table from its accept to its close, under its client address
// (the socket peer). A connection is *evictable* while it owes nothing to its client: from the
// accept until a request has arrived completely (TLS handshake, waiting for the first byte, a
// request head or body still arriving: the slowloris states), and again while it waits, idle,
// for the next keep-alive request. It is *busy* from a complete request until its answer is
// written.
//
// Admission of a new connection from address A:
//  1. A holds max_per_address connections: the one of A that has been evictable the longest is
//     closed to make room; if none of A's is evictable, the new connection is refused.
//  2. The server holds max_total connections: the one (of any address) that has been evictable
//     the longest is closed; if none is, the new connection is refused.
// So a client that completes its requests promptly keeps being served while slow or idle
// connections, however many, are pushed out oldest first; only a flood of new connections faster
// than a client can complete one request can crowd it out (a firewall's connection rate limit is
// the answer to that, docs/SECURITY.md).
//
// Evicted connections leave the table at once (their slots count as free); the server closes
// them. Remove() of a connection no longer in the table does nothing.
//
// Thread-safety: none; the server guards it with its own mutex. Memory: O(connections).
#ifndef VOXSECRETS_HTTP_CONNECTION_TABLE_H_
#define VOXSECRETS_HTTP_CONNECTION_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace voxsecrets::http::internal {

class ConnectionTable {
 public:
  using Id = uint64_t;

  struct Limits {
    size_t max_total = 4096;
    size_t max_per_address = 256;  // 0 = no per-address limit
  };

  enum class Admission {
    kAdmitted,
    kRefusedAddressBusy,  // the address is at its limit and none of its connections is evictable
    kRefusedServerBusy,   // the server is at its limit and no connection is evictable
  };

  explicit ConnectionTable(Limits limits) : limits_(limits) {}

  // Admits connection `id` (new; evictable from now on) from `address`, appending to `evict` the
  // connections to close to make room for it (already removed from the table); `*for_address`
  // (optional) tells how many of them were closed for the per-address limit (they come first).
  // When refused, nothing is evicted and `id` is not in the table.
  Admission Admit(Id id, std::string_view address, std::vector<Id>* evict,
                  size_t* for_address = nullptr);

  // `id` owes nothing to its client (again): evictable, as the newest. Unknown ids are ignored.
  void MarkEvictable(Id id);
  // `id` has a complete request to answer: never evicted until MarkEvictable.
  void MarkBusy(Id id);
  void Remove(Id id);

  // Closes room for one connection without admitting one (the process ran out of file
  // descriptors): the connection evictable the longest, if any.
  bool EvictOldest(std::vector<Id>* evict);

  size_t size() const { return entries_.size(); }
  size_t CountOf(std::string_view address) const;
  size_t evictable() const { return evictable_.size(); }
  bool Contains(Id id) const { return entries_.contains(id); }

 private:
  struct Entry;
  // Each entry has one node in an Order of the whole table and one in its address's, from its
  // admission to its removal: the node moves (std::list::splice) between the evictable order and
  // the busy one, so marking a connection busy or evictable, done for every request, allocates
  // nothing.
  using Order = std::list<Entry*>;  // evictable: oldest evictable first; busy: any order
  struct PerAddress {
    size_t count = 0;
    Order evictable;
    Order busy;
  };
  struct Entry {
    Id id = 0;
    std::string address;
    PerAddress* per_address = nullptr;  // &addresses_[address]: stable while the entry exists
    bool evictable = false;
    Order::iterator in_all;      // in evictable_ when evictable, else in busy_
    Order::iterator in_address;  // in per_address->evictable when evictable, else ->busy
  };

  // Moves `entry` to the busy orders (if it is evictable).
  void Unlink(Entry& entry);
  void Drop(Entry& entry, std::vector<Id>* evict);

  const Limits limits_;
  std::unordered_map<Id, Entry> entries_;
  std::unordered_map<std::string, PerAddress> addresses_;
  Order evictable_;
  Order busy_;
};

}  // namespace voxsecrets::http::internal

#endif  // VOXSECRETS_HTTP_CONNECTION_TABLE_H_
