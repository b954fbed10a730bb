#include "unionstate/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>

namespace unionstate {
namespace {

std::string SystemReason(int error) { return std::strerror(error); }

class PosixEnv : public Env {
 public:
  Result<std::string> ReadFile(const std::string& path) const override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return IoError({path, 0, 0},
                     "cannot read the file: " + SystemReason(errno));
    }
    // Straight into the string, sized from fstat when the file is a
    // regular one (one byte more, to see the end in one read); a pipe or a
    // file that grows meanwhile gets more room as it needs it.
    std::string contents;
    struct stat info;
    size_t room = 4096;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
      room = static_cast<size_t>(info.st_size) + 1;
    }
    size_t filled = 0;
    contents.resize(room);
    while (true) {
      if (filled == contents.size()) contents.resize(2 * contents.size());
      ssize_t n =
          ::read(fd, contents.data() + filled, contents.size() - filled);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        int error = errno;
        ::close(fd);
        return IoError({path, 0, 0},
                       "cannot read the file: " + SystemReason(error));
      }
      filled += static_cast<size_t>(n);
    }
    ::close(fd);
    contents.resize(filled);
    return contents;
  }

  explicit PosixEnv(PosixFaults faults = {}) : faults_(faults) {}

  Result<void> WriteFile(const std::string& path,
                         std::string_view contents) override {
    // stat() follows symbolic links: what counts is the file a link names.
    struct stat target;
    if (::stat(path.c_str(), &target) != 0) {
      const int error = errno;
      struct stat link;
      if (error == ENOENT && ::lstat(path.c_str(), &link) == 0 &&
          S_ISLNK(link.st_mode)) {
        return InvalidArgument(
            path +
            ": the symbolic link names no file; expected a link to a file, "
            "a device or a FIFO");
      }
      if (error != ENOENT) return CannotWrite(path, error);
      return ReplaceAtomically(path, path, 0644, contents);  // a new file
    }
    if (S_ISDIR(target.st_mode)) {
      return InvalidArgument(
          path + ": is a directory; expected a file, a device or a FIFO");
    }
    if (S_ISREG(target.st_mode)) {
      // Through a link, replace the file it names and keep the link.
      char* resolved = ::realpath(path.c_str(), nullptr);
      if (resolved == nullptr) return CannotWrite(path, errno);
      const std::string real = resolved;
      std::free(resolved);
      return ReplaceAtomically(path, real, target.st_mode & 07777, contents);
    }
    return WriteInPlace(path, contents);
  }

  double NowSeconds() const override {
    using Clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(Clock::now().time_since_epoch())
        .count();
  }

 private:
  static Result<void> CannotWrite(const std::string& path, int error) {
    return IoError({path, 0, 0},
                   "cannot write the file: " + SystemReason(error));
  }

  // write() until all of `contents` went out, honouring the injected fault.
  // Returns 0 or the errno of the failure.
  int WriteAll(int fd, std::string_view contents) const {
    size_t done = 0;
    while (done < contents.size()) {
      size_t want = contents.size() - done;
      if (done + want > faults_.fail_write_after_bytes) {
        if (done >= faults_.fail_write_after_bytes) return ENOSPC;
        want = faults_.fail_write_after_bytes - done;
      }
      ssize_t n = ::write(fd, contents.data() + done, want);
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      done += static_cast<size_t>(n);
    }
    return 0;
  }

  // A temporary file next to `real` with permissions `mode`, renamed over it
  // once complete; errors name `path`, what the caller wrote.
  Result<void> ReplaceAtomically(const std::string& path,
                                 const std::string& real, mode_t mode,
                                 std::string_view contents) const {
    // A unique temporary name next to the target, so rename() is atomic.
    std::random_device device;
    const std::string temp = real + ".tmp-" + std::to_string(::getpid()) + "-" +
                             std::to_string(device());
    int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return CannotWrite(path, errno);
    // The replacement keeps the permissions of the file it replaces.
    int error = ::fchmod(fd, mode) == 0 ? 0 : errno;
    if (error == 0) error = WriteAll(fd, contents);
    if (error == 0 && (faults_.fail_fsync || ::fsync(fd) != 0)) {
      error = faults_.fail_fsync ? EIO : errno;
    }
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(temp.c_str(), real.c_str()) != 0) {
      error = errno;
    }
    if (error != 0) {
      ::unlink(temp.c_str());
      return CannotWrite(path, error);
    }
    return {};
  }

  // Devices, FIFOs and sockets: opened and written as they are.
  Result<void> WriteInPlace(const std::string& path,
                            std::string_view contents) const {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return CannotWrite(path, errno);
    int error = WriteAll(fd, contents);
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error != 0) return CannotWrite(path, error);
    return {};
  }

  const PosixFaults faults_;
};

}  // namespace

Env& Env::Default() {
  static PosixEnv* env = new PosixEnv;
  return *env;
}

std::unique_ptr<Env> NewPosixEnv(PosixFaults faults) {
  return std::make_unique<PosixEnv>(faults);
}

struct MemEnv::State {
  mutable std::mutex mutex;
  std::map<std::string, std::string> files;
  bool full = false;
  double clock = 0;
};

MemEnv::MemEnv() : state_(std::make_unique<State>()) {}
MemEnv::~MemEnv() = default;

void MemEnv::AddFile(const std::string& path, std::string contents) {
  std::lock_guard lock(state_->mutex);
  state_->files[path] = std::move(contents);
}

void MemEnv::SimulateFullDisk(bool full) {
  std::lock_guard lock(state_->mutex);
  state_->full = full;
}

Result<std::string> MemEnv::ReadFile(const std::string& path) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end()) {
    return IoError({path, 0, 0},
                   "cannot read the file: No such file or directory");
  }
  return it->second;
}

Result<void> MemEnv::WriteFile(const std::string& path,
                               std::string_view contents) {
  std::lock_guard lock(state_->mutex);
  if (state_->full) {
    return IoError({path, 0, 0},
                   "cannot write the file: No space left on device");
  }
  state_->files[path] = std::string(contents);
  return {};
}

double MemEnv::NowSeconds() const {
  std::lock_guard lock(state_->mutex);
  return state_->clock;
}

}  // namespace unionstate
