// The MPI side of `unionstate ensemble`, built as the module
// libunionstate_mpi.so and loaded by the program only under mpirun
// (src/cli/ranks.h). The only file that includes mpi.h.

// The C API only: Open MPI's deprecated C++ bindings need another library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <deque>
#include <memory>
#include <utility>

#include "cli/ranks.h"

namespace unionstate::cli {
namespace {

constexpr int kBatchTag = 1;
constexpr int kLastTag = 2;

class MpiRanks : public Ranks {
 public:
  MpiRanks() {
    MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiRanks() override {
    // Every message must have left before MPI goes.
    for (Pending& p : pending_) MPI_Wait(&p.request, MPI_STATUS_IGNORE);
    MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  bool Broadcast(bool value) override {
    int flag = value ? 1 : 0;
    MPI_Bcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return flag != 0;
  }

  void Send(std::string bytes, bool last) override {
    // A batch is a few hundred kilobytes at most; MPI counts are ints.
    pending_.push_back(
        {std::make_unique<std::string>(std::move(bytes)), MPI_REQUEST_NULL});
    Pending& p = pending_.back();
    MPI_Isend(p.bytes->data(), static_cast<int>(p.bytes->size()), MPI_CHAR, 0,
              last ? kLastTag : kBatchTag, MPI_COMM_WORLD, &p.request);
    // Frees the buffers of the messages that have left.
    while (!pending_.empty()) {
      int done = 0;
      MPI_Test(&pending_.front().request, &done, MPI_STATUS_IGNORE);
      if (!done) break;
      pending_.pop_front();
    }
  }

  std::optional<Message> Receive(bool wait) override {
    MPI_Status status;
    if (wait) {
      MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
    } else {
      int arrived = 0;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived,
                 &status);
      if (!arrived) return std::nullopt;
    }
    int count = 0;
    MPI_Get_count(&status, MPI_CHAR, &count);
    Message m;
    m.from = status.MPI_SOURCE;
    m.last = status.MPI_TAG == kLastTag;
    m.bytes.resize(static_cast<size_t>(count));
    MPI_Recv(m.bytes.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG,
             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return m;
  }

 private:
  struct Pending {
    std::unique_ptr<std::string> bytes;
    MPI_Request request;
  };
  int rank_ = 0;
  int size_ = 1;
  std::deque<Pending> pending_;
};

}  // namespace
}  // namespace unionstate::cli

extern "C" __attribute__((visibility("default"))) unionstate::cli::Ranks*
UnionstateNewMpiRanks() {
  return new unionstate::cli::MpiRanks();
}
