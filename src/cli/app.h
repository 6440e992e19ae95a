/* app.h — a session of asyncmon: the uv loop, signals, and runs of scenarios
 * (loop, monitor, driver) shown by a front end: the dashboard or headless.
 *
 * A run can be torn down and a new one started in the same process and
 * terminal (the dashboard's `r` and demo picker): am_app_begin() and
 * am_app_end() bracket one run; the session's handles (signals, the
 * dashboard's timers and input) live across runs. */
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

typedef struct am_app_s am_app_t;
typedef struct am_ui_s am_ui_t;

/* What the header's second row counts: the runtime's tasks, or a mode's own
 * units of work (asyncmon run's jobs, of which a retried one is several
 * tasks). The header presets the labels to the task states' and "created";
 * a mode's counts hook may rename them. */
typedef struct am_app_counts_s {
    const char *total_label;
    const char *labels[AM_TASK_NSTATES];
    uint64_t total;
    uint64_t by_state[AM_TASK_NSTATES];
    uint64_t ended; /* in a final state */
    double rate;    /* ended per second, NAN when not known */
} am_app_counts_t;

/* A mode that brings work of its own to a run (asyncmon run's jobs): begin
 * runs at the end of am_app_begin (the loop, monitor and driver exist), end
 * at the start of am_app_end (they still do). */
typedef struct am_app_mode_s {
    const char *name; /* "run" */
    void *data;
    int (*begin)(am_app_t *app, char *err, size_t errsize);
    void (*end)(am_app_t *app);
    /* SIGINT, SIGTERM, SIGHUP, before the front end's handler (a second one
     * exits at once: what the mode runs must go first); may be NULL */
    void (*signal)(am_app_t *app, int signo);
    /* is the mode's work over (for the header's "finished")? NULL: the driver says */
    int (*finished)(const am_app_t *app);
    /* the loop's time when the mode's work ended, where the header's
     * elapsed time stops (-1: not known); NULL: the driver's end */
    am_time_t (*finished_at)(const am_app_t *app);
    /* the event log's first line after "run N: ": what runs; NULL: the
     * scenario, its combinator, its tasks and the speed */
    void (*describe)(const am_app_t *app, char *buf, size_t size);
    /* the header's counts; NULL: the runtime's tasks (the monitor's) */
    void (*counts)(const am_app_t *app, am_app_counts_t *c);
    /* seconds the dashboard's quit waits for the work to stop before it
     * leaves anyway (what is left is then killed); NULL or less: 2 */
    double (*quit_wait)(const am_app_t *app);
} am_app_mode_t;

struct am_app_s {
    const am_options_t *opts;
    am_scenario_t *sc;    /* the scenario run: main's, or own_sc */
    am_scenario_t own_sc; /* one picked in the dashboard; owned when own_sc_loaded */
    int own_sc_loaded;
    uv_loop_t uv;
    /* the run; all NULL between runs */
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *driver;
    FILE *trace; /* the session's --trace file (every run appends) */
    uv_signal_t sig[3];
    int signals_on;
    int signo; /* the signal that stopped the run, 0 if none */
    uint64_t wall_start_ns;
    am_time_t vstart;
    /* front ends */
    am_ui_t *ui;                                 /* the dashboard, NULL when headless */
    void (*on_signal)(am_app_t *app, int signo); /* the dashboard's, else headless */
    void (*on_finish)(am_app_t *app);
    /* headless front end */
    uv_timer_t refresh;
    int tty;
    uint64_t last_printed;
    int printed_any;
    /* the mode of this session, NULL for a scenario's runs */
    const am_app_mode_t *mode;
};

/* Run the scenario in opts; returns the process exit code. The dashboard
 * when stdin and stdout are terminals (and not --headless), else headless. */
int am_app_run(const am_options_t *opts, am_scenario_t *sc);
/* The same with a mode (mode may be NULL). */
int am_app_run_mode(const am_options_t *opts, am_scenario_t *sc, const am_app_mode_t *mode);

/* Start one run of app->sc: loop, monitor, driver, --duration. */
int am_app_begin(am_app_t *app, char *err, size_t errsize);
/* Free the run. Not from inside a uv callback (it runs the loop once to
 * close the runtime's timer). */
void am_app_end(am_app_t *app);
/* Load demo `name` as the scenario of the next run (app-owned). */
int am_app_load_demo(am_app_t *app, const char *name, char *err, size_t errsize);
void am_app_close_signals(am_app_t *app);

/* headless.c: tqdm-like lines on stderr, throttled to every 0.1 s. */
void am_headless_start(am_app_t *app);
void am_headless_final(am_app_t *app);
void am_headless_stop(am_app_t *app);

/* summary.c */
void am_summary_print(const am_app_t *app, FILE *out);
/* The dashboard's one line: "gather: 2000 tasks — done 2000, failed 0, ... in 5.0 s". */
void am_summary_line(const am_app_t *app, FILE *out, const char *dash);
int am_summary_json(const am_app_t *app, const char *path, char *err, size_t errsize);

#endif
