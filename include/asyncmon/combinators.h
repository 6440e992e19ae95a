/* combinators.h — gather, as_completed, wait, wait_for, shield and TaskGroup.
 *
 * Each returns a node id (0 when out of memory or on bad arguments). Callbacks
 * run on the loop thread when the node completes; the node's own state tells
 * how (am_task_state / am_task_error). Semantics follow Python's asyncio. */
#ifndef ASYNCMON_COMBINATORS_H
#define ASYNCMON_COMBINATORS_H

#include "asyncmon/runtime.h"

/* gather: completes when every task has ended, results in submission order.
 * return_exceptions true: errors are results and the node ends done.
 * false: the node ends failed (or cancelled) at the first error, and the
 * remaining tasks keep running: they are not cancelled.
 * Cancelling the gather node cancels every task in it. */
am_task_id_t am_gather(am_loop_t *loop, const am_task_id_t *tasks, size_t n, int return_exceptions,
                       am_done_cb cb, void *data);
/* The tasks in submission order. */
size_t am_gather_tasks(const am_loop_t *loop, am_task_id_t g, const am_task_id_t **tasks);
/* The tasks that have ended, in the order they ended. */
size_t am_gather_completed(const am_loop_t *loop, am_task_id_t g, const am_task_id_t **tasks);

/* as_completed: item_cb runs once per task as it ends, in completion order.
 * With a timeout, the node ends timed out when it expires and the tasks that
 * had not ended are left running (only the waiting stops). done_cb runs last. */
typedef void (*am_item_cb)(am_loop_t *loop, am_task_id_t node, am_task_id_t task, void *data);
am_task_id_t am_as_completed(am_loop_t *loop, const am_task_id_t *tasks, size_t n,
                             am_time_t timeout, am_item_cb item_cb, am_done_cb done_cb, void *data);
size_t am_as_completed_order(const am_loop_t *loop, am_task_id_t ac, const am_task_id_t **tasks);

/* wait: returns (cb runs) when return_when is satisfied or the timeout expires.
 * The timeout cancels nothing: pending tasks keep running. The done and pending
 * sets can be read at any time while the wait runs, and stay as returned after. */
typedef enum am_return_when_e {
    AM_ALL_COMPLETED,
    AM_FIRST_COMPLETED,
    AM_FIRST_EXCEPTION
} am_return_when_t;
am_task_id_t am_wait(am_loop_t *loop, const am_task_id_t *tasks, size_t n,
                     am_return_when_t return_when, am_time_t timeout, am_done_cb cb, void *data);
size_t am_wait_done(const am_loop_t *loop, am_task_id_t w, const am_task_id_t **tasks);
size_t am_wait_pending(const am_loop_t *loop, am_task_id_t w, const am_task_id_t **tasks);
/* Did the last return come from the timeout? */
int am_wait_timed_out(const am_loop_t *loop, am_task_id_t w);
/* The `while pending: done, pending = await wait(pending + new, ...)` step:
 * drop the done set, add `add`, and wait again on the same node with the same
 * return_when and a fresh timeout. O(nadd), not O(pending). */
int am_wait_rearm(am_loop_t *loop, am_task_id_t w, const am_task_id_t *add, size_t nadd,
                  am_time_t timeout);
const char *am_return_when_name(am_return_when_t rw);

/* wait_for: the node mirrors `inner`; when the timeout expires first, inner is
 * cancelled, ends timed out, and the node ends timed out after it. */
am_task_id_t am_wait_for(am_loop_t *loop, am_task_id_t inner, am_time_t timeout, am_done_cb cb,
                         void *data);

/* shield: the node mirrors `inner`, but cancelling the node (directly or by a
 * wait_for timeout) leaves inner running. */
am_task_id_t am_shield(am_loop_t *loop, am_task_id_t inner);

/* TaskGroup: add children, then close (the end of `async with`). The first
 * child that fails cancels all its siblings; the group ends when every child
 * has ended: failed (first error), cancelled, or done. */
am_task_id_t am_taskgroup(am_loop_t *loop, am_done_cb cb, void *data);
int am_taskgroup_add(am_loop_t *loop, am_task_id_t tg, am_task_id_t task);
int am_taskgroup_close(am_loop_t *loop, am_task_id_t tg);
size_t am_taskgroup_tasks(const am_loop_t *loop, am_task_id_t tg, const am_task_id_t **tasks);

#endif
