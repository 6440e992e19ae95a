/* taskgroup.c — asyncio.TaskGroup: structured concurrency.
 *
 * The first child that raises cancels every sibling still running; the
 * group ends only when all its children have ended and its body is closed. */
#include <stdlib.h>

#include "runtime/internal.h"

typedef struct taskgroup_s {
    am_node_hdr_t hdr;
    am_task_id_t *tasks; /* owned */
    size_t n, cap;
    size_t live;
    int closed;
    int first_err; /* error of the first child that raised, 0 if none */
} taskgroup_t;

static void tg_free(void *ext)
{
    taskgroup_t *g = ext;
    if (!g) return;
    free(g->tasks);
    free(g);
}

static void tg_finish(am_loop_t *loop, am_task_id_t node)
{
    taskgroup_t *g = am__ext(loop, node);
    if (g->first_err)
        am__end(loop, node, AM_TASK_FAILED, g->first_err);
    else if (am__task(loop, node)->flags & AM_TF_CANCEL_REQ)
        am__end(loop, node, AM_TASK_CANCELLED, AM_ECANCELLED);
    else
        am__end(loop, node, AM_TASK_DONE, (int64_t)g->n);
}

static void cancel_children(am_loop_t *loop, taskgroup_t *g)
{
    for (size_t i = 0; i < g->n; i++)
        am__cancel(loop, g->tasks[i], 0);
}

static void tg_settle(am_loop_t *loop, am_task_id_t node, am_task_id_t child)
{
    taskgroup_t *g = am__ext(loop, node);
    const am_task_t *c = am__task(loop, child);
    if (!g->first_err && (c->state == AM_TASK_FAILED || c->state == AM_TASK_TIMED_OUT)) {
        g->first_err = (int)c->value;
        cancel_children(loop, g);
    }
    /* a child's failure cancels the body of `async with` too: no close needed */
    int body_done = g->closed || g->first_err || (am__task(loop, node)->flags & AM_TF_CANCEL_REQ);
    if (g->live == 0 && body_done) tg_finish(loop, node);
}

static void tg_child_ended(am_loop_t *loop, am_task_id_t node, am_task_id_t child, uint32_t slot)
{
    (void)slot;
    taskgroup_t *g = am__ext(loop, node);
    if (am__final(am__task(loop, node)->state)) return;
    g->live--;
    tg_settle(loop, node, child);
}

static void tg_fire(am_loop_t *loop, am_task_id_t node)
{
    taskgroup_t *g = am__ext(loop, node);
    /* a child's failure cancels the body of `async with` too: no close needed */
    int body_done = g->closed || g->first_err || (am__task(loop, node)->flags & AM_TF_CANCEL_REQ);
    if (g->live == 0 && body_done) tg_finish(loop, node);
}

static void tg_cancel(am_loop_t *loop, am_task_id_t node)
{
    taskgroup_t *g = am__ext(loop, node);
    cancel_children(loop, g);
    if (g->live == 0) am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
}

const am_node_ops_t am__taskgroup_ops = {tg_child_ended, tg_fire, tg_cancel, tg_free};

am_task_id_t am_taskgroup(am_loop_t *loop, am_done_cb cb, void *data)
{
    taskgroup_t *g = calloc(1, sizeof *g);
    if (!g) return 0;
    g->hdr = (am_node_hdr_t){cb, data};
    am_task_id_t node = am__node_new(loop, AM_KIND_TASKGROUP, g);
    if (!node) free(g);
    return node;
}

static taskgroup_t *tg_ext(const am_loop_t *loop, am_task_id_t tg)
{
    if (!am_task_valid(loop, tg) || am_task_kind(loop, tg) != AM_KIND_TASKGROUP) return NULL;
    return am__ext(loop, tg);
}

int am_taskgroup_add(am_loop_t *loop, am_task_id_t tg, am_task_id_t task)
{
    taskgroup_t *g = tg_ext(loop, tg);
    if (!g || !am_task_valid(loop, task)) return AM_EINVAL;
    /* a finished or failing group takes no new tasks (asyncio raises RuntimeError);
     * a closed one still does while it waits for its children, as in asyncio */
    const am_task_t *self = am__task(loop, tg);
    if (g->first_err || am__final(self->state)) return AM_ESTATE;
    /* nor does a cancelled one: it is shutting down, and the new task would
     * escape the cancellation the group passed on to its children */
    if (self->flags & AM_TF_CANCEL_REQ) return AM_ESTATE;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        am_task_id_t *t = realloc(g->tasks, cap * sizeof *t);
        if (!t) return AM_ENOMEM;
        g->tasks = t;
        g->cap = cap;
    }
    g->tasks[g->n++] = task;
    if (am__final(am__task(loop, task)->state)) {
        tg_settle(loop, tg, task);
        return 0;
    }
    if (!am__watch(loop, task, tg, 0)) return AM_ENOMEM;
    g->live++;
    return 0;
}

int am_taskgroup_close(am_loop_t *loop, am_task_id_t tg)
{
    taskgroup_t *g = tg_ext(loop, tg);
    if (!g) return AM_EINVAL;
    if (g->closed) return AM_ESTATE;
    g->closed = 1;
    if (g->live == 0) am__schedule(loop, tg, &am__task(loop, tg)->heap_pos, am__now(loop));
    return 0;
}

size_t am_taskgroup_tasks(const am_loop_t *loop, am_task_id_t tg, const am_task_id_t **tasks)
{
    const taskgroup_t *g = tg_ext(loop, tg);
    if (!g) return 0;
    *tasks = g->tasks;
    return g->n;
}
