#ifndef UNIONSTATE_STORE_FAULT_VFS_H_
#define UNIONSTATE_STORE_FAULT_VFS_H_

// Fault injection for the results database (tests only).
//
// Env (include/unionstate/env.h) reads and writes whole files; SQLite does
// its page-level I/O through its own VFS, which Env cannot serve. So the
// store's fault hook sits in a small SQLite VFS shim: while a StoreFaults is
// installed, ResultStore opens its database through the VFS "unionstate-
// faults", which forwards every call to SQLite's default VFS and first
// counts each xWrite and xSync, failing the ones the StoreFaults names with
// SQLITE_IOERR_WRITE or SQLITE_IOERR_FSYNC, as a full disk or a dying device
// would. Without one installed (the program's only state) the store opens
// with SQLite's default VFS and this file is never reached.

#include <atomic>
#include <cstdint>

namespace unionstate::internal {

struct StoreFaults {
  // The n-th write (counted from 1, over every file of the database: main,
  // -wal, -journal) and every later one fail; 0: none fails.
  std::atomic<std::int64_t> fail_write_from{0};
  // The same for syncs (fsync).
  std::atomic<std::int64_t> fail_sync_from{0};
  // Calls seen so far, failed ones included.
  std::atomic<std::int64_t> writes{0};
  std::atomic<std::int64_t> syncs{0};
};

// Installs `faults` (not owned; nullptr removes them) for databases opened
// from now on. Not for concurrent use with opening databases.
void SetStoreFaults(StoreFaults* faults);

// The VFS name ResultStore passes to sqlite3_open_v2: nullptr (SQLite's
// default) unless faults are installed.
const char* StoreVfsName();

}  // namespace unionstate::internal

#endif  // UNIONSTATE_STORE_FAULT_VFS_H_
