/* gather.c — asyncio.gather: wait for all, results in submission order.
 *
 * The node keeps the tasks in submission order and, beside them, the order
 * in which they ended, so a teaching view can show both orders. */
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

typedef struct gather_s {
    am_node_hdr_t hdr;
    int return_exceptions;
    size_t n;
    size_t ndone;
    am_task_id_t *tasks; /* owned: submission order */
    am_task_id_t *order; /* owned: completion order, ndone filled */
} gather_t;

static void gather_free(void *ext)
{
    gather_t *g = ext;
    if (!g) return;
    free(g->tasks);
    free(g->order);
    free(g);
}

static void finish(am_loop_t *loop, am_task_id_t node)
{
    gather_t *g = am__ext(loop, node);
    am_task_t *t = am__task(loop, node);
    if (t->flags & AM_TF_CANCEL_REQ)
        am__end(loop, node, AM_TASK_CANCELLED, AM_ECANCELLED);
    else
        am__end(loop, node, AM_TASK_DONE, (int64_t)g->n);
}

/* return_exceptions=False: the gather raises what the child raised. A
 * cancelled child raises CancelledError; a timed-out one, TimeoutError. */
static void fail(am_loop_t *loop, am_task_id_t node, am_task_id_t child)
{
    const am_task_t *c = am__task(loop, child);
    int cancelled =
        (am__task(loop, node)->flags & AM_TF_CANCEL_REQ) || c->state == AM_TASK_CANCELLED;
    am__end(loop, node, cancelled ? AM_TASK_CANCELLED : AM_TASK_FAILED, am__outcome_error(c));
}

static void gather_child_ended(am_loop_t *loop, am_task_id_t node, am_task_id_t child,
                               uint32_t slot)
{
    (void)slot;
    gather_t *g = am__ext(loop, node);
    g->order[g->ndone++] = child; /* kept after an early error too: the teaching view shows it */
    if (am__final(am__task(loop, node)->state)) return;
    const am_task_t *c = am__task(loop, child);
    int err = am__outcome_error(c);
    if (err && !g->return_exceptions) {
        /* the first error reaches the awaiting code; the siblings keep running */
        fail(loop, node, child);
        return;
    }
    if (g->ndone == g->n) finish(loop, node);
}

/* Scheduled when the gather was created over tasks that had already ended,
 * or cancelled with nothing left running. */
static void gather_fire(am_loop_t *loop, am_task_id_t node)
{
    gather_t *g = am__ext(loop, node);
    if (!g->return_exceptions) {
        for (size_t i = 0; i < g->ndone; i++) {
            if (am__outcome_error(am__task(loop, g->order[i]))) {
                fail(loop, node, g->order[i]);
                return;
            }
        }
    }
    if (g->ndone == g->n) finish(loop, node);
}

static void gather_cancel(am_loop_t *loop, am_task_id_t node)
{
    gather_t *g = am__ext(loop, node);
    size_t live = 0;
    for (size_t i = 0; i < g->n; i++)
        if (am__cancel(loop, g->tasks[i], 0) == 0) live++;
    if (live == 0) am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
}

const am_node_ops_t am__gather_ops = {gather_child_ended, gather_fire, gather_cancel, gather_free};

am_task_id_t am_gather(am_loop_t *loop, const am_task_id_t *tasks, size_t n, int return_exceptions,
                       am_done_cb cb, void *data)
{
    if (n && !tasks) return 0;
    for (size_t i = 0; i < n; i++)
        if (!am_task_valid(loop, tasks[i])) return 0;
    gather_t *g = calloc(1, sizeof *g);
    if (!g) return 0;
    g->hdr = (am_node_hdr_t){cb, data};
    g->return_exceptions = !!return_exceptions;
    g->n = n;
    g->tasks = malloc((n ? n : 1) * sizeof *g->tasks);
    g->order = malloc((n ? n : 1) * sizeof *g->order);
    if (!g->tasks || !g->order) {
        gather_free(g);
        return 0;
    }
    if (n) memcpy(g->tasks, tasks, n * sizeof *tasks);
    am_task_id_t node = am__node_new(loop, AM_KIND_GATHER, g);
    if (!node) {
        gather_free(g);
        return 0;
    }
    /* tasks that already ended count at once, in submission order */
    size_t pending = 0;
    for (size_t i = 0; i < n; i++) {
        if (am__final(am__task(loop, tasks[i])->state))
            g->order[g->ndone++] = tasks[i];
        else if (am__watch(loop, tasks[i], node, (uint32_t)i))
            pending++;
    }
    if (pending == 0 || g->ndone > 0) {
        /* settle at the next turn, like a done callback: an early error or an empty gather */
        am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
    }
    return node;
}

size_t am_gather_tasks(const am_loop_t *loop, am_task_id_t g, const am_task_id_t **tasks)
{
    if (!am_task_valid(loop, g) || am_task_kind(loop, g) != AM_KIND_GATHER) return 0;
    const gather_t *x = am__ext(loop, g);
    *tasks = x->tasks;
    return x->n;
}

size_t am_gather_completed(const am_loop_t *loop, am_task_id_t g, const am_task_id_t **tasks)
{
    if (!am_task_valid(loop, g) || am_task_kind(loop, g) != AM_KIND_GATHER) return 0;
    const gather_t *x = am__ext(loop, g);
    *tasks = x->order;
    return x->ndone;
}
