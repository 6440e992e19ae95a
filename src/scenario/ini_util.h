/* ini_util.h — the line-aware inih front end shared by the scenario and config
 * loaders, and the value parsers they (and the command line) share.
 *
 * inih's handler is not told the line number, so am_ini_run() feeds inih
 * through its own fgets-style reader, which counts lines, spots section
 * headers, continuation lines, syntax errors and over-long lines itself, and
 * stops the parse at the first error. Every message has the form
 * "FILE:LINE: message" (or "FILE: message" when no line applies). */
#ifndef ASYNCMON_INI_UTIL_H
#define ASYNCMON_INI_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct am_ini_s am_ini_t;

/* A "[name]" header line; ini->line is its line. */
typedef void (*am_ini_section_fn)(am_ini_t *ini, const char *name);
/* A "key = value" line, or, when ini->continuation is set, an indented line
 * continuing the value of `key` (value is that line's text). */
typedef void (*am_ini_key_fn)(am_ini_t *ini, const char *key, const char *value);

struct am_ini_s {
    const char *path; /* for messages; not owned */
    am_ini_section_fn on_section;
    am_ini_key_fn on_key;
    void *user;
    char *err; /* caller's message buffer; not owned */
    size_t errsize;
    int line;         /* line being parsed, from 1 */
    int continuation; /* the current on_key call continues the previous value */
    int error;        /* first AM_E... recorded, 0 while all is well */
    /* private to ini_util.c */
    FILE *fp;
    int key_seen; /* a key line was seen since the last header (inih's prev_name) */
};

void am_ini_init(am_ini_t *ini, const char *path, am_ini_section_fn on_section,
                 am_ini_key_fn on_key, void *user, char *err, size_t errsize);
/* Parse ini->path, calling the callbacks, until the end or the first error.
 * Returns ini->error: 0, AM_ENOENT or AM_EIO ("FILE: cannot open: ..."),
 * AM_EPARSE, or whatever a callback recorded. */
int am_ini_run(am_ini_t *ini);

#if defined(__GNUC__)
#define AM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AM_PRINTF(f, a)
#endif
/* Record an error, unless one was recorded before: "FILE:LINE: message", or
 * "FILE: message" when line is 0. Returns code. */
int am_ini_fail(am_ini_t *ini, int line, int code, const char *fmt, ...) AM_PRINTF(4, 5);
/* `KEY: expected WHAT, got "VALUE"` at the current line; returns AM_EPARSE. */
int am_ini_bad_value(am_ini_t *ini, const char *key, const char *expected, const char *value);

/* Index of key in keys[0..n), or -1. */
int am_ini_lookup(const char *const *keys, size_t n, const char *key);
/* Write "a, b or c" into buf, for messages listing what was expected. */
void am_ini_join(char *buf, size_t size, const char *const *words, size_t n);

/* ---- value parsers: the whole string must match; 0 or AM_EPARSE ---- */
/* true/false, yes/no, on/off, 1/0 (any case). */
int am_parse_bool(const char *s, int *out);
/* An integer in [min, max]: digits with optional '_' between them
 * ("1_000_000"), or an integral number such as "1e6" up to 2^53. */
int am_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A decimal number (see am_parse_number in rng.h). */
int am_parse_real(const char *s, double *out);
/* Seconds >= 0; with allow_none, "none" (any case) gives -1. */
int am_parse_seconds(const char *s, int allow_none, double *out);
/* 1..max-1 characters, each a letter, digit, '_', '-' or (with dot) '.'. */
int am_is_name(const char *s, size_t max, int dot);

#endif
