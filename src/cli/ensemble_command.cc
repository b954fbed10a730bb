// `unionstate ensemble` and `unionstate show`: runs over draws of the
// uncertain inputs, with a progress bar, clean Ctrl-C, a results database
// committed batch by batch (resumable with --resume, split into --shard
// databases), and (when built with MPI and started by mpirun) runs split
// across ranks, rank 0 committing every rank's batches as they arrive.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/ensemble_common.h"
#include "cli/modules.h"
#include "cli/ranks.h"
#include "ensemble/run_codec.h"
#include "unionstate/csv_output.h"
#include "unionstate/ensemble.h"
#include "unionstate/env.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"
#include "unionstate/time_forecast.h"

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

// One process: rank 0 of 1.
class SingleProcess : public Ranks {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  bool Broadcast(bool value) override { return value; }
  void Send(std::string, bool) override {}
  std::optional<Message> Receive(bool) override { return std::nullopt; }
};

// The ranks of this process: MPI's when mpirun started it (the module
// beside the program, loaded now), else one process.
Result<std::unique_ptr<Ranks>> MakeRanks() {
  const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr ||
                        std::getenv("PMI_SIZE") != nullptr ||
                        std::getenv("PMIX_RANK") != nullptr;
#ifdef UNIONSTATE_MPI_MODULE
  if (launched) {
    // The statically linked program hands the command to its dynamic
    // sibling here, before any output or file (cli/modules.h).
    Result<void*> make = ModuleEntry(UNIONSTATE_MPI_MODULE, kNewMpiRanksSymbol,
                                     "started by mpirun, but the MPI module");
    if (!make) return std::unexpected(make.error());
    // The module stays loaded to the end: MPI cannot be initialised twice.
    return std::unique_ptr<Ranks>(reinterpret_cast<Ranks* (*)()>(*make)());
  }
#endif
  (void)launched;  // built without MPI: every process runs on its own
  return std::unique_ptr<Ranks>(new SingleProcess());
}

// Runs sent between ranks: a batch through the checked codec
// (ensemble/run_codec.h), which refuses short buffers, oversized counts and
// leftover bytes instead of trusting the lengths it reads.
std::string PackRuns(std::span<const RunRecord> records) {
  return internal::EncodeRuns(
      std::vector<RunRecord>(records.begin(), records.end()), /*ok=*/true);
}
// The runs of one message; a message that does not decode is an error.
Result<std::vector<RunRecord>> UnpackRuns(std::string_view in) {
  std::vector<RunRecord> out;
  std::optional<bool> ok = internal::DecodeRuns(in, out);
  if (!ok) {
    return Failed(
        "the runs another rank sent do not decode; expected the bytes it "
        "encoded");
  }
  return out;
}

// How a rank ended, in its last message.
enum class RankEnd : std::uint8_t { kComplete, kInterrupted, kFailed };

// Progress over several calls of RunEnsemble, counted as one.
class OffsetProgress : public ProgressSink {
 public:
  OffsetProgress(ProgressSink* sink, std::int64_t total)
      : sink_(sink), total_(total) {}
  void Update(std::int64_t done, std::int64_t) override {
    if (sink_ != nullptr) sink_->Update(offset_ + done, total_);
  }
  void Advance(std::int64_t by) { offset_ += by; }

 private:
  ProgressSink* sink_;
  std::int64_t total_;
  std::int64_t offset_ = 0;
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
  // A folder of wide tables: its actors table stands for it.
  if (!text) text = Env::Default().ReadFile(path + "/actors.csv");
  if (!text) return std::unexpected(text.error());
  return std::pair(path, std::move(*text));
}

}  // namespace

RunRange Split(RunRange range, std::int64_t batch, std::int64_t part,
               std::int64_t parts) {
  __extension__ using Wide = unsigned __int128;
  const std::int64_t n = range.end - range.first;
  const std::int64_t blocks = n / batch + (n % batch != 0 ? 1 : 0);
  auto at = [&](std::int64_t k) {
    const auto b = static_cast<std::int64_t>(static_cast<Wide>(blocks) *
                                             static_cast<Wide>(k) /
                                             static_cast<Wide>(parts));
    return range.first + std::min(n, b * batch);
  };
  return {at(part), at(part + 1)};
}

Result<std::pair<std::int64_t, std::int64_t>> ParseShard(
    const std::string& text) {
  const size_t slash = text.find('/');
  std::int64_t k = 0;
  std::int64_t n = 0;
  auto number = [](std::string_view digits, std::int64_t& v) {
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), v);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  if (slash == std::string::npos ||
      !number(std::string_view(text).substr(0, slash), k) ||
      !number(std::string_view(text).substr(slash + 1), n) || n < 1 ||
      n > (1 << 20) || k < 1 || k > n) {
    return InvalidArgument(fmt::format(
        "--shard {}; expected K/N with 1 <= K <= N <= 1048576 (shard K of N, "
        "e.g. 3/8)",
        text));
  }
  return std::pair(k, n);
}

Result<void> CheckReproduced(const Scenario& scenario, const Model& model,
                             const EnsemblePlan& plan, std::uint64_t seed,
                             const RunRecord& stored, const std::string& file,
                             std::int64_t ensemble) {
  const auto k = static_cast<std::int64_t>(stored.run);
  Result<EnsembleRuns> again = RunEnsemble(
      scenario, model, plan, {.runs = k + 1, .seed = seed, .first_run = k});
  if (!again) return std::unexpected(again.error());
  const RunRecord& r = again->records.front();
  if (r.outcomes != stored.outcomes || r.agreement != stored.agreement ||
      r.blocking != stored.blocking || r.inputs != stored.inputs) {
    return InvalidArgument(
        fmt::format("{}: this program computes run {} of ensemble {} "
                    "differently from the program that stored it (another "
                    "version?); expected the same build",
                    file, k, ensemble));
  }
  return {};
}

int Ensemble(const EnsembleCommand& command) {
  Result<std::unique_ptr<Ranks>> made = MakeRanks();
  if (!made) return Report(made.error());
  Ranks& ranks = **made;
  const bool lead = ranks.rank() == 0;
  // Only rank 0 speaks: the others would repeat every message.
  auto report = [&](const Error& e) {
    return lead ? Report(e) : ExitCodeFor(e);
  };
  if (command.resume.empty() && command.runs < 1) {
    return report(
        Error(ErrorKind::kInvalidArgument, {},
              fmt::format("--runs {}; expected at least 1", command.runs)));
  }
  // A folder as --output is refused before the runs, not after them.
  if (std::optional<Error> refused = CheckOutputPath(command.output)) {
    return report(*refused);
  }
  if (command.threads < 0) {
    return report(
        Error(ErrorKind::kInvalidArgument, {},
              fmt::format("--threads {}; expected 0 (every core) or more",
                          command.threads)));
  }
  std::optional<Date> horizon;
  if (!command.horizon.empty()) {
    Result<Date> parsed = ParseDateOption("--horizon", command.horizon);
    if (!parsed) return report(parsed.error());
    horizon = *parsed;
  }
  if (command.sobol < 0) {
    return report(
        Error(ErrorKind::kInvalidArgument, {},
              fmt::format("--sobol {}; expected 0 (none) or more base runs",
                          command.sobol)));
  }

  // What to run: from the command line, or from the database to resume.
  EnsembleHeader header;
  std::optional<Scenario> scenario;
  std::unique_ptr<Model> model;
  std::optional<Perturbation> perturbation;
  std::unique_ptr<ResultStore> store;
  std::int64_t stored_id = 0;
  // Resuming: the stretches of runs stored before, [first, end).
  std::vector<std::pair<std::int64_t, std::int64_t>> stored_runs;
  if (!command.resume.empty()) {
    if (ranks.size() > 1) {
      return report(Error(ErrorKind::kInvalidArgument, {},
                          "--resume runs in one process; expected it "
                          "without mpirun"));
    }
    if (!command.resume_conflicts.empty()) {
      return Report(
          Error(ErrorKind::kInvalidArgument, {},
                fmt::format("--resume takes the scenario, model, seed, runs, "
                            "perturbation, shard and batch from the database; "
                            "expected none of {} beside it",
                            fmt::join(command.resume_conflicts, ", "))));
    }
    Result<std::unique_ptr<ResultStore>> opened =
        ResultStore::OpenExisting(command.resume);
    if (!opened) return Report(opened.error());
    store = std::move(*opened);
    Result<std::vector<StoredEnsemble>> all = store->Ensembles();
    if (!all) return Report(all.error());
    const StoredEnsemble* found = nullptr;
    for (const StoredEnsemble& e : *all) {
      if (e.status != "complete" && e.status != "failed") found = &e;
    }
    if (found == nullptr) {
      return Report(
          Error(ErrorKind::kInvalidArgument, {},
                fmt::format("{}: no ensemble to resume; expected one that is "
                            "interrupted or whose process is gone (every one "
                            "here is complete or failed)",
                            command.resume)));
    }
    if (Result<void> claimed = store->Claim(found->id); !claimed)
      return Report(claimed.error());
    stored_id = found->id;
    header = found->header;
    Result<Scenario> parsed = StoredScenario(header);
    if (!parsed) return Report(parsed.error());
    scenario = std::move(*parsed);
    Result<std::unique_ptr<Model>> loaded = LoadModel(header.model);
    if (!loaded) return Report(loaded.error());
    model = std::move(*loaded);
    Result<Perturbation> p = ParsePerturbation(header.perturbation);
    if (!p) return Report(p.error());
    perturbation = *p;
  } else {
    if (command.runs < 1) {
      return report(
          Error(ErrorKind::kInvalidArgument, {},
                fmt::format("--runs {}; expected at least 1", command.runs)));
    }
    if (!command.shard.empty()) {
      Result<std::pair<std::int64_t, std::int64_t>> shard =
          ParseShard(command.shard);
      if (!shard) return report(shard.error());
      if (command.store.empty()) {
        return report(Error(ErrorKind::kInvalidArgument, {},
                            "--shard writes its share of the runs to a "
                            "database; expected --store FILE beside it"));
      }
      header.shard = shard->first;
      header.shards = shard->second;
    }
    Result<Perturbation> p = ParsePerturbation(command.perturb);
    if (!p) return report(p.error());
    perturbation = *p;
    if (command.model != kAutoModel) {
      Result<std::unique_ptr<Model>> checked = LoadModel(command.model);
      if (!checked) return report(checked.error());
    }
    Result<Scenario> loaded_scenario =
        LoadFromCommand(command.scenario, command.input_format);
    if (!loaded_scenario) return report(loaded_scenario.error());
    scenario = std::move(*loaded_scenario);
    Result<std::unique_ptr<Model>> loaded =
        LoadModel(ModelFor(command.model, *scenario));
    if (!loaded) return report(loaded.error());
    model = std::move(*loaded);
    header.model = CanonicalSpec(*model);
    header.seed = command.seed;
    header.perturbation = PerturbationToString(*perturbation);
    header.runs_requested = command.runs;
    header.batch = command.batch;
    header.input_format = command.input_format;
    header.store_draws = command.store_draws;
  }
  const EnsemblePlan plan = PlanEnsemble(*scenario, *perturbation);
  if (horizon && (!scenario->as_of || *horizon < *scenario->as_of)) {
    // Refused before any run (the same message ForecastTime gives).
    return report(Error(
        ErrorKind::kInvalidArgument, {},
        scenario->as_of
            ? fmt::format("--horizon {} is before the scenario's as_of {}; "
                          "expected a date on or after it",
                          horizon->ToString(), scenario->as_of->ToString())
            : std::string("the scenario has no as_of date; expected `as_of` "
                          "in [scenario] for time forecasts")));
  }
  if (command.resume.empty() && plan.inputs.empty() &&
      !model->info().stochastic) {
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
            header.model)));
  }
  if (!command.resume.empty()) {
    // Which runs are stored, not the runs: they are read batch by batch
    // into the summary below, so memory does not grow with them.
    Result<std::vector<std::pair<std::int64_t, std::int64_t>>> stretches =
        store->StoredStretches(stored_id);
    if (!stretches) return Report(stretches.error());
    stored_runs = std::move(*stretches);
    // Continuing is only sound if this program computes the runs as the one
    // that stored them did: the first stored run is computed again.
    if (!stored_runs.empty()) {
      const std::int64_t first = stored_runs.front().first;
      Result<void> same = store->ForEachStoredBatch(
          stored_id, &plan, first, first + 1,
          [&](std::span<const RunRecord> batch) {
            return CheckReproduced(*scenario, *model, plan, header.seed,
                                   batch.front(), command.resume, stored_id);
          });
      if (!same) return Report(same.error());
    }
  } else if (!command.store.empty()) {
    // The database is opened, and the ensemble recorded, before any run.
    // Only rank 0 writes; the other ranks learn whether it could, so that
    // none waits for a rank that gave up.
    std::optional<Error> store_error;
    if (lead) {
      auto open = [&]() -> Result<std::int64_t> {
        Result<std::pair<std::string, std::string>> source =
            ScenarioSource(command.scenario);
        if (!source) return std::unexpected(source.error());
        header.scenario_file = source->first;
        header.scenario_text = source->second;
        // Draws that cannot be drawn again from the stored text are stored.
        if (!StoredScenarioGivesPlan(header, plan)) header.store_draws = true;
        Result<std::unique_ptr<ResultStore>> opened =
            ResultStore::Open(command.store);
        if (!opened) return std::unexpected(opened.error());
        store = std::move(*opened);
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
  }

  // The runs this process makes: its shard's (or all), split across ranks,
  // or, resuming, those not stored yet.
  RunRange whole{0, header.runs_requested};
  if (header.shards > 0)
    whole = Split(whole, header.batch, header.shard - 1, header.shards);
  std::vector<RunRange> todo;
  if (!command.resume.empty()) {
    std::int64_t at = whole.first;
    for (const auto& [first, end] : stored_runs) {
      if (first > at) todo.push_back({at, first});
      at = std::max(at, end);
    }
    if (at < whole.end) todo.push_back({at, whole.end});
  } else {
    todo.push_back(Split(whole, header.batch, ranks.rank(), ranks.size()));
  }
  std::int64_t total = 0;
  for (const RunRange& r : todo) total += r.end - r.first;

  EnsembleOptions options;
  options.seed = header.seed;
  options.threads = command.threads;
  options.batch = header.batch;
  options.stop = &g_stop;
  std::unique_ptr<TerminalProgress> progress;
  if (lead && !command.quiet && isatty(STDERR_FILENO))
    progress = std::make_unique<TerminalProgress>();
  OffsetProgress counted(progress.get(), total);
  if (progress) options.progress = &counted;

  // The summary takes the runs in run order, batch by batch, and keeps none
  // of them: the stored runs (resuming) go in before the gap that follows
  // them, rank 0's own batches as they finish, and another rank's once
  // every rank before it has ended (held until then; ranks hold contiguous,
  // ascending ranges of runs, and one rank's batches arrive in order).
  EnsembleAccumulator accumulator(*scenario, plan, command.threads);
  // --horizon's time figures need every run's record (docs/cli.md): kept,
  // in run order, only then.
  std::vector<RunRecord> timed;
  auto summarise = [&](std::span<const RunRecord> runs) {
    accumulator.Add(runs);
    if (horizon) timed.insert(timed.end(), runs.begin(), runs.end());
  };
  // Resuming: the stretches stored before this process began that lie
  // below `run` and were not fed yet, read from the database one stored
  // batch at a time (not the batches this process adds in the gaps: those
  // are fed as they finish).
  size_t stretches_fed = 0;
  auto feed_stored_before = [&](std::int64_t run) -> Result<void> {
    for (; stretches_fed < stored_runs.size() &&
           stored_runs[stretches_fed].first < run;
         ++stretches_fed) {
      const auto [first, end] = stored_runs[stretches_fed];
      Result<void> fed = store->ForEachStoredBatch(
          stored_id, &plan, first, end,
          [&](std::span<const RunRecord> batch) -> Result<void> {
            summarise(batch);
            return {};
          });
      if (!fed) return fed;
    }
    return {};
  };
  std::vector<std::vector<RunRecord>> held(static_cast<size_t>(ranks.size()));
  std::vector<bool> ended(static_cast<size_t>(ranks.size()), false);
  int feeding = 0;  // the rank whose batches go to the summary now
  auto advance = [&] {
    while (feeding < ranks.size() && ended[static_cast<size_t>(feeding)]) {
      ++feeding;
      if (feeding < ranks.size()) {
        std::vector<RunRecord>& h = held[static_cast<size_t>(feeding)];
        summarise(h);
        h = {};
      }
    }
  };

  // Every batch is committed as it finishes: rank 0's own, and those the
  // other ranks send, taken in between.
  int waiting = ranks.size() - 1;
  bool others_failed = false;
  bool others_interrupted = false;
  std::optional<Error> store_failure;
  auto take = [&](Ranks::Message m) {
    if (m.last) {
      --waiting;
      const auto end =
          m.bytes.empty() ? RankEnd::kFailed : static_cast<RankEnd>(m.bytes[0]);
      others_failed = others_failed || end == RankEnd::kFailed;
      others_interrupted = others_interrupted || end == RankEnd::kInterrupted;
      if (m.from > 0 && m.from < ranks.size()) {
        ended[static_cast<size_t>(m.from)] = true;
        advance();
      }
      return;
    }
    Result<std::vector<RunRecord>> decoded = UnpackRuns(m.bytes);
    if (!decoded) {
      if (!store_failure) store_failure = decoded.error();
      return;
    }
    std::vector<RunRecord> got = std::move(*decoded);
    if (store && !store_failure) {
      Result<void> added = store->AddRuns(stored_id, got);
      if (!added) store_failure = added.error();
    }
    if (m.from == feeding) {
      summarise(got);
    } else if (m.from > feeding && m.from < ranks.size()) {
      std::vector<RunRecord>& h = held[static_cast<size_t>(m.from)];
      for (RunRecord& r : got) h.push_back(std::move(r));
    }
  };
  options.keep_records = false;
  // One process: the store and the summary take each batch while the next
  // runs. Under mpirun rank 0's on_batch receives the other ranks' batches,
  // which MPI wants on the thread that initialised it.
  options.overlap_batches = ranks.size() == 1;
  options.on_batch = [&](std::span<const RunRecord> batch) -> Result<void> {
    if (!lead) {
      ranks.Send(PackRuns(batch), /*last=*/false);
      return {};
    }
    if (store && options.overlap_batches) {
      // One process: the store commits the batch on a thread of its own
      // while this one adds it to the summary. A failed commit fails the
      // ensemble, whose summary is then never written, so the summary may
      // take the batch before its commit ends.
      Result<void> added;
      {
        std::jthread storing(
            [&] { added = store->AddRuns(stored_id, batch); });
        summarise(batch);
      }
      if (!added) return added;
    } else {
      if (store) {
        Result<void> added = store->AddRuns(stored_id, batch);
        if (!added) return added;
      }
      summarise(batch);
    }
    while (std::optional<Ranks::Message> m = ranks.Receive(/*wait=*/false))
      take(std::move(*m));
    if (store_failure) return std::unexpected(*store_failure);
    return {};
  };
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous);
  bool interrupted = false;
  std::optional<Error> failure;
  for (const RunRange& range : todo) {
    options.first_run = range.first;
    options.runs = range.end;
    options.stride = 1;
    if (Result<void> fed = feed_stored_before(range.first); !fed) {
      // A damaged stored batch: reported, the ensemble left to resume.
      progress.reset();
      sigaction(SIGINT, &previous, nullptr);
      return Report(fed.error());
    }
    Result<EnsembleRuns> runs = RunEnsemble(*scenario, *model, plan, options);
    if (!runs) {
      failure = runs.error();
      break;
    }
    counted.Advance(range.end - range.first);
    if (runs->interrupted) {
      interrupted = true;
      break;
    }
  }
  progress.reset();

  if (!lead) {
    sigaction(SIGINT, &previous, nullptr);
    if (failure) Report(*failure);
    const RankEnd end = failure       ? RankEnd::kFailed
                        : interrupted ? RankEnd::kInterrupted
                                      : RankEnd::kComplete;
    ranks.Send(std::string(1, static_cast<char>(end)), /*last=*/true);
    if (failure) return ExitCodeFor(*failure);
    return interrupted ? kExitInterrupted : kExitOk;
  }
  ended[0] = true;
  advance();
  // Rank 0 keeps committing what the others send until each has ended.
  while (waiting > 0) {
    std::optional<Ranks::Message> m = ranks.Receive(/*wait=*/true);
    if (!m) break;
    take(std::move(*m));
  }
  if (!failure && store_failure) failure = store_failure;
  if (failure || others_failed) {
    sigaction(SIGINT, &previous, nullptr);
    if (store) (void)store->Finish(stored_id, {}, "failed");
    return failure ? Report(*failure) : kExitFailure;
  }
  interrupted = interrupted || others_interrupted;
  // Stored runs after the last gap (all of them when nothing was left).
  if (Result<void> fed =
          feed_stored_before(std::numeric_limits<std::int64_t>::max());
      !fed) {
    sigaction(SIGINT, &previous, nullptr);
    return Report(fed.error());
  }

  EnsembleSummary summary = accumulator.Summary();
  // The Sobol design runs after the ensemble, in this process (rank 0).
  if (command.sobol > 0 && !interrupted) {
    SobolOptions sobol{.base_runs = command.sobol,
                       .seed = header.seed,
                       .threads = command.threads};
    sobol.stop = &g_stop;
    if (!command.quiet && isatty(STDERR_FILENO)) {
      progress = std::make_unique<TerminalProgress>("Sobol ");
      sobol.progress = progress.get();
    }
    Result<SobolRuns> done = RunSobol(*scenario, *model, plan, sobol, summary);
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
  out.model = header.model;
  out.seed = header.seed;
  out.perturbation = header.perturbation;
  out.runs_requested = header.runs_requested;
  out.interrupted = interrupted;
  out.summary = std::move(summary);
  if (store) {
    Result<void> finished = store->Finish(
        stored_id, out.summary, out.interrupted ? "interrupted" : "complete");
    if (!finished) return Report(finished.error());
  }
  std::string text = command.format == "table"
                         ? EnsembleToTable(*scenario, out)
                     : command.format == "csv"
                         ? EnsembleSummaryToCsv(out)
                         : EnsembleToJson(*scenario, out);
  if (horizon && command.format != "csv") {
    // Time figures across the runs (docs/time.md), after the summary.
    Result<std::optional<ReferenceClass>> reference =
        LoadReferenceClass(Env::Default(), *scenario);
    if (!reference) return Report(reference.error());
    Result<EnsembleTime> time =
        SummariseEnsembleTime(*scenario, plan, header.seed, timed,
                              *reference, {.horizon = *horizon});
    if (!time) return Report(time.error());
    text = command.format == "table"
               ? text + EnsembleTimeToTable(*scenario, *time)
               : AddEnsembleTimeToJson(text, *scenario, *time);
  }
  const int written = Emit(text, command.output);
  if (written != kExitOk) return written;
  if (out.interrupted) {
    const std::string file =
        command.resume.empty() ? command.store : command.resume;
    std::fprintf(
        stderr,
        "unionstate: interrupted after %lld of %lld runs%s; the summary covers "
        "them%s\n",
        static_cast<long long>(out.summary.runs),
        static_cast<long long>(whole.end - whole.first),
        command.sobol > 0
            ? fmt::format(" and {} of {} Sobol rows",
                          out.summary.sobol_base_runs, command.sobol)
                  .c_str()
            : "",
        store && out.summary.runs < whole.end - whole.first
            ? fmt::format("; `unionstate ensemble --resume {}` continues it",
                          file)
                  .c_str()
            : "");
    return kExitInterrupted;
  }
  return kExitOk;
}

int Show(const ShowCommand& command) {
  Result<std::vector<ShownEnsemble>> ensembles = ReadStore(command.database);
  if (!ensembles) {
    Error e = ensembles.error();
    // A database that is missing or unreadable is the caller's mistake.
    if (e.kind() == ErrorKind::kIo)
      e = Error(ErrorKind::kInvalidInput, e.diagnostics());
    return Report(e);
  }
  return Emit(command.format == "json"
                  ? ShownEnsemblesToJson(*ensembles)
                  : DescribeStore(command.database, *ensembles),
              "");
}

}  // namespace unionstate::cli
