/* code.h — the teaching tour's code panel: a scenario's short Python asyncio
 * snippet and which of its lines is executing in each phase of the run.
 *
 * A scenario's [code] section (docs/scenarios.md) holds the snippet and, for
 * each phase, the line to highlight: `start` before the combinator exists,
 * `await` while it is pending (`done, pending = await asyncio.wait(...)`),
 * `after` once it has returned, `end` when the run is over,
 * `group.NAME` while that group has tasks that have not ended,
 * `ended.NAME` once they all have (until the run is over), and
 * `step.NAME.K` while a task of group NAME is at step K of its `do`
 * program (in place of group.NAME for those tasks; a line where every task
 * there waits on a lock, semaphore, event, condition or queue is marked
 * waiting rather than running). The
 * highlight follows the real state of the run: the front end reads the
 * state from the driver and the monitor and asks am_code_active(). */
#ifndef ASYNCMON_CODE_H
#define ASYNCMON_CODE_H

#include <stddef.h>
#include <stdint.h>

#define AM_CODE_MAX_LINES     64 /* a mask of executing lines fits a uint64_t */
#define AM_CODE_MAX_GROUPS    16 /* = AM_SCENARIO_MAX_GROUPS */
#define AM_CODE_NAME_MAX      32 /* = AM_NAME_MAX */
#define AM_CODE_MAX_STEPS     64 /* = AM_PROGRAM_MAX_OPS */
#define AM_CODE_MAX_STEP_KEYS 128

/* A step.NAME.K key as written, resolved against the groups after loading. */
typedef struct am_code_step_key_s {
    char group[AM_CODE_NAME_MAX];
    int step;  /* K, 1-based */
    int value; /* snippet line */
    int line;  /* line of the key in the file */
} am_code_step_key_t;

typedef enum am_code_phase_e {
    AM_PHASE_START, /* groups being created, no combinator yet */
    AM_PHASE_AWAIT, /* the combinator is pending */
    AM_PHASE_AFTER, /* it returned; tasks it left may still run */
    AM_PHASE_END,   /* the run is over */
    AM_PHASE_N
} am_code_phase_t;

typedef struct am_scenario_code_s {
    char *text;                 /* owned: the snippet's lines joined by '\n'; NULL if none */
    int nlines;                 /* lines in text */
    int line;                   /* line of the [code] header in the file, 0 if none */
    int phase_line[AM_PHASE_N]; /* snippet line (1-based) of each phase; 0: none */
    int group_line[AM_CODE_MAX_GROUPS]; /* snippet line of scenario group i; 0: none */
    int ended_line[AM_CODE_MAX_GROUPS]; /* ... once every task of group i has ended */
    /* group.NAME and ended.NAME keys as written ("group.NAME"), resolved
     * against the groups after loading */
    size_t ngroup_keys;
    char group_key[2 * AM_CODE_MAX_GROUPS][AM_CODE_NAME_MAX + 8];
    int group_key_value[2 * AM_CODE_MAX_GROUPS];
    int group_key_line[2 * AM_CODE_MAX_GROUPS];
    /* step_line[i][k]: snippet line while a task of group i is at step k + 1
     * of its program; 0: none (group_line then) */
    int step_line[AM_CODE_MAX_GROUPS][AM_CODE_MAX_STEPS];
    size_t nstep_keys;
    am_code_step_key_t step_key[AM_CODE_MAX_STEP_KEYS];
} am_scenario_code_t;

/* What the run is doing, as the code panel needs it. */
typedef struct am_code_state_s {
    int node;               /* 0: no combinator node yet, 1: pending, 2: returned */
    int finished;           /* the run is over */
    uint32_t groups_active; /* bit i: scenario group i has created tasks that have not ended */
    uint32_t groups_ended;  /* bit i: every task of scenario group i has been created and ended */
    /* per scenario group with a program: its started, unended tasks at each
     * step and those of them waiting (am_program_step_counts); NULL: none */
    const uint32_t *at[AM_CODE_MAX_GROUPS];
    const uint32_t *waiting[AM_CODE_MAX_GROUPS];
    size_t nsteps[AM_CODE_MAX_GROUPS];
} am_code_state_t;

/* The lines executing in state st: bit (line - 1) of the result. Groups'
 * lines while they are active or once they have ended, plus the phase's
 * line; only `end` (else `after`) once the run is over. */
uint64_t am_code_active(const am_scenario_code_t *c, const am_code_state_t *st);
/* The same, and in *waiting (when not NULL) the lines among them where tasks
 * only wait: a step.NAME.K line whose tasks are all blocked on an object. */
uint64_t am_code_lines(const am_scenario_code_t *c, const am_code_state_t *st, uint64_t *waiting);
/* Line i (1-based) of the snippet and its length in bytes; NULL past the end. */
const char *am_code_line(const am_scenario_code_t *c, int i, size_t *len);
/* Append one snippet line (the text after its '|' marker). 0 or AM_ENOMEM. */
int am_code_append(am_scenario_code_t *c, const char *line);
void am_code_free(am_scenario_code_t *c);

#endif
