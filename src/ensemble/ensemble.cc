#include "unionstate/ensemble.h"

#include <fmt/format.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/discrete_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <mutex>
#include <pcg_random.hpp>
#include <thread>

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

// Per input, the standard normal CDF at its cut's bounds (normal inputs
// only): fixed for an input, so computed once per ensemble.
struct Cut {
  double a = 0;
  double b = 1;
};
std::vector<Cut> Cuts(const EnsemblePlan& plan) {
  std::vector<Cut> cuts(plan.inputs.size());
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const UncertainInput& in = plan.inputs[k];
    const Uncertainty& u = in.distribution;
    if (u.kind != Uncertainty::Kind::kNormal) continue;
    if (!std::isinf(u.lower))
      cuts[k].a =
          boost::math::cdf(StandardNormal(), (u.lower - in.value) / u.sd);
    if (!std::isinf(u.upper))
      cuts[k].b =
          boost::math::cdf(StandardNormal(), (u.upper - in.value) / u.sd);
  }
  return cuts;
}

// A normal with mean `mean` and sd `sd` cut to [lower, upper], drawn by
// inverting the cut CDF: one uniform per draw, no rejection loop, so the
// stream advances by the same amount whatever is drawn. The mean lies in
// the cut (loading checks it), so the CDF values at the bounds sit on
// either side of 1/2 and neither tail is evaluated where it underflows.
double CutNormal(pcg64& rng, double mean, double sd, double lower, double upper,
                 Cut cut) {
  const double u = boost::random::uniform_real_distribution<double>(0, 1)(rng);
  double p = cut.a + u * (cut.b - cut.a);
  p = std::clamp(p, 1e-300, 1 - 0x1p-53);
  const double x = mean + sd * boost::math::quantile(StandardNormal(), p);
  return std::clamp(x, lower, upper);
}

double DrawOne(pcg64& rng, const UncertainInput& in, Cut cut) {
  const Uncertainty& u = in.distribution;
  switch (u.kind) {
    case Uncertainty::Kind::kNormal:
      return CutNormal(rng, in.value, u.sd, u.lower, u.upper, cut);
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
std::uint64_t Draw(const EnsemblePlan& plan, const std::vector<Cut>& cuts,
                   std::uint64_t seed, std::uint64_t run,
                   std::vector<double>& drawn) {
  pcg64 rng(seed, run);
  const std::uint64_t model_seed = static_cast<std::uint64_t>(rng());
  drawn.resize(plan.inputs.size());
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    drawn[k] = DrawOne(rng, plan.inputs[k], cuts[k]);
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

Scenario DrawScenario(const Scenario& scenario, const EnsemblePlan& plan,
                      std::uint64_t seed, std::uint64_t run,
                      std::vector<double>* drawn) {
  std::vector<double> values;
  Draw(plan, Cuts(plan), seed, run, values);
  Scenario out = scenario;
  Apply(out, plan, values);
  if (drawn != nullptr) *drawn = std::move(values);
  return out;
}

Result<EnsembleRuns> RunEnsemble(const Scenario& scenario, const Model& model,
                                 const EnsemblePlan& plan,
                                 const EnsembleOptions& options) {
  if (options.runs < 0 || options.first_run < 0 || options.stride < 1 ||
      options.batch < 1 || options.threads < 0) {
    return InvalidArgument(
        fmt::format("ensemble: runs {}, first run {}, stride {}, batch {}, "
                    "threads {}; expected runs, first "
                    "run and threads >= 0, stride and batch >= 1",
                    options.runs, options.first_run, options.stride,
                    options.batch, options.threads));
  }
  std::vector<std::uint64_t> mine;
  for (std::int64_t k = options.first_run; k < options.runs;
       k += options.stride) {
    mine.push_back(static_cast<std::uint64_t>(k));
  }
  const int threads =
      options.threads == 0
          ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
          : options.threads;
  tbb::task_arena arena(threads);
  const std::vector<Cut> cuts = Cuts(plan);
  // Each worker keeps its own copy of the scenario and overwrites only the
  // drawn values: the structure is the same in every run.
  tbb::enumerable_thread_specific<Scenario> copies([&] { return scenario; });
  std::mutex progress_mutex;
  std::atomic<std::int64_t> done{0};
  const std::int64_t total = static_cast<std::int64_t>(mine.size());
  if (options.progress != nullptr) options.progress->Update(0, total);

  EnsembleRuns result;
  result.records.reserve(mine.size());
  for (size_t begin = 0; begin < mine.size();
       begin += static_cast<size_t>(options.batch)) {
    if (options.stop != nullptr && options.stop->load()) {
      result.interrupted = true;
      break;
    }
    const size_t end =
        std::min(mine.size(), begin + static_cast<size_t>(options.batch));
    std::vector<RunRecord> batch(end - begin);
    std::vector<std::optional<Error>> errors(end - begin);
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, end - begin, [&](size_t j) {
        RunRecord& r = batch[j];
        r.run = mine[begin + j];
        const std::uint64_t model_seed =
            Draw(plan, cuts, options.seed, r.run, r.inputs);
        // Isolated: a model that runs its own parallel loops (smp) must not
        // pick up another run while it waits, which would overwrite this
        // thread's scenario copy under it.
        Result<Forecast> f = tbb::this_task_arena::isolate([&] {
          Scenario& s = copies.local();
          Apply(s, plan, r.inputs);
          return model.Run(s, {.seed = model_seed});
        });
        if (!f) {
          errors[j] = f.error();
          return;
        }
        for (const IssueForecast& issue : f->issues) {
          r.outcomes.push_back(issue.outcome);
          r.agreement.push_back(issue.agreement ? 1 : 0);
          r.blocking.push_back(issue.blocking);
        }
        const std::int64_t now = ++done;
        if (options.progress != nullptr) {
          std::lock_guard<std::mutex> lock(progress_mutex);
          options.progress->Update(now, total);
        }
      });
    });
    for (size_t j = 0; j < errors.size(); ++j) {
      if (!errors[j]) continue;
      std::vector<Diagnostic> diagnostics = errors[j]->diagnostics();
      diagnostics.push_back(
          {{},
           fmt::format("in ensemble run {} (seed {}); `unionstate ensemble` "
                       "with --runs {} "
                       "reproduces it",
                       batch[j].run, options.seed, batch[j].run + 1)});
      return std::unexpected(Error(errors[j]->kind(), std::move(diagnostics)));
    }
    if (options.on_batch) {
      Result<void> handed = options.on_batch(batch);
      if (!handed) return std::unexpected(handed.error());
    }
    for (RunRecord& r : batch) result.records.push_back(std::move(r));
  }
  return result;
}

}  // namespace unionstate
