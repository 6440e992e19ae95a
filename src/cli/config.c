/* config.c — the user's config.ini: defaults, discovery and loading.
 *
 * Sections [ui], [run] and [demo], with the keys of am_config_t, and [keys],
 * whose keys are the dashboard's actions (ui.h: "cancel = x", "quit = q,
 * F10"). One table below names every [ui]/[run]/[demo] key; am_config_set()
 * checks a value and stores it, for the file loader and for the command-line
 * options alike, so a value is accepted or refused with the same words
 * wherever it comes from. */
#define _POSIX_C_SOURCE 200809L

#include "asyncmon/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "asyncmon/error.h"
#include "scenario/ini_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum {
    K_REFRESH_HZ,
    K_THEME,
    K_LANGUAGE,
    K_ASCII,
    K_LOG_LINES,
    K_SPEED,
    K_SEED,
    K_HEADLESS,
    K_DURATION,
    K_DEMO,
    K_NKEYS
};

static const struct {
    const char *section, *key;
} config_keys[K_NKEYS] = {
    [K_REFRESH_HZ] = {"ui", "refresh_hz"},
    [K_THEME] = {"ui", "theme"},
    [K_LANGUAGE] = {"ui", "language"},
    [K_ASCII] = {"ui", "ascii"},
    [K_LOG_LINES] = {"ui", "log_lines"},
    [K_SPEED] = {"run", "speed"},
    [K_SEED] = {"run", "seed"},
    [K_HEADLESS] = {"run", "headless"},
    [K_DURATION] = {"run", "duration"},
    [K_DEMO] = {"demo", "default"},
};

static const char *const sections[] = {"ui", "run", "demo", "keys"};
#define SECTIONS_EXPECTED "[ui], [run], [demo] or [keys]"

#define EXPECT_BOOL "expected true or false (or yes/no, on/off, 1/0)"

void am_config_defaults(am_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->refresh_hz = AM_DEFAULT_REFRESH_HZ;
    strcpy(cfg->theme, AM_DEFAULT_THEME);
    strcpy(cfg->language, AM_DEFAULT_LANGUAGE);
    cfg->ascii = 0;
    cfg->log_lines = AM_DEFAULT_LOG_LINES;
    cfg->speed = AM_DEFAULT_SPEED;
    cfg->seed = AM_DEFAULT_SEED;
    cfg->headless = 0;
    cfg->duration = -1;
    strcpy(cfg->demo, AM_DEFAULT_DEMO);
    am_keymap_defaults(&cfg->keys);
}

static int find_key(const char *section, const char *key)
{
    for (int k = 0; k < K_NKEYS; k++)
        if (!strcmp(config_keys[k].section, section) && !strcmp(config_keys[k].key, key)) return k;
    return -1;
}

/* Returns 0 or the "expected ..." text for value. */
static const char *set_key(am_config_t *cfg, int k, const char *value)
{
    uint64_t u;
    double d;

    switch (k) {
    case K_REFRESH_HZ:
        if (am_parse_uint(value, 1, 240, &u)) return "expected a whole number from 1 to 240";
        cfg->refresh_hz = (int)u;
        return NULL;
    case K_THEME:
        if (!am_is_name(value, sizeof(cfg->theme), 1))
            return "expected a theme name: 1 to 31 letters, digits, \".\", \"_\" or \"-\"";
        strcpy(cfg->theme, value);
        return NULL;
    case K_LANGUAGE:
        if (strcasecmp(value, "en") && strcasecmp(value, "zh")) return "expected \"en\" or \"zh\"";
        strcpy(cfg->language, strcasecmp(value, "en") ? "zh" : "en");
        return NULL;
    case K_ASCII:
        return am_parse_bool(value, &cfg->ascii) ? EXPECT_BOOL : NULL;
    case K_LOG_LINES:
        if (am_parse_uint(value, 16, 100000, &u))
            return "expected a whole number from 16 to 100000";
        cfg->log_lines = (int)u;
        return NULL;
    case K_SPEED:
        if (!strcasecmp(value, "max")) {
            cfg->speed = AM_SPEED_MAX;
            return NULL;
        }
        if (am_parse_real(value, &d) || d <= 0) return "expected a number > 0 or \"max\"";
        cfg->speed = d;
        return NULL;
    case K_SEED:
        if (am_parse_uint(value, 0, UINT64_MAX, &cfg->seed))
            return "expected a whole number from 0 to 18446744073709551615";
        return NULL;
    case K_HEADLESS:
        return am_parse_bool(value, &cfg->headless) ? EXPECT_BOOL : NULL;
    case K_DURATION:
        if (am_parse_seconds(value, 1, &d) || d == 0) return "expected seconds > 0 or \"none\"";
        cfg->duration = d;
        return NULL;
    case K_DEMO:
        if (!*value || strlen(value) >= sizeof(cfg->demo))
            return "expected a demo name or the path of an .ini file";
        strcpy(cfg->demo, value);
        return NULL;
    }
    return "expected a known key";
}

/* [keys] ACTION = KEYS: parse and bind. 0, AM_ENOENT or AM_EPARSE (*why). */
static int set_binding(am_config_t *cfg, const char *action, const char *value, int *keys, int *n,
                       const char **why)
{
    int a = am_action_find(action);
    *why = NULL;
    if (a < 0) return AM_ENOENT;
    *n = am_key_parse(value, keys, AM_KEYS_PER_ACTION, why);
    if (*n < 0) return AM_EPARSE;
    am_keymap_bind(&cfg->keys, a, keys, *n);
    return 0;
}

int am_config_set(am_config_t *cfg, const char *section, const char *key, const char *value,
                  const char **expected)
{
    int k = find_key(section, key);
    const char *why;

    if (!strcmp(section, "keys")) {
        int keys[AM_KEYS_PER_ACTION], n, rc = set_binding(cfg, key, value, keys, &n, &why);
        if (expected) *expected = why;
        return rc;
    }
    if (k < 0) return AM_ENOENT;
    why = set_key(cfg, k, value);
    if (expected) *expected = why;
    return why ? AM_EPARSE : 0;
}

/* ---- loading ---- */

typedef struct loader_s {
    am_config_t *cfg;
    const char *section; /* current section, NULL before the first */
    int section_line[COUNT(sections)];
    int seen[K_NKEYS];             /* line each key was set on, 0 if not yet */
    int action_line[AM_ACT_COUNT]; /* line each action was bound on in [keys] */
} loader_t;

static void on_section(am_ini_t *ini, const char *name)
{
    loader_t *ld = ini->user;
    int i = am_ini_lookup(sections, COUNT(sections), name);

    if (i < 0) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "unknown section [%s]; expected " SECTIONS_EXPECTED,
                    name);
    } else if (ld->section_line[i]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate section [%s] (first on line %d)", name,
                    ld->section_line[i]);
    } else {
        ld->section_line[i] = ini->line;
        ld->section = sections[i];
    }
}

/* [keys] ACTION = KEYS. Binding a key that another action has by default
 * moves it; binding one that another line of this file gave to another
 * action is a mistake, reported with both lines. */
static void on_binding(am_ini_t *ini, loader_t *ld, const char *action, const char *value)
{
    int a = am_action_find(action), keys[AM_KEYS_PER_ACTION], n;
    const char *why;

    if (a < 0) {
        char expected[1024] = "";
        const char *names[AM_ACT_COUNT];
        size_t k = 0;
        for (int i = 0; i < AM_ACT_COUNT; i++)
            if (am_action_name(i)) names[k++] = am_action_name(i);
        am_ini_join(expected, sizeof expected, names, k);
        am_ini_fail(ini, ini->line, AM_EPARSE, "unknown action \"%s\" in [keys]; expected %s",
                    action, expected);
        return;
    }
    if (ld->action_line[a]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate key \"%s\" in [keys] (first on line %d)",
                    action, ld->action_line[a]);
        return;
    }
    n = am_key_parse(value, keys, AM_KEYS_PER_ACTION, &why);
    if (n < 0) {
        am_ini_bad_value(ini, action, why, value);
        return;
    }
    for (int i = 0; i < n; i++) {
        int owner = am_keymap_action(&ld->cfg->keys, keys[i]);
        if (owner >= 0 && owner != a && ld->action_line[owner]) {
            char name[16];
            am_key_name(keys[i], name, sizeof name);
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "%s: key \"%s\" is already bound to %s on line %d", action, name,
                        am_action_name(owner), ld->action_line[owner]);
            return;
        }
    }
    ld->action_line[a] = ini->line;
    am_keymap_bind(&ld->cfg->keys, a, keys, n);
}

static void on_key(am_ini_t *ini, const char *key, const char *value)
{
    loader_t *ld = ini->user;
    const char *names[K_NKEYS], *why;
    char expected[160];
    size_t n = 0;
    int k;

    if (ini->continuation) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "indented line continues \"%s\", but config values must fit on one line", key);
        return;
    }
    if (!ld->section) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "key \"%s\" is outside any section; expected " SECTIONS_EXPECTED " before it",
                    key);
        return;
    }
    if (!strcmp(ld->section, "keys")) {
        on_binding(ini, ld, key, value);
        return;
    }
    k = find_key(ld->section, key);
    if (k < 0) {
        for (int i = 0; i < K_NKEYS; i++)
            if (!strcmp(config_keys[i].section, ld->section)) names[n++] = config_keys[i].key;
        am_ini_join(expected, sizeof(expected), names, n);
        am_ini_fail(ini, ini->line, AM_EPARSE, "unknown key \"%s\" in [%s]; expected %s", key,
                    ld->section, expected);
        return;
    }
    if (ld->seen[k]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate key \"%s\" in [%s] (first on line %d)",
                    key, ld->section, ld->seen[k]);
        return;
    }
    ld->seen[k] = ini->line;
    why = set_key(ld->cfg, k, value);
    if (why) am_ini_bad_value(ini, key, why, value);
}

int am_config_load(const char *path, am_config_t *cfg, char *err, size_t errsize)
{
    loader_t ld;
    am_ini_t ini;
    am_config_t tmp = *cfg;

    /* Load into a copy, so that a bad file leaves cfg as it was. */
    memset(&ld, 0, sizeof(ld));
    ld.cfg = &tmp;
    am_ini_init(&ini, path, on_section, on_key, &ld, err, errsize);
    if (strlen(path) >= sizeof(cfg->config_path))
        return am_ini_fail(&ini, 0, AM_EINVAL, "path too long (at most %d bytes)", AM_PATH_MAX - 1);
    if (am_ini_run(&ini) != 0) return ini.error;
    strcpy(tmp.config_path, path);
    *cfg = tmp;
    return 0;
}

/* ---- discovery ---- */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* An explicit file (from --config or $ASYNCMON_CONFIG) must exist. */
static int use_explicit(const char *file, const char *from, char *path, size_t size, char *err,
                        size_t errsize)
{
    if (!exists(file)) {
        snprintf(err, errsize, "%s: cannot open config file '%s': %s", from, file, strerror(errno));
        return AM_ENOENT;
    }
    if (strlen(file) >= size) {
        snprintf(err, errsize, "%s: path too long: '%s'", from, file);
        return AM_EINVAL;
    }
    strcpy(path, file);
    return 0;
}

/* A default location: used when the file is there. */
static int try_default(const char *dir, const char *rest, char *path, size_t size)
{
    int n;

    if (!dir || dir[0] != '/')
        return 0; /* unset, empty or relative: ignored, as the XDG spec says */
    n = snprintf(path, size, "%s%s", dir, rest);
    if (n > 0 && (size_t)n < size && exists(path)) return 1;
    path[0] = '\0';
    return 0;
}

int am_config_find(const char *explicit_path, char *path, size_t size, char *err, size_t errsize)
{
    const char *env = getenv("ASYNCMON_CONFIG");

    if (err && errsize) err[0] = '\0';
    if (!size) return AM_EINVAL;
    path[0] = '\0';
    if (explicit_path && *explicit_path)
        return use_explicit(explicit_path, "--config", path, size, err, errsize);
    if (env && *env) return use_explicit(env, "$ASYNCMON_CONFIG", path, size, err, errsize);
    if (try_default(getenv("XDG_CONFIG_HOME"), "/asyncmon/config.ini", path, size)) return 0;
    try_default(getenv("HOME"), "/.config/asyncmon/config.ini", path, size);
    return 0;
}
