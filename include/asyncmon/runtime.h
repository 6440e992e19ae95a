/* runtime.h — the asyncmon task runtime: tasks on one libuv loop, asyncio semantics.
 *
 * A task is a small record in the loop's table, named by an am_task_id_t (0 is
 * "no task"). Simulated tasks never own a uv handle: the loop keeps one binary
 * heap of (virtual time, task) entries and arms a single uv_timer_t for the
 * earliest one. Virtual time advances with real time times the speed factor,
 * freezes while paused, and jumps straight to the next event in "max" speed.
 *
 * Combinators (gather, wait, ...) are tasks too ("nodes"), so they compose:
 * wait_for(shield(t)), a gather of wait_fors, and so on. Nodes are not counted
 * as work by the monitor; they report their own events.
 *
 * Cancellation is a request, delivered by the loop at the current virtual
 * time, like asyncio's task.cancel(): the state changes when it is delivered. */
#ifndef ASYNCMON_RUNTIME_H
#define ASYNCMON_RUNTIME_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "asyncmon/error.h"

typedef struct am_loop_s am_loop_t;
typedef uint32_t am_task_id_t;
/* Virtual time in microseconds. */
typedef int64_t am_time_t;

#define AM_USEC(s)     ((am_time_t)((s)*1e6 + ((s) >= 0 ? 0.5 : -0.5)))
#define AM_SECONDS(us) ((double)(us) / 1e6)
#define AM_NO_TIMEOUT  ((am_time_t)-1)
/* Speed factor meaning "as fast as possible": time jumps to the next event. */
#define AM_SPEED_MAX INFINITY

typedef enum am_task_state_e {
    AM_TASK_PENDING,   /* created, not started */
    AM_TASK_RUNNING,   /* started, not finished */
    AM_TASK_DONE,      /* finished with a result */
    AM_TASK_FAILED,    /* finished with an error */
    AM_TASK_CANCELLED, /* cancelled before finishing */
    AM_TASK_TIMED_OUT, /* cancelled by a timeout (wait_for, a deadline) */
    AM_TASK_NSTATES
} am_task_state_t;

typedef enum am_task_kind_e {
    AM_KIND_SLEEP,        /* simulated work: sleeps, advances progress, may fail */
    AM_KIND_PROGRAM,      /* simulated coroutine running a program (program.h) */
    AM_KIND_EXTERN,       /* work driven by C code outside the runtime (am_spawn_extern) */
    AM_KIND_GATHER,       /* node: asyncio.gather */
    AM_KIND_WAIT,         /* node: asyncio.wait */
    AM_KIND_AS_COMPLETED, /* node: asyncio.as_completed */
    AM_KIND_WAIT_FOR,     /* node: asyncio.wait_for */
    AM_KIND_SHIELD,       /* node: asyncio.shield */
    AM_KIND_TASKGROUP,    /* node: asyncio.TaskGroup */
    AM_KIND_NKINDS
} am_task_kind_t;

/* Combinators are nodes; sleep and program tasks are the work. */
#define AM_KIND_IS_NODE(k) ((k) >= AM_KIND_GATHER)

/* ---- events, for the monitor and front ends ---- */
typedef enum am_event_type_e {
    AM_EV_CREATED,    /* a task was created (state pending) */
    AM_EV_STARTED,    /* pending -> running */
    AM_EV_PROGRESS,   /* n advanced */
    AM_EV_ENDED,      /* reached its final state */
    AM_EV_NODE_START, /* a combinator node began waiting (also on wait rearm) */
    AM_EV_NODE_END,   /* a combinator node completed (gather done, wait returned, ...) */
    AM_EV_DEADLINE,   /* a deadline was set on a task */
    AM_EV_SLOW,       /* a task step held the loop longer than the slow threshold */
    AM_EV_SERVING,    /* "serve_start": a task began serving the item it got (total: its value) */
    AM_EV_SERVED,     /* "serve_end": ... finished it (n = total), or gave up (err) (serve.h) */
    AM_EV_NTYPES
} am_event_type_t;

typedef struct am_event_s {
    am_event_type_t type;
    am_task_id_t task;
    am_task_kind_t kind;
    am_task_state_t state; /* state after the event */
    uint16_t group;
    uint32_t n, total; /* progress after the event */
    int err;           /* AM_E... for failed/cancelled/timed out ends */
    am_time_t time;    /* virtual time of the event */
    double real;       /* AM_EV_SLOW: real seconds the step took */
} am_event_t;

typedef void (*am_observer_fn)(void *ctx, const am_event_t *ev);
typedef void (*am_done_cb)(am_loop_t *loop, am_task_id_t id, void *data);
typedef void (*am_callout_cb)(am_loop_t *loop, void *data);

/* ---- loop ---- */
/* Create a runtime on an initialised uv loop. NULL when out of memory. */
am_loop_t *am_loop_new(uv_loop_t *uv);
/* Close the uv handle and free everything; runs uv_run(NOWAIT) to finish the close. */
void am_loop_free(am_loop_t *loop);
uv_loop_t *am_loop_uv(const am_loop_t *loop);
/* Reserve room for n more tasks so a big spawn does not reallocate. */
int am_loop_reserve(am_loop_t *loop, size_t n);

void am_loop_set_observer(am_loop_t *loop, am_observer_fn fn, void *ctx);

/* Speed factor > 0 (AM_SPEED_MAX: jump from event to event). */
int am_loop_set_speed(am_loop_t *loop, double speed);
double am_loop_speed(const am_loop_t *loop);
void am_loop_pause(am_loop_t *loop, int paused);
int am_loop_paused(const am_loop_t *loop);
/* While paused: jump to the next scheduled event and run everything due then.
 * Returns the number of events run (0 when nothing is scheduled). */
size_t am_loop_step(am_loop_t *loop);
/* Current virtual time. */
am_time_t am_loop_now(const am_loop_t *loop);
/* Virtual time of the next scheduled event, or -1. */
am_time_t am_loop_next_time(const am_loop_t *loop);

/* A one-shot callback at virtual time `when` (an "am_callout"). Returns a
 * handle > 0 for am_loop_cancel_callout, or a negative AM_E... */
int64_t am_loop_call_at(am_loop_t *loop, am_time_t when, am_callout_cb cb, void *data);
int am_loop_cancel_callout(am_loop_t *loop, int64_t handle);

typedef struct am_loop_stats_s {
    uint64_t dispatched;    /* heap entries run */
    uint64_t timer_fires;   /* uv timer callbacks */
    am_time_t max_late;     /* worst (virtual now - scheduled time) at dispatch, in virtual us */
    am_time_t max_end_late; /* the same, for simulated tasks' ends only */
    size_t heap_len;        /* scheduled entries now */
    size_t bytes;           /* memory held by the runtime's tables */
} am_loop_stats_t;
void am_loop_stats(const am_loop_t *loop, am_loop_stats_t *out);

/* ---- loop health (asyncio debug mode's slow callbacks, and loop lag) ---- */
typedef struct am_loop_health_s {
    double lag_now, lag_max, lag_p99; /* seconds a periodic real-time timer fired late */
    uint64_t lag_samples;
    uint64_t slow_steps;       /* task steps that took longer than the threshold */
    double slowest;            /* real seconds of the slowest step */
    am_task_id_t slowest_task; /* and its task */
    double slow_threshold;     /* seconds */
} am_loop_health_t;
/* Start measuring loop lag with a timer every interval_ms of real time (it
 * does not keep the uv loop alive). 0 or AM_E... */
int am_loop_health_start(am_loop_t *loop, unsigned interval_ms);
/* A task step that runs longer than this (default 0.1 s) is reported. */
void am_loop_set_slow_threshold(am_loop_t *loop, double seconds);
void am_loop_health(const am_loop_t *loop, am_loop_health_t *out);

/* Simulated tasks created and not yet ended. */
uint64_t am_loop_live(const am_loop_t *loop);
/* Call cb whenever the live count drops to zero (every task has ended). */
void am_loop_set_drain_cb(am_loop_t *loop, am_callout_cb cb, void *data);

/* ---- groups (labels for tasks; meters are kept per group) ---- */
/* Find or add a group by name; returns its id (>= 0) or AM_ELIMIT/AM_EINVAL. */
int am_group_add(am_loop_t *loop, const char *name);
const char *am_group_name(const am_loop_t *loop, uint16_t group);
size_t am_group_count(const am_loop_t *loop);
/* Request cancellation of every unfinished simulated task of a group. Returns how many. */
size_t am_group_cancel(am_loop_t *loop, uint16_t group);
/* Request cancellation of every unfinished simulated task. Returns how many. */
size_t am_loop_cancel_all(am_loop_t *loop);

/* ---- simulated tasks ---- */
typedef struct am_sleep_spec_s {
    am_time_t duration; /* virtual microseconds of work */
    uint32_t steps;     /* progress steps (total = steps; 0 is taken as 1) */
    int fail;           /* 0: end done; a negative AM_E...: end failed with it */
    int64_t result;     /* the result when done */
} am_sleep_spec_t;

/* Create a simulated task; it starts at the loop's next turn. 0 when out of memory. */
am_task_id_t am_spawn_sleep(am_loop_t *loop, uint16_t group, const am_sleep_spec_t *spec);

/* ---- tasks driven from outside (real commands, custom models) ----
 * The runtime owns the task's state, events, deadline and cancellation; the
 * code that created it does the work and says when it is over. start runs
 * when the task starts (pending -> running); cancel runs once when a
 * cancellation (timeout: from a deadline) is delivered, and the task ends
 * when its owner calls am_task_finish, at once or later (a process that
 * needs time to exit). */
typedef struct am_extern_ops_s {
    void (*start)(am_loop_t *loop, am_task_id_t id, void *ctx);
    void (*cancel)(am_loop_t *loop, am_task_id_t id, void *ctx, int timeout);
} am_extern_ops_t;
/* name: shown for the task (copied; NULL: "group-N"). 0 when out of memory. */
am_task_id_t am_spawn_extern(am_loop_t *loop, uint16_t group, const char *name,
                             const am_extern_ops_t *ops, void *ctx);
/* End an extern task: AM_TASK_DONE with a result, or FAILED / CANCELLED /
 * TIMED_OUT with an AM_E... error. AM_ESTATE if it has ended already. */
int am_task_finish(am_loop_t *loop, am_task_id_t id, am_task_state_t state, int64_t value);
/* Progress of an extern task (total 0: unknown). */
int am_task_set_progress(am_loop_t *loop, am_task_id_t id, uint32_t n, uint32_t total);
void *am_task_extern_ctx(const am_loop_t *loop, am_task_id_t id);
/* Progress from any thread (a pool job, a reader thread): the update is
 * handed to the loop thread through a uv_async and applied there, to a
 * running extern task, or to a program task while its executor step runs
 * (when the program runs once). Updates to one task coalesce: the latest
 * wins. AM_ELIMIT when too many distinct tasks are waiting to be updated. */
int am_task_post_progress(am_loop_t *loop, am_task_id_t id, uint32_t n, uint32_t total);

/* ---- any task ---- */
size_t am_task_count(const am_loop_t *loop); /* ids are 1..count */
int am_task_valid(const am_loop_t *loop, am_task_id_t id);
am_task_state_t am_task_state(const am_loop_t *loop, am_task_id_t id);
am_task_kind_t am_task_kind(const am_loop_t *loop, am_task_id_t id);
uint16_t am_task_group(const am_loop_t *loop, am_task_id_t id);
int am_task_is_final(const am_loop_t *loop, am_task_id_t id);
int am_task_is_node(const am_loop_t *loop, am_task_id_t id);
/* Result of a done task (0 otherwise). */
int64_t am_task_result(const am_loop_t *loop, am_task_id_t id);
/* 0, or the AM_E... a failed/cancelled/timed-out task ended with. */
int am_task_error(const am_loop_t *loop, am_task_id_t id);
void am_task_progress(const am_loop_t *loop, am_task_id_t id, uint32_t *n, uint32_t *total);
am_time_t am_task_started(const am_loop_t *loop, am_task_id_t id);  /* -1 if not started */
am_time_t am_task_ended(const am_loop_t *loop, am_task_id_t id);    /* -1 if not ended */
am_time_t am_task_deadline(const am_loop_t *loop, am_task_id_t id); /* -1 if none */
/* When the task will be cancelled by a timeout if it has not ended: the
 * earliest of its own deadline and those of the wait_for nodes awaiting it
 * (through nested wait_fors; a shield in between protects it, so it stops
 * there). -1 if none. What the dashboard's deadline column counts down. */
am_time_t am_task_timeout_at(const am_loop_t *loop, am_task_id_t id);
/* Writes "group-index" (simulated) or "gather#id" (nodes); returns the length. */
int am_task_name(const am_loop_t *loop, am_task_id_t id, char *buf, size_t size);
const char *am_task_state_name(am_task_state_t s);
const char *am_task_kind_name(am_task_kind_t k);

/* Request cancellation: 0, AM_ESTATE if the task has already ended, AM_ENOENT. */
int am_task_cancel(am_loop_t *loop, am_task_id_t id);
/* Give a task a deadline `delay` from now: if it has not ended by then it is
 * cancelled and ends timed out (asyncio.timeout). AM_NO_TIMEOUT clears it. */
int am_task_set_timeout(am_loop_t *loop, am_task_id_t id, am_time_t delay);
/* add_done_callback: cb runs when the task ends (at the next turn if it already has). */
int am_task_add_done_cb(am_loop_t *loop, am_task_id_t id, am_done_cb cb, void *data);

#endif
