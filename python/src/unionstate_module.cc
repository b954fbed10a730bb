// unionstate._core: the library's public API for Python (pybind11). The
// package layer in python/unionstate/ wraps these objects in pandas
// DataFrames and documents them; this file only converts. It is the one
// file that includes pybind11.
//
// Errors: a library Error becomes the Python exception of its kind
// (unionstate.errors), carrying every diagnostic. Long computations (a run,
// an ensemble) release the GIL; an ensemble runs on a worker thread while
// the calling thread reports progress and watches for Ctrl-C.

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "unionstate/csv_output.h"
#include "unionstate/ensemble.h"
#include "unionstate/env.h"
#include "unionstate/evaluate.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"

namespace py = pybind11;

namespace unionstate::python {
namespace {

std::string_view KindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return "invalid_input";
    case ErrorKind::kInvalidArgument:
      return "invalid_argument";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kFailed:
      return "failed";
  }
  return "failed";
}

// Raises the unionstate.errors exception for `error`.
[[noreturn]] void Raise(const Error& error) {
  py::list diagnostics;
  for (const Diagnostic& d : error.diagnostics()) {
    diagnostics.append(
        py::make_tuple(d.where.file, d.where.line, d.where.column, d.message));
  }
  py::object make = py::module_::import("unionstate.errors").attr("_from_core");
  py::object exception = make(KindName(error.kind()), diagnostics);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exception.ptr())),
                  exception.ptr());
  throw py::error_already_set();
}

template <class T>
T Take(Result<T> result) {
  if (!result) Raise(result.error());
  return std::move(*result);
}

void Take(Result<void> result) {
  if (!result) Raise(result.error());
}

// A validated scenario and the text it was read from (for the results
// database).
struct PyScenario {
  std::shared_ptr<const Scenario> scenario;
  std::string label;  // a path, "builtin:LABEL" or a description
  std::string text;   // the file's text, when one was read
};

PyScenario Wrap(Scenario scenario, std::string label, std::string text) {
  return {std::make_shared<const Scenario>(std::move(scenario)),
          std::move(label), std::move(text)};
}

std::optional<InputFormat> FormatOf(const std::optional<std::string>& name) {
  if (!name) return {};
  std::optional<InputFormat> format = ParseInputFormat(*name);
  if (!format) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                "unknown input format \"" + *name +
                    "\"; expected toml, bdm, ktab, ktab-xml, decide, deu or "
                    "wide"));
  }
  return format;
}

PyScenario LoadFile(const std::string& path,
                    const std::optional<std::string>& format) {
  Scenario s = Take(LoadScenario(Env::Default(), path, {FormatOf(format)}));
  Result<std::string> text = Env::Default().ReadFile(path);
  return Wrap(std::move(s), path, text ? *text : "");
}

PyScenario ParseText(const std::string& text, const std::string& file,
                     const std::optional<std::string>& format) {
  return Wrap(Take(ParseScenario(text, file, {FormatOf(format)})), file, text);
}

PyScenario LoadBuiltin(const std::string& name) {
  Scenario s = Take(LoadBuiltinScenario(name));
  std::optional<BuiltinFile> file =
      FindBuiltinFile(name.empty() ? DefaultBuiltinScenario() : name);
  return Wrap(std::move(s), "builtin:" + std::string(file->label),
              std::string(file->text));
}

PyScenario ParseWide(const std::string& actors, const std::string& actors_file,
                     const std::string& issues, const std::string& issues_file,
                     const std::string& name) {
  return Wrap(
      Take(ParseWideTables(actors, actors_file, issues, issues_file, name)),
      actors_file + " + " + issues_file, "");
}

bool HasUncertainty(const Scenario& s) {
  for (const Actor& a : s.actors)
    if (a.capability.uncertainty) return true;
  for (const Issue& i : s.issues)
    if (i.status_quo && i.status_quo->uncertainty) return true;
  for (const Stance& st : s.stances) {
    if (st.position.uncertainty || st.salience.uncertainty) return true;
    if (st.capability && st.capability->uncertainty) return true;
  }
  return false;
}

// The scenario's tables as dicts of columns (the package makes DataFrames).
py::dict Tables(const PyScenario& p) {
  const Scenario& s = *p.scenario;
  py::dict actors;
  for (const char* key :
       {"id", "name", "side", "capability", "veto", "description", "source"})
    actors[key] = py::list();
  for (const Actor& a : s.actors) {
    actors["id"].cast<py::list>().append(a.id);
    actors["name"].cast<py::list>().append(a.name);
    actors["side"].cast<py::list>().append(a.side);
    actors["capability"].cast<py::list>().append(a.capability.value);
    actors["veto"].cast<py::list>().append(a.veto);
    actors["description"].cast<py::list>().append(a.description);
    actors["source"].cast<py::list>().append(a.source);
  }
  py::dict issues;
  for (const char* key : {"id", "name", "unit", "min", "max", "status_quo",
                          "deadline", "rule", "description", "source"})
    issues[key] = py::list();
  for (const Issue& i : s.issues) {
    issues["id"].cast<py::list>().append(i.id);
    issues["name"].cast<py::list>().append(i.name);
    issues["unit"].cast<py::list>().append(i.unit);
    issues["min"].cast<py::list>().append(i.min);
    issues["max"].cast<py::list>().append(i.max);
    issues["status_quo"].cast<py::list>().append(
        i.status_quo ? i.status_quo->value : std::nan(""));
    issues["deadline"].cast<py::list>().append(
        i.deadline ? py::object(py::str(i.deadline->ToString()))
                   : py::object(py::none()));
    issues["rule"].cast<py::list>().append(
        std::string(DecisionRuleName(i.rule)));
    issues["description"].cast<py::list>().append(i.description);
    issues["source"].cast<py::list>().append(i.source);
  }
  py::dict positions;
  for (const char* key :
       {"actor", "issue", "position", "salience", "capability", "source"})
    positions[key] = py::list();
  for (const Stance& st : s.stances) {
    positions["actor"].cast<py::list>().append(s.actors[st.actor].id);
    positions["issue"].cast<py::list>().append(s.issues[st.issue].id);
    positions["position"].cast<py::list>().append(st.position.value);
    positions["salience"].cast<py::list>().append(st.salience.value);
    positions["capability"].cast<py::list>().append(
        st.capability ? st.capability->value : std::nan(""));
    positions["source"].cast<py::list>().append(st.source);
  }
  py::list packages;
  for (const Package& k : s.packages) {
    py::list ids;
    for (int i : k.issues) ids.append(s.issues[i].id);
    packages.append(py::make_tuple(k.id, k.name, ids, k.source));
  }
  py::dict out;
  out["actors"] = actors;
  out["issues"] = issues;
  out["positions"] = positions;
  out["packages"] = packages;
  out["ideal_adjustments"] = s.ideal_adjustments.size();
  out["uncertain"] = HasUncertainty(s);
  return out;
}

// --- models -----------------------------------------------------------------

py::object ParamToPython(const ParamValue& value) {
  return std::visit([](const auto& v) { return py::object(py::cast(v)); },
                    value);
}

py::list Models() {
  py::list out;
  for (const RegisteredModel& model : RegisteredModels()) {
    const ModelInfo& info = *model.info;
    py::list parameters;
    for (const ParameterSpec& p : info.parameters) {
      py::dict d;
      d["name"] = p.name;
      d["default"] = ParamToPython(p.default_value);
      d["range"] = p.RangeText();
      d["meaning"] = p.meaning;
      parameters.append(d);
    }
    py::dict d;
    d["name"] = info.short_name;
    d["long_name"] = info.long_name;
    d["summary"] = info.summary;
    d["citation"] = info.citation;
    d["stochastic"] = info.stochastic;
    d["parameters"] = parameters;
    out.append(d);
  }
  return out;
}

struct PyModel {
  std::shared_ptr<const Model> model;
  std::string spec;  // canonical, every parameter
};

PyModel MakeModel(const std::string& spec) {
  std::unique_ptr<Model> model = Take(LoadModel(spec));
  std::string canonical = CanonicalSpec(*model);
  return {std::shared_ptr<const Model>(std::move(model)), canonical};
}

// --- forecasts --------------------------------------------------------------

struct PyForecast {
  std::shared_ptr<const Scenario> scenario;
  std::shared_ptr<const Forecast> forecast;
  std::string spec;
};

PyForecast RunModel(const PyModel& model, const PyScenario& scenario,
                    std::uint64_t seed) {
  Result<Forecast> forecast = [&] {
    py::gil_scoped_release release;
    return model.model->Run(*scenario.scenario, {.seed = seed});
  }();
  return {scenario.scenario,
          std::make_shared<const Forecast>(Take(std::move(forecast))),
          model.spec};
}

// Seconds per call of Model::Run measured inside C++ (no Python in the
// loop), for bench/python_bench.py.
double TimeCppRun(const PyModel& model, const PyScenario& scenario,
                  std::uint64_t seed, int calls) {
  py::gil_scoped_release release;
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < calls; ++k) {
    Result<Forecast> f = model.model->Run(*scenario.scenario, {.seed = seed});
    if (!f) return std::nan("");
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
             .count() /
         calls;
}

py::dict Outcomes(const PyForecast& f) {
  const Scenario& s = *f.scenario;
  py::list issue, name, unit, min, max, status_quo, outcome, agreement,
      blocking;
  for (const IssueForecast& i : f.forecast->issues) {
    const Issue& in = s.issues[static_cast<size_t>(i.issue)];
    issue.append(in.id);
    name.append(in.name);
    unit.append(in.unit);
    min.append(in.min);
    max.append(in.max);
    status_quo.append(in.status_quo ? in.status_quo->value : std::nan(""));
    outcome.append(i.outcome);
    agreement.append(i.agreement);
    std::string who;
    for (const std::string& b : i.blocking) who += (who.empty() ? "" : ";") + b;
    blocking.append(who);
  }
  py::dict d;
  d["issue"] = issue;
  d["name"] = name;
  d["unit"] = unit;
  d["min"] = min;
  d["max"] = max;
  d["status_quo"] = status_quo;
  d["outcome"] = outcome;
  d["agreement"] = agreement;
  d["blocking"] = blocking;
  return d;
}

// Positions per round, actor and issue (no row where an actor has none),
// as NumPy arrays: round, actor index, issue index, position.
py::tuple Rounds(const PyForecast& f) {
  const Scenario& s = *f.scenario;
  const size_t issues = s.issues.size();
  std::vector<std::int64_t> round;
  std::vector<std::int32_t> actor, issue;
  std::vector<double> position;
  for (const Round& r : f.forecast->rounds) {
    for (size_t a = 0; a < s.actors.size(); ++a) {
      for (size_t i = 0; i < issues; ++i) {
        const double x = r.positions[a * issues + i];
        if (std::isnan(x)) continue;
        round.push_back(r.round);
        actor.push_back(static_cast<std::int32_t>(a));
        issue.push_back(static_cast<std::int32_t>(i));
        position.push_back(x);
      }
    }
  }
  return py::make_tuple(py::array_t<std::int64_t>(round.size(), round.data()),
                        py::array_t<std::int32_t>(actor.size(), actor.data()),
                        py::array_t<std::int32_t>(issue.size(), issue.data()),
                        py::array_t<double>(position.size(), position.data()));
}

// What models report beside positions, long: round, name, actor, issue,
// value (actor or issue None where the value is not per actor / issue).
py::dict RoundValues(const PyForecast& f) {
  const Scenario& s = *f.scenario;
  const size_t issues = s.issues.size();
  py::list round, name, actor, issue, value;
  auto add = [&](int r, const std::string& n, py::object a, py::object i,
                 double x) {
    if (std::isnan(x)) return;
    round.append(r);
    name.append(n);
    actor.append(a);
    issue.append(i);
    value.append(x);
  };
  for (const Round& r : f.forecast->rounds) {
    for (const ActorIssueValues& v : r.actor_issue_values) {
      for (size_t a = 0; a < s.actors.size(); ++a)
        for (size_t i = 0; i < issues; ++i)
          add(r.round, v.name, py::str(s.actors[a].id), py::str(s.issues[i].id),
              v.values[a * issues + i]);
    }
    for (const ActorValues& v : r.actor_values)
      for (size_t a = 0; a < v.values.size(); ++a)
        add(r.round, v.name, py::str(s.actors[a].id), py::none(), v.values[a]);
    for (const IssueValues& v : r.issue_values)
      for (size_t i = 0; i < v.values.size(); ++i)
        add(r.round, v.name, py::none(), py::str(s.issues[i].id), v.values[i]);
  }
  py::dict d;
  d["round"] = round;
  d["name"] = name;
  d["actor"] = actor;
  d["issue"] = issue;
  d["value"] = value;
  return d;
}

// --- ensembles --------------------------------------------------------------

struct PyEnsemble {
  std::shared_ptr<const Scenario> scenario;
  std::string spec;
  std::uint64_t seed = 0;
  std::string perturbation;
  std::int64_t runs_requested = 0;
  bool interrupted = false;
  bool keyboard_interrupt = false;  // Ctrl-C stopped it (the package raises)
  std::vector<std::string> inputs;  // plan input names
  std::shared_ptr<const std::vector<RunRecord>> records;
  std::shared_ptr<const EnsembleSummary> summary;

  EnsembleReport Report() const {
    return {scenario->name, spec,        seed,    perturbation,
            runs_requested, interrupted, *summary};
  }
};

class CountingProgress : public ProgressSink {
 public:
  void Update(std::int64_t done, std::int64_t total) override {
    done_ = done;
    total_ = total;
  }
  std::atomic<std::int64_t> done_{0};
  std::atomic<std::int64_t> total_{0};
};

PyEnsemble RunEnsembleFromPython(const PyModel& model,
                                 const PyScenario& scenario, std::int64_t runs,
                                 std::uint64_t seed, const std::string& perturb,
                                 int threads, std::int64_t batch,
                                 const std::optional<std::string>& store_path,
                                 const py::object& progress,
                                 std::int64_t sobol) {
  if (runs < 1) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                "runs " + std::to_string(runs) + "; expected at least 1"));
  }
  if (sobol < 0) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                "sobol " + std::to_string(sobol) +
                    "; expected 0 (none) or more base runs"));
  }
  if (threads < 0 || batch < 1) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                "threads " + std::to_string(threads) + ", batch " +
                    std::to_string(batch) +
                    "; expected threads >= 0 (0: every core) and batch >= 1"));
  }
  const Perturbation perturbation = Take(ParsePerturbation(perturb));
  const Scenario& s = *scenario.scenario;
  const EnsemblePlan plan = PlanEnsemble(s, perturbation);
  if (plan.inputs.empty() && !model.model->info().stochastic) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                "nothing to vary: no value of the scenario has a distribution "
                "and perturb is not given, so every run of the deterministic "
                "model " +
                    model.spec +
                    " would be the same; expected perturb= (e.g. "
                    "\"positions=10,saliences=0.1\") or values with a "
                    "distribution (docs/scenario-format.md, \"Values, sources "
                    "and uncertainty\")"));
  }
  std::unique_ptr<ResultStore> store;
  std::int64_t stored_id = 0;
  if (store_path) {
    store = Take(ResultStore::Open(*store_path));
    EnsembleHeader header{scenario.label,
                          scenario.text,
                          model.spec,
                          seed,
                          PerturbationToString(perturbation),
                          runs};
    // Without the draws a reader draws them again from the stored scenario
    // text; where that text does not give back this plan (a scenario made
    // from DataFrames or a workbook, or read from a folder), the draws are
    // stored.
    header.store_draws = !StoredScenarioGivesPlan(header, plan);
    stored_id = Take(store->BeginEnsemble(header, s, plan));
  }

  std::atomic<bool> stop{false};
  CountingProgress counter;
  EnsembleOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = threads;
  options.batch = batch;
  options.progress = &counter;
  options.stop = &stop;
  if (store) {
    options.on_batch = [&](std::span<const RunRecord> done) {
      return store->AddRuns(stored_id, done);
    };
  }
  std::optional<Result<EnsembleRuns>> result;
  EnsembleSummary summary;
  std::optional<Error> sobol_error;
  bool sobol_interrupted = false;
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  // The ensemble runs on a worker; this thread, holding the GIL only in
  // short slices, calls the progress callback and checks for Ctrl-C.
  std::thread worker([&] {
    Result<EnsembleRuns> r = RunEnsemble(s, *model.model, plan, options);
    if (r) {
      summary = Summarise(s, plan, r->records);
      // The Sobol design after the ensemble, as `ensemble --sobol N`.
      if (sobol > 0 && !r->interrupted) {
        SobolOptions design{
            .base_runs = sobol, .seed = seed, .threads = threads};
        design.stop = &stop;
        Result<SobolRuns> done =
            RunSobol(s, *model.model, plan, design, summary);
        if (!done) {
          sobol_error = done.error();
        } else {
          sobol_interrupted = done->interrupted;
        }
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    result = std::move(r);
    finished = true;
    finished_cv.notify_all();
  });
  std::optional<py::error_already_set> pending;
  bool keyboard_interrupt = false;
  {
    py::gil_scoped_release release;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        if (finished_cv.wait_for(lock, std::chrono::milliseconds(50),
                                 [&] { return finished; }))
          break;
      }
      py::gil_scoped_acquire acquire;
      if (pending) continue;  // stopping: wait for the worker
      try {
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        if (!progress.is_none()) progress(counter.done_.load(), runs);
      } catch (py::error_already_set& e) {
        keyboard_interrupt = e.matches(PyExc_KeyboardInterrupt);
        pending.emplace(std::move(e));
        stop = true;
      }
    }
  }
  worker.join();
  if (!result->has_value() || sobol_error) {
    if (store) (void)store->Finish(stored_id, {}, "failed");
    Raise(sobol_error ? *sobol_error : result->error());
  }
  if (pending && !keyboard_interrupt) {
    if (store) (void)store->Finish(stored_id, {}, "interrupted");
    pending->restore();
    throw py::error_already_set();
  }
  PyEnsemble out;
  out.scenario = scenario.scenario;
  out.spec = model.spec;
  out.seed = seed;
  out.perturbation = PerturbationToString(perturbation);
  out.runs_requested = runs;
  out.interrupted = (*result)->interrupted || sobol_interrupted;
  out.keyboard_interrupt = keyboard_interrupt;
  for (const UncertainInput& input : plan.inputs)
    out.inputs.push_back(input.name);
  auto records =
      std::make_shared<std::vector<RunRecord>>(std::move((*result)->records));
  out.records = records;
  out.summary = std::make_shared<const EnsembleSummary>(std::move(summary));
  if (store) {
    Take(store->Finish(stored_id, *out.summary,
                       out.interrupted ? "interrupted" : "complete"));
  }
  if (!progress.is_none() && !keyboard_interrupt) {
    progress(static_cast<std::int64_t>(records->size()), runs);
  }
  return out;
}

// Every run and issue, as NumPy arrays: run, issue index, outcome,
// agreement.
py::tuple Draws(const PyEnsemble& e) {
  const size_t issues = e.scenario->issues.size();
  const size_t n = e.records->size() * issues;
  py::array_t<std::int64_t> run(n);
  py::array_t<std::int32_t> issue(n);
  py::array_t<double> outcome(n);
  py::array_t<bool> agreement(n);
  auto r = run.mutable_unchecked<1>();
  auto i = issue.mutable_unchecked<1>();
  auto o = outcome.mutable_unchecked<1>();
  auto g = agreement.mutable_unchecked<1>();
  size_t k = 0;
  for (const RunRecord& record : *e.records) {
    for (size_t j = 0; j < issues; ++j, ++k) {
      r(k) = static_cast<std::int64_t>(record.run);
      i(k) = static_cast<std::int32_t>(j);
      o(k) = record.outcomes[j];
      g(k) = record.agreement[j] != 0;
    }
  }
  return py::make_tuple(run, issue, outcome, agreement);
}

// The drawn inputs: run numbers and a runs x inputs matrix.
py::tuple Inputs(const PyEnsemble& e) {
  const size_t n = e.records->size();
  const size_t m = e.inputs.size();
  py::array_t<std::int64_t> run(n);
  py::array_t<double> values({n, m});
  auto r = run.mutable_unchecked<1>();
  auto v = values.mutable_unchecked<2>();
  for (size_t k = 0; k < n; ++k) {
    const RunRecord& record = (*e.records)[k];
    r(k) = static_cast<std::int64_t>(record.run);
    for (size_t j = 0; j < m; ++j) v(k, j) = record.inputs[j];
  }
  return py::make_tuple(run, values);
}

py::dict Summary(const PyEnsemble& e) {
  py::list issue, mean, sd, q05, q25, q50, q75, q95, p_agreement, blocking,
      src_r2;
  for (const IssueSummary& s : e.summary->issues) {
    issue.append(s.issue);
    mean.append(s.mean);
    sd.append(s.sd);
    q05.append(s.q05);
    q25.append(s.q25);
    q50.append(s.q50);
    q75.append(s.q75);
    q95.append(s.q95);
    p_agreement.append(s.p_agreement);
    py::dict who;
    for (const auto& [id, share] : s.p_blocking) who[py::str(id)] = share;
    blocking.append(who);
    src_r2.append(s.src_r2);
  }
  py::dict d;
  d["issue"] = issue;
  d["mean"] = mean;
  d["sd"] = sd;
  d["q05"] = q05;
  d["q25"] = q25;
  d["q50"] = q50;
  d["q75"] = q75;
  d["q95"] = q95;
  d["p_agreement"] = p_agreement;
  d["blocking"] = blocking;
  d["src_r2"] = src_r2;
  return d;
}

// Per issue and input: the standardised regression coefficient, and the
// first- and total-order Sobol indices with their bootstrap intervals (NaN
// when undefined, or without a Sobol design).
py::dict Sensitivity(const PyEnsemble& e) {
  py::list issue, input, src, sobol, sobol_low, sobol_high, total, total_low,
      total_high;
  const double nan = std::nan("");
  for (const IssueSummary& s : e.summary->issues) {
    for (size_t k = 0; k < e.inputs.size(); ++k) {
      issue.append(s.issue);
      input.append(e.inputs[k]);
      src.append(k < s.src.size() ? s.src[k] : nan);
      sobol.append(k < s.sobol.size() ? s.sobol[k] : nan);
      sobol_low.append(k < s.sobol_ci.size() ? s.sobol_ci[k].first : nan);
      sobol_high.append(k < s.sobol_ci.size() ? s.sobol_ci[k].second : nan);
      total.append(k < s.sobol_total.size() ? s.sobol_total[k] : nan);
      total_low.append(k < s.sobol_total_ci.size() ? s.sobol_total_ci[k].first
                                                   : nan);
      total_high.append(k < s.sobol_total_ci.size() ? s.sobol_total_ci[k].second
                                                    : nan);
    }
  }
  py::dict d;
  d["issue"] = issue;
  d["input"] = input;
  d["src"] = src;
  d["sobol"] = sobol;
  d["sobol_low"] = sobol_low;
  d["sobol_high"] = sobol_high;
  d["sobol_total"] = total;
  d["sobol_total_low"] = total_low;
  d["sobol_total_high"] = total_high;
  return d;
}

// The drawn inputs of ensemble `id` in a results database: run numbers and
// a runs x inputs matrix, read from the database with --store-draws, else
// drawn again from (seed, run) (docs/results-schema.md).
py::tuple StoredDraws(const std::string& path, std::int64_t id) {
  std::unique_ptr<ResultStore> store = Take(ResultStore::OpenExisting(path));
  const std::vector<StoredEnsemble> all = Take(store->Ensembles());
  const StoredEnsemble* found = nullptr;
  for (const StoredEnsemble& e : all) {
    if (e.id == id) found = &e;
  }
  if (found == nullptr) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                path + ": no ensemble " + std::to_string(id) +
                    "; expected the id of one it holds"));
  }
  std::vector<RunRecord> records;
  if (found->header.store_draws) {
    records = Take(store->ReadRuns(id, nullptr));
  } else {
    const Scenario scenario = Take(StoredScenario(found->header));
    const EnsemblePlan plan = PlanEnsemble(
        scenario, Take(ParsePerturbation(found->header.perturbation)));
    records = Take(store->ReadRuns(id, &plan));
  }
  const size_t n = records.size();
  const size_t m = n > 0 ? records.front().inputs.size() : 0;
  py::array_t<std::int64_t> run(n);
  py::array_t<double> values({n, m});
  auto r = run.mutable_unchecked<1>();
  auto v = values.mutable_unchecked<2>();
  for (size_t k = 0; k < n; ++k) {
    r(k) = static_cast<std::int64_t>(records[k].run);
    for (size_t j = 0; j < m; ++j) v(k, j) = records[k].inputs[j];
  }
  return py::make_tuple(run, values);
}

// --- evaluation -------------------------------------------------------------

struct PyEvaluation {
  Evaluation evaluation;
};

PyEvaluation EvaluateForecast(const PyForecast& f,
                              const std::optional<std::string>& text,
                              const std::string& file) {
  ObservedOutcomes observed = text ? Take(ParseObserved(*text, file))
                                   : ObservedFromScenario(*f.scenario);
  if (!text && observed.outcomes.empty()) {
    Raise(Error(ErrorKind::kInvalidArgument, {},
                "the scenario carries no observed outcomes; expected "
                "observed= a file, a built-in name or TOML text "
                "(docs/observed-format.md)"));
  }
  Evaluation evaluation =
      Take(Evaluate(SummarizeForecast(*f.scenario, *f.forecast), observed));
  // Dated questions are scored with the scenario's time forecast, as
  // `unionstate evaluate` scores them; without a baseline (too little dated
  // data) the depth evaluation stands alone, as there.
  if (!observed.questions.empty()) {
    Result<QuestionEvaluation> scored = ScoreDatedQuestions(
        Env::Default(), *f.scenario, *f.forecast, observed);
    if (scored) {
      evaluation.questions = std::move(*scored);
    } else if (scored.error().kind() != ErrorKind::kFailed) {
      Raise(scored.error());
    }
  }
  return {std::move(evaluation)};
}

py::dict EvaluationRows(const PyEvaluation& e) {
  py::list issue, unit, forecast, observed, error, error_percent,
      agreement_forecast, agreement_observed, source;
  for (const IssueScore& s : e.evaluation.issues) {
    issue.append(s.id);
    unit.append(s.unit);
    forecast.append(s.forecast);
    observed.append(s.observed);
    error.append(s.error);
    error_percent.append(s.error_percent);
    agreement_forecast.append(s.agreement_forecast);
    agreement_observed.append(s.agreement_observed
                                  ? py::object(py::bool_(*s.agreement_observed))
                                  : py::object(py::none()));
    source.append(s.source);
  }
  py::dict d;
  d["issue"] = issue;
  d["unit"] = unit;
  d["forecast"] = forecast;
  d["observed"] = observed;
  d["error"] = error;
  d["error_percent"] = error_percent;
  d["agreement_forecast"] = agreement_forecast;
  d["agreement_observed"] = agreement_observed;
  d["source"] = source;
  return d;
}

}  // namespace
}  // namespace unionstate::python

PYBIND11_MODULE(_core, m) {
  using namespace unionstate;
  using namespace unionstate::python;
  m.doc() =
      "The unionstate library, bound with pybind11. Use the package "
      "`unionstate`, which wraps these objects in pandas DataFrames.";

  py::class_<PyScenario>(m, "Scenario")
      .def_property_readonly(
          "name", [](const PyScenario& p) { return p.scenario->name; })
      .def_property_readonly(
          "description",
          [](const PyScenario& p) { return p.scenario->description; })
      .def_property_readonly("as_of",
                             [](const PyScenario& p) -> py::object {
                               if (!p.scenario->as_of) return py::none();
                               return py::str(p.scenario->as_of->ToString());
                             })
      .def_property_readonly(
          "source", [](const PyScenario& p) { return p.scenario->source; })
      .def_property_readonly(
          "file", [](const PyScenario& p) { return p.scenario->file; })
      .def_readonly("label", &PyScenario::label)
      .def_readonly("text", &PyScenario::text)
      .def("sides", [](const PyScenario& p) { return p.scenario->Sides(); })
      .def("tables", &Tables);

  m.def("load_file", &LoadFile, py::arg("path"),
        py::arg("format") = py::none());
  m.def("parse_text", &ParseText, py::arg("text"), py::arg("file"),
        py::arg("format") = py::none());
  m.def("load_builtin", &LoadBuiltin, py::arg("name") = "");
  m.def("parse_wide", &ParseWide, py::arg("actors"), py::arg("actors_file"),
        py::arg("issues"), py::arg("issues_file"), py::arg("name") = "");
  m.def("builtin_text", [](const std::string& name) -> py::object {
    std::optional<BuiltinFile> file = FindBuiltinFile(name);
    if (!file) return py::none();
    return py::make_tuple(std::string(file->label), std::string(file->text));
  });
  m.def("default_builtin",
        [] { return std::string(DefaultBuiltinScenario()); });
  m.def("models", &Models);

  py::class_<PyModel>(m, "Model")
      .def_readonly("spec", &PyModel::spec)
      .def_property_readonly(
          "name", [](const PyModel& p) { return p.model->info().short_name; })
      .def_property_readonly(
          "parameters",
          [](const PyModel& p) {
            py::dict d;
            for (const auto& [key, value] : p.model->parameters().values())
              d[py::str(key)] = ParamToPython(value);
            return d;
          })
      .def("run", &RunModel, py::arg("scenario"), py::arg("seed") = 0)
      .def("_time_cpp_run", &TimeCppRun);
  m.def("load_model", &MakeModel, py::arg("spec"));

  py::class_<PyForecast>(m, "Forecast")
      .def_readonly("spec", &PyForecast::spec)
      .def_property_readonly(
          "model", [](const PyForecast& f) { return f.forecast->model; })
      .def_property_readonly(
          "seed", [](const PyForecast& f) { return f.forecast->seed; })
      .def_property_readonly(
          "scenario_name",
          [](const PyForecast& f) { return f.forecast->scenario; })
      .def_property_readonly("actor_ids",
                             [](const PyForecast& f) {
                               std::vector<std::string> ids;
                               for (const Actor& a : f.scenario->actors)
                                 ids.push_back(a.id);
                               return ids;
                             })
      .def_property_readonly("actor_sides",
                             [](const PyForecast& f) {
                               std::vector<std::string> sides;
                               for (const Actor& a : f.scenario->actors)
                                 sides.push_back(a.side);
                               return sides;
                             })
      .def_property_readonly("issue_ids",
                             [](const PyForecast& f) {
                               std::vector<std::string> ids;
                               for (const Issue& i : f.scenario->issues)
                                 ids.push_back(i.id);
                               return ids;
                             })
      .def("outcomes", &Outcomes)
      .def("rounds", &Rounds)
      .def("round_values", &RoundValues)
      .def("to_json",
           [](const PyForecast& f) {
             return ForecastToJson(*f.scenario, *f.forecast);
           })
      .def("to_table",
           [](const PyForecast& f) {
             return ForecastToTable(*f.scenario, *f.forecast);
           })
      .def("to_csv",
           [](const PyForecast& f) {
             return ForecastOutcomesToCsv(*f.scenario, *f.forecast);
           })
      .def("rounds_to_csv", [](const PyForecast& f) {
        return ForecastRoundsToCsv(*f.scenario, *f.forecast);
      });

  py::class_<PyEnsemble>(m, "Ensemble")
      .def_readonly("spec", &PyEnsemble::spec)
      .def_readonly("seed", &PyEnsemble::seed)
      .def_readonly("perturbation", &PyEnsemble::perturbation)
      .def_readonly("runs_requested", &PyEnsemble::runs_requested)
      .def_readonly("interrupted", &PyEnsemble::interrupted)
      .def_readonly("keyboard_interrupt", &PyEnsemble::keyboard_interrupt)
      .def_readonly("inputs", &PyEnsemble::inputs)
      .def_property_readonly(
          "runs", [](const PyEnsemble& e) { return e.records->size(); })
      .def_property_readonly("issue_ids",
                             [](const PyEnsemble& e) {
                               std::vector<std::string> ids;
                               for (const Issue& i : e.scenario->issues)
                                 ids.push_back(i.id);
                               return ids;
                             })
      .def("draws", &Draws)
      .def("drawn_inputs", &Inputs)
      .def("summary", &Summary)
      .def("sensitivity", &Sensitivity)
      .def("to_json",
           [](const PyEnsemble& e) {
             return EnsembleToJson(*e.scenario, e.Report());
           })
      .def("to_table",
           [](const PyEnsemble& e) {
             return EnsembleToTable(*e.scenario, e.Report());
           })
      .def("to_csv", [](const PyEnsemble& e) {
        return EnsembleSummaryToCsv(e.Report());
      });
  m.def("ensemble", &RunEnsembleFromPython, py::arg("model"),
        py::arg("scenario"), py::arg("runs"), py::arg("seed"),
        py::arg("perturb"), py::arg("threads"), py::arg("batch"),
        py::arg("store"), py::arg("progress"), py::arg("sobol") = 0);
  m.def("stored_draws", &StoredDraws, py::arg("path"), py::arg("ensemble"));

  py::class_<PyEvaluation>(m, "Evaluation")
      .def_property_readonly(
          "scenario",
          [](const PyEvaluation& e) { return e.evaluation.scenario; })
      .def_property_readonly(
          "model", [](const PyEvaluation& e) { return e.evaluation.model; })
      .def_property_readonly(
          "observed",
          [](const PyEvaluation& e) { return e.evaluation.observed; })
      .def_property_readonly(
          "mae_percent",
          [](const PyEvaluation& e) { return e.evaluation.mae_percent; })
      .def_property_readonly(
          "mae", [](const PyEvaluation& e) { return e.evaluation.mae; })
      .def_property_readonly(
          "agreement_accuracy",
          [](const PyEvaluation& e) { return e.evaluation.agreement_accuracy; })
      .def_property_readonly(
          "unscored",
          [](const PyEvaluation& e) { return e.evaluation.unscored; })
      .def_property_readonly(
          "unforecast",
          [](const PyEvaluation& e) { return e.evaluation.unforecast; })
      .def("rows", &EvaluationRows)
      .def("to_json",
           [](const PyEvaluation& e) { return EvaluationToJson(e.evaluation); })
      .def(
          "to_table",
          [](const PyEvaluation& e) { return EvaluationToTable(e.evaluation); })
      .def("to_csv",
           [](const PyEvaluation& e) { return EvaluationToCsv(e.evaluation); });
  m.def("evaluate", &EvaluateForecast, py::arg("forecast"), py::arg("text"),
        py::arg("file"));
}
