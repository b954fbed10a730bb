#include "unionstate/calendar.h"

#include <algorithm>

#include "common/check.h"

namespace unionstate {

// Howard Hinnant's days_from_civil / civil_from_days: exact for every
// proleptic Gregorian date, 400-year eras of 146097 days.
std::int64_t DayNumber(const Date& date) {
  US_CHECK(date.IsValid(), "DayNumber of an invalid date");
  std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t year_of_era = y - era * 400;
  std::int64_t month = date.month > 2 ? date.month - 3 : date.month + 9;
  std::int64_t day_of_year = (153 * month + 2) / 5 + date.day - 1;
  std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

Date DateFromDayNumber(std::int64_t days) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  std::int64_t day_of_era = days - era * 146097;
  std::int64_t year_of_era = (day_of_era - day_of_era / 1460 +
                              day_of_era / 36524 - day_of_era / 146096) /
                             365;
  std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  std::int64_t mp = (5 * day_of_year + 2) / 153;
  Date date;
  date.day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  date.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  date.year = static_cast<int>(year_of_era + era * 400 + (date.month <= 2));
  return date;
}

Date AddMonths(const Date& date, int months) {
  int index = date.year * 12 + (date.month - 1) + months;
  Date out{index / 12, index % 12 + 1, date.day};
  while (!out.IsValid() && out.day > 28) --out.day;
  return out;
}

std::int64_t DaysBetween(const Date& from, const Date& to) {
  return DayNumber(to) - DayNumber(from);
}

double YearsBetween(const Date& from, const Date& to) {
  return static_cast<double>(DaysBetween(from, to)) / 365.25;
}

double MonthsBetween(const Date& from, const Date& to) {
  return static_cast<double>(DaysBetween(from, to)) / (365.25 / 12);
}

}  // namespace unionstate
