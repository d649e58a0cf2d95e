// A few scratch tables per thread, each owned by one object named by a serial number (never by
// its address, which a later object could reuse); the least recently used table is reset for a
// new owner. The word cache and StaticTokenizer's chunk cache keep their memo this way, so
// their lookups take no lock.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sk {

// Table: { uint64_t serial; uint64_t last_use; void Reset(uint64_t serial); }.
template <typename Table, size_t kCount>
struct OwnedTables {
  Table tables[kCount];
  uint64_t clock = 0;

  Table& For(uint64_t serial) {
    Table* oldest = &tables[0];
    for (Table& table : tables) {
      if (table.serial == serial) {
        table.last_use = ++clock;
        return table;
      }
      if (table.last_use < oldest->last_use) oldest = &table;
    }
    oldest->Reset(serial);
    oldest->last_use = ++clock;
    return *oldest;
  }
};

}  // namespace sk
