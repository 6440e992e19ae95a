/* rng.c — xoshiro256** random numbers and the duration distributions of scenarios.
 *
 * The generator is Blackman and Vigna's xoshiro256**, its state filled by
 * splitmix64 from the 64-bit seed, so the integer stream is identical on every
 * platform. Each distribution draws a fixed number of integers per sample
 * (one, or two for the normal), which keeps runs with the same seed aligned
 * even when the parameters change.
 *
 * Numbers are read and written with '.' as the decimal point whatever the
 * process locale is: the TUI calls setlocale(), and "0.5" must not become 0 in
 * a German locale. */
#define _POSIX_C_SOURCE 200809L

#include "asyncmon/rng.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asyncmon/error.h"

#define TWO_PI 6.283185307179586476925286766559

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void am_rng_seed(am_rng_t *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&seed);
}

uint64_t am_rng_next(am_rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double am_rng_unit(am_rng_t *rng)
{
    /* The top 53 bits: every double in [0, 1) on a 2^-53 grid, equally likely. */
    return (double)(am_rng_next(rng) >> 11) * 0x1.0p-53;
}

double am_dist_sample(const am_dist_t *d, am_rng_t *rng)
{
    double v;

    switch (d->kind) {
    case AM_DIST_UNIFORM:
        v = d->a + (d->b - d->a) * am_rng_unit(rng);
        break;
    case AM_DIST_EXPONENTIAL:
        /* Inverse CDF; 1 - u is in (0, 1], so the log is finite. */
        v = -d->a * log1p(-am_rng_unit(rng));
        break;
    case AM_DIST_NORMAL: {
        /* Box-Muller, cosine branch only: always two draws per sample. */
        double u1 = 1.0 - am_rng_unit(rng); /* (0, 1] */
        double u2 = am_rng_unit(rng);
        v = d->a + d->b * sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
        break;
    }
    case AM_DIST_FIXED:
    default:
        v = d->a;
        break;
    }
    return v > 0 ? v : 0;
}

double am_dist_mean(const am_dist_t *d)
{
    switch (d->kind) {
    case AM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case AM_DIST_EXPONENTIAL:
    case AM_DIST_NORMAL:
    case AM_DIST_FIXED:
    default:
        return d->a;
    }
}

/* ---- locale-independent numbers ---- */

/* Run strtod or snprintf in the "C" numeric locale. newlocale() failing (out of
 * memory) leaves the process locale in place, which is right for most users. */
typedef struct c_numeric_s {
    locale_t c, old;
} c_numeric_t;

static void c_numeric_enter(c_numeric_t *cn)
{
    cn->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    cn->old = cn->c ? uselocale(cn->c) : (locale_t)0;
}

static void c_numeric_leave(c_numeric_t *cn)
{
    if (cn->c) {
        uselocale(cn->old);
        freelocale(cn->c);
    }
}

static const char *skip_digits(const char *p)
{
    while (isdigit((unsigned char)*p))
        p++;
    return p;
}

int am_parse_number(const char *s, double *out, const char **end)
{
    const char *p = s, *q;
    char buf[128];
    c_numeric_t cn;
    double v;

    /* [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits] */
    if (*p == '+' || *p == '-') p++;
    q = skip_digits(p);
    int int_digits = (int)(q - p);
    p = q;
    if (*p == '.') {
        q = skip_digits(p + 1);
        if (int_digits == 0 && q == p + 1) return AM_EPARSE;
        p = q;
    } else if (int_digits == 0) {
        return AM_EPARSE;
    }
    if (*p == 'e' || *p == 'E') {
        q = p + 1;
        if (*q == '+' || *q == '-') q++;
        if (!isdigit((unsigned char)*q)) return AM_EPARSE;
        p = skip_digits(q);
    }
    if ((size_t)(p - s) >= sizeof(buf)) return AM_EPARSE;
    memcpy(buf, s, (size_t)(p - s));
    buf[p - s] = '\0';

    c_numeric_enter(&cn);
    v = strtod(buf, NULL);
    c_numeric_leave(&cn);
    if (!isfinite(v)) return AM_EPARSE;
    *out = v + 0.0; /* -0 -> 0 */
    if (end) *end = p;
    return 0;
}

/* ---- distributions as text ---- */

static const struct {
    const char *name;
    int nparams;
} dist_syntax[] = {
    [AM_DIST_FIXED] = {"fixed", 1},
    [AM_DIST_UNIFORM] = {"uniform", 2},
    [AM_DIST_EXPONENTIAL] = {"exponential", 1},
    [AM_DIST_NORMAL] = {"normal", 2},
};

#define DIST_EXPECTED                                                                              \
    "expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or \"normal MEAN SD\""

static int dist_error(const char **why, const char *msg, int code)
{
    if (why) *why = msg;
    return code;
}

int am_dist_parse(const char *text, am_dist_t *out, const char **why)
{
    const char *p = text, *word;
    double v[2] = {0, 0};
    int kind = AM_DIST_FIXED, n, nparams = 1, bare = 1;
    size_t len;

    while (isspace((unsigned char)*p))
        p++;
    if (isalpha((unsigned char)*p)) {
        word = p;
        while (isalpha((unsigned char)*p))
            p++;
        len = (size_t)(p - word);
        kind = -1;
        bare = 0;
        for (int k = 0; k < (int)(sizeof(dist_syntax) / sizeof(dist_syntax[0])); k++)
            if (strlen(dist_syntax[k].name) == len && !strncasecmp(word, dist_syntax[k].name, len))
                kind = k;
        if (kind < 0) return dist_error(why, DIST_EXPECTED, AM_EPARSE);
        nparams = dist_syntax[kind].nparams;
    }
    /* Numbers are separated by blanks from the keyword and from each other;
     * a bare number ("2") means "fixed 2". */
    for (n = 0; n < nparams; n++) {
        const char *start = p;
        while (isspace((unsigned char)*p))
            p++;
        if ((p == start && !(bare && n == 0)) || am_parse_number(p, &v[n], &p))
            return dist_error(why, DIST_EXPECTED, AM_EPARSE);
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p) return dist_error(why, DIST_EXPECTED, AM_EPARSE);
    if (v[0] < 0 || v[1] < 0) return dist_error(why, "expected seconds >= 0", AM_EINVAL);
    if (kind == AM_DIST_UNIFORM && v[0] > v[1])
        return dist_error(why, "expected MIN <= MAX in \"uniform MIN MAX\"", AM_EINVAL);
    out->kind = (am_dist_kind_t)kind;
    out->a = v[0];
    out->b = nparams == 2 ? v[1] : 0;
    return dist_error(why, NULL, 0);
}

/* The shortest text of v that reads back as v: whole numbers in full
 * ("1000000", not "1e+06"), others with the fewest %g digits that suffice. */
static void format_shortest(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

int am_dist_format(const am_dist_t *d, char *buf, unsigned long size)
{
    char a[32], b[32];
    c_numeric_t cn;

    if ((unsigned)d->kind >= sizeof(dist_syntax) / sizeof(dist_syntax[0])) return AM_EINVAL;
    c_numeric_enter(&cn);
    format_shortest(d->a, a, sizeof(a));
    format_shortest(d->b, b, sizeof(b));
    c_numeric_leave(&cn);
    if (dist_syntax[d->kind].nparams == 2)
        return snprintf(buf, size, "%s %s %s", dist_syntax[d->kind].name, a, b);
    return snprintf(buf, size, "%s %s", dist_syntax[d->kind].name, a);
}
