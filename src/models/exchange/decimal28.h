#ifndef UNIONSTATE_MODELS_EXCHANGE_DECIMAL28_H_
#define UNIONSTATE_MODELS_EXCHANGE_DECIMAL28_H_

// A decimal floating-point number that rounds like Python's decimal module
// in its default context: every arithmetic result is the exact result
// rounded to 28 significant digits, half to even; conversions from text and
// from binary doubles are exact. The exchange model uses it in
// decide-compatible mode, where decide's own decimal arithmetic settles
// which of two mathematically equal gains comes first.
//
// Slow (arbitrary-precision integers underneath); meant for that mode only.

#include <boost/multiprecision/cpp_int.hpp>
#include <compare>
#include <string>
#include <string_view>

namespace unionstate::internal {

class Decimal28 {
 public:
  Decimal28() = default;
  Decimal28(int value);  // NOLINT: integers mix with decimals, as in Python

  // Exact. REQUIRES: a plain decimal number such as "-12.5" or "1e-3".
  static Decimal28 FromString(std::string_view text);
  // Exact: every binary double is a finite decimal.
  static Decimal28 FromDouble(double value);
  // The double nearest to the decimal written with its 28 digits.
  double ToDouble() const;
  // Exact text that FromString reads back to the same number.
  std::string ToString() const;

  friend Decimal28 operator+(const Decimal28& a, const Decimal28& b);
  friend Decimal28 operator-(const Decimal28& a, const Decimal28& b);
  friend Decimal28 operator*(const Decimal28& a, const Decimal28& b);
  friend Decimal28 operator/(const Decimal28& a, const Decimal28& b);
  Decimal28 operator-() const;
  Decimal28& operator+=(const Decimal28& b) { return *this = *this + b; }

  friend std::strong_ordering operator<=>(const Decimal28& a,
                                          const Decimal28& b);
  friend bool operator==(const Decimal28& a, const Decimal28& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

  friend Decimal28 Abs(const Decimal28& a);

 private:
  using Int = boost::multiprecision::cpp_int;
  Decimal28(bool negative, Int coefficient, int exponent);
  // Rounds an exact value to 28 significant digits; `sticky` says that
  // nonzero digits were already dropped below the coefficient.
  static Decimal28 Round(bool negative, Int coefficient, int exponent,
                         bool sticky = false);

  bool negative_ = false;
  Int coefficient_ = 0;  // value = (-1)^negative * coefficient * 10^exponent
  int exponent_ = 0;
};

Decimal28 Abs(const Decimal28& a);

}  // namespace unionstate::internal

#endif  // UNIONSTATE_MODELS_EXCHANGE_DECIMAL28_H_
