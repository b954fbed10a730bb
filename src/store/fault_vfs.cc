#include "store/fault_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>

namespace unionstate::internal {
namespace {

std::atomic<StoreFaults*> g_faults{nullptr};
sqlite3_vfs* g_real = nullptr;  // SQLite's default VFS, set at registration
sqlite3_vfs g_vfs{};
sqlite3_io_methods g_methods{};

// Our file: the base SQLite sees, then the real VFS's file right after it.
struct ShimFile {
  sqlite3_file base;
};
sqlite3_file* Real(sqlite3_file* f) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<ShimFile*>(f) + 1);
}

// Whether this call, the `count`-th of its kind, is to fail.
bool Fails(std::atomic<std::int64_t> StoreFaults::*counter,
           std::atomic<std::int64_t> StoreFaults::*from) {
  StoreFaults* faults = g_faults.load();
  if (faults == nullptr) return false;
  const std::int64_t n = ++(faults->*counter);
  const std::int64_t first = (faults->*from).load();
  return first > 0 && n >= first;
}

int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  if (Fails(&StoreFaults::writes, &StoreFaults::fail_write_from))
    return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), data, amount, offset);
}
int Sync(sqlite3_file* f, int flags) {
  if (Fails(&StoreFaults::syncs, &StoreFaults::fail_sync_from))
    return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}

// Everything else goes straight through.
int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), data, amount, offset);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) {
  return Real(f)->pMethods->xLock(Real(f), level);
}
int Unlock(sqlite3_file* f, int level) {
  return Real(f)->pMethods->xUnlock(Real(f), level);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) {
  return Real(f)->pMethods->xSectorSize(Real(f));
}
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend,
           void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int remove) {
  return Real(f)->pMethods->xShmUnmap(Real(f), remove);
}
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags,
         int* out_flags) {
  f->pMethods = nullptr;
  const int rc = g_real->xOpen(g_real, name, Real(f), flags, out_flags);
  if (rc == SQLITE_OK && Real(f)->pMethods != nullptr) {
    // Offer only what the real file offers (WAL needs the xShm* methods).
    g_methods.iVersion = std::min(Real(f)->pMethods->iVersion, 3);
    f->pMethods = &g_methods;
  }
  return rc;
}

void Register() {
  g_real = sqlite3_vfs_find(nullptr);
  g_methods = {3,         Close,        Read,
               Write,     Truncate,     Sync,
               FileSize,  Lock,         Unlock,
               CheckReservedLock, FileControl, SectorSize,
               DeviceCharacteristics, ShmMap, ShmLock,
               ShmBarrier, ShmUnmap,    Fetch,
               Unfetch};
  // The real VFS's other methods serve as they are: they are handed our
  // VFS, which is a copy of theirs with the same pAppData.
  g_vfs = *g_real;
  g_vfs.zName = "unionstate-faults";
  g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  g_vfs.pNext = nullptr;
  g_vfs.xOpen = Open;
  sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
}

}  // namespace

void SetStoreFaults(StoreFaults* faults) {
  static std::once_flag once;
  if (faults != nullptr) std::call_once(once, Register);
  g_faults.store(faults);
}

const char* StoreVfsName() {
  return g_faults.load() != nullptr ? "unionstate-faults" : nullptr;
}

}  // namespace unionstate::internal
