/* rng.h — seeded pseudo-random numbers and duration distributions.
 *
 * xoshiro256** seeded through splitmix64: fast, tiny state, and the same
 * sequence on every platform, so a scenario run with --seed N is repeatable. */
#ifndef ASYNCMON_RNG_H
#define ASYNCMON_RNG_H

#include <stdint.h>

typedef struct am_rng_s {
    uint64_t s[4];
} am_rng_t;

void am_rng_seed(am_rng_t *rng, uint64_t seed);
uint64_t am_rng_next(am_rng_t *rng);
/* Uniform double in [0, 1). */
double am_rng_unit(am_rng_t *rng);

typedef enum am_dist_kind_e {
    AM_DIST_FIXED,       /* a */
    AM_DIST_UNIFORM,     /* uniform in [a, b] */
    AM_DIST_EXPONENTIAL, /* mean a */
    AM_DIST_NORMAL       /* mean a, standard deviation b, clamped at 0 */
} am_dist_kind_t;

typedef struct am_dist_s {
    am_dist_kind_t kind;
    double a;
    double b;
} am_dist_t;

/* Draw one value (never negative). */
double am_dist_sample(const am_dist_t *d, am_rng_t *rng);
/* Mean of the distribution (normal: its mean, ignoring the clamp). */
double am_dist_mean(const am_dist_t *d);
/* "uniform 1 5", "fixed 2", "exponential 2", "normal 3 0.5" -> 0 or AM_EPARSE/AM_EINVAL;
 * on error *why gets a static description of what was expected. */
int am_dist_parse(const char *text, am_dist_t *out, const char **why);
/* Inverse of am_dist_parse, for messages and the summary: the shortest text
 * that parses back to the same numbers. Returns the length (as snprintf). */
int am_dist_format(const am_dist_t *d, char *buf, unsigned long size);

/* Read a decimal number ("2", "-0.5", ".5", "1e3") at s with '.' as the
 * decimal point whatever the locale; no inf, nan or hex. On success returns 0,
 * stores the value and, if end is not NULL, where the number ends; otherwise
 * AM_EPARSE. Used by every parser of user input (scenarios, config, options). */
int am_parse_number(const char *s, double *out, const char **end);

#endif
