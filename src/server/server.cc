// The dashboard's HTTP layer: the only file that includes cpp-httplib.
// Every handler parses its input, calls the library and answers JSON; see
// include/unionstate/server.h for what it serves and the safety rules, and
// docs/report.md for the routes.

#include "unionstate/server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "report/report_data.h"
#include "report/store_reader.h"
#include "scenario/builtin_files.h"
#include "unionstate/ensemble.h"
#include "unionstate/explain.h"
#include "unionstate/model.h"
#include "unionstate/output.h"
#include "unionstate/report.h"
#include "unionstate/scenario_edit.h"
#include "unionstate/scenario_io.h"
#include "unionstate/store.h"

namespace unionstate {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// The most runs one ensemble started from the page may ask for: the runs
// are held in memory until summarised (about 1.3 kB each for the Union
// State with every position perturbed).
constexpr std::int64_t kMaxEnsembleRuns = 100'000;

// A request the server refuses: an HTTP status and a message for the page.
struct Refusal {
  int status;
  std::string message;
};

void Answer(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}
void Refuse(httplib::Response& res, const Refusal& r) {
  Answer(res, r.status, {{"error", r.message}});
}

std::string Diagnostics(const Error& error) {
  std::string out;
  for (const Diagnostic& d : error.diagnostics()) {
    out += (out.empty() ? "" : "\n") + d.ToString();
  }
  return out;
}

// The request body as a JSON object, or a refusal.
std::variant<Json, Refusal> Body(const httplib::Request& req) {
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Refusal{
        400, "malformed JSON in the request body; expected a JSON object"};
  }
  if (!body.is_object()) {
    return Refusal{400, std::string("the request body is a JSON ") +
                            body.type_name() + "; expected a JSON object"};
  }
  return body;
}

// Text field `key` of `body`, or a refusal.
std::variant<std::string, Refusal> TextField(const Json& body, const char* key,
                                             bool required,
                                             std::string fallback = {}) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required)
      return Refusal{400, std::string("\"") + key + "\" is missing"};
    return fallback;
  }
  if (!it->is_string()) {
    return Refusal{400, std::string("\"") + key + "\" is " + it->type_name() +
                            "; expected text"};
  }
  return it->get<std::string>();
}

// The scenario a request carries (editable JSON, scenario_edit.h), parsed
// and validated as its TOML form.
std::variant<Scenario, Refusal> ScenarioOf(const Json& body,
                                           std::string* toml_out = nullptr) {
  auto it = body.find("scenario");
  if (it == body.end() || !it->is_object()) {
    return Refusal{
        400,
        "\"scenario\" is missing or not an object; expected the editable "
        "scenario the page sent"};
  }
  Result<std::string> toml = EditJsonToToml(it->dump(), "scenario");
  if (!toml) return Refusal{422, Diagnostics(toml.error())};
  Result<Scenario> scenario = ParseScenario(*toml, "edited-scenario.toml");
  if (!scenario) return Refusal{422, Diagnostics(scenario.error())};
  if (toml_out != nullptr) *toml_out = std::move(*toml);
  return std::move(*scenario);
}

// The models a request names: "model" (one) or "models" (several).
std::variant<std::vector<std::unique_ptr<Model>>, Refusal> ModelsOf(
    const Json& body) {
  std::vector<std::string> specs;
  if (auto it = body.find("models"); it != body.end()) {
    if (!it->is_array())
      return Refusal{400, "\"models\" is not an array of model names"};
    for (const Json& m : *it) {
      if (!m.is_string())
        return Refusal{400, "\"models\" holds a non-text entry"};
      specs.push_back(m.get<std::string>());
    }
  } else if (auto m = body.find("model"); m != body.end() && m->is_string()) {
    specs.push_back(m->get<std::string>());
  }
  if (specs.empty())
    return Refusal{400, "no model named; expected \"model\" or \"models\""};
  if (specs.size() > 8) return Refusal{400, "at most 8 models at a time"};
  std::vector<std::unique_ptr<Model>> models;
  for (const std::string& spec : specs) {
    Result<std::unique_ptr<Model>> m = LoadModel(spec);
    if (!m) return Refusal{400, Diagnostics(m.error())};
    models.push_back(std::move(*m));
  }
  return models;
}

// Whether `path` may be read: under `root` (after resolving "..", symbolic
// links included) or one of `files`.
bool Readable(const fs::path& path, const fs::path& root,
              const std::vector<fs::path>& files) {
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(path, ec);
  if (ec) return false;
  for (const fs::path& f : files) {
    if (real == f) return true;
  }
  auto r = root.begin(), p = real.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == real.end() || *p != *r) return false;
  }
  return true;
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError({path, 0, 0}, "cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A running or finished ensemble started from the page.
struct Job {
  std::atomic<std::int64_t> done{0};
  std::int64_t total = 0;
  std::atomic<bool> finished{false};
  std::atomic<bool> stop{false};
  std::mutex mutex;  // guards the fields below
  std::string error;
  std::string summary;  // EnsembleToJson, once finished
  std::int64_t stored_id = -1;
  std::thread thread;
};

class JobProgress : public ProgressSink {
 public:
  explicit JobProgress(Job& job) : job_(job) {}
  void Update(std::int64_t done, std::int64_t) override { job_.done = done; }

 private:
  Job& job_;
};

std::atomic<httplib::Server*> g_server{nullptr};
extern "C" void StopOnSignal(int) {
  if (httplib::Server* s = g_server.load()) s->stop();
}

}  // namespace

Result<void> Serve(const ServerOptions& options) {
  if (options.max_body == 0 || options.threads < 1 || options.port < 0 ||
      options.port > 65535) {
    return InvalidArgument(
        "serve: the port must be 0-65535, the body limit and thread count "
        "positive");
  }
  const std::string web =
      options.web_dir.empty() ? WebDirectory() : options.web_dir;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(
      options.root.empty() ? fs::current_path() : fs::path(options.root), ec);
  std::vector<fs::path> files;
  for (const std::string& f : options.files)
    files.push_back(fs::weakly_canonical(f, ec));
  if (!options.store.empty())
    files.push_back(fs::weakly_canonical(options.store, ec));

  httplib::Server server;
  server.new_task_queue = [threads = options.threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  server.set_payload_max_length(options.max_body);
  server.set_error_handler([&](const httplib::Request& req,
                               httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message;
    switch (res.status) {
      case 413:
        message = "the request body is larger than the limit of " +
                  std::to_string(options.max_body) + " bytes";
        break;
      case 404:
        message = "no such page or route: " + req.path;
        break;
      default:
        message = "request refused (HTTP " + std::to_string(res.status) + ")";
    }
    res.set_content(Json{{"error", message}}.dump(), "application/json");
  });
  server.set_exception_handler([](const httplib::Request&,
                                  httplib::Response& res,
                                  std::exception_ptr ep) {
    std::string what = "unexpected failure";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what += std::string(": ") + e.what();
    } catch (...) {
    }
    Answer(res, 500, {{"error", what}});
  });

  // Static files: a fixed list, so no request path reaches the file system.
  const std::map<std::string, std::pair<std::string, std::string>> statics = {
      {"/", {"dashboard/index.html", "text/html; charset=utf-8"}},
      {"/dashboard.js", {"dashboard/dashboard.js", "text/javascript"}},
      {"/dashboard.css", {"dashboard/dashboard.css", "text/css"}},
      {"/report.js", {"report/report.js", "text/javascript"}},
      {"/report.css", {"report/report.css", "text/css"}},
      {"/vendor/vega.min.js",
       {"node_modules/vega/build/vega.min.js", "text/javascript"}},
      {"/vendor/vega-lite.min.js",
       {"node_modules/vega-lite/build/vega-lite.min.js", "text/javascript"}},
      {"/vendor/vega-embed.min.js",
       {"node_modules/vega-embed/build/vega-embed.min.js", "text/javascript"}},
  };
  for (const auto& [route, file] : statics) {
    server.Get(
        route, [&web, file](const httplib::Request&, httplib::Response& res) {
          Result<std::string> text = ReadWhole(web + "/" + file.first);
          if (!text) {
            return Answer(
                res, 500,
                {{"error", "the dashboard's file " + web + "/" + file.first +
                               " is missing; run `npm ci` in web/"}});
          }
          res.set_content(*text, file.second);
        });
  }

  // Browsers ask for an icon; there is none.
  server.Get("/favicon.ico", [](const httplib::Request&,
                                httplib::Response& res) { res.status = 204; });

  // What can be opened.
  server.Get("/api/sources", [&](const httplib::Request&,
                                 httplib::Response& res) {
    Json builtin = Json::array();
    for (const internal::EmbeddedFile& f : internal::EmbeddedFiles()) {
      if (ParseScenario(f.text, std::string(f.label))) {
        builtin.push_back("builtin:" +
                          std::string(fs::path(f.label).filename()));
      }
    }
    Json named = Json::array();
    for (const std::string& f : options.files) named.push_back("file:" + f);
    Json models = Json::array();
    for (const RegisteredModel& m : RegisteredModels()) {
      models.push_back({{"name", m.info->short_name},
                        {"long_name", m.info->long_name},
                        {"needs_sides", m.info->needs_sides}});
    }
    Answer(
        res, 200,
        {{"builtin", builtin},
         {"files", named},
         {"default", "builtin:" + std::string(DefaultBuiltinScenario())},
         {"store", options.store.empty() ? Json(nullptr) : Json(options.store)},
         {"root", root.string()},
         {"models", models}});
  });

  // Opens a scenario: ?source=builtin:NAME or file:PATH.
  server.Get("/api/scenario", [&](const httplib::Request& req,
                                  httplib::Response& res) {
    const std::string source = req.get_param_value("source");
    Result<Scenario> scenario = InvalidArgument("");
    if (source.rfind("builtin:", 0) == 0) {
      scenario = LoadBuiltinScenario(source.substr(8));
      if (!scenario) return Refuse(res, {404, Diagnostics(scenario.error())});
    } else if (source.rfind("file:", 0) == 0) {
      const fs::path path = fs::path(source.substr(5));
      const fs::path full = path.is_absolute() ? path : root / path;
      if (!Readable(full, root, files)) {
        return Refuse(
            res, {403, "\"" + source.substr(5) +
                           "\" is outside the folder the server was started in "
                           "and was not named on its command line"});
      }
      Result<std::string> text = ReadWhole(full.string());
      if (!text)
        return Refuse(res, {404, "cannot read \"" + source.substr(5) + "\""});
      scenario = ParseScenario(*text, source.substr(5));
      if (!scenario) return Refuse(res, {422, Diagnostics(scenario.error())});
    } else {
      return Refuse(res, {400, "\"source\" must start with builtin: or file:"});
    }
    Answer(res, 200,
           {{"source", source},
            {"scenario", Json::parse(ScenarioToEditJson(*scenario))}});
  });

  // Runs one or more models on the edited scenario.
  server.Post("/api/run", [&](const httplib::Request& req,
                              httplib::Response& res) {
    const auto started = std::chrono::steady_clock::now();
    auto body = Body(req);
    if (auto* r = std::get_if<Refusal>(&body)) return Refuse(res, *r);
    auto scenario = ScenarioOf(std::get<Json>(body));
    if (auto* r = std::get_if<Refusal>(&scenario)) return Refuse(res, *r);
    auto models = ModelsOf(std::get<Json>(body));
    if (auto* r = std::get_if<Refusal>(&models)) return Refuse(res, *r);
    const Scenario& s = std::get<Scenario>(scenario);
    std::vector<Forecast> forecasts;
    Json outcomes = Json::array();
    for (const auto& m :
         std::get<std::vector<std::unique_ptr<Model>>>(models)) {
      Result<Forecast> f = m->Run(s, {.seed = 0});
      if (!f) return Refuse(res, {422, Diagnostics(f.error())});
      Json issues = Json::array();
      std::vector<IssueExplanation> why = ExplainForecast(s, *f);
      for (size_t i = 0; i < f->issues.size(); ++i) {
        issues.push_back({{"id", s.issues[i].id},
                          {"outcome", f->issues[i].outcome},
                          {"agreement", f->issues[i].agreement},
                          {"blocking", f->issues[i].blocking},
                          {"why", why[i].text}});
      }
      outcomes.push_back({{"model", CanonicalSpec(*m)}, {"issues", issues}});
      forecasts.push_back(std::move(*f));
    }
    Json sections = report::Json::array();
    for (Json& sec : report::ForecastSections(s, forecasts))
      sections.push_back(std::move(sec));
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - started)
                          .count();
    Answer(res, 200,
           {{"forecasts", outcomes},
            {"report", {{"title", s.name}, {"sections", sections}}},
            {"server_ms", ms}});
  });

  // The edited scenario as TOML that `unionstate validate` accepts.
  server.Post("/api/export",
              [&](const httplib::Request& req, httplib::Response& res) {
                auto body = Body(req);
                if (auto* r = std::get_if<Refusal>(&body))
                  return Refuse(res, *r);
                std::string toml;
                auto scenario = ScenarioOf(std::get<Json>(body), &toml);
                if (auto* r = std::get_if<Refusal>(&scenario))
                  return Refuse(res, *r);
                res.set_content(toml, "application/toml");
              });

  // Ensembles: start one, then poll its progress.
  std::mutex jobs_mutex;
  std::vector<std::unique_ptr<Job>> jobs;
  server.Post("/api/ensemble", [&](const httplib::Request& req,
                                   httplib::Response& res) {
    auto body = Body(req);
    if (auto* r = std::get_if<Refusal>(&body)) return Refuse(res, *r);
    const Json& b = std::get<Json>(body);
    std::string toml;
    auto scenario = ScenarioOf(b, &toml);
    if (auto* r = std::get_if<Refusal>(&scenario)) return Refuse(res, *r);
    auto models = ModelsOf(b);
    if (auto* r = std::get_if<Refusal>(&models)) return Refuse(res, *r);
    auto& model_list = std::get<std::vector<std::unique_ptr<Model>>>(models);
    if (model_list.size() != 1)
      return Refuse(res, {400, "an ensemble runs one model"});
    auto runs_it = b.find("runs");
    if (runs_it == b.end() || !runs_it->is_number_integer() ||
        runs_it->get<std::int64_t>() < 1 ||
        runs_it->get<std::int64_t>() > kMaxEnsembleRuns) {
      return Refuse(res, {400, "\"runs\" must be an integer from 1 to " +
                                   std::to_string(kMaxEnsembleRuns)});
    }
    auto perturb_text = TextField(b, "perturb", false);
    if (auto* r = std::get_if<Refusal>(&perturb_text)) return Refuse(res, *r);
    Result<Perturbation> perturbation =
        ParsePerturbation(std::get<std::string>(perturb_text));
    if (!perturbation)
      return Refuse(res, {400, Diagnostics(perturbation.error())});
    auto job = std::make_unique<Job>();
    job->total = runs_it->get<std::int64_t>();
    Job* j = job.get();
    std::int64_t id = 0;
    {
      std::lock_guard lock(jobs_mutex);
      jobs.push_back(std::move(job));
      id = static_cast<std::int64_t>(jobs.size());
    }
    j->thread = std::thread([j, s = std::get<Scenario>(std::move(scenario)),
                             m = std::move(model_list.front()),
                             p = *perturbation, toml = std::move(toml),
                             store = options.store] {
      EnsemblePlan plan = PlanEnsemble(s, p);
      std::unique_ptr<ResultStore> db;
      std::int64_t stored = -1;
      auto fail = [&](const Error& e) {
        std::lock_guard lock(j->mutex);
        j->error = Diagnostics(e);
        j->finished = true;
      };
      if (!store.empty()) {
        Result<std::unique_ptr<ResultStore>> opened = ResultStore::Open(store);
        if (!opened) return fail(opened.error());
        db = std::move(*opened);
        Result<std::int64_t> begun = db->BeginEnsemble(
            {.scenario_file = "dashboard:edited-scenario.toml",
             .scenario_text = toml,
             .model = CanonicalSpec(*m),
             .seed = 0,
             .perturbation = PerturbationToString(p),
             .runs_requested = j->total},
            s, plan);
        if (!begun) return fail(begun.error());
        stored = *begun;
      }
      JobProgress progress(*j);
      EnsembleOptions eo;
      eo.runs = j->total;
      eo.threads = 1;
      eo.progress = &progress;
      eo.stop = &j->stop;
      if (db) {
        eo.on_batch = [&](std::span<const RunRecord> batch) {
          return db->AddRuns(stored, batch);
        };
      }
      Result<EnsembleRuns> runs = RunEnsemble(s, *m, plan, eo);
      if (!runs) return fail(runs.error());
      EnsembleSummary summary = Summarise(s, plan, runs->records);
      if (db) {
        Result<void> finished = db->Finish(
            stored, summary, runs->interrupted ? "interrupted" : "complete");
        if (!finished) return fail(finished.error());
      }
      EnsembleReport report{.scenario = s.name,
                            .model = CanonicalSpec(*m),
                            .seed = 0,
                            .perturbation = PerturbationToString(p),
                            .runs_requested = j->total,
                            .interrupted = runs->interrupted,
                            .summary = std::move(summary)};
      std::string json = EnsembleToJson(s, report);
      std::lock_guard lock(j->mutex);
      j->summary = std::move(json);
      j->stored_id = stored;
      j->done = static_cast<std::int64_t>(runs->records.size());
      j->finished = true;
    });
    Answer(res, 202,
           {{"id", id},
            {"runs", j->total},
            {"store",
             options.store.empty() ? Json(nullptr) : Json(options.store)}});
  });
  server.Get(R"(/api/ensemble/(\d+))", [&](const httplib::Request& req,
                                           httplib::Response& res) {
    std::size_t id = 0;
    try {
      id = std::stoul(req.matches[1].str());
    } catch (...) {
      return Refuse(res, {400, "bad ensemble id"});
    }
    Job* j = nullptr;
    {
      std::lock_guard lock(jobs_mutex);
      if (id >= 1 && id <= jobs.size()) j = jobs[id - 1].get();
    }
    if (j == nullptr)
      return Refuse(res, {404, "no ensemble " + req.matches[1].str()});
    Json out = {{"id", id},
                {"done", j->done.load()},
                {"total", j->total},
                {"finished", j->finished.load()}};
    std::lock_guard lock(j->mutex);
    if (!j->error.empty()) out["error"] = j->error;
    if (!j->summary.empty()) out["summary"] = Json::parse(j->summary);
    if (j->stored_id >= 0) out["stored_id"] = j->stored_id;
    Answer(res, 200, out);
  });

  // The results database: every ensemble, drawn as the report draws it.
  server.Get(
      "/api/store", [&](const httplib::Request&, httplib::Response& res) {
        if (options.store.empty()) {
          return Refuse(res, {404, "the server was started without --store"});
        }
        std::error_code exists_ec;
        if (!fs::exists(options.store, exists_ec)) {
          return Answer(
              res, 200,
              {{"ensembles", Json::array()}, {"sections", Json::array()}});
        }
        Result<std::vector<report::StoredEnsemble>> stored =
            report::ReadStore(options.store);
        if (!stored) return Refuse(res, {422, Diagnostics(stored.error())});
        Json list = Json::array(), sections = Json::array();
        for (const report::StoredEnsemble& e : *stored) {
          list.push_back({{"id", e.id},
                          {"model", e.model},
                          {"scenario", e.scenario_name},
                          {"runs", e.runs_stored},
                          {"status", e.status},
                          {"created", e.created}});
          sections.push_back(report::EnsembleSection(e));
        }
        Answer(res, 200, {{"ensembles", list}, {"sections", sections}});
      });

  if (options.host != "127.0.0.1" && options.host != "localhost" &&
      options.host != "::1") {
    std::fprintf(stderr,
                 "unionstate serve: warning: listening on %s, not 127.0.0.1: "
                 "anyone who can "
                 "reach this address can read the scenarios and run models\n",
                 options.host.c_str());
  }
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port <= 0)
      return IoError({}, "serve: cannot bind a port on " + options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    return IoError({}, "serve: cannot listen on " + options.host + ":" +
                           std::to_string(port) +
                           " (in use, or not an address of this machine)");
  }
  g_server = &server;
  auto previous_int = std::signal(SIGINT, StopOnSignal);
  auto previous_term = std::signal(SIGTERM, StopOnSignal);
  if (options.on_listening) options.on_listening(port);
  const bool ok = server.listen_after_bind();
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  g_server = nullptr;
  {
    std::lock_guard lock(jobs_mutex);
    for (auto& j : jobs) {
      j->stop = true;
      if (j->thread.joinable()) j->thread.join();
    }
  }
  if (!ok) return IoError({}, "serve: the server stopped with an error");
  return {};
}

}  // namespace unionstate
