#include "models/exchange/decimal28.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/check.h"

namespace unionstate::internal {
namespace {

using Int = boost::multiprecision::cpp_int;

const Int& Pow10(int k) {
  static std::vector<Int>* table = [] {
    auto* t = new std::vector<Int>{1};
    return t;
  }();
  while (static_cast<int>(table->size()) <= k)
    table->push_back(table->back() * 10);
  return (*table)[static_cast<size_t>(k)];
}

int Digits(const Int& x) {
  if (x == 0) return 1;
  int lo = 1;
  while (Pow10(lo) <= x) lo *= 2;
  int d = lo / 2;  // 10^d <= x or d == 0
  while (Pow10(d + 1) <= x) ++d;
  return d + 1;
}

constexpr int kPrecision = 28;

}  // namespace

Decimal28::Decimal28(int value)
    : negative_(value < 0),
      coefficient_(value < 0 ? -static_cast<long long>(value) : value) {}

Decimal28::Decimal28(bool negative, Int coefficient, int exponent)
    : negative_(negative && coefficient != 0),
      coefficient_(std::move(coefficient)),
      exponent_(exponent) {}

Decimal28 Decimal28::Round(bool negative, Int coefficient, int exponent,
                           bool sticky) {
  if (coefficient == 0) return Decimal28();
  int digits = Digits(coefficient);
  if (digits <= kPrecision) {
    US_CHECK(!sticky, "decimal rounding lost digits it cannot account for");
    return Decimal28(negative, std::move(coefficient), exponent);
  }
  int drop = digits - kPrecision;
  const Int& scale = Pow10(drop);
  Int kept = coefficient / scale;
  Int rest = coefficient % scale;
  Int half = scale / 2;
  bool up = rest > half || (rest == half && (sticky || (kept & 1) != 0));
  if (up) {
    kept += 1;
    if (kept == Pow10(kPrecision)) {
      kept = Pow10(kPrecision - 1);
      ++drop;
    }
  }
  return Decimal28(negative, std::move(kept), exponent + drop);
}

Decimal28 Decimal28::FromString(std::string_view text) {
  bool negative = false;
  size_t k = 0;
  if (k < text.size() && (text[k] == '-' || text[k] == '+'))
    negative = text[k++] == '-';
  Int coefficient = 0;
  int exponent = 0;
  bool fraction = false;
  for (; k < text.size(); ++k) {
    char c = text[k];
    if (c == '.') {
      fraction = true;
    } else if (c >= '0' && c <= '9') {
      coefficient = coefficient * 10 + (c - '0');
      if (fraction) --exponent;
    } else if (c == 'e' || c == 'E') {
      exponent += std::atoi(std::string(text.substr(k + 1)).c_str());
      break;
    } else {
      US_CHECK(false, "Decimal28::FromString needs a plain decimal number");
    }
  }
  return Decimal28(negative, std::move(coefficient), exponent);
}

Decimal28 Decimal28::FromDouble(double value) {
  US_CHECK(std::isfinite(value), "Decimal28::FromDouble needs a finite number");
  if (value == 0) return Decimal28();
  bool negative = value < 0;
  int exponent2 = 0;
  double fraction = std::frexp(std::abs(value), &exponent2);
  auto mantissa = static_cast<long long>(std::ldexp(fraction, 53));
  exponent2 -= 53;
  Int coefficient = mantissa;
  if (exponent2 >= 0) return Decimal28(negative, coefficient << exponent2, 0);
  // m / 2^k = m * 5^k / 10^k
  Int five = 1;
  for (int k = 0; k < -exponent2; ++k) five *= 5;
  return Decimal28(negative, coefficient * five, exponent2);
}

double Decimal28::ToDouble() const {
  std::string text = (negative_ ? "-" : "") + coefficient_.str() + "e" +
                     std::to_string(exponent_);
  return std::strtod(text.c_str(), nullptr);
}

std::string Decimal28::ToString() const {
  return (negative_ ? "-" : "") + coefficient_.str() + "e" +
         std::to_string(exponent_);
}

Decimal28 operator+(const Decimal28& a, const Decimal28& b) {
  int exponent = std::min(a.exponent_, b.exponent_);
  Decimal28::Int x = a.coefficient_ * Pow10(a.exponent_ - exponent);
  Decimal28::Int y = b.coefficient_ * Pow10(b.exponent_ - exponent);
  if (a.negative_ == b.negative_) {
    return Decimal28::Round(a.negative_, x + y, exponent);
  }
  if (x >= y) return Decimal28::Round(a.negative_, x - y, exponent);
  return Decimal28::Round(b.negative_, y - x, exponent);
}

Decimal28 Decimal28::operator-() const {
  return Decimal28(!negative_, coefficient_, exponent_);
}

Decimal28 operator-(const Decimal28& a, const Decimal28& b) { return a + (-b); }

Decimal28 operator*(const Decimal28& a, const Decimal28& b) {
  return Decimal28::Round(a.negative_ != b.negative_,
                          a.coefficient_ * b.coefficient_,
                          a.exponent_ + b.exponent_);
}

Decimal28 operator/(const Decimal28& a, const Decimal28& b) {
  US_CHECK(b.coefficient_ != 0, "decimal division by zero");
  if (a.coefficient_ == 0) return Decimal28();
  int shift = std::max(
      0, kPrecision + 2 + Digits(b.coefficient_) - Digits(a.coefficient_));
  Decimal28::Int numerator = a.coefficient_ * Pow10(shift);
  Decimal28::Int quotient = numerator / b.coefficient_;
  bool sticky = numerator % b.coefficient_ != 0;
  return Decimal28::Round(a.negative_ != b.negative_, std::move(quotient),
                          a.exponent_ - b.exponent_ - shift, sticky);
}

std::strong_ordering operator<=>(const Decimal28& a, const Decimal28& b) {
  bool a_zero = a.coefficient_ == 0;
  bool b_zero = b.coefficient_ == 0;
  int a_sign = a_zero ? 0 : (a.negative_ ? -1 : 1);
  int b_sign = b_zero ? 0 : (b.negative_ ? -1 : 1);
  if (a_sign != b_sign) return a_sign <=> b_sign;
  if (a_sign == 0) return std::strong_ordering::equal;
  int exponent = std::min(a.exponent_, b.exponent_);
  Decimal28::Int x = a.coefficient_ * Pow10(a.exponent_ - exponent);
  Decimal28::Int y = b.coefficient_ * Pow10(b.exponent_ - exponent);
  if (x == y) return std::strong_ordering::equal;
  bool less = a_sign > 0 ? x < y : x > y;
  return less ? std::strong_ordering::less : std::strong_ordering::greater;
}

Decimal28 Abs(const Decimal28& a) {
  return Decimal28(false, a.coefficient_, a.exponent_);
}

}  // namespace unionstate::internal
