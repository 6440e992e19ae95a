/* meter.c — tqdm 4.64.1's progress meter in C.
 *
 * The dashboard draws one tqdm-style line per task. Users know what tqdm's
 * line looks like, so this file reproduces tqdm.std.tqdm.format_meter (with
 * the default bar format '{l_bar}{bar}{r_bar}'), format_interval,
 * format_sizeof, tqdm.std.EMA and the EMA feeding done by tqdm.update(),
 * byte for byte. tests/diff/test_tqdm_meter.sh checks this against the real
 * tqdm on thousands of random cases, so every quirk below is deliberate:
 * the comments say which line of tqdm (or which Python rule) it mirrors.
 *
 * Everything is built in a growable string first, because tqdm measures and
 * trims the finished line (disp_len / disp_trim) before it is returned; the
 * public functions then copy it out with snprintf semantics. */
#include "asyncmon/meter.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable string ------------------------------------------------------------------------ */

typedef struct str_s {
    char *p;
    size_t len, cap;
    int failed; /* an allocation failed: the result is dropped as a whole */
} str_t;

static int str_reserve(str_t *s, size_t extra)
{
    if (s->failed) return 0;
    if (s->len + extra + 1 <= s->cap) return 1;
    size_t cap = 2 * (s->len + extra + 1);
    char *p = realloc(s->p, cap < 64 ? 64 : cap);
    if (!p) {
        s->failed = 1;
        return 0;
    }
    s->p = p;
    s->cap = cap < 64 ? 64 : cap;
    return 1;
}

static void str_addn(str_t *s, const char *d, size_t n)
{
    if (!str_reserve(s, n)) return;
    memcpy(s->p + s->len, d, n);
    s->len += n;
    s->p[s->len] = '\0';
}

static void str_add(str_t *s, const char *d)
{
    str_addn(s, d, strlen(d));
}

static void str_addf(str_t *s, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0 && str_reserve(s, (size_t)n)) {
        vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap2);
        s->len += (size_t)n;
    }
    va_end(ap2);
    va_end(ap);
}

/* Copy out like snprintf and free, but never cut a UTF-8 character in half:
 * the meter goes to a terminal, where half a character is garbage. On
 * allocation failure the result is "" and 0. */
static size_t str_emit(str_t *s, char *buf, size_t size)
{
    size_t len = s->failed ? 0 : s->len;
    if (size) {
        size_t k = len < size - 1 ? len : size - 1;
        while (k > 0 && k < len && ((unsigned char)s->p[k] & 0xC0) == 0x80)
            k--;
        if (k) memcpy(buf, s->p, k);
        buf[k] = '\0';
    }
    free(s->p);
    return len;
}

/* ---- Python number formatting --------------------------------------------------------------- */

/* Python's repr(float): the shortest digits that read back to x, written
 * positionally when the decimal point is within [-4, 16) digits of the first
 * digit and as d.ddde+XX otherwise (CPython's float_repr_style 'short'). */
static void add_float_repr(str_t *s, double x)
{
    char e[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, x);
        if (strtod(e, NULL) == x) break;
    }
    /* e is "[-]d[.ddd]e±XX": split into sign, digits and exponent */
    const char *p = e;
    char digits[24];
    size_t nd = 0;
    if (*p == '-') {
        str_add(s, "-");
        p++;
    }
    for (; *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    digits[nd] = '\0';
    int exp10 = atoi(p + 1), decpt = exp10 + 1;

    if (decpt <= -4 || decpt > 16) {
        str_addn(s, digits, 1);
        if (nd > 1) {
            str_add(s, ".");
            str_add(s, digits + 1);
        }
        str_addf(s, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (decpt <= 0) {
        str_add(s, "0.");
        for (int i = decpt; i < 0; i++)
            str_add(s, "0");
        str_add(s, digits);
    } else if ((size_t)decpt >= nd) {
        str_add(s, digits);
        for (size_t i = nd; i < (size_t)decpt; i++)
            str_add(s, "0");
        str_add(s, ".0");
    } else {
        str_addn(s, digits, (size_t)decpt);
        str_add(s, ".");
        str_add(s, digits + decpt);
    }
}

/* tqdm prints n and total with str(). Our API carries doubles, so a whole
 * value stands for the Python int the caller would have passed (str(47) is
 * "47", not "47.0"); other values print as Python floats. "%.0f" prints a
 * whole double's exact digits, like str(int(x)); + 0.0 turns -0.0 into 0. */
static void add_py_number(str_t *s, double x)
{
    if (isnan(x))
        str_add(s, "nan");
    else if (isinf(x))
        str_add(s, x < 0 ? "-inf" : "inf");
    else if (x == floor(x))
        str_addf(s, "%.0f", x + 0.0);
    else
        add_float_repr(s, x);
}

/* tqdm.format_sizeof: three significant figures and an SI prefix. The
 * thresholds 9.995 / 99.95 / 999.5 are where rounding would add a digit.
 * glibc's printf rounds the exact binary value, half to even, as Python's
 * format() does, so '{0:3.0f}' and "%3.0f" agree on every double. */
static void add_sizeof(str_t *s, double num, double divisor)
{
    static const char *const prefixes[] = {"", "k", "M", "G", "T", "P", "E", "Z"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        double a = fabs(num);
        if (a < 999.5) {
            if (a < 9.995)
                str_addf(s, "%1.2f%s", num, prefixes[i]);
            else if (a < 99.95)
                str_addf(s, "%2.1f%s", num, prefixes[i]);
            else
                str_addf(s, "%3.0f%s", num, prefixes[i]);
            return;
        }
        num /= divisor;
    }
    str_addf(s, "%3.1fY", num);
}

/* ---- format_interval: exact divmod on Python ints ------------------------------------------- */

/* tqdm computes divmod(int(t), 60) on Python's unbounded ints, and a remaining
 * time can be 1e300 s when the rate is tiny: tqdm then prints every digit of
 * the hours. A finite double has at most 309 integer digits, so long division
 * of its decimal expansion by 60 is exact and cheap. */
enum { DEC_DIGITS = 320 };

/* digits := digits / d (no leading zeros, "0" for zero); returns the remainder. */
static unsigned dec_divmod(char *digits, unsigned d)
{
    unsigned rem = 0;
    size_t out = 0;
    for (size_t i = 0; digits[i]; i++) {
        rem = rem * 10 + (unsigned)(digits[i] - '0');
        if (out || rem / d) digits[out++] = (char)('0' + rem / d);
        rem %= d;
    }
    if (!out) digits[out++] = '0';
    digits[out] = '\0';
    return rem;
}

/* digits := digits + 1 (digits has room for one more character). */
static void dec_increment(char *digits)
{
    size_t n = strlen(digits), i = n;
    while (i > 0 && digits[i - 1] == '9')
        digits[--i] = '0';
    if (i > 0) {
        digits[i - 1]++;
        return;
    }
    memmove(digits + 1, digits, n + 1);
    digits[0] = '1';
}

/* Python's divmod(x, d) floors: for negative x the quotient's magnitude grows
 * by one and the remainder becomes d - r. *mag is |x|, neg its sign. */
static unsigned floor_divmod(char *mag, unsigned d, int neg)
{
    unsigned r = dec_divmod(mag, d);
    if (neg && r) {
        dec_increment(mag);
        r = d - r;
    }
    return r;
}

/* tqdm.format_interval: "MM:SS" below an hour, else "H:MM:SS" with as many
 * hour digits as needed. A negative time (remaining when n slightly exceeds
 * total) floors like Python: -30 s is "-1:59:30". tqdm raises on inf/nan;
 * we print "?", the meter's "unknown". */
static void add_interval(str_t *s, double t)
{
    if (!isfinite(t)) {
        str_add(s, "?");
        return;
    }
    char mag[DEC_DIGITS];
    double whole = trunc(t); /* int(t) truncates toward zero */
    int neg = whole < 0;
    snprintf(mag, sizeof mag, "%.0f", fabs(whole));
    unsigned sec = floor_divmod(mag, 60, neg);
    unsigned min = floor_divmod(mag, 60, neg);
    if (strcmp(mag, "0") == 0)
        str_addf(s, "%02u:%02u", min, sec);
    else
        str_addf(s, "%s%s:%02u:%02u", neg ? "-" : "", mag, min, sec);
}

/* ---- display width: tqdm.utils.disp_len ----------------------------------------------------- */

typedef struct cp_range_s {
    uint32_t lo, hi;
} cp_range_t;

/* Code points whose east_asian_width is W or F in Unicode 14 (the database of
 * the Python tqdm runs on); ranges are merged across unassigned gaps and the
 * last one runs to the end of plane 3, as the UCD makes unassigned CJK code
 * points wide. CPython reports 'F' for every unassigned code point; outside
 * these ranges we count those as 1, as a terminal would. */
static const cp_range_t wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x3247},   {0x3250, 0x4DBF},   {0x4E00, 0xA4C6},   {0xA960, 0xA97C},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAD9},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6B},
    {0xFF01, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x1B2FB}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F320},
    {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C}, {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA},
    {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E},
    {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
    {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4},
    {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2},
    {0x1F6D5, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7F0},
    {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAF6},
    {0x20000, 0x3FFFD},
};

/* Marks a terminal draws on the previous cell, and invisible format
 * characters: the common ranges only (generic combining diacritics, Hebrew
 * and Arabic points, Hangul conjoining jamo, zero-width and bidi controls,
 * variation selectors, tags). tqdm counts all of these as 1; only
 * am_utf8_width uses this table. */
static const cp_range_t zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x064B, 0x065F},
    {0x1160, 0x11FF}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},   {0x200B, 0x200F},
    {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0000, 0xE007F}, {0xE0100, 0xE01EF},
};

static int in_table(uint32_t cp, const cp_range_t *t, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp > t[mid].hi)
            lo = mid + 1;
        else if (cp < t[mid].lo)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

/* Decode the code point at s[*i] and advance. A malformed byte stands for one
 * character (U+FFFD) of its own, so widths and trimming stay defined. */
static uint32_t utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t avail = len - *i, n;
    uint32_t cp;
    if (u[0] < 0x80) {
        *i += 1;
        return u[0];
    } else if ((u[0] & 0xE0) == 0xC0) {
        n = 2, cp = u[0] & 0x1F;
    } else if ((u[0] & 0xF0) == 0xE0) {
        n = 3, cp = u[0] & 0x0F;
    } else if ((u[0] & 0xF8) == 0xF0) {
        n = 4, cp = u[0] & 0x07;
    } else {
        *i += 1;
        return 0xFFFD;
    }
    if (n > avail) n = 0;
    for (size_t k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            n = 0;
            break;
        }
        cp = cp << 6 | (u[k] & 0x3F);
    }
    if (!n) {
        *i += 1;
        return 0xFFFD;
    }
    *i += n;
    return cp;
}

/* Length of a match of tqdm's RE_ANSI, \x1b\[[;\d]*[A-Za-z], at s (0: none).
 * Python's \d also takes non-ASCII digits; we take the ASCII ones. */
static size_t ansi_len(const char *s, size_t len)
{
    if (len < 3 || s[0] != '\x1b' || s[1] != '[') return 0;
    size_t j = 2;
    while (j < len && (s[j] == ';' || (s[j] >= '0' && s[j] <= '9')))
        j++;
    if (j < len && ((s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z'))) return j + 1;
    return 0;
}

/* disp_len(s): ANSI CSI sequences removed, W/F characters 2 columns, the rest
 * 1. With zero_marks, combining marks count 0 (terminal width, not tqdm's). */
static size_t text_width(const char *s, size_t len, int zero_marks)
{
    size_t i = 0, w = 0;
    while (i < len) {
        size_t esc = ansi_len(s + i, len - i);
        if (esc) {
            i += esc;
            continue;
        }
        uint32_t cp = utf8_next(s, len, &i);
        if (zero_marks && in_table(cp, zero_width, sizeof zero_width / sizeof *zero_width))
            continue;
        w += in_table(cp, wide, sizeof wide / sizeof *wide) ? 2 : 1;
    }
    return w;
}

static size_t tqdm_width(const str_t *s)
{
    return text_width(s->p, s->len, 0);
}

/* len(s) in Python: code points. */
static size_t char_count(const char *s, size_t len)
{
    size_t i = 0, n = 0;
    for (; i < len; n++)
        utf8_next(s, len, &i);
    return n;
}

/* Byte offset of the first `chars` code points (s[:chars] in Python). */
static size_t char_offset(const char *s, size_t len, size_t chars)
{
    size_t i = 0;
    while (chars-- && i < len)
        utf8_next(s, len, &i);
    return i;
}

static int has_ansi(const str_t *s)
{
    for (size_t i = 0; i < s->len; i++)
        if (ansi_len(s->p + i, s->len - i)) return 1;
    return 0;
}

/* tqdm.utils.disp_trim, quirks included: when the character count equals the
 * display width it slices by characters (even through an ANSI sequence);
 * otherwise it drops one character at a time until the line fits, and if an
 * ANSI sequence survives it appends a reset -- even when nothing was cut. */
static void disp_trim(str_t *s, size_t length)
{
    if (s->failed) return;
    if (char_count(s->p, s->len) == tqdm_width(s)) {
        s->len = char_offset(s->p, s->len, length);
        s->p[s->len] = '\0';
        return;
    }
    int ansi = has_ansi(s);
    while (tqdm_width(s) > length) {
        /* cutting can break an escape sequence and make it visible again, so
         * re-measure from scratch each time, as tqdm does */
        s->len = char_offset(s->p, s->len, char_count(s->p, s->len) - 1);
        s->p[s->len] = '\0';
    }
    if (ansi && has_ansi(s) && (s->len < 4 || memcmp(s->p + s->len - 4, "\x1b[0m", 4) != 0))
        str_add(s, "\x1b[0m");
}

/* ---- the meter ------------------------------------------------------------------------------ */

/* tqdm's Bar.__format__ with an empty spec: frac in eighths (unicode) or
 * tenths (ascii) of a column, truncated, then space padding to nbars. */
static void add_bar(str_t *s, double frac, size_t nbars, int ascii)
{
    static const char *const utf[] = {" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};
    static const char *const asc[] = {" ", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#"};
    const char *const *charset = ascii ? asc : utf;
    size_t nsyms = ascii ? 10 : 8;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac; /* tqdm clamps (with a warning) */
    /* same evaluation order as int(self.frac * N_BARS * nsyms) */
    size_t units = (size_t)(frac * (double)nbars * (double)nsyms);
    size_t full = units / nsyms;
    for (size_t i = 0; i < full; i++)
        str_add(s, charset[nsyms]);
    if (full < nbars) {
        str_add(s, charset[units % nsyms]);
        for (size_t i = full + 1; i < nbars; i++)
            str_add(s, charset[0]);
    }
}

/* One rate figure: '?' when unknown or zero, else '{0:5.2f}' or format_sizeof
 * (always with divisor 1000: tqdm does not pass unit_divisor here). */
static void add_rate_number(str_t *s, double x, int unit_scale)
{
    if (isnan(x) || x == 0)
        str_add(s, "?");
    else if (unit_scale)
        add_sizeof(s, x, 1000);
    else
        str_addf(s, "%5.2f", x);
}

/* rate_fmt: "12.34it/s", or "1.50s/it" once an iteration takes over a second. */
static void add_rate(str_t *s, double rate, const char *unit, int unit_scale)
{
    int known = !isnan(rate) && rate != 0;
    double inv = known ? 1 / rate : NAN;
    if (known && inv > 1) {
        add_rate_number(s, inv, unit_scale);
        str_add(s, "s/");
        str_add(s, unit);
    } else {
        add_rate_number(s, rate, unit_scale);
        str_add(s, unit);
        str_add(s, "/s");
    }
}

/* n_fmt / total_fmt */
static void add_count(str_t *s, double x, int unit_scale, double divisor)
{
    if (unit_scale)
        add_sizeof(s, x, divisor);
    else
        add_py_number(s, x);
}

/* ", " + postfix, when postfix is non-empty */
static void add_postfix(str_t *s, const char *postfix)
{
    if (postfix && *postfix) {
        str_add(s, ", ");
        str_add(s, postfix);
    }
}

static void format_meter(str_t *out, const am_meter_args_t *a)
{
    const char *prefix = a->prefix ? a->prefix : "";
    const char *unit = a->unit ? a->unit : "it";
    double divisor = a->unit_divisor != 0 ? a->unit_divisor : 1000;
    double n = a->n, total = a->total, rate = a->rate;
    /* `if total and n >= total + 0.5: total = None` (float imprecision, tqdm #849) */
    int has_total = total > 0 && !(n >= total + 0.5);
    /* `if rate is None and elapsed: rate = n / elapsed` */
    if (isnan(rate) && a->elapsed != 0) rate = n / a->elapsed;

    if (!has_total) {
        /* '{desc}: {n_fmt}{unit} [{elapsed}, {rate_fmt}{postfix}]', never trimmed;
         * unlike l_bar this always appends ": " to a non-empty prefix */
        if (*prefix) {
            str_add(out, prefix);
            str_add(out, ": ");
        }
        add_count(out, n, a->unit_scale, divisor);
        str_add(out, unit);
        str_add(out, " [");
        add_interval(out, a->elapsed);
        str_add(out, ", ");
        add_rate(out, rate, unit, a->unit_scale);
        add_postfix(out, a->postfix);
        str_add(out, "]");
        return;
    }

    /* l_bar: '{desc}: {percentage:3.0f}%|', the ": " only if desc lacks it */
    double frac = n / total;
    str_t l_bar = {0}, r_bar = {0};
    if (*prefix) {
        size_t plen = strlen(prefix);
        str_add(&l_bar, prefix);
        if (plen < 2 || strcmp(prefix + plen - 2, ": ") != 0) str_add(&l_bar, ": ");
    }
    str_addf(&l_bar, "%3.0f%%|", frac * 100);

    /* r_bar: '| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]' */
    int rate_known = !isnan(rate) && rate != 0;
    str_add(&r_bar, "| ");
    add_count(&r_bar, n, a->unit_scale, divisor);
    str_add(&r_bar, "/");
    add_count(&r_bar, total, a->unit_scale, divisor);
    str_add(&r_bar, " [");
    add_interval(&r_bar, a->elapsed);
    str_add(&r_bar, "<");
    if (rate_known)
        add_interval(&r_bar, (total - n) / rate);
    else
        str_add(&r_bar, "?");
    str_add(&r_bar, ", ");
    add_rate(&r_bar, rate, unit, a->unit_scale);
    add_postfix(&r_bar, a->postfix);
    str_add(&r_bar, "]");

    if (l_bar.failed || r_bar.failed) {
        out->failed = 1;
    } else if (a->ncols == 0) {
        /* ncols == 0: no bar, l_bar[:-1] + r_bar[1:] */
        str_addn(out, l_bar.p, l_bar.len - 1);
        str_addn(out, r_bar.p + 1, r_bar.len - 1);
    } else {
        /* the bar takes what the rest of the line leaves of ncols (at least 1),
         * or 10 columns without ncols. No ANSI sequence can span the '|'
         * around the bar, so the widths of both sides simply add up. */
        size_t nbars = 10;
        if (a->ncols > 0) {
            size_t rest = tqdm_width(&l_bar) + tqdm_width(&r_bar);
            nbars = (size_t)a->ncols > rest + 1 ? (size_t)a->ncols - rest : 1;
        }
        str_addn(out, l_bar.p, l_bar.len);
        add_bar(out, frac, nbars, a->ascii);
        str_addn(out, r_bar.p, r_bar.len);
        if (a->ncols > 0) disp_trim(out, (size_t)a->ncols);
    }
    free(l_bar.p);
    free(r_bar.p);
}

/* ---- public API ----------------------------------------------------------------------------- */

void am_meter_args_init(am_meter_args_t *a)
{
    a->n = 0;
    a->total = NAN;
    a->elapsed = 0;
    a->ncols = -1;
    a->prefix = NULL;
    a->ascii = 0;
    a->unit = NULL;
    a->unit_scale = 0;
    a->rate = NAN;
    a->unit_divisor = 0;
    a->postfix = NULL;
}

size_t am_meter_format(char *buf, size_t size, const am_meter_args_t *a)
{
    str_t s = {0};
    format_meter(&s, a);
    return str_emit(&s, buf, size);
}

size_t am_format_interval(char *buf, size_t size, double seconds)
{
    str_t s = {0};
    add_interval(&s, seconds);
    return str_emit(&s, buf, size);
}

size_t am_format_sizeof(char *buf, size_t size, double num, double divisor)
{
    str_t s = {0};
    add_sizeof(&s, num, divisor != 0 ? divisor : 1000);
    return str_emit(&s, buf, size);
}

size_t am_utf8_width(const char *s)
{
    return text_width(s, strlen(s), 1);
}

/* tqdm.std.EMA: last = alpha * x + (1 - alpha) * last, divided by
 * 1 - beta^calls so the first samples are not biased toward the initial 0. */
void am_ema_init(am_ema_t *e, double smoothing)
{
    e->alpha = smoothing;
    e->last = 0;
    e->calls = 0;
}

void am_ema_update(am_ema_t *e, double x)
{
    double beta = 1 - e->alpha;
    e->last = e->alpha * x + beta * e->last;
    e->calls++;
}

double am_ema_value(const am_ema_t *e)
{
    double beta = 1 - e->alpha;
    /* Python's float ** int is C pow() on the converted int */
    return e->calls ? e->last / (1 - pow(beta, (double)e->calls)) : e->last;
}

/* What tqdm.update() does at each display: feed dn and dt since the last
 * display into two EMAs, but only when both are non-zero (and smoothing is
 * on); the rate is ema_dn() / ema_dt(), None while ema_dt() is 0. The first
 * update only sets the baseline, like tqdm's start_t / initial. A counter
 * that goes backwards re-bases instead of feeding a negative dn (tqdm's
 * update(-k) keeps dn non-negative the same way). */
void am_rate_init(am_rate_t *r, double smoothing)
{
    am_ema_init(&r->dn, smoothing);
    am_ema_init(&r->dt, smoothing);
    r->last_n = 0;
    r->last_t = 0;
    r->started = 0;
}

void am_rate_update(am_rate_t *r, double n, double now)
{
    if (r->started && n >= r->last_n) {
        double dn = n - r->last_n, dt = now - r->last_t;
        /* no progress: keep the baseline, so the quiet time counts in the
         * next step's dt (sampling a meter at every frame must not shrink
         * the time each step took and overstate the rate) */
        if (dn == 0) return;
        if (r->dn.alpha != 0 && dt != 0) {
            am_ema_update(&r->dn, dn);
            am_ema_update(&r->dt, dt);
        }
    }
    r->last_n = n;
    r->last_t = now;
    r->started = 1;
}

double am_rate_value(const am_rate_t *r)
{
    double dt = am_ema_value(&r->dt);
    return dt != 0 ? am_ema_value(&r->dn) / dt : NAN;
}
