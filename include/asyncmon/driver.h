/* driver.h — runs a loaded scenario on the runtime.
 *
 * The driver creates the scenario's groups and tasks (drawing durations and
 * failures from the seeded RNG), wraps tasks in wait_for/shield where a group
 * asks for a timeout, applies the scenario's combinator to them, and reports
 * when the run is over: the combinator has completed and every task has
 * ended. Tasks a combinator left running (a wait timeout, an as_completed
 * timeout, gather's first error) are awaited, not cancelled. Stopping early
 * (--duration, Ctrl-C) cancels what is left, as asyncio.run does on exit. */
#ifndef ASYNCMON_DRIVER_H
#define ASYNCMON_DRIVER_H

#include "asyncmon/monitor.h"
#include "asyncmon/scenario.h"

typedef struct am_driver_s am_driver_t;
typedef void (*am_driver_cb)(am_driver_t *d, void *data);

/* The scenario must outlive the driver. NULL when out of memory. */
am_driver_t *am_driver_new(am_loop_t *loop, const am_scenario_t *sc, uint64_t seed,
                           am_driver_cb on_finish, void *data);
void am_driver_free(am_driver_t *d);
/* Spawn the groups that start at 0 and schedule the rest. */
int am_driver_start(am_driver_t *d);
/* Stop: cancel every unfinished task; on_finish follows once they ended. */
void am_driver_stop(am_driver_t *d);
/* Stop when virtual time reaches `at` (--duration). */
int am_driver_stop_at(am_driver_t *d, am_time_t at);

/* Add n tasks to scenario group gi now (the dashboard's `a`/`A` keys). They
 * run like the group's others: a wait loop takes them in at its next turn, a
 * TaskGroup adopts them, other combinators leave them running and the run
 * awaits them. After the run finished it goes on again (on_finish fires
 * again when they have ended). Returns how many were added, or AM_E... */
int am_driver_add_tasks(am_driver_t *d, size_t gi, uint32_t n);
/* Scenario group index of a task the driver created, or -1. */
int am_driver_task_group(const am_driver_t *d, am_task_id_t id);

int am_driver_finished(const am_driver_t *d);
int am_driver_stopped(const am_driver_t *d);
/* The top combinator node (gather, wait, ...), 0 before it exists. */
am_task_id_t am_driver_node(const am_driver_t *d);
/* The loop group id of scenario group i. */
uint16_t am_driver_group(const am_driver_t *d, size_t i);
/* The program id of scenario group i (a `do` group), 0 for sleep groups. */
int am_driver_program(const am_driver_t *d, size_t i);
/* Times the wait loop returned and tasks it re-added. */
uint64_t am_driver_wait_rounds(const am_driver_t *d, uint64_t *readded);
/* Virtual time the combinator completed, or -1. */
am_time_t am_driver_node_ended(const am_driver_t *d);
/* Virtual time the run finished, or -1. */
am_time_t am_driver_finished_at(const am_driver_t *d);

#endif
