/* quantile.h — streaming quantiles of durations in a fixed-size histogram.
 *
 * Values (virtual microseconds, >= 0) fall into log-linear buckets: exact
 * below 16, then 16 buckets per power of two, so a quantile is off by at
 * most 1/32 of its value (the bucket's midpoint is returned) while the count,
 * sum, minimum and maximum are exact. Adding is O(1) with no allocation, and
 * the structure keeps every value of a long run, where a window of recent
 * values would forget the start: what a run's time-in-queue p95 needs. */
#ifndef ASYNCMON_QUANTILE_H
#define ASYNCMON_QUANTILE_H

#include <stdint.h>

#define AM_QUANTILE_BUCKETS 1024

typedef struct am_quantile_s {
    uint64_t count;
    double sum; /* of the values, in their unit */
    int64_t min, max;
    uint64_t bucket[AM_QUANTILE_BUCKETS];
} am_quantile_t;

void am_quantile_init(am_quantile_t *h);
/* Negative values count as 0. */
void am_quantile_add(am_quantile_t *h, int64_t v);
/* The q-quantile (0 <= q <= 1) by nearest rank: 0 when empty, the exact
 * minimum for q = 0 and maximum for q = 1. */
int64_t am_quantile_get(const am_quantile_t *h, double q);
double am_quantile_mean(const am_quantile_t *h);

#endif
