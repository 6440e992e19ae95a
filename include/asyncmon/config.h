/* config.h — user configuration (config.ini) and command-line options.
 *
 * Precedence: built-in defaults < config file < command line. The config file
 * is found by --config FILE, then $ASYNCMON_CONFIG, then
 * $XDG_CONFIG_HOME/asyncmon/config.ini, then ~/.config/asyncmon/config.ini
 * (an explicit --config or $ASYNCMON_CONFIG that does not exist is an error; the
 * default locations are optional). */
#ifndef ASYNCMON_CONFIG_H
#define ASYNCMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "asyncmon/scenario.h"
#include "asyncmon/ui.h"

typedef struct am_config_s {
    /* [ui] */
    int refresh_hz;          /* 1..240, default 20 */
    char theme[AM_NAME_MAX]; /* default "default" */
    char language[8];        /* "en" | "zh", default "en" */
    int ascii;               /* force ASCII bars, default 0 */
    int log_lines;           /* event log ring size, 16..100000, default 1000 */
    /* [run] */
    double speed;    /* > 0 (AM_SPEED_MAX for "max"), default 1 */
    uint64_t seed;   /* default 1 */
    int headless;    /* default 0 */
    double duration; /* stop after this many simulated seconds; < 0: run to the end */
    /* [demo] */
    char demo[AM_PATH_MAX]; /* default scenario name or file, default "gather" */
    /* [keys]: ACTION = KEY[, KEY...] over the built-in bindings (see ui.h) */
    am_keymap_t keys;
    char config_path[AM_PATH_MAX]; /* the file that was loaded, "" if none */
} am_config_t;

typedef enum am_command_e {
    AM_CMD_RUN_DEMO,
    AM_CMD_LIST_DEMOS,
    AM_CMD_HELP,
    AM_CMD_VERSION,
    AM_CMD_TOUR /* asyncmon tour [--scenario N|NAME] */
} am_command_t;

typedef struct am_options_s {
    am_command_t command;
    am_config_t cfg;                /* after file and command line */
    int64_t tasks;                  /* --tasks N, -1 if not given */
    char summary_json[AM_PATH_MAX]; /* --summary-json FILE, "" if not given */
    char trace[AM_PATH_MAX];        /* --trace FILE, "" if not given */
    int tour_index; /* tour: --scenario N|NAME as an index (tour.h), 0 if not given */
} am_options_t;

/* Built-in defaults, also quoted by --help and config.ini.example. */
#define AM_DEFAULT_REFRESH_HZ 20
#define AM_DEFAULT_THEME      "default"
#define AM_DEFAULT_LANGUAGE   "en"
#define AM_DEFAULT_LOG_LINES  1000
#define AM_DEFAULT_SPEED      1
#define AM_DEFAULT_SEED       1
#define AM_DEFAULT_DEMO       "checkout"

void am_config_defaults(am_config_t *cfg);
/* Set one key from text, as the line "key = value" in [section] would (the
 * command line uses this too, so both accept the same values). Returns 0;
 * AM_ENOENT for an unknown section or key; AM_EPARSE for a bad value, with
 * *expected pointing to a static "expected ..." description. In [keys] the
 * key is an action name and the value its keys; a key another action had is
 * taken from it. */
int am_config_set(am_config_t *cfg, const char *section, const char *key, const char *value,
                  const char **expected);
/* Load one config file over cfg. Errors: "FILE:LINE: message" in err, AM_E... returned. */
int am_config_load(const char *path, am_config_t *cfg, char *err, size_t errsize);
/* Find the config file (see above). Writes the path or "" when there is none.
 * Returns 0, or AM_ENOENT when an explicit file is missing (err says which). */
int am_config_find(const char *explicit_path, char *path, size_t size, char *err, size_t errsize);

/* Parse argv (defaults, then config file, then options). Returns 0, or AM_EINVAL
 * with a one-line message in err ("--speed: expected a number > 0, got 'x'"). */
int am_options_parse(int argc, char **argv, am_options_t *opts, char *err, size_t errsize);
/* The --help text. */
const char *am_usage(void);

#endif
