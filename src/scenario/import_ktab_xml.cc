// KTAB's SMP XML (examples/smp/doc/smpSchema.xsd in KTAB): <Scenario> with
// <name>, <desc>, <prngSeed>, optional <ModelParameters>, <Dimensions>
// <dName>..., <Actors><Actor> (name, description, capability, <Position>
// <dCoord>..., <Salience><dSal>...) and optional <IdealAdjustment> pairs.
// Mapped like KTAB's CSV (docs/scenario-format.md, "ktab-xml"): one issue per
// dimension on [0, 100], capability as given, salience / 100, and the
// ideal adjustments as Scenario::ideal_adjustments. The nine model
// parameters and the seed are not applied (the command line decides a run);
// they are appended to the description as the equivalent --model and
// --seed.

#include <fmt/format.h>

#include <array>
#include <cstdlib>

#include "common/number.h"
#include "scenario/csv.h"
#include "scenario/parsers.h"
#include "scenario/xml.h"

namespace unionstate::internal {
namespace {

// KTAB's enum names (kmodel.h, smp.h) and ours (models/smp/smp.h), in order.
struct ParameterNames {
  const char* element;
  const char* ours;
  std::vector<std::pair<const char*, const char*>> values;
};

const std::array<ParameterNames, 9>& KtabParameters() {
  static const std::array<ParameterNames, 9> kNames = {{
      {"VictoryProbModel",
       "victory",
       {{"Linear", "linear"},
        {"Square", "square"},
        {"Quartic", "quartic"},
        {"Octic", "octic"},
        {"Binary", "binary"}}},
      {"PCEModel",
       "pce",
       {{"Conditional", "conditional"},
        {"MarkovIncentive", "markov_incentive"},
        {"MarkovUniform", "markov_uniform"}}},
      {"StateTransitions",
       "transitions",
       {{"Deterministic", "deterministic"}, {"Stochastic", "stochastic"}}},
      {"VotingRule",
       "voting",
       {{"Binary", "binary"},
        {"PropBin", "prop_bin"},
        {"Prop", "proportional"},
        {"PropCbc", "prop_cubic"},
        {"Cubic", "cubic"},
        {"ASymProsp", "asymmetric_prospect"}}},
      {"BigRAdjust",
       "risk_adjust",
       {{"None", "none"},
        {"OneThird", "one_third"},
        {"Half", "half"},
        {"TwoThirds", "two_thirds"},
        {"Full", "full"}}},
      {"BigRRange",
       "risk_range",
       {{"Min", "min"}, {"Mid", "mid"}, {"Max", "max"}}},
      {"ThirdPartyCommit",
       "commitment",
       {{"NoCommit", "none"}, {"SemiCommit", "semi"}, {"FullCommit", "full"}}},
      {"InterVecBrgn",
       "interpolation",
       {{"S1P1", "s1p1"}, {"S2P2", "s2p2"}, {"S2PMax", "s2pmax"}}},
      {"BargnModel",
       "bargain",
       {{"InitOnlyInterp", "initiator"},
        {"InitRcvrInterp", "initiator_receiver"},
        {"PWCompInterp", "power_weighted"}}},
  }};
  return kNames;
}

std::string Trimmed(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(begin, end - begin + 1));
}

class Reader {
 public:
  Reader(const std::string& file, Parsed& parsed) : file_(file), p_(parsed) {}

  void Read(std::string_view text) {
    std::expected<XmlElement, XmlError> doc = ParseXml(text);
    if (!doc) {
      Add(doc.error().line,
          fmt::format("the file is not well-formed XML ({}); expected KTAB's "
                      "SMP XML",
                      doc.error().message));
      return;
    }
    const XmlElement* root = &*doc;
    if (root->name != "Scenario") {
      Add(root->line,
          fmt::format("the root element is <{}>; expected KTAB's <Scenario>",
                      root->name));
      return;
    }
    Scenario& s = p_.scenario;
    s.file = file_;
    s.name = Text(root, "name", false);
    if (s.name.empty()) s.name = FileStem(file_);
    s.description = Text(root, "desc", false);
    std::string seed = Text(root, "prngSeed", false);
    std::string spec = ModelSpecification(root);
    if (!spec.empty() || !seed.empty()) {
      std::string note =
          "KTAB settings in this file, not applied (the command "
          "line decides a run):";
      if (!spec.empty()) note += fmt::format(" --model '{}'", spec);
      if (!seed.empty()) note += fmt::format(" --seed {}", seed);
      s.description +=
          (s.description.empty() ? "" : " ") + fmt::format("[{}]", note);
    }
    ReadDimensions(root);
    ReadActors(root);
    ReadIdealAdjustments(root);
  }

 private:
  void Add(int line, std::string message) {
    p_.diagnostics.push_back({{file_, line, 0}, std::move(message)});
  }
  SourceLocation At(const XmlElement* e) const { return {file_, e->line, 0}; }

  const XmlElement* Child(const XmlElement* parent, const char* name,
                          bool required) {
    const XmlElement* e = parent->Child(name);
    if (e == nullptr && required) {
      Add(parent->line,
          fmt::format("<{}> has no <{}>; expected one", parent->name, name));
    }
    return e;
  }

  std::string Text(const XmlElement* parent, const char* name, bool required) {
    const XmlElement* e = Child(parent, name, required);
    return e ? Trimmed(e->text) : std::string();
  }

  // A number in an element, or an error naming it and what was expected.
  std::optional<double> Number(const XmlElement* e, const std::string& what) {
    std::string text = Trimmed(e->text);
    if (text.empty()) {
      Add(e->line,
          fmt::format("<{}> ({}) is empty; expected a number", e->name, what));
      return std::nullopt;
    }
    std::optional<double> x = ParseNumber(text);
    if (!x) {
      Add(e->line, fmt::format("<{}> ({}) is \"{}\"; expected a number",
                               e->name, what, text));
    }
    return x;
  }

  // The nine parameters as an smp specification; empty when absent.
  std::string ModelSpecification(const XmlElement* root) {
    const XmlElement* params = root->Child("ModelParameters");
    if (params == nullptr) return {};
    std::string spec;
    for (const ParameterNames& names : KtabParameters()) {
      const XmlElement* e = Child(params, names.element, true);
      if (e == nullptr) continue;
      std::string value = Trimmed(e->text);
      const char* ours = nullptr;
      std::string accepted;
      for (const auto& [ktab, mapped] : names.values) {
        if (value == ktab) ours = mapped;
        accepted += (accepted.empty() ? "" : ", ") + std::string(ktab);
      }
      if (ours == nullptr) {
        Add(e->line, fmt::format("<{}> is \"{}\"; expected one of {}",
                                 names.element, value, accepted));
        continue;
      }
      spec +=
          fmt::format("{}{}={}", spec.empty() ? "" : ", ", names.ours, ours);
    }
    return "smp(" + spec + ")";
  }

  void ReadDimensions(const XmlElement* root) {
    const XmlElement* dims = Child(root, "Dimensions", true);
    if (dims == nullptr) return;
    for (const XmlElement* d : dims->Children("dName")) {
      Issue issue;
      issue.name = Trimmed(d->text);
      if (issue.name.empty()) {
        Add(d->line, "<dName> is empty; expected a dimension name");
      }
      issue.id = KtabDimensionId(issue.name);
      for (const Issue& other : p_.scenario.issues) {
        if (other.id == issue.id) {
          issue.id += fmt::format("_{}", p_.scenario.issues.size() + 1);
        }
      }
      issue.min = 0;
      issue.max = 100;
      issue.where = At(d);
      p_.scenario.issues.push_back(std::move(issue));
    }
    if (p_.scenario.issues.empty()) {
      Add(dims->line,
          "<Dimensions> has no <dName>; expected one per "
          "dimension");
    }
  }

  // Reads the numbers of `list`'s <item> children: one per dimension.
  std::vector<std::optional<std::pair<double, SourceLocation>>> Vector(
      const XmlElement* actor, const char* list, const char* item,
      const std::string& actor_name, const char* what) {
    std::vector<std::optional<std::pair<double, SourceLocation>>> out;
    const XmlElement* e = Child(actor, list, true);
    if (e == nullptr) return out;
    const size_t dims = p_.scenario.issues.size();
    for (const XmlElement* x : e->Children(item)) {
      std::optional<double> v =
          Number(x, fmt::format("{} {} of actor \"{}\"", what, out.size() + 1,
                                actor_name));
      if (v) {
        out.push_back(std::pair(*v, At(x)));
      } else {
        out.push_back(std::nullopt);
      }
    }
    if (out.size() != dims) {
      Add(e->line,
          fmt::format("<{}> of actor \"{}\" has {} <{}>; expected {}, one per "
                      "dimension",
                      list, actor_name, out.size(), item, dims));
    }
    return out;
  }

  void ReadActors(const XmlElement* root) {
    const XmlElement* actors = Child(root, "Actors", true);
    if (actors == nullptr) return;
    Scenario& s = p_.scenario;
    for (const XmlElement* a : actors->Children("Actor")) {
      Actor actor;
      actor.id = Text(a, "name", true);
      actor.where = At(a);
      if (actor.id.empty()) {
        Add(a->line, "the actor's <name> is empty; expected a name");
        continue;
      }
      actor.name = actor.id;
      actor.description = Text(a, "description", false);
      if (const XmlElement* c = Child(a, "capability", true)) {
        std::optional<double> cap =
            Number(c, fmt::format("capability of actor \"{}\"", actor.id));
        actor.capability = {cap.value_or(0), "", At(c), {}};
      }
      auto positions = Vector(a, "Position", "dCoord", actor.id, "coordinate");
      auto saliences = Vector(a, "Salience", "dSal", actor.id, "salience");
      s.actors.push_back(actor);
      const int index = static_cast<int>(s.actors.size()) - 1;
      for (size_t d = 0; d < s.issues.size(); ++d) {
        if (d >= positions.size() || d >= saliences.size() || !positions[d] ||
            !saliences[d]) {
          continue;
        }
        Stance stance;
        stance.actor = index;
        stance.issue = static_cast<int>(d);
        stance.where = actor.where;
        stance.position = {positions[d]->first, "", positions[d]->second, {}};
        // KTAB saliences are written 0..100.
        stance.salience = {
            saliences[d]->first / 100, "", saliences[d]->second, {}};
        s.stances.push_back(stance);
      }
    }
    if (s.actors.empty()) {
      Add(actors->line, "<Actors> has no <Actor>; expected at least two");
    }
  }

  void ReadIdealAdjustments(const XmlElement* root) {
    const XmlElement* list = root->Child("IdealAdjustment");
    if (list == nullptr) return;
    Scenario& s = p_.scenario;
    auto find = [&](const XmlElement* pair, const char* name) {
      std::string who = Text(pair, name, true);
      int index = s.FindActor(who);
      if (index < 0 && !who.empty()) {
        const XmlElement* e = pair->Child(name);
        Add(e->line,
            fmt::format("<{}> names \"{}\", who is not an actor; expected the "
                        "<name> of an actor",
                        name, who));
      }
      return index;
    };
    for (const XmlElement* pair : list->Children("iaPair")) {
      IdealAdjustment adj;
      adj.actor = find(pair, "adjustingIdeal");
      adj.reference = find(pair, "referencePos");
      adj.where = At(pair);
      const XmlElement* rate = Child(pair, "adjust", true);
      std::optional<double> x =
          rate ? Number(rate, "ideal adjustment rate") : std::nullopt;
      if (adj.actor < 0 || adj.reference < 0 || !x) continue;
      adj.rate = *x;
      s.ideal_adjustments.push_back(adj);
    }
  }

  const std::string& file_;
  Parsed& p_;
};

}  // namespace

Parsed ParseKtabXml(std::string_view text, const std::string& file) {
  Parsed parsed;
  Reader(file, parsed).Read(text);
  return parsed;
}

}  // namespace unionstate::internal
