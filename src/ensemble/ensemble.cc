#include "unionstate/ensemble.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <pcg_random.hpp>
#include <thread>

#include "common/worker_pool.h"

namespace unionstate {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

const boost::math::normal_distribution<double>& StandardNormal() {
  static const boost::math::normal_distribution<double> standard(0, 1);
  return standard;
}

// What drawing an input needs that is fixed for the whole ensemble,
// computed once: the standard normal CDF at a scenario normal's cut, the
// Marsaglia-Tsang constants of a perturbed Beta's two gammas, the log-normal's
// location and scale.
struct Prepared {
  double a = 0;  // kNormal: CDF at the lower cut
  double b = 1;  // kNormal: CDF at the upper cut
  // kBeta: gamma(alpha) and gamma(beta) as d = shape - 1/3, c = 1/sqrt(9 d);
  // d <= 0 marks a value on a bound (not drawn).
  double d1 = 0, c1 = 0, d2 = 0, c2 = 0;
  double mu = 0, sigma = 0;  // kLogNormal
};

std::vector<Prepared> Prepare(const EnsemblePlan& plan) {
  std::vector<Prepared> out(plan.inputs.size());
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const UncertainInput& in = plan.inputs[k];
    const Uncertainty& u = in.distribution;
    Prepared& p = out[k];
    switch (in.shape) {
      case UncertainInput::Shape::kScenario:
        if (u.kind != Uncertainty::Kind::kNormal) break;
        if (!std::isinf(u.lower))
          p.a = boost::math::cdf(StandardNormal(), (u.lower - in.value) / u.sd);
        if (!std::isinf(u.upper))
          p.b = boost::math::cdf(StandardNormal(), (u.upper - in.value) / u.sd);
        break;
      case UncertainInput::Shape::kBeta: {
        const BetaShape beta = PerturbationBeta(in);
        if (beta.alpha > 0) {
          p.d1 = beta.alpha - 1.0 / 3;
          p.c1 = 1 / std::sqrt(9 * p.d1);
          p.d2 = beta.beta - 1.0 / 3;
          p.c2 = 1 / std::sqrt(9 * p.d2);
        }
        break;
      }
      case UncertainInput::Shape::kLogNormal: {
        // Mean value, sd u.sd: sigma^2 = log(1 + (sd / value)^2).
        const double cv = u.sd / in.value;
        p.sigma = std::sqrt(std::log1p(cv * cv));
        p.mu = std::log(in.value) - p.sigma * p.sigma / 2;
        break;
      }
    }
  }
  return out;
}

// A normal with mean `mean` and sd `sd` cut to [lower, upper], drawn by
// inverting the cut CDF: one uniform per draw, no rejection loop. The mean
// lies in the cut (loading checks it), so the CDF values at the bounds sit
// on either side of 1/2 and neither tail is evaluated where it underflows.
double CutNormal(pcg64& rng, double mean, double sd, double lower, double upper,
                 const Prepared& cut) {
  const double u = boost::random::uniform_real_distribution<double>(0, 1)(rng);
  double p = cut.a + u * (cut.b - cut.a);
  p = std::clamp(p, 1e-300, 1 - 0x1p-53);
  const double x = mean + sd * boost::math::quantile(StandardNormal(), p);
  return std::clamp(x, lower, upper);
}

// Gamma(d + 1/3) by Marsaglia & Tsang (2000), "A simple method for
// generating gamma variables", for shapes >= 1 (the Beta's are).
double Gamma(pcg64& rng, double d, double c) {
  boost::random::normal_distribution<double> normal;
  boost::random::uniform_01<double> uniform;
  for (;;) {
    const double z = normal(rng);
    double v = 1 + c * z;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = uniform(rng);
    // The squeeze accepts most draws without a logarithm; it accepts only
    // what the exact test below would, so the draws are the same.
    const double z2 = z * z;
    if (u < 1 - 0.0331 * z2 * z2) return d * v;
    if (std::log(u) < 0.5 * z2 + d - d * v + d * std::log(v)) return d * v;
  }
}

double DrawOne(pcg64& rng, const UncertainInput& in, const Prepared& p) {
  const Uncertainty& u = in.distribution;
  switch (in.shape) {
    case UncertainInput::Shape::kScenario:
      break;
    case UncertainInput::Shape::kBeta: {
      if (p.d1 <= 0) return in.value;  // on a bound: stays there
      const double g1 = Gamma(rng, p.d1, p.c1);
      const double g2 = Gamma(rng, p.d2, p.c2);
      const double x = u.lower + (u.upper - u.lower) * (g1 / (g1 + g2));
      return std::clamp(x, u.lower, u.upper);
    }
    case UncertainInput::Shape::kLogNormal:
      return std::exp(
          p.mu + p.sigma * boost::random::normal_distribution<double>()(rng));
  }
  switch (u.kind) {
    case Uncertainty::Kind::kNormal:
      return CutNormal(rng, in.value, u.sd, u.lower, u.upper, p);
    case Uncertainty::Kind::kUniform:
      return boost::random::uniform_real_distribution<double>(u.lower,
                                                              u.upper)(rng);
    case Uncertainty::Kind::kDiscrete: {
      if (u.weights.empty()) {
        std::vector<double> equal(u.values.size(), 1.0);
        boost::random::discrete_distribution<int, double> pick(equal.begin(),
                                                               equal.end());
        return u.values[static_cast<size_t>(pick(rng))];
      }
      boost::random::discrete_distribution<int, double> pick(u.weights.begin(),
                                                             u.weights.end());
      return u.values[static_cast<size_t>(pick(rng))];
    }
  }
  return in.value;
}

Quantity& Target(Scenario& s, const UncertainInput& in) {
  using F = UncertainInput::Field;
  switch (in.field) {
    case F::kCapability:
      return in.stance_capability
                 ? *s.stances[static_cast<size_t>(in.stance)].capability
                 : s.actors[static_cast<size_t>(in.actor)].capability;
    case F::kStatusQuo:
      return *s.issues[static_cast<size_t>(in.issue)].status_quo;
    case F::kPosition:
      return s.stances[static_cast<size_t>(in.stance)].position;
    case F::kSalience:
      return s.stances[static_cast<size_t>(in.stance)].salience;
  }
  return s.stances[static_cast<size_t>(in.stance)].position;
}

// Fills `drawn` with run k's values and returns the model's seed for it.
std::uint64_t Draw(const EnsemblePlan& plan,
                   const std::vector<Prepared>& prepared, pcg64 rng,
                   std::vector<double>& drawn) {
  const std::uint64_t model_seed = static_cast<std::uint64_t>(rng());
  drawn.resize(plan.inputs.size());
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    drawn[k] = DrawOne(rng, plan.inputs[k], prepared[k]);
  }
  return model_seed;
}

void Apply(Scenario& s, const EnsemblePlan& plan,
           const std::vector<double>& drawn) {
  for (size_t k = 0; k < plan.inputs.size(); ++k)
    Target(s, plan.inputs[k]).value = drawn[k];
}

UncertainInput Perturbed(UncertainInput in, double sd, double lower,
                         double upper) {
  in.perturbed = true;
  in.shape = std::isinf(upper) ? UncertainInput::Shape::kLogNormal
                               : UncertainInput::Shape::kBeta;
  in.distribution = Uncertainty{};
  in.distribution.kind = Uncertainty::Kind::kNormal;
  in.distribution.sd = sd;
  in.distribution.lower = lower;
  in.distribution.upper = upper;
  return in;
}

}  // namespace

Result<Perturbation> ParsePerturbation(std::string_view spec) {
  Perturbation p;
  std::string_view rest = spec;
  while (!Trim(rest).empty()) {
    const size_t comma = rest.find(',');
    const std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(comma + 1);
    const size_t eq = part.find('=');
    const std::string_view key = Trim(part.substr(0, eq));
    double* target = key == "positions"      ? &p.positions
                     : key == "saliences"    ? &p.saliences
                     : key == "capabilities" ? &p.capabilities
                                             : nullptr;
    if (target == nullptr || eq == std::string_view::npos) {
      return InvalidArgument(fmt::format(
          "--perturb: \"{}\" is not CLASS=AMOUNT; expected "
          "positions=PERCENT_OF_SCALE, "
          "saliences=SD or capabilities=RELATIVE_SD, separated by commas",
          part));
    }
    const std::string_view number = Trim(part.substr(eq + 1));
    double value = 0;
    auto [end, ec] =
        std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() ||
        !std::isfinite(value) || value < 0) {
      return InvalidArgument(fmt::format(
          "--perturb: the amount of {} is \"{}\"; expected a number >= 0", key,
          number));
    }
    // Wider noise only piles the draws on the bounds, and far wider makes
    // sd * quantile overflow to infinity (NaN inputs and sensitivities).
    if (key != "saliences" && value > 1000) {
      return InvalidArgument(fmt::format(
          "--perturb: {}={} is beyond 1000; expected at most 1000 ({})", key,
          number,
          key == "positions" ? "% of the scale" : "times the capability"));
    }
    if (key == "saliences" && value > 1) {
      return InvalidArgument(
          fmt::format("--perturb: saliences={} is larger than the salience "
                      "scale; expected an sd in [0, 1]",
                      number));
    }
    *target = value;
  }
  return p;
}

std::string PerturbationToString(const Perturbation& p) {
  std::vector<std::string> parts;
  if (p.positions > 0)
    parts.push_back(fmt::format("positions={}", p.positions));
  if (p.saliences > 0)
    parts.push_back(fmt::format("saliences={}", p.saliences));
  if (p.capabilities > 0)
    parts.push_back(fmt::format("capabilities={}", p.capabilities));
  return fmt::format("{}", fmt::join(parts, ","));
}

EnsemblePlan PlanEnsemble(const Scenario& s, const Perturbation& p) {
  using F = UncertainInput::Field;
  EnsemblePlan plan;
  auto add_capability = [&](UncertainInput in, const Quantity& q) {
    in.value = q.value;
    if (q.uncertainty) {
      in.distribution = *q.uncertainty;
      plan.inputs.push_back(std::move(in));
    } else if (p.capabilities > 0 && q.value > 0) {
      plan.inputs.push_back(
          Perturbed(std::move(in), p.capabilities * q.value, 0, kInf));
    }
  };
  for (size_t a = 0; a < s.actors.size(); ++a) {
    UncertainInput in;
    in.field = F::kCapability;
    in.actor = static_cast<int>(a);
    in.name = "capability:" + s.actors[a].id;
    add_capability(std::move(in), s.actors[a].capability);
  }
  for (size_t i = 0; i < s.issues.size(); ++i) {
    const Issue& issue = s.issues[i];
    if (!issue.status_quo || !issue.status_quo->uncertainty) continue;
    UncertainInput in;
    in.field = F::kStatusQuo;
    in.issue = static_cast<int>(i);
    in.value = issue.status_quo->value;
    in.distribution = *issue.status_quo->uncertainty;
    in.name = "status_quo:" + issue.id;
    plan.inputs.push_back(std::move(in));
  }
  for (size_t k = 0; k < s.stances.size(); ++k) {
    const Stance& st = s.stances[k];
    const Issue& issue = s.issues[static_cast<size_t>(st.issue)];
    const std::string where =
        s.actors[static_cast<size_t>(st.actor)].id + ":" + issue.id;
    UncertainInput in;
    in.actor = st.actor;
    in.issue = st.issue;
    in.stance = static_cast<int>(k);
    if (st.capability) {
      UncertainInput cap = in;
      cap.field = F::kCapability;
      cap.stance_capability = true;
      cap.name = "capability:" + where;
      add_capability(std::move(cap), *st.capability);
    }
    in.field = F::kPosition;
    in.name = "position:" + where;
    in.value = st.position.value;
    if (st.position.uncertainty) {
      in.distribution = *st.position.uncertainty;
      plan.inputs.push_back(in);
    } else if (p.positions > 0) {
      plan.inputs.push_back(
          Perturbed(in, p.positions / 100 * (issue.max - issue.min), issue.min,
                    issue.max));
    }
    in.field = F::kSalience;
    in.name = "salience:" + where;
    in.value = st.salience.value;
    if (st.salience.uncertainty) {
      in.distribution = *st.salience.uncertainty;
      plan.inputs.push_back(in);
    } else if (p.saliences > 0) {
      plan.inputs.push_back(Perturbed(in, p.saliences, 0, 1));
    }
  }
  return plan;
}

BetaShape PerturbationBeta(const UncertainInput& in) {
  const Uncertainty& u = in.distribution;
  const double width = u.upper - u.lower;
  const double mean = (in.value - u.lower) / width;
  if (!(mean > 0 && mean < 1) || !(u.sd > 0)) return {};
  // alpha, beta >= 1 (a density finite at both bounds) holds while
  // var <= mean (1 - mean) m / (1 + m), m = min(mean, 1 - mean).
  const double m = std::min(mean, 1 - mean);
  const double limit = mean * (1 - mean) * m / (1 + m);
  const double sd = u.sd / width;
  const double var = std::min(sd * sd, limit);
  const double nu = mean * (1 - mean) / var - 1;
  // At the limit rounding may leave the smaller shape a hair below 1.
  return {std::max(1.0, mean * nu), std::max(1.0, (1 - mean) * nu)};
}

Scenario DrawScenario(const Scenario& scenario, const EnsemblePlan& plan,
                      std::uint64_t seed, std::uint64_t run,
                      std::vector<double>* drawn) {
  std::vector<double> values;
  Draw(plan, Prepare(plan), pcg64(seed, run), values);
  Scenario out = scenario;
  Apply(out, plan, values);
  if (drawn != nullptr) *drawn = std::move(values);
  return out;
}

std::vector<std::vector<double>> DrawInputs(
    const EnsemblePlan& plan, std::uint64_t seed,
    std::span<const std::uint64_t> runs) {
  const std::vector<Prepared> prepared = Prepare(plan);
  std::vector<std::vector<double>> out(runs.size());
  for (size_t j = 0; j < runs.size(); ++j)
    Draw(plan, prepared, pcg64(seed, runs[j]), out[j]);
  return out;
}

namespace {

// One scratch copy of the scenario per thread of a pool, made by the thread
// that first needs it.
class ScenarioCopies {
 public:
  ScenarioCopies(const Scenario& scenario, int threads)
      : scenario_(scenario), copies_(static_cast<size_t>(threads)) {}
  Scenario& At(int slot) {
    std::optional<Scenario>& copy = copies_[static_cast<size_t>(slot)];
    if (!copy) copy.emplace(scenario_);
    return *copy;
  }

 private:
  const Scenario& scenario_;
  std::vector<std::optional<Scenario>> copies_;
};

// The finished batches on_batch takes on a thread of its own while the
// next ones run (EnsembleOptions::overlap_batches): one at a time, in run
// order, up to kBatchesAhead of them finished and waiting. A queue rather
// than one batch in flight: on two cores the runs and the hand-over share
// the cores, and with one batch in flight the runs stood idle whenever the
// hand-over was in a stretch of its own that used one core (a commit, the
// summary's serial part), so about a sixth of the machine went unused with
// --store (bench/README.md). The destructor drains it, so no return path
// leaves it running.
class HandedBatches {
 public:
  using Callback = std::function<Result<void>(std::span<const RunRecord>)>;
  static constexpr size_t kBatchesAhead = 4;

  explicit HandedBatches(const Callback& on_batch) : on_batch_(on_batch) {}
  ~HandedBatches() { (void)Drain(); }
  HandedBatches(const HandedBatches&) = delete;
  HandedBatches& operator=(const HandedBatches&) = delete;

  // Queues `batch` for on_batch, first waiting while kBatchesAhead batches
  // wait or are being taken; `batch` gets the records of a batch already
  // taken back to overwrite (or none). False, with nothing queued, once
  // on_batch has failed: Drain says why.
  bool Push(std::vector<RunRecord>& batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!thread_.joinable()) {
      closing_ = false;
      thread_ = std::thread([this] { Take(); });
    }
    changed_.wait(lock, [&] {
      return failed_ || waiting_.size() + (busy_ ? 1 : 0) < kBatchesAhead;
    });
    if (failed_) return false;
    std::vector<RunRecord> spare;
    if (!spent_.empty()) {
      spare = std::move(spent_.back());
      spent_.pop_back();
    }
    waiting_.push_back(std::move(batch));
    batch = std::move(spare);
    changed_.notify_all();
    return true;
  }

  // Waits until on_batch has taken every queued batch, or failed, and ends
  // its thread: what on_batch returned (its first error, the batches after
  // that one dropped).
  Result<void> Drain() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    Result<void> out = std::move(result_);
    result_ = {};
    return out;
  }

  // Runs in the batches on_batch has taken without error.
  std::int64_t taken() const { return taken_; }

 private:
  void Take() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return !waiting_.empty() || closing_; });
      if (waiting_.empty()) return;
      std::vector<RunRecord> batch = std::move(waiting_.front());
      waiting_.pop_front();
      busy_ = true;
      lock.unlock();
      Result<void> took = on_batch_(batch);
      lock.lock();
      busy_ = false;
      if (!took) {
        result_ = std::move(took);
        failed_ = true;
        waiting_.clear();
        changed_.notify_all();
        return;
      }
      taken_ += static_cast<std::int64_t>(batch.size());
      spent_.push_back(std::move(batch));
      changed_.notify_all();
    }
  }

  const Callback& on_batch_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<RunRecord>> waiting_;
  std::vector<std::vector<RunRecord>> spent_;
  bool busy_ = false;
  bool closing_ = false;
  bool failed_ = false;
  std::int64_t taken_ = 0;
  Result<void> result_;
  std::thread thread_;
};

void Record(const Forecast& f, RunRecord& r) {
  r.outcomes.clear();
  r.agreement.clear();
  r.blocking.clear();
  for (const IssueForecast& issue : f.issues) {
    r.outcomes.push_back(issue.outcome);
    r.agreement.push_back(issue.agreement ? 1 : 0);
    r.blocking.push_back(issue.blocking);
  }
}

Error InRun(const Error& e, std::uint64_t run, std::uint64_t seed,
            const std::string& what) {
  std::vector<Diagnostic> diagnostics = e.diagnostics();
  diagnostics.push_back(
      {{},
       fmt::format("in {} {} (seed {}); {}", what, run, seed,
                   what == "ensemble run"
                       ? fmt::format("`unionstate ensemble` "
                                     "with --runs {} "
                                     "reproduces it",
                                     run + 1)
                       : std::string("`unionstate ensemble "
                                     "--sobol` reproduces it"))});
  return Error(e.kind(), std::move(diagnostics));
}

}  // namespace

Result<EnsembleRuns> RunEnsemble(const Scenario& scenario, const Model& model,
                                 const EnsemblePlan& plan,
                                 const EnsembleOptions& options) {
  constexpr std::int64_t kMaxRuns = std::int64_t{1} << 62;
  if (options.runs < 0 || options.runs > kMaxRuns || options.first_run < 0 ||
      options.stride < 1 || options.batch < 1 || options.threads < 0) {
    return InvalidArgument(
        fmt::format("ensemble: runs {}, first run {}, stride {}, batch {}, "
                    "threads {}; expected runs in [0, 2^62], first "
                    "run and threads >= 0, stride and batch >= 1",
                    options.runs, options.first_run, options.stride,
                    options.batch, options.threads));
  }
  // Run numbers are counted, never listed: mine are first_run + j * stride.
  const std::int64_t total =
      options.first_run >= options.runs
          ? 0
          : (options.runs - options.first_run + options.stride - 1) /
                options.stride;
  internal::WorkerPool pool(options.threads);  // 0: one per core
  const std::vector<Prepared> prepared = Prepare(plan);
  // Each thread keeps its own copy of the scenario and overwrites only the
  // drawn values: the structure is the same in every run.
  ScenarioCopies copies(scenario, pool.size());
  std::mutex progress_mutex;
  std::atomic<std::int64_t> done{0};
  if (options.progress != nullptr) options.progress->Update(0, total);
  auto stopped = [&] {
    return options.stop != nullptr && options.stop->load();
  };

  EnsembleRuns result;
  std::vector<RunRecord> batch;
  // With overlap_batches: the batch on_batch is taking on its own thread
  // while the next one runs. Every return below first waits for it.
  const bool overlap =
      options.overlap_batches && options.on_batch && !options.keep_records;
  HandedBatches handed(options.on_batch);
  // Lands what is queued; the runs on_batch took count as done.
  auto finish = [&]() -> Result<void> {
    Result<void> taken = handed.Drain();
    result.done += handed.taken();
    return taken;
  };
  for (std::int64_t begin = 0; begin < total; begin += options.batch) {
    if (stopped()) {
      result.interrupted = true;
      break;
    }
    const size_t size =
        static_cast<size_t>(std::min(options.batch, total - begin));
    batch.resize(size);
    std::vector<std::optional<Error>> errors(size);
    std::atomic<bool> skipped{false};
    pool.For(size, [&](size_t j, int slot) {
      if (stopped()) {
        skipped = true;
        return;
      }
      RunRecord& r = batch[j];
      r.run = static_cast<std::uint64_t>(
          options.first_run +
          (begin + static_cast<std::int64_t>(j)) * options.stride);
      const std::uint64_t model_seed =
          Draw(plan, prepared, pcg64(options.seed, r.run), r.inputs);
      // A model that runs parallel loops of its own (smp) runs them on
      // this thread (worker_pool.h), so no other run can take this
      // thread's scenario copy while it works.
      Scenario& s = copies.At(slot);
      Apply(s, plan, r.inputs);
      Result<Forecast> f = model.Run(s, {.seed = model_seed});
      if (!f) {
        errors[j] = f.error();
        return;
      }
      Record(*f, r);
      const std::int64_t now = ++done;
      if (options.progress != nullptr) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress->Update(now, total);
      }
    });
    for (size_t j = 0; j < errors.size(); ++j) {
      if (errors[j]) {
        (void)finish();  // the batches before it are whole: let them land
        return std::unexpected(
            InRun(*errors[j], batch[j].run, options.seed, "ensemble run"));
      }
    }
    if (skipped) {
      result.interrupted = true;
      break;
    }
    if (overlap) {
      if (!handed.Push(batch)) break;  // on_batch failed: finish says how
      continue;
    }
    if (options.on_batch) {
      Result<void> took = options.on_batch(batch);
      if (!took) return std::unexpected(took.error());
    }
    result.done += static_cast<std::int64_t>(size);
    if (options.keep_records) {
      for (RunRecord& r : batch) result.records.push_back(std::move(r));
      batch.clear();
    }
  }
  Result<void> taken = finish();
  if (!taken) return std::unexpected(taken.error());
  return result;
}

namespace {

// Sobol rows draw from streams of their own: pcg64 seeded with a seed
// derived from the ensemble's (so that no row shares a stream with an
// ensemble run) and stream 2j (row j of A) or 2j + 1 (of B).
std::uint64_t SobolSeed(std::uint64_t seed) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

}  // namespace

Result<SobolRuns> RunSobol(const Scenario& scenario, const Model& model,
                           const EnsemblePlan& plan,
                           const SobolOptions& options,
                           EnsembleSummary& summary) {
  const size_t k = plan.inputs.size();
  const size_t m = scenario.issues.size();
  const std::int64_t max_rows =
      (std::int64_t{1} << 62) / (static_cast<std::int64_t>(k) + 2);
  if (options.base_runs < 1 || options.base_runs > max_rows ||
      options.threads < 0 || options.bootstrap < 1 ||
      !(options.confidence > 0 && options.confidence < 1) ||
      summary.issues.size() != m) {
    return InvalidArgument(fmt::format(
        "sobol: base runs {}, threads {}, bootstrap {}, confidence {}; "
        "expected base runs in [1, {}], bootstrap >= 1, threads >= 0, "
        "confidence in (0, 1)",
        options.base_runs, options.threads, options.bootstrap,
        options.confidence, max_rows));
  }
  const std::uint64_t seed = SobolSeed(options.seed);
  const std::vector<Prepared> prepared = Prepare(plan);
  internal::WorkerPool pool(options.threads);  // 0: one per core
  ScenarioCopies copies(scenario, pool.size());
  SobolAccumulator acc(static_cast<int>(k), static_cast<int>(m), seed,
                       options.bootstrap);
  const std::int64_t per_row = static_cast<std::int64_t>(k) + 2;
  const std::int64_t total = options.base_runs * per_row;
  // Rows go in batches of about 256 runs; each row's runs are one task.
  const std::int64_t rows_per_batch = std::max<std::int64_t>(1, 256 / per_row);
  std::mutex progress_mutex;
  std::atomic<std::int64_t> done{0};
  if (options.progress != nullptr) options.progress->Update(0, total);
  auto stopped = [&] {
    return options.stop != nullptr && options.stop->load();
  };

  struct Row {
    std::vector<double> f_a, f_b, f_ab;
    std::optional<Error> error;
  };
  SobolRuns result;
  std::vector<Row> rows;
  for (std::int64_t begin = 0; begin < options.base_runs;
       begin += rows_per_batch) {
    if (stopped()) {
      result.interrupted = true;
      break;
    }
    const size_t size = static_cast<size_t>(
        std::min(rows_per_batch, options.base_runs - begin));
    rows.assign(size, Row{});
    std::atomic<bool> skipped{false};
    pool.For(size, [&](size_t r, int slot) {
      Row& row = rows[r];
      const std::uint64_t j =
          static_cast<std::uint64_t>(begin) + static_cast<std::uint64_t>(r);
      std::vector<double> a, b, mixed;
      const std::uint64_t model_seed =
          Draw(plan, prepared, pcg64(seed, 2 * j), a);
      Draw(plan, prepared, pcg64(seed, 2 * j + 1), b);
      row.f_ab.resize(k * m);
      auto run = [&](const std::vector<double>& x, double* out) -> bool {
        if (stopped()) {
          skipped = true;
          return false;
        }
        Scenario& s = copies.At(slot);
        Apply(s, plan, x);
        Result<Forecast> f = model.Run(s, {.seed = model_seed});
        if (!f) {
          row.error = InRun(f.error(), j, options.seed, "Sobol row");
          return false;
        }
        for (size_t i = 0; i < m; ++i) out[i] = f->issues[i].outcome;
        const std::int64_t now = ++done;
        if (options.progress != nullptr) {
          std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress->Update(now, total);
        }
        return true;
      };
      row.f_a.resize(m);
      row.f_b.resize(m);
      if (!run(a, row.f_a.data()) || !run(b, row.f_b.data())) return;
      mixed = a;
      for (size_t i = 0; i < k; ++i) {
        mixed[i] = b[i];
        if (!run(mixed, row.f_ab.data() + i * m)) return;
        mixed[i] = a[i];
      }
    });
    for (const Row& row : rows) {
      if (row.error) return std::unexpected(*row.error);
    }
    if (skipped) {
      result.interrupted = true;
      break;
    }
    for (const Row& row : rows) acc.AddRow(row.f_a, row.f_b, row.f_ab);
    result.rows += static_cast<std::int64_t>(size);
  }
  acc.Fill(summary.issues, options.confidence);
  summary.sobol_base_runs = result.rows;
  summary.sobol_runs = result.rows * per_row;
  summary.sobol_bootstrap = options.bootstrap;
  summary.sobol_confidence = options.confidence;
  return result;
}

}  // namespace unionstate
