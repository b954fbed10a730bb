// `unionstate ensemble` and `unionstate show`: runs over draws of the
// uncertain inputs, with a progress bar, clean Ctrl-C, a results database,
// and (when built with MPI and started by mpirun) runs split across ranks.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

#include "cli/commands.h"
#include "cli/common.h"
#include "ensemble/run_codec.h"
#include "unionstate/ensemble.h"
#include "unionstate/env.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"

#ifdef UNIONSTATE_WITH_MPI
// The C API only: Open MPI's deprecated C++ bindings need another library.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace unionstate::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnInterrupt(int) {
  // A second Ctrl-C stops at once; the database keeps its committed batches.
  if (g_stop.exchange(true)) _exit(kExitInterrupted);
}

// A bar on stderr, redrawn at most ten times a second: runs done, rate and
// time left.
class TerminalProgress : public ProgressSink {
 public:
  TerminalProgress() : start_(Clock::now()) {}
  ~TerminalProgress() override {
    if (drawn_) std::fputc('\n', stderr);
  }
  void Update(std::int64_t done, std::int64_t total) override {
    const auto now = Clock::now();
    if (done != total && drawn_ && now - last_ < std::chrono::milliseconds(100))
      return;
    last_ = now;
    drawn_ = true;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    constexpr int kWidth = 30;
    const int filled =
        total > 0 ? static_cast<int>(kWidth * done / total) : kWidth;
    std::string left = "--:--";
    if (rate > 0) {
      const auto remaining =
          static_cast<std::int64_t>(static_cast<double>(total - done) / rate);
      left = fmt::format("{}:{:02d}", remaining / 60, remaining % 60);
    }
    std::fprintf(stderr, "\r[%s%s] %lld/%lld runs  %.1f runs/s  %s left ",
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(),
                 static_cast<long long>(done), static_cast<long long>(total),
                 rate, left.c_str());
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  Clock::time_point last_;
  bool drawn_ = false;
};

// The process's place among MPI ranks; one rank of one without MPI, or when
// the program was not started by mpirun.
class Ranks {
 public:
  Ranks() {
#ifdef UNIONSTATE_WITH_MPI
    const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr ||
                          std::getenv("PMI_SIZE") != nullptr ||
                          std::getenv("PMIX_RANK") != nullptr;
    if (launched) {
      MPI_Init(nullptr, nullptr);
      MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
      MPI_Comm_size(MPI_COMM_WORLD, &size_);
      mpi_ = true;
    }
#endif
  }
  ~Ranks() {
#ifdef UNIONSTATE_WITH_MPI
    if (mpi_) MPI_Finalize();
#endif
  }
  Ranks(const Ranks&) = delete;
  Ranks& operator=(const Ranks&) = delete;

  // Rank 0's `value`, on every rank (a no-op with one process).
  bool Broadcast(bool value) const {
#ifdef UNIONSTATE_WITH_MPI
    if (mpi_) {
      int flag = value ? 1 : 0;
      MPI_Bcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD);
      return flag != 0;
    }
#endif
    return value;
  }

  int rank() const { return rank_; }
  int size() const { return size_; }

  // Every rank's records on rank 0, merged in run order; `ok` says whether
  // every rank succeeded. Ranks other than 0 get their own records back.
  std::vector<RunRecord> Gather(std::vector<RunRecord> mine, bool& ok) const {
#ifdef UNIONSTATE_WITH_MPI
    if (mpi_) {
      std::string bytes = internal::EncodeRuns(mine, ok);
      // MPI counts are ints: everything gathered must stay below 2 GiB.
      long long length64 = static_cast<long long>(bytes.size());
      std::vector<long long> lengths64(static_cast<size_t>(size_));
      MPI_Gather(&length64, 1, MPI_LONG_LONG, lengths64.data(), 1,
                 MPI_LONG_LONG, 0, MPI_COMM_WORLD);
      long long total = 0;
      bool lengths_ok = true;
      for (long long l : lengths64) {
        lengths_ok = lengths_ok && l >= 0 && l <= std::numeric_limits<int>::max();
        if (lengths_ok) total += l;
      }
      int fits = rank_ != 0 ||
                 (lengths_ok && total <= std::numeric_limits<int>::max());
      MPI_Bcast(&fits, 1, MPI_INT, 0, MPI_COMM_WORLD);
      if (!fits) {
        if (rank_ == 0) {
          std::fprintf(stderr,
                       "unionstate: the runs to gather come to %lld bytes, "
                       "more than MPI can gather at once (2 GiB); run fewer "
                       "runs per mpirun\n",
                       total);
        }
        ok = false;
        return {};
      }
      const int length = static_cast<int>(length64);
      std::vector<int> lengths(lengths64.begin(), lengths64.end());
      std::vector<int> offsets(static_cast<size_t>(size_), 0);
      std::string all;
      if (rank_ == 0) {
        for (int r = 1; r < size_; ++r) {
          offsets[static_cast<size_t>(r)] =
              offsets[static_cast<size_t>(r - 1)] +
              lengths[static_cast<size_t>(r - 1)];
        }
        all.resize(static_cast<size_t>(total));
      }
      MPI_Gatherv(bytes.data(), length, MPI_CHAR, all.data(), lengths.data(),
                  offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
      if (rank_ != 0) return mine;
      std::vector<RunRecord> merged;
      for (int r = 0; r < size_; ++r) {
        std::string_view part(
            all.data() + offsets[static_cast<size_t>(r)],
            static_cast<size_t>(lengths[static_cast<size_t>(r)]));
        std::optional<bool> rank_ok = internal::DecodeRuns(part, merged);
        if (!rank_ok) {
          std::fprintf(stderr,
                       "unionstate: the runs rank %d sent do not decode; "
                       "expected the bytes it encoded\n",
                       r);
        }
        ok = ok && rank_ok.value_or(false);
      }
      std::sort(
          merged.begin(), merged.end(),
          [](const RunRecord& a, const RunRecord& b) { return a.run < b.run; });
      return merged;
    }
#endif
    (void)ok;  // one process: its own status stands
    return mine;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
  bool mpi_ = false;
};

// The text of the scenario as read, for the results database.
Result<std::pair<std::string, std::string>> ScenarioSource(
    const std::string& path) {
  if (path.empty()) {
    std::optional<BuiltinFile> file = FindBuiltinFile(DefaultBuiltinScenario());
    if (!file)
      return Failed("the built-in scenario is missing from this build");
    return std::pair("builtin:" + std::string(file->label),
                     std::string(file->text));
  }
  Result<std::string> text = Env::Default().ReadFile(path);
  if (!text) return std::unexpected(text.error());
  return std::pair(path, std::move(*text));
}

}  // namespace

int Ensemble(const EnsembleCommand& command) {
  Ranks ranks;
  const bool lead = ranks.rank() == 0;
  // Only rank 0 speaks: the others would repeat every message.
  auto report = [&](const Error& e) {
    return lead ? Report(e) : ExitCodeFor(e);
  };
  if (command.runs < 1) {
    return report(
        Error(ErrorKind::kInvalidArgument, {},
              fmt::format("--runs {}; expected at least 1", command.runs)));
  }
  if (command.threads < 0) {
    return report(
        Error(ErrorKind::kInvalidArgument, {},
              fmt::format("--threads {}; expected 0 (every core) or more",
                          command.threads)));
  }
  Result<Perturbation> perturbation = ParsePerturbation(command.perturb);
  if (!perturbation) return report(perturbation.error());
  if (command.model != kAutoModel) {
    Result<std::unique_ptr<Model>> checked = LoadModel(command.model);
    if (!checked) return report(checked.error());
  }
  Result<Scenario> scenario =
      LoadFromCommand(command.scenario, command.input_format);
  if (!scenario) return report(scenario.error());
  Result<std::unique_ptr<Model>> model =
      LoadModel(ModelFor(command.model, *scenario));
  if (!model) return report(model.error());
  const std::string spec = CanonicalSpec(**model);
  const EnsemblePlan plan = PlanEnsemble(*scenario, *perturbation);

  // The database is opened, and the ensemble recorded, before any run. Only
  // rank 0 writes; the other ranks learn whether it could, so that none
  // waits in a collective for a rank that gave up.
  std::unique_ptr<ResultStore> store;
  std::int64_t stored_id = 0;
  std::optional<Error> store_error;
  if (!command.store.empty() && lead) {
    auto open = [&]() -> Result<std::int64_t> {
      Result<std::pair<std::string, std::string>> source =
          ScenarioSource(command.scenario);
      if (!source) return std::unexpected(source.error());
      Result<std::unique_ptr<ResultStore>> opened =
          ResultStore::Open(command.store);
      if (!opened) return std::unexpected(opened.error());
      store = std::move(*opened);
      EnsembleHeader header{source->first,
                            source->second,
                            spec,
                            command.seed,
                            PerturbationToString(*perturbation),
                            command.runs};
      return store->BeginEnsemble(header, *scenario, plan);
    };
    Result<std::int64_t> id = open();
    if (id) {
      stored_id = *id;
    } else {
      store_error = id.error();
    }
  }
  if (!ranks.Broadcast(!store_error.has_value())) {
    return store_error ? report(*store_error) : kExitFailure;
  }

  EnsembleOptions options;
  options.runs = command.runs;
  options.seed = command.seed;
  options.threads = command.threads;
  options.first_run = ranks.rank();
  options.stride = ranks.size();
  options.batch = command.batch;
  options.stop = &g_stop;
  std::unique_ptr<TerminalProgress> progress;
  if (lead && !command.quiet && isatty(STDERR_FILENO)) {
    progress = std::make_unique<TerminalProgress>();
    options.progress = progress.get();
  }
  // With one process every batch is committed as it finishes; across ranks
  // rank 0 writes the gathered runs at the end.
  if (store && ranks.size() == 1) {
    options.on_batch = [&](std::span<const RunRecord> batch) {
      return store->AddRuns(stored_id, batch);
    };
  }
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous);
  Result<EnsembleRuns> runs = RunEnsemble(*scenario, **model, plan, options);
  sigaction(SIGINT, &previous, nullptr);
  progress.reset();

  bool ok = runs.has_value();
  if (!ok && (lead || ranks.size() > 1)) Report(runs.error());
  std::vector<RunRecord> records = ranks.Gather(
      ok ? std::move(runs->records) : std::vector<RunRecord>{}, ok);
  if (!lead) return ok ? kExitOk : kExitFailure;
  if (!ok) {
    if (store) (void)store->Finish(stored_id, {}, "failed");
    return runs ? kExitFailure : ExitCodeFor(runs.error());
  }
  if (store && ranks.size() > 1) {
    for (size_t begin = 0; begin < records.size();
         begin += static_cast<size_t>(command.batch)) {
      const size_t end =
          std::min(records.size(), begin + static_cast<size_t>(command.batch));
      Result<void> added = store->AddRuns(
          stored_id,
          std::span<const RunRecord>(records).subspan(begin, end - begin));
      if (!added) return Report(added.error());
    }
  }
  EnsembleReport out;
  out.scenario = scenario->name;
  out.model = spec;
  out.seed = command.seed;
  out.perturbation = PerturbationToString(*perturbation);
  out.runs_requested = command.runs;
  out.interrupted = runs->interrupted;
  out.summary = Summarise(*scenario, plan, records);
  if (store) {
    Result<void> finished = store->Finish(
        stored_id, out.summary, out.interrupted ? "interrupted" : "complete");
    if (!finished) return Report(finished.error());
  }
  const std::string text = command.format == "table"
                               ? EnsembleToTable(*scenario, out)
                               : EnsembleToJson(*scenario, out);
  const int written = Emit(text, command.output);
  if (written != kExitOk) return written;
  if (out.interrupted) {
    std::fprintf(stderr,
                 "unionstate: interrupted after %lld of %lld runs; the summary "
                 "covers them\n",
                 static_cast<long long>(out.summary.runs),
                 static_cast<long long>(command.runs));
    return kExitInterrupted;
  }
  return kExitOk;
}

int Show(const ShowCommand& command) {
  Result<std::string> text = DescribeStore(command.database);
  if (!text) {
    Error e = text.error();
    // A database that is missing or unreadable is the caller's mistake.
    if (e.kind() == ErrorKind::kIo)
      e = Error(ErrorKind::kInvalidInput, e.diagnostics());
    return Report(e);
  }
  return Emit(*text, "");
}

}  // namespace unionstate::cli
