/* scenario.h — a demo scenario as loaded from a .ini file in demo/.
 *
 * Format (see docs/scenarios.md):
 *   [scenario]  title, narration (multi-line by indenting continuation lines),
 *               combinator = none|gather|as_completed|wait|wait_for|taskgroup,
 *               return_exceptions (gather), return_when and loop and readd_failed (wait),
 *               timeout (wait, as_completed: seconds; none = no timeout)
 *   [group.NAME] count, duration (a distribution: "fixed 2", "uniform 1 5",
 *               "exponential 2", "normal 3 0.5"), fail_rate (0..1), steps,
 *               timeout (wait_for per task, seconds), shield (wait_for), start (seconds
 *               after the scenario starts before this group is created); or, instead of
 *               duration, do (a program: program.h), repeat (N or forever), daemon
 *   [semaphore.NAME] limit, bounded   [queue.NAME] maxsize, kind = fifo|lifo|priority
 *   [lock.NAME]   [event.NAME] set   [condition.NAME]
 *   [code]      python (the snippet, lines starting with '|'), start, await, after, end,
 *               group.NAME, ended.NAME (the line shown executing in each phase: code.h);
 *               title.zh, narration.zh in [scenario]; sequential, cancel_at in groups
 *   [products]    NAME = SECONDS, one line per product a `serve` step scans */
#ifndef ASYNCMON_SCENARIO_H
#define ASYNCMON_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "asyncmon/code.h"
#include "asyncmon/combinators.h"
#include "asyncmon/program.h"
#include "asyncmon/rng.h"

#define AM_SCENARIO_MAX_GROUPS 16
#define AM_NAME_MAX            32
#define AM_TITLE_MAX           128
#define AM_PATH_MAX            1024
#define AM_MAX_TASKS           100000000ULL

typedef enum am_combinator_e {
    AM_COMB_NONE,
    AM_COMB_GATHER,
    AM_COMB_AS_COMPLETED,
    AM_COMB_WAIT,
    AM_COMB_WAIT_FOR,
    AM_COMB_TASKGROUP
} am_combinator_t;

typedef struct am_scenario_group_s {
    char name[AM_NAME_MAX];
    uint64_t count;     /* tasks in the group (1 .. AM_MAX_TASKS) */
    am_dist_t duration; /* seconds */
    double fail_rate;   /* 0..1: probability that a task fails at its end */
    uint32_t steps;     /* progress steps per task, >= 1 */
    double timeout;     /* wait_for timeout per task in seconds; < 0: none */
    int shield;         /* wait_for(shield(task)) instead of wait_for(task) */
    double start;       /* seconds after the scenario start */
    int line;           /* line of the [group.NAME] header, for messages */
    /* a program instead of a sleep (`do = acquire api; sleep ...; release api`) */
    char *program;                   /* owned: the `do` text, NULL for a plain sleep group */
    int program_line;                /* line of the `do` key */
    am_op_t ops[AM_PROGRAM_MAX_OPS]; /* parsed; argv owned */
    size_t nops;
    uint32_t repeat; /* times the program runs; 0: until cancelled ("forever") */
    int daemon;      /* cancelled once every non-daemon task has ended (workers) */
    int sequential;  /* `await` each task before creating the next; left out of the combinator */
    double
        cancel_at; /* cancel the group's unfinished tasks this long after the start; < 0: never */
} am_scenario_group_t;

#define AM_SCENARIO_MAX_OBJECTS 16

/* [semaphore.NAME], [lock.NAME], [event.NAME], [condition.NAME], [queue.NAME] */
typedef struct am_scenario_obj_s {
    am_obj_kind_t kind;
    char name[AM_OBJ_NAME_MAX];
    uint32_t limit;        /* semaphore: its value; queue: maxsize (0 = unbounded) */
    am_queue_kind_t qkind; /* queue */
    int set;               /* event: initially set */
    int line;
} am_scenario_obj_t;

#define AM_SCENARIO_MAX_PRODUCTS 32

typedef struct am_scenario_product_s {
    char name[AM_OBJ_NAME_MAX];
    double seconds;
    int line;
} am_scenario_product_t;

typedef struct am_scenario_s {
    char path[AM_PATH_MAX]; /* file it came from */
    char name[AM_NAME_MAX]; /* file name without directory and .ini */
    char title[AM_TITLE_MAX];
    char *narration; /* owned; NULL if none */
    am_combinator_t combinator;
    int return_exceptions;        /* gather */
    am_return_when_t return_when; /* wait */
    int loop;                     /* wait: `while pending:` loop until everything ended */
    int readd_failed;             /* wait loop: add a fresh task for each failed one */
    double timeout;               /* wait / as_completed, seconds; < 0: none */
    size_t ngroups;
    am_scenario_group_t groups[AM_SCENARIO_MAX_GROUPS];
    size_t nobjects; /* created in this order, so their ids are 1..nobjects */
    am_scenario_obj_t objects[AM_SCENARIO_MAX_OBJECTS];
    /* the teaching tour: translations and the code panel (code.h) */
    char title_zh[AM_TITLE_MAX]; /* "" if none */
    char *narration_zh;          /* owned; NULL if none */
    double speed;                /* the tour runs it at this speed; 0: the session's */
    am_scenario_code_t code;
    /* [products] NAME = SECONDS: what `serve` steps scan (serve.h) */
    size_t nproducts;
    am_scenario_product_t products[AM_SCENARIO_MAX_PRODUCTS];
    int products_line;
} am_scenario_t;

/* Parse a scenario file. On error returns AM_E... and writes
 * "FILE:LINE: message" (or "FILE: message") into err. */
int am_scenario_load(const char *path, am_scenario_t *sc, char *err, size_t errsize);
void am_scenario_free(am_scenario_t *sc);
/* Total task count over all groups. */
uint64_t am_scenario_tasks(const am_scenario_t *sc);
/* --tasks N: scale the groups' counts so they add up to n (each group keeps >= 1
 * when n >= ngroups; the largest group absorbs rounding). */
int am_scenario_set_tasks(am_scenario_t *sc, uint64_t n);
const char *am_combinator_name(am_combinator_t c);

/* Where shipped data (SUB = "demo", "themes") is found: $ENV_VAR when set,
 * else beside the program as installed (<prefix>/bin/asyncmon ->
 * <prefix>/share/asyncmon/SUB), else the source tree (a binary in a build
 * tree), else the configured data dir. */
const char *am_data_dir(const char *sub, const char *env_var);
/* Where shipped scenarios live: am_data_dir("demo", "ASYNCMON_DEMO_DIR"). */
const char *am_demo_dir(void);
/* Resolve --demo NAME|FILE.ini into a path. 0 or AM_ENOENT (err says what was tried). */
int am_demo_resolve(const char *name_or_file, char *path, size_t size, char *err, size_t errsize);
/* List shipped scenarios: calls fn for each (name, title), sorted by name. */
int am_demo_list(void (*fn)(const char *name, const char *title, void *ud), void *ud);

#endif
