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
  explicit TerminalProgress(std::string label = "")
      : start_(Clock::now()), label_(std::move(label)) {}
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
    const int filled = total > 0
                           ? static_cast<int>(static_cast<double>(kWidth) *
                                              static_cast<double>(done) /
                                              static_cast<double>(total))
                           : kWidth;
    std::string left = "--:--";
    if (rate > 0) {
      const double seconds_left = static_cast<double>(total - done) / rate;
      if (seconds_left > 99.0 * 86400) {
        left = fmt::format("{:.3g} days", seconds_left / 86400);
      } else {
        const auto r = static_cast<std::int64_t>(seconds_left);
        left = r >= 3600 ? fmt::format("{}:{:02d}:{:02d}", r / 3600,
                                       r / 60 % 60, r % 60)
                         : fmt::format("{}:{:02d}", r / 60, r % 60);
      }
    }
    std::fprintf(stderr, "\r%s[%s%s] %lld/%lld runs  %.1f runs/s  %s left ",
                 label_.c_str(),
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(),
                 static_cast<long long>(done), static_cast<long long>(total),
                 rate, left.c_str());
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  std::string label_;
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
      std::string bytes = Pack(mine, ok);
      // MPI counts are ints: everything gathered must stay below 2 GiB.
      long long length64 = static_cast<long long>(bytes.size());
      std::vector<long long> lengths64(static_cast<size_t>(size_));
      MPI_Gather(&length64, 1, MPI_LONG_LONG, lengths64.data(), 1,
                 MPI_LONG_LONG, 0, MPI_COMM_WORLD);
      long long total = 0;
      for (long long l : lengths64) total += l;
      int fits = rank_ != 0 || total <= std::numeric_limits<int>::max();
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
        bool rank_ok = Unpack(part, merged);
        ok = ok && rank_ok;
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
  template <class T>
  static void Put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class T>
  static T Get(std::string_view& in) {
    T v;
    std::memcpy(&v, in.data(), sizeof v);
    in.remove_prefix(sizeof v);
    return v;
  }
  static std::string Pack(const std::vector<RunRecord>& records, bool ok) {
    std::string out;
    Put<std::uint8_t>(out, ok ? 1 : 0);
    Put<std::uint64_t>(out, records.size());
    for (const RunRecord& r : records) {
      Put(out, r.run);
      Put<std::uint64_t>(out, r.inputs.size());
      for (double x : r.inputs) Put(out, x);
      Put<std::uint64_t>(out, r.outcomes.size());
      for (size_t i = 0; i < r.outcomes.size(); ++i) {
        Put(out, r.outcomes[i]);
        Put(out, r.agreement[i]);
        Put<std::uint64_t>(out, r.blocking[i].size());
        for (const std::string& who : r.blocking[i]) {
          Put<std::uint64_t>(out, who.size());
          out += who;
        }
      }
    }
    return out;
  }
  static bool Unpack(std::string_view in, std::vector<RunRecord>& out) {
    const bool ok = Get<std::uint8_t>(in) != 0;
    const auto count = Get<std::uint64_t>(in);
    for (std::uint64_t k = 0; k < count; ++k) {
      RunRecord r;
      r.run = Get<std::uint64_t>(in);
      r.inputs.resize(Get<std::uint64_t>(in));
      for (double& x : r.inputs) x = Get<double>(in);
      const auto issues = Get<std::uint64_t>(in);
      for (std::uint64_t i = 0; i < issues; ++i) {
        r.outcomes.push_back(Get<double>(in));
        r.agreement.push_back(Get<char>(in));
        r.blocking.emplace_back(Get<std::uint64_t>(in));
        for (std::string& who : r.blocking.back()) {
          const auto length = Get<std::uint64_t>(in);
          who.assign(in.substr(0, length));
          in.remove_prefix(length);
        }
      }
      out.push_back(std::move(r));
    }
    return ok;
  }

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
  if (plan.inputs.empty() && !(*model)->info().stochastic) {
    return report(Error(
        ErrorKind::kInvalidArgument, {},
        fmt::format(
            "nothing to vary: no value of {} has a distribution and "
            "--perturb is not given, so every run of the deterministic "
            "model {} would be the same; add uncertainty with --perturb "
            "(e.g. --perturb positions=10,saliences=0.1) or give values a "
            "distribution in the scenario (e.g. position = {{ value = 60, sd "
            "= 10 }}; docs/scenario-format.md, \"Values, sources and "
            "uncertainty\")",
            command.scenario.empty() ? "the built-in scenario"
                                     : command.scenario,
            spec)));
  }
  if (command.sobol < 0) {
    return report(
        Error(ErrorKind::kInvalidArgument, {},
              fmt::format("--sobol {}; expected 0 (none) or more base runs",
                          command.sobol)));
  }

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
  // With one process every batch goes to the summary (and the database) as
  // it finishes and is then dropped; across ranks rank 0 gathers the runs
  // and writes them at the end.
  EnsembleAccumulator accumulator(*scenario, plan, command.threads);
  if (ranks.size() == 1) {
    options.keep_records = false;
    options.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
      accumulator.Add(batch);
      if (store) return store->AddRuns(stored_id, batch);
      return {};
    };
  }
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous);
  Result<EnsembleRuns> runs = RunEnsemble(*scenario, **model, plan, options);
  progress.reset();

  bool ok = runs.has_value();
  if (!ok && (lead || ranks.size() > 1)) Report(runs.error());
  std::vector<RunRecord> records = ranks.Gather(
      ok ? std::move(runs->records) : std::vector<RunRecord>{}, ok);
  if (!lead) {
    sigaction(SIGINT, &previous, nullptr);
    return ok ? kExitOk : kExitFailure;
  }
  if (!ok) {
    sigaction(SIGINT, &previous, nullptr);
    if (store) (void)store->Finish(stored_id, {}, "failed");
    return runs ? kExitFailure : ExitCodeFor(runs.error());
  }
  if (ranks.size() > 1) accumulator.Add(records);
  if (store && ranks.size() > 1) {
    for (size_t begin = 0; begin < records.size();
         begin += static_cast<size_t>(command.batch)) {
      const size_t end =
          std::min(records.size(), begin + static_cast<size_t>(command.batch));
      Result<void> added = store->AddRuns(
          stored_id,
          std::span<const RunRecord>(records).subspan(begin, end - begin));
      if (!added) {
        sigaction(SIGINT, &previous, nullptr);
        return Report(added.error());
      }
    }
  }
  records = {};
  EnsembleSummary summary = accumulator.Summary();
  bool interrupted = runs->interrupted;
  // The Sobol design runs after the ensemble, in this process (rank 0).
  if (command.sobol > 0 && !interrupted) {
    SobolOptions sobol{.base_runs = command.sobol,
                       .seed = command.seed,
                       .threads = command.threads};
    sobol.stop = &g_stop;
    if (!command.quiet && isatty(STDERR_FILENO)) {
      progress = std::make_unique<TerminalProgress>("Sobol ");
      sobol.progress = progress.get();
    }
    Result<SobolRuns> done = RunSobol(*scenario, **model, plan, sobol, summary);
    progress.reset();
    if (!done) {
      sigaction(SIGINT, &previous, nullptr);
      if (store) (void)store->Finish(stored_id, {}, "failed");
      return Report(done.error());
    }
    interrupted = done->interrupted;
  }
  sigaction(SIGINT, &previous, nullptr);
  EnsembleReport out;
  out.scenario = scenario->name;
  out.model = spec;
  out.seed = command.seed;
  out.perturbation = PerturbationToString(*perturbation);
  out.runs_requested = command.runs;
  out.interrupted = interrupted;
  out.summary = std::move(summary);
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
                 "unionstate: interrupted after %lld of %lld runs%s; the "
                 "summary covers them\n",
                 static_cast<long long>(out.summary.runs),
                 static_cast<long long>(command.runs),
                 command.sobol > 0
                     ? fmt::format(" and {} of {} Sobol rows",
                                   out.summary.sobol_base_runs, command.sobol)
                           .c_str()
                     : "");
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
