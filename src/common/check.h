#ifndef UNIONSTATE_COMMON_CHECK_H_
#define UNIONSTATE_COMMON_CHECK_H_

// Checks for programmer mistakes (STYLE.md, rule 5): a broken invariant stops
// the program with the condition, file and line. Analyst mistakes never go
// through here; they are returned as Error values.

#include <cstdio>
#include <cstdlib>

#define US_CHECK(condition, message)                                   \
  do {                                                                 \
    if (!(condition)) {                                                \
      std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, \
                   __LINE__, #condition, message);                     \
      std::abort();                                                    \
    }                                                                  \
  } while (false)

#endif  // UNIONSTATE_COMMON_CHECK_H_
