#include "scenario/scenario_image.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <type_traits>

namespace unionstate::internal {
namespace {

constexpr std::string_view kMagic = "unionstate scenario image\n";
constexpr uint32_t kVersion = 1;

// Location tags: the scenario's own file (name supplied on decoding), or a
// file named in the image.
constexpr uint8_t kInScenarioFile = 0;
constexpr uint8_t kInNamedFile = 1;

class Writer {
 public:
  explicit Writer(const std::string& file) : file_(file) {}

  template <class T>
  void Raw(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out_.append(bytes, sizeof(T));
  }
  void U8(uint8_t v) { Raw(v); }
  void U32(uint32_t v) { Raw(v); }
  void I32(int v) { Raw(static_cast<int32_t>(v)); }
  void F64(double v) { Raw(v); }
  void Count(size_t n) { U32(static_cast<uint32_t>(n)); }
  void Text(std::string_view s) {
    Count(s.size());
    out_.append(s);
  }
  void Where(const SourceLocation& where) {
    if (where.file == file_) {
      U8(kInScenarioFile);
    } else {
      U8(kInNamedFile);
      Text(where.file);
    }
    I32(where.line);
    I32(where.column);
  }
  void OptDate(const std::optional<Date>& date) {
    U8(date.has_value());
    if (date) DateValue(*date);
  }
  void DateValue(const Date& date) {
    I32(date.year);
    I32(date.month);
    I32(date.day);
  }
  void Numbers(const std::vector<double>& values) {
    Count(values.size());
    for (double x : values) F64(x);
  }
  void Indices(const std::vector<int>& values) {
    Count(values.size());
    for (int x : values) I32(x);
  }
  void QuantityValue(const Quantity& q) {
    F64(q.value);
    Text(q.source);
    Where(q.where);
    U8(q.uncertainty.has_value());
    if (!q.uncertainty) return;
    const Uncertainty& u = *q.uncertainty;
    U8(static_cast<uint8_t>(u.kind));
    F64(u.sd);
    F64(u.lower);
    F64(u.upper);
    Numbers(u.values);
    Numbers(u.weights);
    Where(u.where);
  }
  void OptQuantity(const std::optional<Quantity>& q) {
    U8(q.has_value());
    if (q) QuantityValue(*q);
  }

  std::string Take() { return std::move(out_); }

 private:
  const std::string& file_;
  std::string out_;
};

// Reads an image; the first failure is kept (with its offset) and every
// later read returns a default value, so decoding code reads straight on
// and checks ok() where it must not go further.
class Reader {
 public:
  Reader(std::string_view image, const std::string& file)
      : image_(image), file_(file) {}

  bool ok() const { return !error_; }
  const std::optional<std::string>& error() const { return error_; }
  bool AtEnd() const { return pos_ == image_.size(); }

  void Fail(std::string_view what) {
    if (!error_) error_ = fmt::format("at byte {}: {}", pos_, what);
  }

  template <class T>
  T Raw() {
    T value{};
    if (error_) return value;
    if (image_.size() - pos_ < sizeof(T)) {
      Fail("the image ends early");
      return value;
    }
    std::memcpy(&value, image_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  uint8_t U8() { return Raw<uint8_t>(); }
  bool Flag() {
    uint8_t v = U8();
    if (v > 1) Fail("a flag is neither 0 nor 1");
    return v == 1;
  }
  int I32() { return Raw<int32_t>(); }
  double F64() {
    double x = Raw<double>();
    if (!std::isfinite(x)) {
      Fail("a number is not finite");
      return 0;
    }
    return x;
  }
  // A count of elements that take at least `min_bytes` each: never more
  // than the bytes left could hold.
  size_t Count(size_t min_bytes) {
    uint32_t n = Raw<uint32_t>();
    if (error_) return 0;
    if (n > (image_.size() - pos_) / min_bytes) {
      Fail("a count exceeds what the image holds");
      return 0;
    }
    return n;
  }
  std::string Text() {
    size_t n = Count(1);
    if (error_) return {};
    std::string s(image_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  template <class E>
  E Enum(E last) {
    uint8_t v = U8();
    if (v > static_cast<uint8_t>(last)) {
      Fail("an enumeration is out of range");
      return E{};
    }
    return static_cast<E>(v);
  }
  // An index into a list of `size` entries; -1 too when `none_ok`.
  int Index(size_t size, bool none_ok) {
    int v = I32();
    if (v < (none_ok ? -1 : 0) || (v >= 0 && static_cast<size_t>(v) >= size)) {
      Fail("an index is out of range");
      return none_ok ? -1 : 0;
    }
    return v;
  }
  SourceLocation Where() {
    SourceLocation where;
    uint8_t tag = U8();
    if (tag == kInScenarioFile) {
      where.file = file_;
    } else if (tag == kInNamedFile) {
      where.file = Text();
    } else {
      Fail("a location tag is unknown");
    }
    where.line = I32();
    where.column = I32();
    if (where.line < 0 || where.column < 0) Fail("a location is negative");
    return where;
  }
  Date DateValue() {
    Date date;
    date.year = I32();
    date.month = I32();
    date.day = I32();
    if (ok() && !date.IsValid()) Fail("a date is not valid");
    return date;
  }
  std::optional<Date> OptDate() {
    if (!Flag()) return std::nullopt;
    return DateValue();
  }
  std::vector<double> Numbers() {
    std::vector<double> values(Count(sizeof(double)));
    for (double& x : values) x = F64();
    return values;
  }
  std::vector<int> Indices(size_t size) {
    std::vector<int> values(Count(sizeof(int32_t)));
    for (int& x : values) x = Index(size, false);
    return values;
  }
  Quantity QuantityValue() {
    Quantity q;
    q.value = F64();
    q.source = Text();
    q.where = Where();
    if (!Flag()) return q;
    Uncertainty u;
    u.kind = Enum(Uncertainty::Kind::kDiscrete);
    u.sd = Raw<double>();  // the range may be infinite
    u.lower = Raw<double>();
    u.upper = Raw<double>();
    if (std::isnan(u.sd) || std::isnan(u.lower) || std::isnan(u.upper)) {
      Fail("a distribution's parameter is not a number");
    }
    u.values = Numbers();
    u.weights = Numbers();
    u.where = Where();
    q.uncertainty = std::move(u);
    return q;
  }
  std::optional<Quantity> OptQuantity() {
    if (!Flag()) return std::nullopt;
    return QuantityValue();
  }

 private:
  std::string_view image_;
  size_t pos_ = 0;
  const std::string& file_;
  std::optional<std::string> error_;
};

}  // namespace

std::string EncodeScenarioImage(const Scenario& s, uint64_t text_size) {
  Writer w(s.file);
  for (char c : kMagic) w.Raw(c);
  w.U32(kVersion);
  w.Raw(text_size);
  w.Text(s.name);
  w.Text(s.description);
  w.OptDate(s.as_of);
  w.Text(s.source);
  w.Text(s.reference_class);
  w.Where(s.reference_class_where);

  w.Count(s.actors.size());
  for (const Actor& a : s.actors) {
    w.Text(a.id);
    w.Text(a.name);
    w.Text(a.side);
    w.QuantityValue(a.capability);
    w.U8(a.veto);
    w.Text(a.description);
    w.Text(a.source);
    w.Where(a.where);
  }
  w.Count(s.issues.size());
  for (const Issue& i : s.issues) {
    w.Text(i.id);
    w.Text(i.name);
    w.Text(i.description);
    w.Text(i.unit);
    w.F64(i.min);
    w.F64(i.max);
    w.OptQuantity(i.status_quo);
    w.OptDate(i.deadline);
    w.OptDate(i.opened);
    w.U8(i.measures.has_value());
    if (i.measures) w.I32(*i.measures);
    w.Where(i.opened_where);
    w.Where(i.measures_where);
    w.U8(static_cast<uint8_t>(i.rule));
    w.U8(i.observed.has_value());
    if (i.observed) w.F64(*i.observed);
    w.Text(i.source);
    w.Where(i.where);
  }
  w.Count(s.stances.size());
  for (const Stance& st : s.stances) {
    w.I32(st.actor);
    w.I32(st.issue);
    w.QuantityValue(st.position);
    w.QuantityValue(st.salience);
    w.OptQuantity(st.capability);
    w.Text(st.source);
    w.Where(st.where);
  }
  w.Count(s.packages.size());
  for (const Package& p : s.packages) {
    w.Text(p.id);
    w.Text(p.name);
    w.Indices(p.issues);
    w.Text(p.source);
    w.Where(p.where);
  }
  w.Count(s.ideal_adjustments.size());
  for (const IdealAdjustment& a : s.ideal_adjustments) {
    w.I32(a.actor);
    w.I32(a.reference);
    w.F64(a.rate);
    w.Where(a.where);
  }
  w.Count(s.dossiers.size());
  for (const Dossier& d : s.dossiers) {
    w.Text(d.id);
    w.Text(d.name);
    w.Indices(d.issues);
    w.Text(d.source);
    w.Where(d.where);
  }
  w.Count(s.events.size());
  for (const TimelineEvent& e : s.events) {
    w.DateValue(e.date);
    w.I32(e.issue);
    w.U8(static_cast<uint8_t>(e.kind));
    w.OptDate(e.new_deadline);
    w.U8(e.value.has_value());
    if (e.value) w.F64(*e.value);
    w.I32(e.count);
    w.Text(e.note);
    w.Text(e.source);
    w.Where(e.where);
  }
  return w.Take();
}

std::optional<uint64_t> ScenarioImageTextSize(std::string_view image) {
  const size_t at = kMagic.size() + sizeof(uint32_t);
  if (image.size() < at + sizeof(uint64_t) || !image.starts_with(kMagic))
    return std::nullopt;
  uint64_t size = 0;
  std::memcpy(&size, image.data() + at, sizeof size);
  return size;
}

Result<Scenario> DecodeScenarioImage(std::string_view image,
                                     const std::string& file,
                                     uint64_t text_size) {
  Reader r(image, file);
  Scenario s;
  s.file = file;
  for (char c : kMagic) {
    if (r.Raw<char>() != c) r.Fail("not a scenario image");
  }
  if (r.Raw<uint32_t>() != kVersion) r.Fail("an image of another version");
  if (r.Raw<uint64_t>() != text_size) {
    r.Fail("the image was made from another text");
  }
  s.name = r.Text();
  s.description = r.Text();
  s.as_of = r.OptDate();
  s.source = r.Text();
  s.reference_class = r.Text();
  s.reference_class_where = r.Where();

  // The smallest encoded actor, issue, ... bound each count.
  s.actors.resize(r.Count(40));
  for (Actor& a : s.actors) {
    a.id = r.Text();
    a.name = r.Text();
    a.side = r.Text();
    a.capability = r.QuantityValue();
    a.veto = r.Flag();
    a.description = r.Text();
    a.source = r.Text();
    a.where = r.Where();
  }
  s.issues.resize(r.Count(40));
  for (Issue& i : s.issues) {
    i.id = r.Text();
    i.name = r.Text();
    i.description = r.Text();
    i.unit = r.Text();
    i.min = r.F64();
    i.max = r.F64();
    i.status_quo = r.OptQuantity();
    i.deadline = r.OptDate();
    i.opened = r.OptDate();
    if (r.Flag()) i.measures = r.I32();
    i.opened_where = r.Where();
    i.measures_where = r.Where();
    i.rule = r.Enum(DecisionRule::kMajority);
    if (r.Flag()) i.observed = r.F64();
    i.source = r.Text();
    i.where = r.Where();
  }
  const size_t actors = s.actors.size();
  const size_t issues = s.issues.size();
  if (r.ok() && (actors > ScenarioLimits::kMaxActors ||
                 issues > ScenarioLimits::kMaxIssues ||
                 actors * issues > ScenarioLimits::kMaxCells)) {
    r.Fail("more actors or issues than a scenario may have");
  }
  s.stances.resize(r.Count(40));
  for (Stance& st : s.stances) {
    st.actor = r.Index(actors, false);
    st.issue = r.Index(issues, false);
    st.position = r.QuantityValue();
    st.salience = r.QuantityValue();
    st.capability = r.OptQuantity();
    st.source = r.Text();
    st.where = r.Where();
  }
  s.packages.resize(r.Count(20));
  for (Package& p : s.packages) {
    p.id = r.Text();
    p.name = r.Text();
    p.issues = r.Indices(issues);
    p.source = r.Text();
    p.where = r.Where();
  }
  s.ideal_adjustments.resize(r.Count(25));
  for (IdealAdjustment& a : s.ideal_adjustments) {
    a.actor = r.Index(actors, false);
    a.reference = r.Index(actors, false);
    a.rate = r.F64();
    a.where = r.Where();
  }
  s.dossiers.resize(r.Count(20));
  for (Dossier& d : s.dossiers) {
    d.id = r.Text();
    d.name = r.Text();
    d.issues = r.Indices(issues);
    d.source = r.Text();
    d.where = r.Where();
  }
  s.events.resize(r.Count(40));
  for (TimelineEvent& e : s.events) {
    e.date = r.DateValue();
    e.issue = r.Index(issues, true);
    e.kind = r.Enum(TimelineEventKind::kShock);
    e.new_deadline = r.OptDate();
    if (r.Flag()) e.value = r.F64();
    e.count = r.I32();
    if (e.count < 1) r.Fail("an event's count is below 1");
    e.note = r.Text();
    e.source = r.Text();
    e.where = r.Where();
  }
  if (r.ok() && !r.AtEnd()) r.Fail("bytes follow the scenario");

  // The derived index, which also proves at most one stance per cell.
  if (r.ok()) {
    s.stance_index.assign(actors * issues, -1);
    for (size_t k = 0; k < s.stances.size(); ++k) {
      int& slot =
          s.stance_index[static_cast<size_t>(s.stances[k].actor) * issues +
                         static_cast<size_t>(s.stances[k].issue)];
      if (slot >= 0) {
        r.Fail("two stances of one actor on one issue");
        break;
      }
      slot = static_cast<int>(k);
    }
  }
  if (!r.ok()) {
    return std::unexpected(
        Error(ErrorKind::kFailed, {file, 0, 0},
              fmt::format("the built-in image of this scenario is damaged "
                          "({}); expected an image written by "
                          "tools/bake_scenarios",
                          *r.error())));
  }
  return s;
}

}  // namespace unionstate::internal
