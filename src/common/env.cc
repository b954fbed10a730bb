#include "unionstate/env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
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
    std::string contents;
    char buffer[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        int error = errno;
        ::close(fd);
        return IoError({path, 0, 0},
                       "cannot read the file: " + SystemReason(error));
      }
      contents.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return contents;
  }

  Result<void> WriteFile(const std::string& path,
                         std::string_view contents) override {
    // A unique temporary name next to the target, so rename() is atomic.
    std::random_device device;
    std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" +
                       std::to_string(device());
    int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      return IoError({path, 0, 0},
                     "cannot write the file: " + SystemReason(errno));
    }
    auto fail = [&](int error) -> Result<void> {
      ::close(fd);
      ::unlink(temp.c_str());
      return IoError({path, 0, 0},
                     "cannot write the file: " + SystemReason(error));
    };
    size_t done = 0;
    while (done < contents.size()) {
      ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(errno);
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return fail(errno);
    if (::close(fd) != 0) {
      int error = errno;
      ::unlink(temp.c_str());
      return IoError({path, 0, 0},
                     "cannot write the file: " + SystemReason(error));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      int error = errno;
      ::unlink(temp.c_str());
      return IoError({path, 0, 0},
                     "cannot write the file: " + SystemReason(error));
    }
    return {};
  }

  double NowSeconds() const override {
    using Clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(Clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Env& Env::Default() {
  static PosixEnv* env = new PosixEnv;
  return *env;
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
