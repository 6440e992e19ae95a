/* ini_util.c — inih with line numbers, and the value parsers of asyncmon's
 * .ini files and command line.
 *
 * The reader handed to ini_parse_stream() reads one physical line per call,
 * counts it, and classifies it exactly as inih will (comment, continuation,
 * [section], key = value), so that:
 *   - section headers reach the loader with their line, even empty sections;
 *   - the key callback knows whether a call continues the previous value;
 *   - lines inih would reject, and lines longer than its buffer (which inih
 *     would silently split in two), become messages with a line number;
 *   - the parse stops at the first error: the reader returns end-of-file. */
#define _POSIX_C_SOURCE 200809L

#include "scenario/ini_util.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "asyncmon/error.h"
#include "asyncmon/rng.h"

void am_ini_init(am_ini_t *ini, const char *path, am_ini_section_fn on_section,
                 am_ini_key_fn on_key, void *user, char *err, size_t errsize)
{
    memset(ini, 0, sizeof(*ini));
    ini->path = path;
    ini->on_section = on_section;
    ini->on_key = on_key;
    ini->user = user;
    ini->err = err;
    ini->errsize = errsize;
    if (err && errsize) err[0] = '\0';
}

int am_ini_fail(am_ini_t *ini, int line, int code, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (ini->error) return code;
    ini->error = code;
    if (!ini->err || !ini->errsize) return code;
    if (line > 0)
        n = snprintf(ini->err, ini->errsize, "%s:%d: ", ini->path, line);
    else
        n = snprintf(ini->err, ini->errsize, "%s: ", ini->path);
    if (n >= 0 && (size_t)n < ini->errsize) {
        va_start(ap, fmt);
        vsnprintf(ini->err + n, ini->errsize - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

int am_ini_bad_value(am_ini_t *ini, const char *key, const char *expected, const char *value)
{
    return am_ini_fail(ini, ini->line, AM_EPARSE, "%s: %s, got \"%s\"", key, expected, value);
}

/* inih's search for a delimiter: stops at one of chars, at an inline ';'
 * comment (a ';' after a blank), or at the end. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
    int was_space = 0;

    while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* Classify one line the way inih is about to, and act on what inih cannot
 * report with a line number: headers, continuations and malformed lines. */
static void classify(am_ini_t *ini, const char *line)
{
    const char *s = line, *e, *close, *eq;
    char name[256];
    size_t len;

    if (ini->line == 1 && !strncmp(s, "\xEF\xBB\xBF", 3)) s += 3; /* UTF-8 byte order mark */
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    len = (size_t)(e - s);

    ini->continuation = 0;
    if (len == 0 || *s == ';' || *s == '#') return; /* blank line or comment */
    if (ini->key_seen && s > line) {
        ini->continuation = 1; /* indented: continues the previous key's value */
        return;
    }
    if (*s == '[') {
        close = find_chars_or_comment(s + 1, "]");
        if (*close != ']') {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "expected \"]\" to close the section name, got \"%.*s\"", (int)len, s);
            return;
        }
        len = (size_t)(close - s - 1);
        if (len >= sizeof(name)) len = sizeof(name) - 1;
        memcpy(name, s + 1, len);
        name[len] = '\0';
        ini->key_seen = 0;
        ini->on_section(ini, name);
        return;
    }
    eq = find_chars_or_comment(s, "=:");
    if (*eq != '=' && *eq != ':') {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "expected \"key = value\", \"[section]\" or a comment, got \"%.*s\"", (int)len,
                    s);
        return;
    }
    if (eq == s) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "expected a key name before \"%c\", got \"%.*s\"",
                    *eq, (int)len, s);
        return;
    }
    ini->key_seen = 1;
}

/* The ini_reader: one physical line per call, however long, so that line
 * numbers stay right; a line that does not fit inih's buffer is an error.
 * The line always ends in '\n', so no inih version mistakes it for the
 * first part of a longer line. */
static char *reader(char *str, int num, void *stream)
{
    am_ini_t *ini = stream;
    size_t n = 0;
    int c, too_long = 0, nul = 0;

    if (ini->error || num < 3) return NULL;
    while ((c = getc(ini->fp)) != EOF && c != '\n') {
        nul |= c == '\0';
        if (n + 2 < (size_t)num)
            str[n++] = (char)c;
        else
            too_long = 1;
    }
    if (c == EOF && n == 0) return NULL;
    str[n++] = '\n';
    str[n] = '\0';
    ini->line++;
    if (too_long)
        am_ini_fail(ini, ini->line, AM_EPARSE, "line too long (at most %d characters)", num - 2);
    else if (nul)
        am_ini_fail(ini, ini->line, AM_EPARSE, "unexpected NUL byte (not a text file?)");
    else
        classify(ini, str);
    return ini->error ? NULL : str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    am_ini_t *ini = user;
    char text[512];
    const char *end;
    size_t len;

    (void)section; /* the loaders track sections through on_section */
    if (ini->error) return 1;
    if (ini->continuation) {
        /* Older inih versions keep inline comments on continuation lines. */
        end = find_chars_or_comment(value, "");
        while (end > value && isspace((unsigned char)end[-1]))
            end--;
        len = (size_t)(end - value) < sizeof(text) ? (size_t)(end - value) : sizeof(text) - 1;
        memcpy(text, value, len);
        text[len] = '\0';
        value = text;
    }
    ini->on_key(ini, name, value);
    return 1;
}

int am_ini_run(am_ini_t *ini)
{
    struct stat st;
    int rc;

    ini->fp = fopen(ini->path, "r");
    if (!ini->fp)
        return am_ini_fail(ini, 0, errno == ENOENT ? AM_ENOENT : AM_EIO, "cannot open: %s",
                           strerror(errno));
    if (fstat(fileno(ini->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(ini->fp);
        ini->fp = NULL;
        return am_ini_fail(ini, 0, AM_EIO, "cannot open: %s", strerror(EISDIR));
    }
    rc = ini_parse_stream(reader, ini, handler, ini);
    if (ferror(ini->fp))
        am_ini_fail(ini, 0, AM_EIO, "read error: %s", strerror(errno));
    else if (rc == -2)
        am_ini_fail(ini, 0, AM_ENOMEM, "out of memory");
    else if (rc > 0)
        am_ini_fail(ini, rc, AM_EPARSE, "syntax error");
    fclose(ini->fp);
    ini->fp = NULL;
    return ini->error;
}

int am_ini_lookup(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i], key)) return (int)i;
    return -1;
}

void am_ini_join(char *buf, size_t size, const char *const *words, size_t n)
{
    size_t len = 0;

    if (size) buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w = snprintf(buf + len, size - len, "%s%s", sep, words[i]);
        if (w < 0) return;
        len += (size_t)w;
    }
}

/* ---- value parsers ---- */

int am_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(s, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return AM_EPARSE;
}

int am_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p;
    double d;

    for (p = s; isdigit((unsigned char)*p) || *p == '_'; p++) {
        if (*p == '_') {
            if (p == s || !isdigit((unsigned char)p[-1]) || !isdigit((unsigned char)p[1]))
                return AM_EPARSE;
            continue;
        }
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) return AM_EPARSE; /* overflow */
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (p == s || *p) {
        /* Not plain digits: take an integral number such as "1e6". */
        if (am_parse_real(s, &d) || d < 0 || d > 9007199254740992.0 || d != (double)(uint64_t)d)
            return AM_EPARSE;
        v = (uint64_t)d;
    }
    if (v < min || v > max) return AM_EPARSE;
    *out = v;
    return 0;
}

int am_parse_real(const char *s, double *out)
{
    const char *end;
    double v;

    if (am_parse_number(s, &v, &end) || *end) return AM_EPARSE;
    *out = v;
    return 0;
}

int am_parse_seconds(const char *s, int allow_none, double *out)
{
    double v;

    if (allow_none && !strcasecmp(s, "none")) {
        *out = -1;
        return 0;
    }
    if (am_parse_real(s, &v) || v < 0) return AM_EPARSE;
    *out = v;
    return 0;
}

int am_is_name(const char *s, size_t max, int dot)
{
    size_t n;

    for (n = 0; s[n]; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '_' && s[n] != '-' && !(dot && s[n] == '.'))
            return 0;
    return n > 0 && n < max;
}
