#ifndef UNIONSTATE_CALENDAR_H_
#define UNIONSTATE_CALENDAR_H_

// Arithmetic on calendar dates (scenario.h's Date): day numbers, months
// added, and spans in years, for the time forecasts (time_forecast.h) and the
// programme tracker (tracker.h). Proleptic Gregorian calendar throughout.

#include <cstdint>

#include "unionstate/scenario.h"

namespace unionstate {

// Days since 1970-01-01 (negative before it). REQUIRES: date.IsValid().
std::int64_t DayNumber(const Date& date);

// The date `days` after 1970-01-01.
Date DateFromDayNumber(std::int64_t days);

// `date` plus `months` calendar months; a day past the end of the target
// month becomes its last day (2021-01-31 + 1 month = 2021-02-28).
Date AddMonths(const Date& date, int months);

// Days from `from` to `to` (negative when `to` is earlier).
std::int64_t DaysBetween(const Date& from, const Date& to);

// The same span in years of 365.25 days, the unit durations are fitted in.
double YearsBetween(const Date& from, const Date& to);

// The same span in months of 365.25 / 12 days, the unit delays are given in.
double MonthsBetween(const Date& from, const Date& to);

}  // namespace unionstate

#endif  // UNIONSTATE_CALENDAR_H_
