#include "http/connection_table.h"

namespace voxsecrets::http::internal {

size_t ConnectionTable::CountOf(std::string_view address) const {
  auto it = addresses_.find(std::string(address));
  return it == addresses_.end() ? 0 : it->second.count;
}

void ConnectionTable::Unlink(Entry& entry) {
  if (!entry.evictable) return;
  evictable_.erase(entry.in_all);
  addresses_[entry.address].evictable.erase(entry.in_address);
  entry.evictable = false;
}

void ConnectionTable::Drop(Entry& entry, std::vector<Id>* evict) {
  Unlink(entry);
  auto address = addresses_.find(entry.address);
  if (address != addresses_.end() && --address->second.count == 0) addresses_.erase(address);
  if (evict != nullptr) evict->push_back(entry.id);
  entries_.erase(entry.id);
}

ConnectionTable::Admission ConnectionTable::Admit(Id id, std::string_view address,
                                                  std::vector<Id>* evict, size_t* for_address) {
  if (for_address != nullptr) *for_address = 0;
  // Decide first, change nothing until the connection is known to get in.
  Entry* of_address = nullptr;
  auto slot = addresses_.find(std::string(address));
  const bool address_full = limits_.max_per_address != 0 && slot != addresses_.end() &&
                            slot->second.count >= limits_.max_per_address;
  if (address_full) {
    if (slot->second.evictable.empty()) return Admission::kRefusedAddressBusy;
    of_address = slot->second.evictable.front();
  }
  // Making room for the address frees one slot of the total as well.
  const size_t total_after = entries_.size() - (of_address != nullptr ? 1 : 0);
  Entry* for_total = nullptr;
  if (total_after >= limits_.max_total) {
    for (Entry* candidate : evictable_) {
      if (candidate != of_address) {
        for_total = candidate;
        break;
      }
    }
    if (for_total == nullptr) return Admission::kRefusedServerBusy;
  }
  if (of_address != nullptr) {
    Drop(*of_address, evict);
    if (for_address != nullptr) *for_address = 1;
  }
  if (for_total != nullptr) Drop(*for_total, evict);

  Entry& entry = entries_[id];
  entry.id = id;
  entry.address = std::string(address);
  ++addresses_[entry.address].count;
  MarkEvictable(id);
  return Admission::kAdmitted;
}

void ConnectionTable::MarkEvictable(Id id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  Unlink(entry);
  entry.in_all = evictable_.insert(evictable_.end(), &entry);
  Order& of_address = addresses_[entry.address].evictable;
  entry.in_address = of_address.insert(of_address.end(), &entry);
  entry.evictable = true;
}

void ConnectionTable::MarkBusy(Id id) {
  auto it = entries_.find(id);
  if (it != entries_.end()) Unlink(it->second);
}

void ConnectionTable::Remove(Id id) {
  auto it = entries_.find(id);
  if (it != entries_.end()) Drop(it->second, nullptr);
}

bool ConnectionTable::EvictOldest(std::vector<Id>* evict) {
  if (evictable_.empty()) return false;
  Drop(*evictable_.front(), evict);
  return true;
}

}  // namespace voxsecrets::http::internal
