/* monitor.h — the model front ends draw: runtime events folded in O(1) each.
 *
 * The monitor observes one am_loop_t. It keeps counts by state (overall and
 * per group) for simulated tasks — combinator nodes are not work and are
 * counted apart —, tqdm-style rate meters, the wait() node whose sets are on
 * show, a ring buffer of recent events, and an optional JSON-lines trace.
 * Invariant ("nothing lost"): the counts by state always add up to created. */
#ifndef ASYNCMON_MONITOR_H
#define ASYNCMON_MONITOR_H

#include <stdio.h>

#include "asyncmon/meter.h"
#include "asyncmon/queue.h"
#include "asyncmon/runtime.h"
#include "asyncmon/sync.h"

typedef struct am_monitor_s am_monitor_t;

typedef struct am_counts_s {
    uint64_t created;
    uint64_t by_state[AM_TASK_NSTATES];
    uint64_t progress; /* progress steps completed, over all tasks */
} am_counts_t;

/* Per-group figures (group 0 is the loop's default group). */
typedef struct am_group_meter_s {
    am_counts_t counts;
    am_time_t first_start; /* -1 until a task starts */
    am_time_t last_end;    /* -1 until a task ends */
    double busy_seconds;   /* sum of (end - start) of ended tasks that had started */
    am_rate_t rate;        /* ended tasks per virtual second, tqdm EMA */
} am_group_meter_t;

typedef struct am_log_entry_s {
    am_event_t ev;
} am_log_entry_t;

am_monitor_t *am_monitor_new(am_loop_t *loop, size_t log_capacity);
void am_monitor_free(am_monitor_t *mon);
/* Write every event as one JSON line to f (not owned; NULL stops). */
void am_monitor_set_trace(am_monitor_t *mon, FILE *f);
/* Chain another observer after the monitor (front ends that want raw events). */
void am_monitor_set_listener(am_monitor_t *mon, am_observer_fn fn, void *ctx);

const am_counts_t *am_monitor_counts(const am_monitor_t *mon);
/* Final (ended) simulated tasks. */
uint64_t am_monitor_ended(const am_monitor_t *mon);
size_t am_monitor_ngroups(const am_monitor_t *mon);
const am_group_meter_t *am_monitor_group(const am_monitor_t *mon, size_t group);
/* Overall rate meter (all groups). */
const am_rate_t *am_monitor_rate(const am_monitor_t *mon);
/* Feed the rate meters at a refresh: now in virtual time. */
void am_monitor_sample(am_monitor_t *mon, am_time_t now);
/* Combinator nodes created and ended. */
uint64_t am_monitor_nodes(const am_monitor_t *mon, uint64_t *ended);
/* The most recently started wait() node (its sets: am_wait_done/pending), or 0. */
am_task_id_t am_monitor_wait(const am_monitor_t *mon);
/* Events ever seen and by type. */
uint64_t am_monitor_events(const am_monitor_t *mon, am_event_type_t type);

/* The event log: i = 0 is the newest. NULL past the end. */
size_t am_monitor_log_len(const am_monitor_t *mon);
const am_event_t *am_monitor_log_get(const am_monitor_t *mon, size_t i);

/* Primitives and queues (ids 1..am_monitor_nobjects): "semaphore api: 10/10
 * held, 990 waiting"; queue statistics; loop lag and slow steps. */
size_t am_monitor_nobjects(const am_monitor_t *mon);
int am_monitor_object(const am_monitor_t *mon, int id, am_obj_info_t *out);
int am_monitor_queue(am_monitor_t *mon, int id, am_queue_stats_t *out);
void am_monitor_health(const am_monitor_t *mon, am_loop_health_t *out);

/* Check the invariants; 0 when they hold, else AM_ESTATE and a reason in buf. */
int am_monitor_check(const am_monitor_t *mon, char *buf, size_t size);

/* One event as a JSON object (no newline); returns the length like snprintf. */
int am_event_json(const am_loop_t *loop, const am_event_t *ev, char *buf, size_t size);
const char *am_event_type_name(am_event_type_t t);

#endif
