#ifndef UNIONSTATE_ENV_H_
#define UNIONSTATE_ENV_H_

// The world outside the library, injected (leveldb's Env): every file the
// library reads or writes goes through an Env, so tests run in memory and
// failure tests can inject faults (an unreadable file, a full disk).
//
// Env::Default() is the real file system. MemEnv is an in-memory one for
// tests. Implementations must be safe to call from several threads.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "unionstate/status.h"

namespace unionstate {

class Env {
 public:
  virtual ~Env() = default;

  // The whole content of the file at `path`. Fails with ErrorKind::kIo, the
  // path and the system's reason when the file cannot be read.
  virtual Result<std::string> ReadFile(const std::string& path) const = 0;

  // Writes `contents` to `path`. What that means depends on what `path` is
  // (docs/cli.md, "Output files"):
  //   - a regular file, or nothing yet: replaced atomically. The bytes go to
  //     a temporary file in the same folder, which is flushed and renamed
  //     over `path` only when all of it was written. On failure (for example
  //     a full disk) `path` is left as it was and no temporary file remains.
  //   - a symbolic link: followed. The file it finally names is treated as
  //     above (a regular file is replaced, the link itself stays a link); a
  //     link to nothing is refused (kInvalidArgument).
  //   - a character or block device, a FIFO or a socket (/dev/null,
  //     /dev/stdout on a pipe, a named pipe): written in place, never
  //     replaced; a failed write (ENOSPC on /dev/full) is reported, though
  //     what a device or reader already took cannot be taken back.
  //   - a directory: refused (kInvalidArgument), nothing written.
  // Failures to write are kIo with the path and the system's reason.
  virtual Result<void> WriteFile(const std::string& path,
                                 std::string_view contents) = 0;

  // Seconds since an arbitrary fixed point, monotonic; for progress and
  // timing only, never for results.
  virtual double NowSeconds() const = 0;

  // The process-wide real file system and clock. Never null; not owned.
  static Env& Default();
};

// Faults a real-file-system Env injects into WriteFile (tests): the I/O
// failures that a full disk or a failing device produce, at a chosen point.
struct PosixFaults {
  // write() fails with ENOSPC once this many bytes of one WriteFile went out.
  std::size_t fail_write_after_bytes = SIZE_MAX;
  // fsync() fails with EIO.
  bool fail_fsync = false;
};

// The real file system and clock, with `faults` injected into every
// WriteFile. Env::Default() is this without faults.
std::unique_ptr<Env> NewPosixEnv(PosixFaults faults);

// An Env whose files live in memory. Starts empty; AddFile() seeds it.
class MemEnv : public Env {
 public:
  MemEnv();
  ~MemEnv() override;

  void AddFile(const std::string& path, std::string contents);
  // After this call every WriteFile fails as if the disk were full (tests).
  void SimulateFullDisk(bool full);

  Result<std::string> ReadFile(const std::string& path) const override;
  Result<void> WriteFile(const std::string& path,
                         std::string_view contents) override;
  double NowSeconds() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace unionstate

#endif  // UNIONSTATE_ENV_H_
