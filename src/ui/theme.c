/* theme.c — loading colour themes (themes/NAME.ini) with the same line-aware
 * inih front end and "FILE:LINE: message" errors as config.ini.
 *
 *   [theme]   description = one line for people choosing a theme
 *   [colors]  ELEMENT = FOREGROUND BACKGROUND [ATTRIBUTE...]
 *   [mono]    ELEMENT = ATTRIBUTE... (used when colours are off: NO_COLOR,
 *             or a terminal without colours)
 *
 * A theme only names what it changes: the rest keeps the built-in default,
 * so a theme file stays short and old themes keep working when elements are
 * added. */
#define _POSIX_C_SOURCE 200809L

#include "asyncmon/scenario.h"
#include "ui/theme.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "asyncmon/error.h"
#include "scenario/ini_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const elem_names[AM_EL_COUNT] = {
    [AM_EL_DEFAULT] = "default",
    [AM_EL_PENDING] = "pending",
    [AM_EL_RUNNING] = "running",
    [AM_EL_DONE] = "done",
    [AM_EL_FAILED] = "failed",
    [AM_EL_CANCELLED] = "cancelled",
    [AM_EL_TIMED_OUT] = "timed_out",
    [AM_EL_HEADER] = "header",
    [AM_EL_TITLE] = "title",
    [AM_EL_LABEL] = "label",
    [AM_EL_VALUE] = "value",
    [AM_EL_DIM] = "dim",
    [AM_EL_PANEL_TITLE] = "panel_title",
    [AM_EL_PANEL_TITLE_FOCUS] = "panel_title_focus",
    [AM_EL_COLUMN_HEADER] = "column_header",
    [AM_EL_SELECTED] = "selected",
    [AM_EL_SELECTED_UNFOCUSED] = "selected_unfocused",
    [AM_EL_BAR_EMPTY] = "bar_empty",
    [AM_EL_FOOTER_KEY] = "footer_key",
    [AM_EL_FOOTER_LABEL] = "footer_label",
    [AM_EL_MESSAGE] = "message",
    [AM_EL_STATUS_RUNNING] = "status_running",
    [AM_EL_STATUS_PAUSED] = "status_paused",
    [AM_EL_STATUS_FINISHED] = "status_finished",
    [AM_EL_LOG_TIME] = "log_time",
    [AM_EL_LOG_ACTION] = "log_action",
    [AM_EL_NARRATION] = "narration",
    [AM_EL_OVERLAY] = "overlay",
    [AM_EL_OVERLAY_KEY] = "overlay_key",
    [AM_EL_OVERLAY_TITLE] = "overlay_title",
    [AM_EL_PROMPT] = "prompt",
    [AM_EL_ERROR] = "error",
    [AM_EL_SCROLLBAR] = "scrollbar",
    [AM_EL_WARNING] = "warning",
    [AM_EL_GAUGE] = "gauge",
};

const char *am_elem_name(am_elem_t e)
{
    return (unsigned)e < AM_EL_COUNT ? elem_names[e] : "?";
}

static const char *const color_names[8] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};
static const char *const attr_names[] = {"bold",    "dim",    "underline",
                                         "reverse", "italic", "standout"};

enum { BLACK, RED, GREEN, YELLOW, BLUE, MAGENTA, CYAN, WHITE, BRIGHT = 8, DEF = AM_COLOR_DEFAULT };
#define B AM_A_BOLD
#define D AM_A_DIM
#define U AM_A_UNDERLINE
#define R AM_A_REVERSE

/* The default theme, for a dark terminal; themes/default.ini spells it out. */
static const am_style_t builtin_color[AM_EL_COUNT] = {
    [AM_EL_DEFAULT] = {DEF, DEF, 0},
    [AM_EL_PENDING] = {BRIGHT + BLACK, DEF, 0},
    [AM_EL_RUNNING] = {CYAN, DEF, B},
    [AM_EL_DONE] = {GREEN, DEF, 0},
    [AM_EL_FAILED] = {RED, DEF, B},
    [AM_EL_CANCELLED] = {YELLOW, DEF, 0},
    [AM_EL_TIMED_OUT] = {MAGENTA, DEF, B},
    [AM_EL_HEADER] = {DEF, DEF, 0},
    [AM_EL_TITLE] = {BRIGHT + WHITE, DEF, B},
    [AM_EL_LABEL] = {CYAN, DEF, 0},
    [AM_EL_VALUE] = {BRIGHT + WHITE, DEF, B},
    [AM_EL_DIM] = {BRIGHT + BLACK, DEF, 0},
    [AM_EL_PANEL_TITLE] = {BLACK, GREEN, 0},
    [AM_EL_PANEL_TITLE_FOCUS] = {BLACK, CYAN, B},
    [AM_EL_COLUMN_HEADER] = {DEF, DEF, B | U},
    [AM_EL_SELECTED] = {BLACK, CYAN, 0},
    [AM_EL_SELECTED_UNFOCUSED] = {BLACK, WHITE, 0},
    [AM_EL_BAR_EMPTY] = {BRIGHT + BLACK, DEF, 0},
    [AM_EL_FOOTER_KEY] = {DEF, DEF, B},
    [AM_EL_FOOTER_LABEL] = {BLACK, CYAN, 0},
    [AM_EL_MESSAGE] = {YELLOW, DEF, B},
    [AM_EL_STATUS_RUNNING] = {GREEN, DEF, B},
    [AM_EL_STATUS_PAUSED] = {BLACK, YELLOW, 0},
    [AM_EL_STATUS_FINISHED] = {BLACK, GREEN, 0},
    [AM_EL_LOG_TIME] = {BRIGHT + BLACK, DEF, 0},
    [AM_EL_LOG_ACTION] = {YELLOW, DEF, B},
    [AM_EL_NARRATION] = {DEF, DEF, 0},
    [AM_EL_OVERLAY] = {WHITE, BLUE, 0},
    [AM_EL_OVERLAY_KEY] = {BRIGHT + YELLOW, BLUE, B},
    [AM_EL_OVERLAY_TITLE] = {BLACK, CYAN, B},
    [AM_EL_PROMPT] = {DEF, DEF, B},
    [AM_EL_ERROR] = {BRIGHT + WHITE, RED, B},
    [AM_EL_SCROLLBAR] = {CYAN, DEF, 0},
    [AM_EL_WARNING] = {BRIGHT + YELLOW, DEF, B},
    [AM_EL_GAUGE] = {CYAN, DEF, 0},
};

/* Without colours every state still looks different: the attributes htop
 * and tmux use for emphasis, one combination per state. */
static const unsigned builtin_mono[AM_EL_COUNT] = {
    [AM_EL_PENDING] = D,
    [AM_EL_RUNNING] = B,
    [AM_EL_FAILED] = R,
    [AM_EL_CANCELLED] = U,
    [AM_EL_TIMED_OUT] = B | U,
    [AM_EL_TITLE] = B,
    [AM_EL_VALUE] = B,
    [AM_EL_DIM] = D,
    [AM_EL_PANEL_TITLE] = R,
    [AM_EL_PANEL_TITLE_FOCUS] = R | B,
    [AM_EL_COLUMN_HEADER] = U,
    [AM_EL_SELECTED] = R,
    [AM_EL_SELECTED_UNFOCUSED] = U,
    [AM_EL_BAR_EMPTY] = D,
    [AM_EL_FOOTER_KEY] = B,
    [AM_EL_FOOTER_LABEL] = R,
    [AM_EL_MESSAGE] = B,
    [AM_EL_STATUS_RUNNING] = B,
    [AM_EL_STATUS_PAUSED] = R,
    [AM_EL_STATUS_FINISHED] = R | B,
    [AM_EL_LOG_TIME] = D,
    [AM_EL_LOG_ACTION] = B,
    [AM_EL_OVERLAY_KEY] = B,
    [AM_EL_OVERLAY_TITLE] = R,
    [AM_EL_PROMPT] = B,
    [AM_EL_ERROR] = R | B,
    [AM_EL_SCROLLBAR] = R,
    [AM_EL_WARNING] = B | U,
};

#undef B
#undef D
#undef U
#undef R

void am_theme_builtin(am_theme_t *t)
{
    memset(t, 0, sizeof *t);
    strcpy(t->name, "default");
    strcpy(t->description, "built-in default (dark)");
    memcpy(t->color, builtin_color, sizeof t->color);
    memcpy(t->mono, builtin_mono, sizeof t->mono);
}

/* ---- values ---- */

#define EXPECT_COLORS                                                                              \
    "default, black, red, green, yellow, blue, magenta, cyan, white, bright-NAME (bright-red...) " \
    "or a number from 0 to 255"
#define EXPECT_ATTRS "bold, dim, underline, reverse, italic, standout or normal"

static int parse_color(const char *s, short *out)
{
    uint64_t n;
    if (!strcasecmp(s, "default")) {
        *out = AM_COLOR_DEFAULT;
        return 0;
    }
    if (!strcasecmp(s, "gray") || !strcasecmp(s, "grey")) {
        *out = BRIGHT + BLACK;
        return 0;
    }
    int bright = !strncasecmp(s, "bright-", 7);
    const char *name = bright ? s + 7 : s;
    for (int i = 0; i < 8; i++)
        if (!strcasecmp(name, color_names[i])) {
            *out = (short)(i + (bright ? BRIGHT : 0));
            return 0;
        }
    if (!bright && am_parse_uint(s, 0, 255, &n) == 0) {
        *out = (short)n;
        return 0;
    }
    return AM_EPARSE;
}

static int parse_attr(const char *s, unsigned *out)
{
    if (!strcasecmp(s, "normal") || !strcasecmp(s, "none")) return 0;
    for (size_t i = 0; i < COUNT(attr_names); i++)
        if (!strcasecmp(s, attr_names[i])) {
            *out |= 1u << i;
            return 0;
        }
    return AM_EPARSE;
}

/* Split value into words (blanks or commas between them). */
static size_t words(const char *value, char out[][32], size_t max, int *too_long)
{
    size_t n = 0;
    *too_long = 0;
    while (*value) {
        while (*value && (isspace((unsigned char)*value) || *value == ','))
            value++;
        if (!*value) break;
        size_t len = 0;
        while (value[len] && !isspace((unsigned char)value[len]) && value[len] != ',')
            len++;
        if (n < max) {
            if (len >= 32) *too_long = 1;
            size_t k = len < 31 ? len : 31;
            memcpy(out[n], value, k);
            out[n][k] = '\0';
        }
        n++;
        value += len;
    }
    return n;
}

/* ---- loading ---- */

enum { SEC_THEME, SEC_COLORS, SEC_MONO, NSECTIONS };
static const char *const sections[NSECTIONS] = {"theme", "colors", "mono"};

typedef struct loader_s {
    am_theme_t *t;
    int section; /* -1 before the first */
    int section_line[NSECTIONS];
    int seen[NSECTIONS][AM_EL_COUNT]; /* line each key was set on */
} loader_t;

static void on_section(am_ini_t *ini, const char *name)
{
    loader_t *ld = ini->user;
    int i = am_ini_lookup(sections, NSECTIONS, name);
    if (i < 0) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "unknown section [%s]; expected [theme], [colors] or [mono]", name);
    } else if (ld->section_line[i]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate section [%s] (first on line %d)", name,
                    ld->section_line[i]);
    } else {
        ld->section_line[i] = ini->line;
        ld->section = i;
    }
}

static void on_colors(am_ini_t *ini, loader_t *ld, int e, const char *key, const char *value)
{
    char w[8][32];
    int too_long;
    size_t n = words(value, w, 8, &too_long);
    am_style_t st = {DEF, DEF, 0};

    if (n < 2) {
        am_ini_bad_value(ini, key, "expected \"FOREGROUND BACKGROUND [ATTRIBUTES]\"", value);
        return;
    }
    if (n > 8 || too_long) {
        am_ini_bad_value(ini, key, "expected two colours and at most six attributes", value);
        return;
    }
    if (parse_color(w[0], &st.fg) || parse_color(w[1], &st.bg)) {
        const char *bad = parse_color(w[0], &st.fg) ? w[0] : w[1];
        am_ini_fail(ini, ini->line, AM_EPARSE, "%s: unknown colour \"%s\"; expected " EXPECT_COLORS,
                    key, bad);
        return;
    }
    for (size_t i = 2; i < n; i++)
        if (parse_attr(w[i], &st.attrs)) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "%s: unknown attribute \"%s\"; expected " EXPECT_ATTRS, key, w[i]);
            return;
        }
    ld->t->color[e] = st;
}

static void on_mono(am_ini_t *ini, loader_t *ld, int e, const char *key, const char *value)
{
    char w[8][32];
    int too_long;
    size_t n = words(value, w, 8, &too_long);
    unsigned attrs = 0;

    if (n == 0) {
        am_ini_bad_value(ini, key, "expected attributes: " EXPECT_ATTRS, value);
        return;
    }
    if (n > 8 || too_long) {
        am_ini_bad_value(ini, key, "expected at most six attributes", value);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (parse_attr(w[i], &attrs)) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "%s: unknown attribute \"%s\"; expected " EXPECT_ATTRS, key, w[i]);
            return;
        }
    ld->t->mono[e] = attrs;
}

static void on_key(am_ini_t *ini, const char *key, const char *value)
{
    loader_t *ld = ini->user;

    if (ini->continuation) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "indented line continues \"%s\", but theme values must fit on one line", key);
        return;
    }
    if (ld->section < 0) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "key \"%s\" is outside any section; expected [theme], [colors] or [mono] "
                    "before it",
                    key);
        return;
    }
    if (ld->section == SEC_THEME) {
        if (strcmp(key, "description") != 0) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "unknown key \"%s\" in [theme]; expected description", key);
            return;
        }
        if (ld->seen[SEC_THEME][0]) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "duplicate key \"description\" in [theme] (first on line %d)",
                        ld->seen[SEC_THEME][0]);
            return;
        }
        ld->seen[SEC_THEME][0] = ini->line;
        snprintf(ld->t->description, sizeof ld->t->description, "%s", value);
        return;
    }
    int e = am_ini_lookup(elem_names, AM_EL_COUNT, key);
    if (e < 0) {
        char expected[1024];
        am_ini_join(expected, sizeof expected, elem_names, AM_EL_COUNT);
        am_ini_fail(ini, ini->line, AM_EPARSE, "unknown element \"%s\" in [%s]; expected %s", key,
                    sections[ld->section], expected);
        return;
    }
    if (ld->seen[ld->section][e]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate key \"%s\" in [%s] (first on line %d)",
                    key, sections[ld->section], ld->seen[ld->section][e]);
        return;
    }
    ld->seen[ld->section][e] = ini->line;
    if (ld->section == SEC_COLORS)
        on_colors(ini, ld, e, key, value);
    else
        on_mono(ini, ld, e, key, value);
}

int am_theme_load_file(const char *path, am_theme_t *t, char *err, size_t errsize)
{
    static loader_t ld; /* big (a line per element per section): not on the stack */
    am_ini_t ini;
    am_theme_t tmp;

    am_theme_builtin(&tmp);
    memset(&ld, 0, sizeof ld);
    ld.t = &tmp;
    ld.section = -1;
    am_ini_init(&ini, path, on_section, on_key, &ld, err, errsize);
    if (strlen(path) >= sizeof tmp.path)
        return am_ini_fail(&ini, 0, AM_EINVAL, "path too long (at most %d bytes)", AM_PATH_MAX - 1);
    if (am_ini_run(&ini) != 0) return ini.error;
    strcpy(tmp.path, path);
    /* the name is the file's, without directory and .ini */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strcspn(base, ".");
    if (strlen(base) > 4 && !strcmp(base + strlen(base) - 4, ".ini")) len = strlen(base) - 4;
    if (len >= sizeof tmp.name) len = sizeof tmp.name - 1;
    memcpy(tmp.name, base, len);
    tmp.name[len] = '\0';
    *t = tmp;
    return 0;
}

/* ---- finding themes ---- */

const char *am_theme_dir(void)
{
    return am_data_dir("themes", "ASYNCMON_THEME_DIR");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int am_theme_list(void (*fn)(const char *name, void *ud), void *ud)
{
    DIR *d = opendir(am_theme_dir());
    char *names[256];
    size_t n = 0;
    struct dirent *de;

    if (!d) return AM_ENOENT;
    while ((de = readdir(d)) != NULL && n < COUNT(names)) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".ini") != 0 || de->d_name[0] == '.') continue;
        names[n] = strdup(de->d_name);
        if (!names[n]) break;
        names[n++][len - 4] = '\0';
    }
    closedir(d);
    qsort(names, n, sizeof names[0], compare_names);
    for (size_t i = 0; i < n; i++) {
        fn(names[i], ud);
        free(names[i]);
    }
    return 0;
}

typedef struct joined_s {
    char *buf;
    size_t size, len;
} joined_t;

static void join_name(const char *name, void *ud)
{
    joined_t *j = ud;
    int n = snprintf(j->buf + j->len, j->size - j->len, "%s%s", j->len ? ", " : "", name);
    if (n > 0 && j->len + (size_t)n < j->size) j->len += (size_t)n;
}

int am_theme_load(const char *name, am_theme_t *t, char *err, size_t errsize)
{
    char path[AM_PATH_MAX];
    const char *dir = am_theme_dir();
    struct stat st;

    if (err && errsize) err[0] = '\0';
    if (!am_is_name(name, AM_NAME_MAX, 1)) {
        snprintf(err, errsize,
                 "unknown theme \"%s\": expected a theme name (1 to 31 letters, digits, \".\", "
                 "\"_\" or \"-\")",
                 name);
        return AM_ENOENT;
    }
    int n = snprintf(path, sizeof path, "%s/%s.ini", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, errsize, "%s/%s.ini: path too long", dir, name);
        return AM_EINVAL;
    }
    if (stat(path, &st) != 0) {
        if (!strcmp(name, "default")) {
            am_theme_builtin(t);
            return 0;
        }
        char list[512] = "";
        joined_t j = {list, sizeof list, 0};
        am_theme_list(join_name, &j);
        snprintf(err, errsize, "unknown theme \"%s\": no %s (themes: %s)", name, path,
                 list[0] ? list : "none found");
        return AM_ENOENT;
    }
    return am_theme_load_file(path, t, err, errsize);
}
