/* app.h — one run of asyncmon: loop, monitor, scenario driver and a front end. */
#ifndef ASYNCMON_CLI_APP_H
#define ASYNCMON_CLI_APP_H

#include <stdio.h>

#include "asyncmon/config.h"
#include "asyncmon/driver.h"

/* Exit codes. */
enum {
    AM_EXIT_OK = 0,
    AM_EXIT_FAILURE = 1,
    AM_EXIT_USAGE = 2,
    AM_EXIT_INTERRUPTED = 130 /* 128 + SIGINT; SIGTERM gives 143 */
};

typedef struct am_app_s {
    const am_options_t *opts;
    am_scenario_t *sc;
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *driver;
    FILE *trace;
    uv_signal_t sig[3];
    int signo; /* the signal that stopped the run, 0 if none */
    uint64_t wall_start_ns;
    am_time_t vstart;
    /* headless front end */
    uv_timer_t refresh;
    int tty;
    uint64_t last_printed;
    int printed_any;
} am_app_t;

/* Run the scenario in opts; returns the process exit code. */
int am_app_run(const am_options_t *opts, am_scenario_t *sc);

/* headless.c: tqdm-like lines on stderr, throttled to every 0.1 s. */
void am_headless_start(am_app_t *app);
void am_headless_final(am_app_t *app);
void am_headless_stop(am_app_t *app);

/* summary.c */
void am_summary_print(const am_app_t *app, FILE *out);
int am_summary_json(const am_app_t *app, const char *path, char *err, size_t errsize);

#endif
