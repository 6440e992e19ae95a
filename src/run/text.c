/* text.c — the pure parts of `asyncmon run`: command lines into argv
 * without a shell, {} substitution, shell quoting, progress found in a
 * job's output, the ring of its last lines, and the joblog line.
 *
 * Nothing here touches the loop or a process, so all of it is unit-tested
 * with plain strings (tests/unit/test_run_text.c). */
#include <stdlib.h>
#include <string.h>

#include "run/run.h"

/* ---- argv ---- */

void am_run_argv_free(char **argv)
{
    if (!argv) return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int am_run_split(const char *line, char ***out, char *err, size_t errsize)
{
    size_t len = strlen(line), nwords = 0, cap = 0;
    char **argv = NULL;
    char *word = malloc(len + 1); /* no word is longer than the line */
    *out = NULL;
    if (!word) return AM_ENOMEM;
    const char *p = line;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p) break;
        size_t w = 0;
        while (*p && !is_blank(*p)) {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end) {
                    snprintf(err, errsize, "column %zu: expected a closing ' for the one opened",
                             (size_t)(p - line) + 1);
                    goto bad;
                }
                memcpy(word + w, p + 1, (size_t)(end - p - 1));
                w += (size_t)(end - p - 1);
                p = end + 1;
            } else if (*p == '"') {
                const char *open = p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\"\\$`", p[1])) p++;
                    word[w++] = *p++;
                }
                if (!*p) {
                    snprintf(err, errsize, "column %zu: expected a closing \" for the one opened",
                             (size_t)(open - line) + 1);
                    goto bad;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    snprintf(err, errsize, "column %zu: expected a character after \\",
                             (size_t)(p - line) + 1);
                    goto bad;
                }
                word[w++] = p[1];
                p += 2;
            } else {
                word[w++] = *p++;
            }
        }
        if (nwords + 2 > cap) {
            cap = cap ? cap * 2 : 8;
            char **v = realloc(argv, cap * sizeof *v);
            if (!v) goto nomem;
            argv = v;
        }
        argv[nwords] = malloc(w + 1);
        if (!argv[nwords]) goto nomem;
        memcpy(argv[nwords], word, w);
        argv[nwords][w] = '\0';
        argv[++nwords] = NULL;
    }
    free(word);
    *out = argv;
    return (int)nwords;
nomem:
    free(word);
    am_run_argv_free(argv);
    return AM_ENOMEM;
bad:
    free(word);
    am_run_argv_free(argv);
    return AM_EPARSE;
}

int am_run_has_slot(const char *s)
{
    return strstr(s, "{}") != NULL;
}

char *am_run_subst(const char *s, const char *input)
{
    size_t n = 0, in = strlen(input);
    for (const char *p = strstr(s, "{}"); p; p = strstr(p + 2, "{}"))
        n++;
    char *out = malloc(strlen(s) + n * in + 1), *o = out;
    if (!out) return NULL;
    for (const char *p = s;;) {
        const char *q = strstr(p, "{}");
        size_t k = q ? (size_t)(q - p) : strlen(p);
        memcpy(o, p, k);
        o += k;
        if (!q) break;
        memcpy(o, input, in);
        o += in;
        p = q + 2;
    }
    *o = '\0';
    return out;
}

static int shell_safe(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-", *s))
            return 0;
    return 1;
}

char *am_run_shell_quote(const char *s)
{
    size_t n = 2;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

char *am_run_argv_join(char *const *argv)
{
    size_t n = 1;
    for (char *const *a = argv; *a; a++)
        n += strlen(*a) * 4 + 3;
    char *out = malloc(n), *o = out;
    if (!out) return NULL;
    *o = '\0';
    for (char *const *a = argv; *a; a++) {
        if (a != argv) *o++ = ' ';
        if (shell_safe(*a)) {
            size_t k = strlen(*a);
            memcpy(o, *a, k);
            o += k;
        } else {
            char *q = am_run_shell_quote(*a);
            if (!q) {
                free(out);
                return NULL;
            }
            size_t k = strlen(q);
            memcpy(o, q, k);
            o += k;
            free(q);
        }
        *o = '\0';
    }
    return out;
}

/* ---- progress ---- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Digits [a, b) as a number; 0 when too long to be a count. */
static int number(const char *a, const char *b, uint64_t *v)
{
    if (b - a > 9) return 0;
    *v = 0;
    for (; a < b; a++)
        *v = *v * 10 + (uint64_t)(*a - '0');
    return 1;
}

int am_run_parse_progress(const char *line, size_t len, uint32_t *n, uint32_t *total)
{
    const char *s = line, *end = line + len;
    int found_frac = 0, found_pct = 0;
    uint64_t fn = 0, ft = 0, pm = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == '/' && p > s && p + 1 < end && is_digit(p[-1]) && is_digit(p[1])) {
            const char *a = p;
            while (a > s && is_digit(a[-1]))
                a--;
            const char *b = p + 1;
            while (b < end && is_digit(*b))
                b++;
            /* a path (a/1/2), a date (2024/01/02), a fraction (1.5/2), a word
             * (x2/3), a size or a value (to-chk=7/10: what is left) is not a count */
            int before_ok =
                a == s || !(is_alnum(a[-1]) || a[-1] == '/' || a[-1] == '.' || a[-1] == '=');
            int after_ok = b == end || !(is_alnum(*b) || *b == '/' ||
                                         (*b == '.' && b + 1 < end && is_digit(b[1])));
            uint64_t x, y;
            if (before_ok && after_ok && number(a, p, &x) && number(p + 1, b, &y) && y > 0 &&
                x <= y) {
                found_frac = 1;
                fn = x;
                ft = y;
            }
            p = b - 1;
        } else if (*p == '%' && p > s && is_digit(p[-1])) {
            const char *a = p;
            while (a > s && is_digit(a[-1]))
                a--;
            uint64_t frac = 0, whole;
            int fdigits = 0;
            if (a > s + 1 && a[-1] == '.' && is_digit(a[-2])) { /* 45.5% */
                const char *dot = a - 1;
                const char *fa = a;
                if (p - fa > 3) continue;
                for (const char *q = fa; q < p; q++, fdigits++)
                    frac = frac * 10 + (uint64_t)(*q - '0');
                a = dot;
                while (a > s && is_digit(a[-1]))
                    a--;
                if (!number(a, dot, &whole)) continue;
            } else if (!number(a, p, &whole)) {
                continue;
            }
            if (a > s && (is_alnum(a[-1]) || a[-1] == '.')) continue;
            if (whole > 100) continue;
            uint64_t permille = whole * 10;
            if (fdigits) {
                while (fdigits > 1) {
                    frac /= 10;
                    fdigits--;
                }
                permille += frac;
            }
            if (permille > 1000) continue;
            found_pct = 1;
            pm = permille;
        }
    }
    if (found_frac) {
        *n = (uint32_t)fn;
        *total = (uint32_t)ft;
        return 1;
    }
    if (found_pct) {
        *n = (uint32_t)pm;
        *total = 1000;
        return 1;
    }
    return 0;
}

/* ---- the ring of last lines ---- */

void am_ring_init(am_ring_t *r)
{
    memset(r, 0, sizeof *r);
}

void am_ring_free(am_ring_t *r)
{
    free(r->lines);
    free(r->packed);
    am_ring_init(r);
}

int am_ring_pack(am_ring_t *r)
{
    size_t n = am_ring_count(r), total = 0;
    if (!r->lines) return 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(am_ring_line(r, i)) + 1;
    char *packed = malloc(total ? total : 1), *o = packed;
    if (!packed) return AM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(am_ring_line(r, i)) + 1;
        memcpy(o, am_ring_line(r, i), k);
        o += k;
    }
    free(r->lines);
    r->lines = NULL;
    r->packed = packed;
    r->npacked = n;
    r->head = r->count = r->cur = 0;
    r->cr = 0;
    return 0;
}

/* Slots again for a packed ring (a job run again): its lines as completed ones. */
static int unpack(am_ring_t *r)
{
    r->lines = calloc(AM_RING_LINES, sizeof *r->lines);
    if (!r->lines) return AM_ENOMEM;
    const char *p = r->packed;
    size_t n = r->npacked, skip = n > AM_RING_LINES - 1 ? n - (AM_RING_LINES - 1) : 0;
    for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
        if (i < skip) continue;
        snprintf(r->lines[r->count++], AM_RING_LINE, "%s", p);
    }
    r->head = r->count % AM_RING_LINES;
    free(r->packed);
    r->packed = NULL;
    r->npacked = 0;
    return 0;
}

int am_ring_feed(am_ring_t *r, const char *data, size_t len, am_ring_line_fn fn, void *ud)
{
    if (!len) return 0;
    if (r->packed && unpack(r) != 0) return AM_ENOMEM;
    if (!r->lines) {
        r->lines = calloc(AM_RING_LINES, sizeof *r->lines);
        if (!r->lines) return AM_ENOMEM;
    }
    r->bytes += len;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        char *line = r->lines[r->head];
        if (r->cr && c != '\n') r->cur = 0; /* a '\r' rewrite: the line starts again */
        r->cr = 0;
        if (c == '\n') {
            line[r->cur] = '\0';
            if (fn) fn(ud, line, r->cur);
            r->head = (r->head + 1) % AM_RING_LINES;
            if (r->count < AM_RING_LINES - 1) r->count++;
            r->cur = 0;
            r->nlines++;
        } else if (c == '\r') {
            line[r->cur] = '\0';
            if (fn && r->cur) fn(ud, line, r->cur);
            r->cr = 1;
        } else if (r->cur < AM_RING_LINE - 1) {
            line[r->cur++] = c;
        }
        r->lines[r->head][r->cur] = '\0';
    }
    return 0;
}

size_t am_ring_count(const am_ring_t *r)
{
    if (r->packed) return r->npacked;
    return r->count + (r->lines && r->cur > 0);
}

const char *am_ring_line(const am_ring_t *r, size_t i)
{
    if (i >= am_ring_count(r)) return "";
    if (r->packed) {
        const char *p = r->packed;
        while (i-- > 0)
            p += strlen(p) + 1;
        return p;
    }
    size_t oldest = (r->head + AM_RING_LINES - r->count) % AM_RING_LINES;
    return r->lines[(oldest + i) % AM_RING_LINES];
}

const char *am_ring_last(const am_ring_t *r)
{
    for (size_t i = am_ring_count(r); i-- > 0;) {
        const char *s = am_ring_line(r, i);
        if (*s) return s;
    }
    return "";
}

/* ---- joblog ---- */

int am_joblog_format(char *buf, size_t size, uint32_t seq, double start_epoch, double runtime,
                     uint64_t received, int exitval, int signo, const char *command)
{
    int k = snprintf(buf, size, "%u\t:\t%.3f\t%10.3f\t0\t%llu\t%d\t%d\t", seq, start_epoch, runtime,
                     (unsigned long long)received, exitval, signo);
    if (k < 0 || (size_t)k >= size) return k;
    size_t o = (size_t)k;
    /* one job, one line: a tab or a newline in the command would split it */
    for (const char *p = command; *p && o + 2 < size; p++)
        buf[o++] = (*p == '\t' || *p == '\n' || *p == '\r') ? ' ' : *p;
    buf[o++] = '\n';
    buf[o] = '\0';
    return (int)o;
}
