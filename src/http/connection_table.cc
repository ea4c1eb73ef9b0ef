#include "http/connection_table.h"

namespace voxsecrets::http::internal {

size_t ConnectionTable::CountOf(std::string_view address) const {
  auto it = addresses_.find(std::string(address));
  return it == addresses_.end() ? 0 : it->second.count;
}

void ConnectionTable::Unlink(Entry& entry) {
  if (!entry.evictable) return;
  busy_.splice(busy_.end(), evictable_, entry.in_all);
  entry.per_address->busy.splice(entry.per_address->busy.end(), entry.per_address->evictable,
                                 entry.in_address);
  entry.evictable = false;
}

void ConnectionTable::Drop(Entry& entry, std::vector<Id>* evict) {
  PerAddress& per_address = *entry.per_address;
  (entry.evictable ? evictable_ : busy_).erase(entry.in_all);
  (entry.evictable ? per_address.evictable : per_address.busy).erase(entry.in_address);
  if (--per_address.count == 0) addresses_.erase(entry.address);
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
  entry.per_address = &addresses_[entry.address];
  ++entry.per_address->count;
  entry.in_all = busy_.insert(busy_.end(), &entry);
  entry.in_address = entry.per_address->busy.insert(entry.per_address->busy.end(), &entry);
  MarkEvictable(id);
  return Admission::kAdmitted;
}

void ConnectionTable::MarkEvictable(Id id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  Unlink(entry);  // as the newest: to the end, from wherever it was
  evictable_.splice(evictable_.end(), busy_, entry.in_all);
  entry.per_address->evictable.splice(entry.per_address->evictable.end(), entry.per_address->busy,
                                      entry.in_address);
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
