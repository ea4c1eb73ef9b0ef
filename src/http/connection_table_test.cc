// The admission and eviction rules of ConnectionTable (connection_table.h).
#include "http/connection_table.h"

#include <gtest/gtest.h>

#include <vector>

namespace voxsecrets::http::internal {
namespace {

using Admission = ConnectionTable::Admission;
using Ids = std::vector<ConnectionTable::Id>;

TEST(ConnectionTableTest, AnAddressAtItsLimitLosesItsOldestEvictableConnection) {
  ConnectionTable table({.max_total = 100, .max_per_address = 3});
  Ids evicted;
  for (ConnectionTable::Id id : {1, 2, 3}) {
    ASSERT_EQ(table.Admit(id, "10.0.0.1", &evicted), Admission::kAdmitted);
  }
  ASSERT_EQ(table.Admit(10, "10.0.0.2", &evicted), Admission::kAdmitted);
  EXPECT_TRUE(evicted.empty());
  // A fourth from 10.0.0.1 pushes out 10.0.0.1's oldest, never another address's.
  EXPECT_EQ(table.Admit(4, "10.0.0.1", &evicted), Admission::kAdmitted);
  EXPECT_EQ(evicted, Ids{1});
  EXPECT_FALSE(table.Contains(1));
  EXPECT_EQ(table.CountOf("10.0.0.1"), 3u);
  EXPECT_EQ(table.CountOf("10.0.0.2"), 1u);
  EXPECT_EQ(table.size(), 4u);
  table.Remove(1);  // the evicted connection closing later changes nothing
  EXPECT_EQ(table.size(), 4u);
}

TEST(ConnectionTableTest, BusyConnectionsAreNeverEvicted) {
  ConnectionTable table({.max_total = 100, .max_per_address = 2});
  Ids evicted;
  ASSERT_EQ(table.Admit(1, "a", &evicted), Admission::kAdmitted);
  ASSERT_EQ(table.Admit(2, "a", &evicted), Admission::kAdmitted);
  table.MarkBusy(1);
  EXPECT_EQ(table.Admit(3, "a", &evicted), Admission::kAdmitted);
  EXPECT_EQ(evicted, Ids{2});  // 1 is older but busy
  table.MarkBusy(3);
  evicted.clear();
  EXPECT_EQ(table.Admit(4, "a", &evicted), Admission::kRefusedAddressBusy);
  EXPECT_TRUE(evicted.empty());
  EXPECT_FALSE(table.Contains(4));
  // Answered and idle again: evictable, newest first in line to stay.
  table.MarkEvictable(3);
  table.MarkEvictable(1);
  EXPECT_EQ(table.Admit(5, "a", &evicted), Admission::kAdmitted);
  EXPECT_EQ(evicted, Ids{3});
}

TEST(ConnectionTableTest, AnIdleKeepAliveConnectionQueuesBehindOlderSlowOnes) {
  ConnectionTable table({.max_total = 100, .max_per_address = 3});
  Ids evicted;
  ASSERT_EQ(table.Admit(1, "a", &evicted), Admission::kAdmitted);  // a client, served
  ASSERT_EQ(table.Admit(2, "a", &evicted), Admission::kAdmitted);  // slow
  ASSERT_EQ(table.Admit(3, "a", &evicted), Admission::kAdmitted);  // slow
  table.MarkBusy(1);
  table.MarkEvictable(1);  // its answer is written: idle since now
  EXPECT_EQ(table.Admit(4, "a", &evicted), Admission::kAdmitted);
  EXPECT_EQ(table.Admit(5, "a", &evicted), Admission::kAdmitted);
  EXPECT_EQ(evicted, (Ids{2, 3}));
}

TEST(ConnectionTableTest, TheServerAtItsLimitLosesTheOldestEvictableOfAnyAddress) {
  ConnectionTable table({.max_total = 3, .max_per_address = 0});
  Ids evicted;
  ASSERT_EQ(table.Admit(1, "a", &evicted), Admission::kAdmitted);
  ASSERT_EQ(table.Admit(2, "b", &evicted), Admission::kAdmitted);
  ASSERT_EQ(table.Admit(3, "c", &evicted), Admission::kAdmitted);
  table.MarkBusy(1);
  EXPECT_EQ(table.Admit(4, "d", &evicted), Admission::kAdmitted);
  EXPECT_EQ(evicted, Ids{2});
  EXPECT_EQ(table.CountOf("b"), 0u);
  table.MarkBusy(3);
  table.MarkBusy(4);
  evicted.clear();
  EXPECT_EQ(table.Admit(5, "e", &evicted), Admission::kRefusedServerBusy);
  EXPECT_TRUE(evicted.empty());
  EXPECT_EQ(table.size(), 3u);
}

TEST(ConnectionTableTest, MakingRoomForTheAddressAlsoMakesRoomInTheTotal) {
  ConnectionTable table({.max_total = 2, .max_per_address = 2});
  Ids evicted;
  ASSERT_EQ(table.Admit(1, "a", &evicted), Admission::kAdmitted);
  ASSERT_EQ(table.Admit(2, "a", &evicted), Admission::kAdmitted);
  EXPECT_EQ(table.Admit(3, "a", &evicted), Admission::kAdmitted);
  EXPECT_EQ(evicted, Ids{1});  // one eviction, not two
  EXPECT_EQ(table.size(), 2u);
}

TEST(ConnectionTableTest, ThousandsOfSlowConnectionsDoNotKeepAPromptClientOut) {
  // One address, as on loopback: an attacker's connections never complete a request; a client's
  // connection is admitted, completes its request (busy) and is answered, among them.
  ConnectionTable table({.max_total = 4096, .max_per_address = 256});
  Ids evicted;
  ConnectionTable::Id next = 1;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(table.Admit(next++, "127.0.0.1", &evicted), Admission::kAdmitted);
  }
  EXPECT_EQ(table.CountOf("127.0.0.1"), 256u);
  for (int request = 0; request < 100; ++request) {
    const ConnectionTable::Id client = next++;
    ASSERT_EQ(table.Admit(client, "127.0.0.1", &evicted), Admission::kAdmitted);
    // Up to 255 more slow connections arrive while its request is on its way: it stays.
    for (int i = 0; i < 255; ++i) table.Admit(next++, "127.0.0.1", &evicted);
    ASSERT_TRUE(table.Contains(client));
    table.MarkBusy(client);
    for (int i = 0; i < 1000; ++i) table.Admit(next++, "127.0.0.1", &evicted);
    ASSERT_TRUE(table.Contains(client));  // busy: never pushed out while it is answered
    table.Remove(client);                 // answered and closed: its slot is free
  }
  EXPECT_EQ(table.size(), 255u);
}

TEST(ConnectionTableTest, EvictOldestFreesOneSlotForAnAcceptThatRanOutOfDescriptors) {
  ConnectionTable table({.max_total = 10, .max_per_address = 0});
  Ids evicted;
  ASSERT_EQ(table.Admit(1, "a", &evicted), Admission::kAdmitted);
  ASSERT_EQ(table.Admit(2, "b", &evicted), Admission::kAdmitted);
  table.MarkBusy(1);
  EXPECT_TRUE(table.EvictOldest(&evicted));
  EXPECT_EQ(evicted, Ids{2});
  EXPECT_FALSE(table.EvictOldest(&evicted));
  EXPECT_EQ(table.evictable(), 0u);
}

}  // namespace
}  // namespace voxsecrets::http::internal
