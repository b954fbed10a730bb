#ifndef UNIONSTATE_CLI_RANKS_H_
#define UNIONSTATE_CLI_RANKS_H_

// The process's place among MPI ranks and the messages between them, for
// `unionstate ensemble` under mpirun. The MPI implementation lives in its
// own module (libunionstate_mpi.so, src/cli/mpi_ranks.cc) that the program
// loads only when mpirun started it: no other command, and no ensemble run
// without mpirun, loads MPI or the libraries it pulls in (hwloc, libevent).

#include <optional>
#include <string>

namespace unionstate::cli {

class Ranks {
 public:
  virtual ~Ranks() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Rank 0's `value`, on every rank.
  virtual bool Broadcast(bool value) = 0;

  // Ranks other than 0: hands `bytes` to rank 0 and returns without waiting
  // for it to arrive. `last` marks a rank's final message. Messages from one
  // rank arrive in the order sent.
  virtual void Send(std::string bytes, bool last) = 0;

  // Rank 0: the next message another rank sent; when `wait` is false,
  // nullopt if none has arrived yet.
  struct Message {
    int from = 0;
    bool last = false;
    std::string bytes;
  };
  virtual std::optional<Message> Receive(bool wait) = 0;
};

// The name of the function the module exports: `Ranks* F()`, the caller
// owning the result (MPI_Init in its constructor, MPI_Finalize in its
// destructor).
inline constexpr const char* kNewMpiRanksSymbol = "UnionstateNewMpiRanks";

}  // namespace unionstate::cli

#endif  // UNIONSTATE_CLI_RANKS_H_
