#include "ensemble/run_codec.h"

#include <cstdint>
#include <cstring>

namespace unionstate::internal {
namespace {

template <class T>
void Put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads from a buffer it does not trust: every read is bounded, and the
// first short read leaves the reader failed for good.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <class T>
  bool Get(T& v) {
    if (!ok_ || in_.size() < sizeof v) return ok_ = false;
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return true;
  }
  // A count of items of at least `item_bytes` each: no larger than what the
  // bytes left can hold, so nothing is sized beyond the buffer.
  bool Count(std::uint64_t& n, size_t item_bytes) {
    return Get(n) && (n <= in_.size() / item_bytes || (ok_ = false));
  }
  bool Text(std::string& s) {
    std::uint64_t length = 0;
    if (!Count(length, 1)) return false;
    s.assign(in_.substr(0, static_cast<size_t>(length)));
    in_.remove_prefix(static_cast<size_t>(length));
    return true;
  }
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
  bool ok_ = true;
};

// The fewest bytes a run and an issue take.
constexpr size_t kRunBytes = 3 * sizeof(std::uint64_t);
constexpr size_t kIssueBytes = sizeof(double) + 1 + sizeof(std::uint64_t);

}  // namespace

std::string EncodeRuns(const std::vector<RunRecord>& records, bool ok) {
  std::string out;
  Put<std::uint8_t>(out, ok ? 1 : 0);
  Put<std::uint64_t>(out, records.size());
  for (const RunRecord& r : records) {
    Put<std::uint64_t>(out, r.run);
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

std::optional<bool> DecodeRuns(std::string_view bytes,
                               std::vector<RunRecord>& out) {
  Reader in(bytes);
  std::uint8_t ok = 0;
  std::uint64_t count = 0;
  if (!in.Get(ok) || !in.Count(count, kRunBytes)) return std::nullopt;
  std::vector<RunRecord> runs;
  runs.reserve(static_cast<size_t>(count));
  for (std::uint64_t k = 0; k < count; ++k) {
    RunRecord r;
    std::uint64_t n = 0;
    if (!in.Get(r.run) || !in.Count(n, sizeof(double))) return std::nullopt;
    r.inputs.resize(static_cast<size_t>(n));
    for (double& x : r.inputs) in.Get(x);
    std::uint64_t issues = 0;
    if (!in.Count(issues, kIssueBytes)) return std::nullopt;
    for (std::uint64_t i = 0; i < issues; ++i) {
      double outcome = 0;
      char agreement = 0;
      std::uint64_t blockers = 0;
      if (!in.Get(outcome) || !in.Get(agreement) ||
          !in.Count(blockers, sizeof(std::uint64_t))) {
        return std::nullopt;
      }
      r.outcomes.push_back(outcome);
      r.agreement.push_back(agreement);
      std::vector<std::string>& who = r.blocking.emplace_back(
          static_cast<size_t>(blockers));
      for (std::string& name : who) in.Text(name);
    }
    if (!in.ok()) return std::nullopt;
    runs.push_back(std::move(r));
  }
  if (!in.ok() || !in.done()) return std::nullopt;
  for (RunRecord& r : runs) out.push_back(std::move(r));
  return ok != 0;
}

}  // namespace unionstate::internal
