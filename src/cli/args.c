/* args.c — the command line: options, their precedence over config.ini, and --help.
 *
 * argv is read twice by the same tokenizer. The first pass only looks for
 * --help/--version (which win over everything, even a broken config file) and
 * --config, and checks the syntax; then the config file is loaded over the
 * defaults; the second pass applies the options over that, in order. Options
 * that mirror a config key are checked by am_config_set(), so a bad value reads
 * the same in config.ini and on the command line. */
#define _POSIX_C_SOURCE 200809L /* uv.h, via config.h, needs POSIX types */

#include "asyncmon/config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asyncmon/error.h"
#include "asyncmon/tour.h"
#include "scenario/ini_util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x)  #x
#define STR(x)   STR_(x)

typedef enum opt_id_e {
    O_DEMO,
    O_LIST_DEMOS,
    O_TASKS,
    O_SPEED,
    O_SEED,
    O_DURATION,
    O_HEADLESS,
    O_CONFIG,
    O_THEME,
    O_LANG,
    O_REFRESH_HZ,
    O_ASCII,
    O_KEY,
    O_SUMMARY_JSON,
    O_TRACE,
    O_HELP,
    O_VERSION,
    O_SCENARIO
} opt_id_t;

enum {
    ARG_NONE,     /* --list-demos */
    ARG_REQUIRED, /* --speed X or --speed=X */
    ARG_FLAG      /* --headless, or --headless=BOOL */
};

typedef struct option_s {
    opt_id_t id;
    const char *name; /* without the leading "--" */
    char short_name;  /* -h, -V; 0 if none */
    int arg;
    const char *metavar;       /* for "missing value" messages */
    const char *section, *key; /* the config key it overrides, or NULL */
} option_t;

static const option_t options[] = {
    {O_DEMO, "demo", 0, ARG_REQUIRED, "NAME|FILE", "demo", "default"},
    {O_LIST_DEMOS, "list-demos", 0, ARG_NONE, NULL, NULL, NULL},
    {O_TASKS, "tasks", 0, ARG_REQUIRED, "N", NULL, NULL},
    {O_SPEED, "speed", 0, ARG_REQUIRED, "X|max", "run", "speed"},
    {O_SEED, "seed", 0, ARG_REQUIRED, "N", "run", "seed"},
    {O_DURATION, "duration", 0, ARG_REQUIRED, "S|none", "run", "duration"},
    {O_HEADLESS, "headless", 0, ARG_FLAG, NULL, "run", "headless"},
    {O_CONFIG, "config", 0, ARG_REQUIRED, "FILE", NULL, NULL},
    {O_THEME, "theme", 0, ARG_REQUIRED, "NAME", "ui", "theme"},
    {O_LANG, "lang", 0, ARG_REQUIRED, "en|zh", "ui", "language"},
    {O_REFRESH_HZ, "refresh-hz", 0, ARG_REQUIRED, "N", "ui", "refresh_hz"},
    {O_ASCII, "ascii", 0, ARG_FLAG, NULL, "ui", "ascii"},
    {O_KEY, "key", 0, ARG_REQUIRED, "ACTION=KEYS", NULL, NULL},
    {O_SUMMARY_JSON, "summary-json", 0, ARG_REQUIRED, "FILE", NULL, NULL},
    {O_TRACE, "trace", 0, ARG_REQUIRED, "FILE", NULL, NULL},
    {O_HELP, "help", 'h', ARG_NONE, NULL, NULL, NULL},
    {O_VERSION, "version", 'V', ARG_NONE, NULL, NULL, NULL},
    {O_SCENARIO, "scenario", 0, ARG_REQUIRED, "N|NAME", NULL, NULL},
};

/* Levenshtein distance of two short strings, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[40], diag, up;

    if (la >= COUNT(row) || lb >= COUNT(row)) return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            if (up + 1 < best) best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The option closest to name: a prefix of it, or within two edits. */
static const option_t *suggest(const char *name)
{
    const option_t *best = NULL;
    size_t best_d = 3, len = strlen(name);

    for (size_t i = 0; i < COUNT(options); i++) {
        size_t d = distance(name, options[i].name);
        if (len >= 2 && !strncmp(options[i].name, name, len)) d = 1;
        if (d < best_d) {
            best_d = d;
            best = &options[i];
        }
    }
    return best;
}

static int fail(char *err, size_t errsize, const char *fmt, ...) AM_PRINTF(3, 4);
static int fail(char *err, size_t errsize, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
    return AM_EINVAL;
}

/* Read the option at argv[*i] (and its value, which may be the next word).
 * Returns 0 with *opt and *value set, or AM_EINVAL with err set. */
static int next_option(int argc, char **argv, int *i, const option_t **opt, const char **value,
                       char *err, size_t errsize)
{
    const char *arg = argv[*i], *eq;
    char name[64];
    size_t len;
    const option_t *o = NULL, *near;

    *value = NULL;
    if (arg[0] != '-' || arg[1] == '\0') {
        if (strchr(arg, '/') || strstr(arg, ".ini") ||
            (isalnum((unsigned char)arg[0]) && am_is_name(arg, AM_NAME_MAX, 0)))
            return fail(err, errsize,
                        "unexpected argument '%s'; to run a scenario use '--demo %s' (see --help)",
                        arg, arg);
        return fail(err, errsize, "unexpected argument '%s' (see --help)", arg);
    }
    if (arg[1] != '-') {
        for (size_t k = 0; k < COUNT(options) && arg[2] == '\0'; k++)
            if (options[k].short_name && options[k].short_name == arg[1]) o = &options[k];
        if (!o) return fail(err, errsize, "unknown option '%s' (see --help)", arg);
    } else {
        eq = strchr(arg + 2, '=');
        len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (len < sizeof(name)) {
            memcpy(name, arg + 2, len);
            name[len] = '\0';
            for (size_t k = 0; k < COUNT(options); k++)
                if (!strcmp(options[k].name, name)) o = &options[k];
        }
        if (!o) {
            near = len < sizeof(name) ? suggest(name) : NULL;
            if (near)
                return fail(err, errsize, "unknown option '%s'; did you mean '--%s'? (see --help)",
                            arg, near->name);
            return fail(err, errsize, "unknown option '%s' (see --help)", arg);
        }
        if (eq) *value = eq + 1;
    }
    *opt = o;
    if (o->arg == ARG_NONE && *value)
        return fail(err, errsize, "--%s: takes no value, got '%s'", o->name, *value);
    if (o->arg == ARG_REQUIRED && !*value) {
        /* The next word is the value, unless it is another long option. */
        if (*i + 1 >= argc || !strncmp(argv[*i + 1], "--", 2))
            return fail(err, errsize, "--%s: missing value (--%s %s)", o->name, o->name,
                        o->metavar);
        *value = argv[++*i];
    }
    return 0;
}

/* Copy a message written for .ini files (double quotes) in command-line style. */
static void requote(char *dst, size_t size, const char *src)
{
    size_t n = 0;

    for (; *src && n + 1 < size; src++)
        dst[n++] = *src == '"' ? '\'' : *src;
    dst[n] = '\0';
}

static int apply(am_options_t *opts, const option_t *o, const char *value, char *err,
                 size_t errsize)
{
    const char *why;
    char expected[400];
    uint64_t u;

    if (o->section) {
        if (o->arg == ARG_FLAG && !value) value = "true";
        if (am_config_set(&opts->cfg, o->section, o->key, value, &why) == 0) return 0;
        requote(expected, sizeof(expected), why);
        return fail(err, errsize, "--%s: %s, got '%s'", o->name, expected, value);
    }
    switch (o->id) {
    case O_LIST_DEMOS:
        opts->command = AM_CMD_LIST_DEMOS;
        break;
    case O_TASKS:
        if (am_parse_uint(value, 1, AM_MAX_TASKS, &u))
            return fail(err, errsize, "--%s: expected a whole number from 1 to %llu, got '%s'",
                        o->name, (unsigned long long)AM_MAX_TASKS, value);
        opts->tasks = (int64_t)u;
        break;
    case O_KEY: { /* --key cancel=x: [keys] cancel = x */
        const char *eq = strchr(value, '=');
        char action[64];
        if (!eq || eq == value || (size_t)(eq - value) >= sizeof(action))
            return fail(err, errsize, "--%s: expected ACTION=KEYS (cancel=x), got '%s'", o->name,
                        value);
        memcpy(action, value, (size_t)(eq - value));
        action[eq - value] = '\0';
        int rc = am_config_set(&opts->cfg, "keys", action, eq + 1, &why);
        if (rc == AM_ENOENT)
            return fail(err, errsize,
                        "--%s: unknown action '%s' (the help screen, ?, lists them; see also "
                        "docs/configuration.md)",
                        o->name, action);
        if (rc) {
            requote(expected, sizeof(expected), why);
            return fail(err, errsize, "--%s %s: %s, got '%s'", o->name, action, expected, eq + 1);
        }
        break;
    }
    case O_SCENARIO: { /* asyncmon tour --scenario 3 | gather */
        int i = am_tour_find(value);
        if (opts->command != AM_CMD_TOUR)
            return fail(err, errsize, "--%s: only with 'asyncmon tour' (asyncmon tour --%s %s)",
                        o->name, o->name, value);
        if (i < 0)
            return fail(err, errsize,
                        "--%s: expected a tour scenario number from 1 to %zu or a name such as "
                        "'gather' or 'tour-chess' (see docs/tour.md), got '%s'",
                        o->name, am_tour_count(), value);
        opts->tour_index = i;
        break;
    }
    case O_SUMMARY_JSON:
    case O_TRACE:
        if (!*value || strlen(value) >= AM_PATH_MAX)
            return fail(err, errsize, "--%s: expected a file name, got '%s'", o->name, value);
        strcpy(o->id == O_TRACE ? opts->trace : opts->summary_json, value);
        break;
    default: /* --config, --help and --version were handled by the first pass */
        break;
    }
    return 0;
}

int am_options_parse(int argc, char **argv, am_options_t *opts, char *err, size_t errsize)
{
    const option_t *o;
    const char *value, *config = NULL;
    char path[AM_PATH_MAX], first_err[AM_PATH_MAX + 200] = "", later_err[AM_PATH_MAX + 200];
    int i, rc, help = 0, version = 0, bad = 0, first = 1;

    memset(opts, 0, sizeof(*opts));
    opts->command = AM_CMD_RUN_DEMO;
    if (argc > 1 && !strcmp(argv[1], "tour")) { /* the subcommand, then its options */
        opts->command = AM_CMD_TOUR;
        first = 2;
    }
    opts->tasks = -1;
    am_config_defaults(&opts->cfg);
    if (err && errsize) err[0] = '\0';

    /* Pass 1: syntax, --help/--version, --config. It reads on after an error,
     * because a --help further on still wins. */
    for (i = first; i < argc; i++) {
        if (next_option(argc, argv, &i, &o, &value, bad ? later_err : first_err,
                        sizeof(first_err))) {
            bad = 1;
            continue;
        }
        help |= o->id == O_HELP;
        version |= o->id == O_VERSION;
        if (o->id == O_CONFIG) config = value;
    }
    if (help || version) {
        opts->command = help ? AM_CMD_HELP : AM_CMD_VERSION;
        return 0;
    }
    if (bad) {
        snprintf(err, errsize, "%s", first_err);
        return AM_EINVAL;
    }
    if (config && !*config) {
        snprintf(err, errsize, "--config: expected a file name, got ''");
        return AM_EINVAL;
    }

    /* The config file, over the defaults. */
    rc = am_config_find(config, path, sizeof(path), err, errsize);
    if (rc == 0 && path[0]) rc = am_config_load(path, &opts->cfg, err, errsize);
    if (rc) return rc;

    /* Pass 2: the options, over the config file. */
    for (i = first; i < argc; i++) {
        rc = next_option(argc, argv, &i, &o, &value, err, errsize);
        if (rc == 0) rc = apply(opts, o, value, err, errsize);
        if (rc) return rc;
    }
    return 0;
}

/* clang-format off */
static const char usage[] =
    "Usage: asyncmon [OPTIONS]\n"
    "       asyncmon tour [--scenario N|NAME] [--lang en|zh] [OPTIONS]\n"
    "       asyncmon run [OPTIONS] -- CMD [ARG...]  (see asyncmon run --help)\n"
    "\n"
    "A live dashboard for asyncio-style tasks: watch gather, as_completed, wait,\n"
    "wait_for and TaskGroup drive thousands of simulated tasks on one event loop.\n"
    "\n"
    "Scenario:\n"
    "      --demo NAME|FILE     a shipped demo, or a scenario .ini file [" AM_DEFAULT_DEMO "]\n"
    "      --list-demos         list the shipped demos and exit\n"
    "      --tasks N            scale the scenario to N tasks in all [as written]\n"
    "      --seed N             random seed; a seed replays the same run [" STR(AM_DEFAULT_SEED) "]\n"
    "      --speed X|max        virtual clock speed: 0.25 is slow motion, 50 fast,\n"
    "                           max jumps from event to event [" STR(AM_DEFAULT_SPEED) "]\n"
    "      --duration S|none    stop after S simulated seconds [none]\n"
    "\n"
    "Tour (asyncmon tour: a guided tour of asyncio, one live scenario at a time;\n"
    "n and p move between them, . steps while paused):\n"
    "      --scenario N|NAME    start at scenario N (1-based) or NAME [1]\n"
    "\n"
    "Display:\n"
    "      --headless           no dashboard: progress lines on stderr, then a\n"
    "                           summary (also when stdout is not a terminal) [off]\n"
    "      --theme NAME         colour theme [" AM_DEFAULT_THEME "]\n"
    "      --lang en|zh         language of the narration and titles [" AM_DEFAULT_LANGUAGE "]\n"
    "      --refresh-hz N       screen redraws per second, 1-240 [" STR(AM_DEFAULT_REFRESH_HZ) "]\n"
    "      --ascii              draw bars with ASCII characters only [off]\n"
    "      --key ACTION=KEYS    bind keys to a dashboard action, as [keys] in the\n"
    "                           config file does: --key cancel=x (repeatable)\n"
    "\n"
    "Output:\n"
    "      --summary-json FILE  write a JSON summary of the run to FILE [none]\n"
    "      --trace FILE         write every task event to FILE as JSON lines [none]\n"
    "\n"
    "General:\n"
    "      --config FILE        read settings from FILE [see below]\n"
    "  -h, --help               show this help and exit\n"
    "  -V, --version            show the version and exit\n"
    "\n"
    "A value may follow its option as '--speed 2' or '--speed=2'. The switches\n"
    "also take one: '--headless=no', '--ascii=yes'.\n"
    "\n"
    "Settings come from the defaults above, then the config file, then the\n"
    "command line. The config file is the first of: --config FILE,\n"
    "$ASYNCMON_CONFIG, $XDG_CONFIG_HOME/asyncmon/config.ini and\n"
    "~/.config/asyncmon/config.ini (see config.ini.example).\n"
    "\n"
    "Environment:\n"
    "  ASYNCMON_CONFIG     the config file to read (it must exist)\n"
    "  ASYNCMON_DEMO_DIR   where the shipped demos are\n"
    "  ASYNCMON_THEME_DIR  where the colour themes are\n"
    "  NO_COLOR            when set, draw without colours\n"
    "\n"
    "Examples:\n"
    "  asyncmon                          the supermarket checkout (asyncio.Queue)\n"
    "  asyncmon --demo gather            2000 tasks in one asyncio.gather\n"
    "  asyncmon --demo wait --speed 0.5  the asyncio.wait loop in slow motion\n"
    "  asyncmon --demo my.ini --headless --summary-json run.json\n"
    "  asyncmon tour --lang zh           the guided tour, narrated in Chinese\n";
/* clang-format on */

const char *am_usage(void)
{
    return usage;
}
