/* quantile.c — log-linear histogram for streaming quantiles (quantile.h).
 *
 * A value v >= 16 with highest set bit e lands in bucket 16 + (e - 4) * 16 +
 * the four bits below the highest: 16 sub-buckets per octave, each 2^(e-4)
 * wide, so the midpoint of a bucket is within 1/32 of any value in it. */
#include "asyncmon/quantile.h"

#include <string.h>

#define SUB_BITS 4
#define SUB      (1 << SUB_BITS)

void am_quantile_init(am_quantile_t *h)
{
    memset(h, 0, sizeof *h);
}

static int highest_bit(uint64_t v)
{
    int e = 0;
    while (v >>= 1)
        e++;
    return e;
}

static unsigned index_of(int64_t v)
{
    if (v < SUB) return (unsigned)v;
    int e = highest_bit((uint64_t)v);
    unsigned sub = (unsigned)(((uint64_t)v >> (e - SUB_BITS)) & (SUB - 1));
    return SUB + (unsigned)(e - SUB_BITS) * SUB + sub;
}

/* Midpoint of bucket i (the value itself for the exact ones). */
static int64_t value_of(unsigned i)
{
    if (i < SUB) return (int64_t)i;
    unsigned e = (i - SUB) / SUB + SUB_BITS, sub = (i - SUB) % SUB;
    uint64_t width = (uint64_t)1 << (e - SUB_BITS);
    return (int64_t)(((uint64_t)(SUB + sub) << (e - SUB_BITS)) + width / 2);
}

void am_quantile_add(am_quantile_t *h, int64_t v)
{
    if (v < 0) v = 0;
    if (h->count == 0 || v < h->min) h->min = v;
    if (h->count == 0 || v > h->max) h->max = v;
    h->count++;
    h->sum += (double)v;
    h->bucket[index_of(v)]++;
}

int64_t am_quantile_get(const am_quantile_t *h, double q)
{
    if (h->count == 0) return 0;
    if (q <= 0) return h->min;
    if (q >= 1) return h->max;
    /* nearest rank: the smallest value with at least ceil(q * count) at or below it */
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count) rank++;
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (unsigned i = 0; i < AM_QUANTILE_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank) {
            int64_t v = value_of(i);
            return v < h->min ? h->min : v > h->max ? h->max : v;
        }
    }
    return h->max;
}

double am_quantile_mean(const am_quantile_t *h)
{
    return h->count ? h->sum / (double)h->count : 0;
}
