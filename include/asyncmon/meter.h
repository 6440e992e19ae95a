/* meter.h — tqdm's progress meter in C: format_meter, EMA rate smoothing,
 * format_interval and format_sizeof, byte-identical to tqdm 4.64's
 * tqdm.std.tqdm.format_meter for the parameters below. */
#ifndef ASYNCMON_METER_H
#define ASYNCMON_METER_H

#include <stddef.h>

/* n and total are doubles, but tqdm prints them with str(): a whole value
 * prints as the Python int it stands for ("47", not "47.0"), any other value
 * as Python's repr of the float ("12.5", "1e-05"). */
typedef struct am_meter_args_s {
    double n;            /* finished iterations */
    double total;        /* expected total; <= 0 or NAN means unknown (tqdm: None) */
    double elapsed;      /* seconds since start */
    int ncols;           /* whole line width; < 0 means tqdm's ncols=None (bar of 10) */
    const char *prefix;  /* desc, UTF-8 (NULL = "") */
    int ascii;           /* 0: unicode 1/8 blocks; 1: tqdm's " 123456789#" */
    const char *unit;    /* NULL = "it" */
    int unit_scale;      /* 0/1: k, M, G, ... prefixes */
    double rate;         /* NAN: n/elapsed (tqdm: rate=None) */
    double unit_divisor; /* 0 = 1000 */
    const char *postfix; /* NULL = none; else ", " + postfix as tqdm does */
} am_meter_args_t;

/* Fill defaults (ncols -1, rate NAN, total NAN, ...). */
void am_meter_args_init(am_meter_args_t *a);

/* Write the meter into buf (NUL-terminated, truncated to size at a UTF-8
 * character boundary). Returns the number of bytes the whole meter needs
 * (like snprintf); 0 and "" if memory runs out. */
size_t am_meter_format(char *buf, size_t size, const am_meter_args_t *a);

/* tqdm.format_interval: "MM:SS" or "H:MM:SS" ("D d, H:MM:SS" is not tqdm's; see .c). */
size_t am_format_interval(char *buf, size_t size, double seconds);
/* tqdm.format_sizeof: 3 significant figures with k/M/G/T/P/E/Z/Y. */
size_t am_format_sizeof(char *buf, size_t size, double num, double divisor);

/* tqdm.std.EMA: exponential moving average with bias correction. */
typedef struct am_ema_s {
    double alpha; /* smoothing: 0.3 by default */
    double last;
    unsigned long calls;
} am_ema_t;
void am_ema_init(am_ema_t *e, double smoothing);
void am_ema_update(am_ema_t *e, double x);
double am_ema_value(const am_ema_t *e);

/* A meter that tracks one counter over time as tqdm does: feed it
 * (n, now) at each refresh; it smooths dn/dt with EMA 0.3 and tells the rate
 * to pass to am_meter_format (NAN until it has one). The first update is
 * the baseline (tqdm's start_t and initial). */
typedef struct am_rate_s {
    am_ema_t dn, dt;
    double last_n;
    double last_t;
    int started;
} am_rate_t;
void am_rate_init(am_rate_t *r, double smoothing);
void am_rate_update(am_rate_t *r, double n, double now); /* no progress: baseline kept */
double am_rate_value(const am_rate_t *r);

/* Display width in terminal columns of a UTF-8 string (East Asian wide and
 * fullwidth count 2, ANSI CSI sequences 0, combining marks 0). tqdm's
 * disp_len counts combining marks as 1; am_meter_format follows tqdm. */
size_t am_utf8_width(const char *s);

#endif
