/* wait.c — asyncio.wait and asyncio.as_completed.
 *
 * wait keeps its tasks in one array split in two: [base, base+ndone) is the
 * done set and [base+ndone, n) the pending set. A task that ends is swapped
 * to the boundary, so both sets are readable at any moment in O(1) per end.
 * After the wait returns the sets are frozen (asyncio returns snapshots);
 * tasks ending later are remembered and moved in by the next rearm, so the
 * `while pending:` loop costs O(added + ended) per turn, not O(pending). */
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

typedef struct wait_s {
    am_node_hdr_t hdr;
    am_return_when_t rw;
    am_time_t timeout;
    int timed_out;
    size_t nexc; /* done tasks that raised (FIRST_EXCEPTION) */
    size_t base, ndone, n, cap;
    am_task_id_t *set; /* owned */
    uint32_t *lk;      /* owned: watch link of set[i], 0 once ended */
    uint32_t *late;    /* owned: positions of tasks that ended after the return */
    size_t nlate, late_cap;
    int late_lost; /* out of memory recording one: rearm scans instead */
} wait_t;

static void wait_free(void *ext)
{
    wait_t *w = ext;
    if (!w) return;
    free(w->set);
    free(w->lk);
    free(w->late);
    free(w);
}

static int raised(const am_task_t *t)
{
    /* asyncio counts an exception, not a cancellation, for FIRST_EXCEPTION */
    return t->state == AM_TASK_FAILED || t->state == AM_TASK_TIMED_OUT;
}

static int satisfied(const wait_t *w)
{
    size_t total = w->n - w->base;
    switch (w->rw) {
    case AM_FIRST_COMPLETED:
        return w->ndone > 0 || total == 0;
    case AM_FIRST_EXCEPTION:
        return w->nexc > 0 || w->ndone == total;
    default:
        return w->ndone == total;
    }
}

/* Move set[pos] (an ended task) to the done side. */
static void mark_done(am_loop_t *loop, wait_t *w, size_t pos)
{
    size_t b = w->base + w->ndone;
    if (pos != b) {
        am_task_id_t ti = w->set[pos];
        uint32_t li = w->lk[pos];
        w->set[pos] = w->set[b];
        w->lk[pos] = w->lk[b];
        if (w->lk[pos]) loop->links[w->lk[pos]].slot = (uint32_t)pos;
        w->set[b] = ti;
        w->lk[b] = li;
    }
    w->lk[b] = 0;
    w->ndone++;
    if (raised(am__task(loop, w->set[b]))) w->nexc++;
}

static int grow(wait_t *w, size_t more)
{
    if (w->n + more <= w->cap) return 0;
    size_t cap = w->cap ? w->cap : 16;
    while (cap < w->n + more)
        cap *= 2;
    am_task_id_t *s = realloc(w->set, cap * sizeof *s);
    if (!s) return AM_ENOMEM;
    w->set = s;
    uint32_t *l = realloc(w->lk, cap * sizeof *l);
    if (!l) return AM_ENOMEM;
    w->lk = l;
    w->cap = cap;
    return 0;
}

static int add_tasks(am_loop_t *loop, am_task_id_t node, wait_t *w, const am_task_id_t *tasks,
                     size_t n)
{
    if (grow(w, n) != 0) return AM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t pos = w->n++;
        w->set[pos] = tasks[i];
        w->lk[pos] = 0;
        if (am__final(am__task(loop, tasks[i])->state)) {
            mark_done(loop, w, pos);
        } else {
            w->lk[pos] = am__watch(loop, tasks[i], node, (uint32_t)pos);
            if (!w->lk[pos]) return AM_ENOMEM;
        }
    }
    return 0;
}

static void ret(am_loop_t *loop, am_task_id_t node, int timed_out)
{
    wait_t *w = am__ext(loop, node);
    w->timed_out = timed_out;
    am__end(loop, node, AM_TASK_DONE, (int64_t)w->ndone);
}

static void wait_child_ended(am_loop_t *loop, am_task_id_t node, am_task_id_t child, uint32_t slot)
{
    wait_t *w = am__ext(loop, node);
    am_task_t *t = am__task(loop, node);
    if (am__final(t->state)) {
        if (t->state != AM_TASK_DONE) return; /* a cancelled wait is never rearmed */
        w->lk[slot] = 0; /* the link was freed with the end: compact must not touch it */
        if (w->nlate == w->late_cap) {
            size_t cap = w->late_cap ? w->late_cap * 2 : 16;
            uint32_t *l = realloc(w->late, cap * sizeof *l);
            if (!l) {
                w->late_lost = 1;
                return;
            }
            w->late = l;
            w->late_cap = cap;
        }
        w->late[w->nlate++] = slot;
        return;
    }
    (void)child;
    mark_done(loop, w, slot);
    if (satisfied(w)) ret(loop, node, 0);
}

static void wait_fire(am_loop_t *loop, am_task_id_t node)
{
    am_task_t *t = am__task(loop, node);
    wait_t *w = am__ext(loop, node);
    if (t->flags & AM_TF_CANCEL_REQ)
        am__end(loop, node, AM_TASK_CANCELLED, AM_ECANCELLED);
    else if (satisfied(w))
        ret(loop, node, 0);
    else
        ret(loop, node, 1); /* the timeout: nothing is cancelled */
}

static void wait_cancel(am_loop_t *loop, am_task_id_t node)
{
    /* cancelling the waiter leaves the tasks alone, as in asyncio */
    am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
}

const am_node_ops_t am__wait_ops = {wait_child_ended, wait_fire, wait_cancel, wait_free};

static void arm_wait(am_loop_t *loop, am_task_id_t node, wait_t *w)
{
    am_task_t *t = am__task(loop, node);
    if (satisfied(w))
        am__schedule(loop, node, &t->heap_pos, am__now(loop));
    else if (w->timeout != AM_NO_TIMEOUT)
        am__schedule(loop, node, &t->heap_pos, am__now(loop) + w->timeout);
}

am_task_id_t am_wait(am_loop_t *loop, const am_task_id_t *tasks, size_t n,
                     am_return_when_t return_when, am_time_t timeout, am_done_cb cb, void *data)
{
    if (n == 0 || !tasks || (unsigned)return_when > AM_FIRST_EXCEPTION) return 0;
    if (timeout != AM_NO_TIMEOUT && timeout < 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (!am_task_valid(loop, tasks[i])) return 0;
    wait_t *w = calloc(1, sizeof *w);
    if (!w) return 0;
    w->hdr = (am_node_hdr_t){cb, data};
    w->rw = return_when;
    w->timeout = timeout;
    am_task_id_t node = am__node_new(loop, AM_KIND_WAIT, w);
    if (!node) {
        wait_free(w);
        return 0;
    }
    if (add_tasks(loop, node, w, tasks, n) != 0) {
        am__end(loop, node, AM_TASK_FAILED, AM_ENOMEM);
        return 0;
    }
    arm_wait(loop, node, w);
    return node;
}

static int cmp_pos(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Drop the consumed prefix when it outweighs the live part (amortised O(1)). */
static void compact(am_loop_t *loop, wait_t *w)
{
    if (w->base < 1024 || w->base < w->n - w->base) return;
    size_t live = w->n - w->base;
    memmove(w->set, w->set + w->base, live * sizeof *w->set);
    memmove(w->lk, w->lk + w->base, live * sizeof *w->lk);
    for (size_t i = 0; i < live; i++)
        if (w->lk[i]) loop->links[w->lk[i]].slot = (uint32_t)i;
    for (size_t i = 0; i < w->nlate; i++)
        w->late[i] -= (uint32_t)w->base;
    w->n = live;
    w->base = 0;
}

int am_wait_rearm(am_loop_t *loop, am_task_id_t node, const am_task_id_t *add, size_t nadd,
                  am_time_t timeout)
{
    if (!am_task_valid(loop, node) || am_task_kind(loop, node) != AM_KIND_WAIT) return AM_EINVAL;
    am_task_t *t = am__task(loop, node);
    if (t->state != AM_TASK_DONE) return AM_ESTATE;
    if (timeout != AM_NO_TIMEOUT && timeout < 0) return AM_EINVAL;
    for (size_t i = 0; i < nadd; i++)
        if (!am_task_valid(loop, add[i])) return AM_EINVAL;
    wait_t *w = am__ext(loop, node);
    if (w->n - w->base - w->ndone + nadd == 0) return AM_EINVAL; /* asyncio: empty set */
    w->base += w->ndone;
    w->ndone = 0;
    w->nexc = 0;
    compact(loop, w);
    /* in ascending order: mark_done swaps the first pending task into the
     * freed position, and that task must not be a late one still to come */
    if (w->nlate > 1) qsort(w->late, w->nlate, sizeof *w->late, cmp_pos);
    for (size_t i = 0; i < w->nlate; i++)
        mark_done(loop, w, w->late[i]);
    w->nlate = 0;
    if (w->late_lost) {
        for (size_t i = w->base + w->ndone; i < w->n; i++)
            if (am__final(am__task(loop, w->set[i])->state)) mark_done(loop, w, i);
        w->late_lost = 0;
    }
    t->state = AM_TASK_RUNNING;
    t->end = -1;
    w->timed_out = 0;
    w->timeout = timeout;
    am__emit(loop, AM_EV_NODE_START, node, 0);
    if (add_tasks(loop, node, w, add, nadd) != 0) return AM_ENOMEM;
    arm_wait(loop, node, w);
    return 0;
}

static const wait_t *wait_ext(const am_loop_t *loop, am_task_id_t w)
{
    if (!am_task_valid(loop, w) || am_task_kind(loop, w) != AM_KIND_WAIT) return NULL;
    return am__ext(loop, w);
}

size_t am_wait_done(const am_loop_t *loop, am_task_id_t node, const am_task_id_t **tasks)
{
    const wait_t *w = wait_ext(loop, node);
    if (!w) return 0;
    *tasks = w->set + w->base;
    return w->ndone;
}

size_t am_wait_pending(const am_loop_t *loop, am_task_id_t node, const am_task_id_t **tasks)
{
    const wait_t *w = wait_ext(loop, node);
    if (!w) return 0;
    *tasks = w->set + w->base + w->ndone;
    return w->n - w->base - w->ndone;
}

int am_wait_timed_out(const am_loop_t *loop, am_task_id_t node)
{
    const wait_t *w = wait_ext(loop, node);
    return w ? w->timed_out : 0;
}

const char *am_return_when_name(am_return_when_t rw)
{
    switch (rw) {
    case AM_ALL_COMPLETED:
        return "ALL_COMPLETED";
    case AM_FIRST_COMPLETED:
        return "FIRST_COMPLETED";
    case AM_FIRST_EXCEPTION:
        return "FIRST_EXCEPTION";
    }
    return "?";
}

/* ---- as_completed ---- */

typedef struct as_completed_s {
    am_node_hdr_t hdr;
    am_item_cb item_cb;
    size_t n, ndone, nready;
    am_time_t deadline;  /* absolute, -1 for none */
    am_task_id_t *order; /* owned: completion order; [0, nready) ended before we started */
} as_completed_t;

static void ac_free(void *ext)
{
    as_completed_t *a = ext;
    if (!a) return;
    free(a->order);
    free(a);
}

static void ac_yield(am_loop_t *loop, am_task_id_t node, am_task_id_t child)
{
    as_completed_t *a = am__ext(loop, node);
    if (a->item_cb) a->item_cb(loop, node, child, a->hdr.data);
    if (!am__final(am__task(loop, node)->state) && ++a->ndone == a->n)
        am__end(loop, node, AM_TASK_DONE, (int64_t)a->n);
}

static void ac_child_ended(am_loop_t *loop, am_task_id_t node, am_task_id_t child, uint32_t slot)
{
    (void)slot;
    as_completed_t *a = am__ext(loop, node);
    if (am__final(am__task(loop, node)->state)) return; /* after a timeout: nobody iterates */
    a->order[a->nready++] = child;
    /* with a backlog of tasks that ended earlier, ac_fire yields them in order first */
    if (a->ndone + 1 == a->nready) ac_yield(loop, node, child);
}

static void ac_fire(am_loop_t *loop, am_task_id_t node)
{
    am_task_t *t = am__task(loop, node);
    as_completed_t *a = am__ext(loop, node);
    if (t->flags & AM_TF_CANCEL_REQ) {
        am__end(loop, node, AM_TASK_CANCELLED, AM_ECANCELLED);
        return;
    }
    /* tasks that had ended before as_completed was called come out first */
    while (a->ndone < a->nready && !am__final(am__task(loop, node)->state))
        ac_yield(loop, node, a->order[a->ndone]);
    if (am__final(am__task(loop, node)->state)) return;
    if (a->ndone == a->n)
        am__end(loop, node, AM_TASK_DONE, (int64_t)a->n);
    else if (a->deadline >= 0 && am__now(loop) >= a->deadline)
        am__end(loop, node, AM_TASK_TIMED_OUT, AM_ETIMEOUT); /* the tasks keep running */
    else if (a->deadline >= 0)
        am__schedule(loop, node, &am__task(loop, node)->heap_pos, a->deadline);
}

static void ac_cancel(am_loop_t *loop, am_task_id_t node)
{
    am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
}

const am_node_ops_t am__as_completed_ops = {ac_child_ended, ac_fire, ac_cancel, ac_free};

am_task_id_t am_as_completed(am_loop_t *loop, const am_task_id_t *tasks, size_t n,
                             am_time_t timeout, am_item_cb item_cb, am_done_cb done_cb, void *data)
{
    if ((n && !tasks) || (timeout != AM_NO_TIMEOUT && timeout < 0)) return 0;
    for (size_t i = 0; i < n; i++)
        if (!am_task_valid(loop, tasks[i])) return 0;
    as_completed_t *a = calloc(1, sizeof *a);
    if (!a) return 0;
    a->hdr = (am_node_hdr_t){done_cb, data};
    a->item_cb = item_cb;
    a->n = n;
    a->order = malloc((n ? n : 1) * sizeof *a->order);
    am_task_id_t node = a->order ? am__node_new(loop, AM_KIND_AS_COMPLETED, a) : 0;
    if (!node) {
        ac_free(a);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (am__final(am__task(loop, tasks[i])->state))
            a->order[a->nready++] = tasks[i];
        else if (!am__watch(loop, tasks[i], node, 0))
            return 0;
    }
    am_task_t *t = am__task(loop, node);
    a->deadline = timeout == AM_NO_TIMEOUT ? -1 : am__now(loop) + timeout;
    if (a->nready > 0 || n == 0)
        am__schedule(loop, node, &t->heap_pos, am__now(loop));
    else if (a->deadline >= 0)
        am__schedule(loop, node, &t->heap_pos, a->deadline);
    return node;
}

size_t am_as_completed_order(const am_loop_t *loop, am_task_id_t ac, const am_task_id_t **tasks)
{
    if (!am_task_valid(loop, ac) || am_task_kind(loop, ac) != AM_KIND_AS_COMPLETED) return 0;
    const as_completed_t *a = am__ext(loop, ac);
    *tasks = a->order;
    return a->ndone;
}
