/* queue.c — asyncio.Queue, LifoQueue and PriorityQueue, with statistics.
 *
 * Items live in one binary heap whose order depends on the kind: FIFO by
 * insertion, LIFO by reverse insertion, priority by (priority, insertion) so
 * that equal priorities stay FIFO. A put into a full queue, or a get from an
 * empty one, suspends the task in a FIFO ring; the other side sets an item or
 * room aside for the first waiter and lets it through, so no wake-up is ever
 * lost to a task that slips in. The waiter takes what was set aside when it
 * runs; cancelled before that, as asyncio's get and put would be, it takes
 * nothing and what was set aside goes to the next waiter. */
#include <stdlib.h>
#include <string.h>

#include "runtime/objects.h"

#define SAMPLE_INTERVAL AM_USEC(0.25) /* virtual time between depth samples */

const char *am_queue_kind_name(am_queue_kind_t k)
{
    switch (k) {
    case AM_QUEUE_FIFO:
        return "fifo";
    case AM_QUEUE_LIFO:
        return "lifo";
    case AM_QUEUE_PRIORITY:
        return "priority";
    }
    return "?";
}

static int before(const am_queue_t *q, const am_qitem_t *a, const am_qitem_t *b)
{
    switch (q->kind) {
    case AM_QUEUE_LIFO:
        return a->seq > b->seq;
    case AM_QUEUE_PRIORITY:
        if (a->prio != b->prio) return a->prio < b->prio;
        return a->seq < b->seq;
    default:
        return a->seq < b->seq;
    }
}

static int heap_push(am_queue_t *q, am_qitem_t it)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        am_qitem_t *v = realloc(q->items, cap * sizeof *v);
        if (!v) return AM_ENOMEM;
        q->items = v;
        q->cap = cap;
    }
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(q, &it, &q->items[p])) break;
        q->items[i] = q->items[p];
        i = p;
    }
    q->items[i] = it;
    return 0;
}

/* Put `it` at slot i, moving it down below the children that come before it. */
static void sift_down(am_queue_t *q, size_t i, am_qitem_t it)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && before(q, &q->items[c + 1], &q->items[c])) c++;
        if (!before(q, &q->items[c], &it)) break;
        q->items[i] = q->items[c];
        i = c;
    }
    q->items[i] = it;
}

static am_qitem_t heap_pop(am_queue_t *q)
{
    am_qitem_t top = q->items[0];
    am_qitem_t last = q->items[--q->n];
    if (q->n) sift_down(q, 0, last);
    return top;
}

/* Depth history: a sample every SAMPLE_INTERVAL of virtual time, filled in
 * lazily. The depth has not changed since the last call, so every sample due
 * before `now` holds it: callers about to change the depth sample first. The
 * sample due at `now` itself is taken only when `upto` is set (a reader),
 * else by the next call, once the instant's changes are all made. */
static void sample(am_queue_t *q, am_time_t now, int upto)
{
    am_time_t last = upto ? now : now - 1;
    if (q->next_sample < 0) q->next_sample = now;
    for (int k = 0; last >= q->next_sample && k < AM_QUEUE_HISTORY; k++) {
        q->history[q->history_head] = (uint32_t)q->n;
        q->history_head = (q->history_head + 1) % AM_QUEUE_HISTORY;
        if (q->nhistory < AM_QUEUE_HISTORY) q->nhistory++;
        q->next_sample += SAMPLE_INTERVAL;
    }
    if (last >= q->next_sample) q->next_sample = last + SAMPLE_INTERVAL; /* a long quiet spell */
}

/* Room set aside for putters let through counts as taken; items set aside
 * for getters are still in the queue but no longer available. */
static int full(const am_queue_t *q)
{
    return q->maxsize > 0 && q->n + q->promised_room >= q->maxsize;
}

static size_t available(const am_queue_t *q)
{
    return q->n - q->promised_items;
}

/* Little's law: the depth integrated over time, brought up to now. */
void am__queue_account(am_queue_t *q, am_time_t now)
{
    if (now > q->area_at) q->depth_area += (double)q->n * AM_SECONDS(now - q->area_at);
    q->area_at = now;
}

static void changed(am_queue_t *q, am_time_t now)
{
    am__queue_account(q, now);
    q->last_change = now;
}

static int insert(am_loop_t *loop, am_queue_t *q, int64_t value, int64_t prio)
{
    am_time_t now = am__now(loop);
    am_qitem_t it = {prio, q->seq++, value, now};
    sample(q, now, 0);
    changed(q, now);
    if (heap_push(q, it) != 0) return AM_ENOMEM;
    q->puts++;
    q->unfinished++;
    if (q->n > q->max_depth) q->max_depth = q->n;
    return 0;
}

static am_qitem_t take(am_loop_t *loop, am_queue_t *q)
{
    am_time_t now = am__now(loop);
    sample(q, now, 0);
    changed(q, now);
    am_qitem_t it = heap_pop(q);
    if (q->norder < AM_QUEUE_ORDER) {
        q->order_prio[q->norder] = it.prio;
        q->order_seq[q->norder++] = it.seq;
    }
    q->gets++;
    am_quantile_add(&q->hist_wait, now - it.enq);
    q->window[q->window_head] = now - it.enq;
    q->window_head = (q->window_head + 1) % AM_QUEUE_WINDOW;
    if (q->nwindow < AM_QUEUE_WINDOW) q->nwindow++;
    q->wait_sum += AM_SECONDS(now - it.enq);
    return it;
}

static void let_through(am_loop_t *loop, am_task_id_t id)
{
    am__program_resume(loop, id);
    am__task(loop, id)->flags |= AM_TF_HANDED;
}

/* Set items aside for waiting getters and room for waiting putters until
 * neither can go on. */
static void settle(am_loop_t *loop, int obj)
{
    for (;;) {
        am_obj_t *o = &loop->objs[obj];
        am_queue_t *q = o->q;
        if (available(q) > 0 && o->waiters.live > 0) {
            am_task_id_t g = am__ring_pop_live(loop, &o->waiters);
            if (g) {
                q->promised_items++;
                let_through(loop, g);
            }
            continue;
        }
        if (!full(q) && q->putters.live > 0) {
            am_task_id_t p = am__ring_pop_live(loop, &q->putters);
            if (p) {
                q->promised_room++;
                let_through(loop, p);
            }
            continue;
        }
        return;
    }
}

void am__queue_handed_run(am_loop_t *loop, am_task_id_t id, int obj, am_op_kind_t kind)
{
    am_queue_t *q = loop->objs[obj].q;
    am__task(loop, id)->flags &= (uint8_t)~AM_TF_HANDED;
    if (kind == AM_OP_GET) {
        q->promised_items--;
        am_qitem_t it = take(loop, q);
        am__serve_got(loop, id, obj, &it);
    } else {
        q->promised_room--;
        /* a blocked putter keeps its item's priority in its value field; an
         * item drawn by the step (`put q items ...`) is its own priority */
        const am_task_t *t = am__task(loop, id);
        int drawn = loop->progs[t->prog].ops[t->pc - 1].n != 0;
        insert(loop, q, drawn ? t->value : (int64_t)id, t->value);
    }
    settle(loop, obj);
}

void am__queue_handed_abort(am_loop_t *loop, am_task_id_t id, int obj, am_op_kind_t kind)
{
    am_queue_t *q = loop->objs[obj].q;
    am__task(loop, id)->flags &= (uint8_t)~AM_TF_HANDED;
    if (kind == AM_OP_GET)
        q->promised_items--;
    else
        q->promised_room--;
    settle(loop, obj);
}

int am_queue_new(am_loop_t *loop, const char *name, am_queue_kind_t kind, uint32_t maxsize)
{
    if ((unsigned)kind > AM_QUEUE_PRIORITY) return AM_EINVAL;
    am_queue_t *q = calloc(1, sizeof *q);
    if (!q) return AM_ENOMEM;
    q->kind = kind;
    q->maxsize = maxsize;
    q->next_sample = -1;
    q->created = q->area_at = q->last_change = am__now(loop);
    am_rate_init(&q->put_rate, 0.3);
    am_rate_init(&q->get_rate, 0.3);
    int id = am__obj_new(loop, name, AM_OBJ_QUEUE);
    if (id < 0) {
        free(q);
        return id;
    }
    loop->objs[id].q = q;
    return id;
}

void am__queue_free(am_queue_t *q)
{
    am__ring_free(&q->putters);
    am__ring_free(&q->joiners);
    free(q->items);
    free(q);
}

static am_queue_t *queue(const am_loop_t *loop, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_QUEUE);
    return o ? o->q : NULL;
}

int am__queue_put(am_loop_t *loop, am_task_id_t id, int obj, int64_t value, int64_t prio)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    if (full(q) || q->putters.live > 0) { /* FIFO among producers too */
        am__task(loop, id)->value = prio;
        if (am__ring_push(&q->putters, id) != 0) return AM_ENOMEM;
        am__program_wait(loop, id, obj);
        return 0;
    }
    if (insert(loop, q, value, prio) != 0) return AM_ENOMEM;
    settle(loop, obj);
    return 1;
}

int am__queue_get(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_QUEUE);
    if (!o) return AM_EINVAL;
    if (available(o->q) > 0 && o->waiters.live == 0) {
        am_qitem_t it = take(loop, o->q);
        int rc = am__serve_got(loop, id, obj, &it);
        settle(loop, obj);
        return rc < 0 ? rc : 1;
    }
    if (am__ring_push(&o->waiters, id) != 0) return AM_ENOMEM;
    am__program_wait(loop, id, obj);
    return 0;
}

int am__queue_join(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    if (q->unfinished == 0) return 1;
    if (am__ring_push(&q->joiners, id) != 0) return AM_ENOMEM;
    am__program_wait(loop, id, obj);
    return 0;
}

int am_queue_task_done(am_loop_t *loop, int obj)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    if (q->unfinished == 0) return AM_EINVAL; /* ValueError: called too many times */
    if (--q->unfinished == 0) {
        am_task_id_t j;
        while ((j = am__ring_pop_live(loop, &q->joiners)) != 0)
            am__program_resume(loop, j);
        am_callout_cb cb = q->join_cb;
        q->join_cb = NULL;
        if (cb) cb(loop, q->join_data);
    }
    return 0;
}

int am_queue_on_join(am_loop_t *loop, int obj, am_callout_cb cb, void *data)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    q->join_cb = q->unfinished ? cb : NULL;
    q->join_data = data;
    return q->join_cb != NULL;
}

int am_queue_put_nowait(am_loop_t *loop, int obj, int64_t value, int64_t priority)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    if (full(q)) return AM_EFULL;
    if (insert(loop, q, value, priority) != 0) return AM_ENOMEM;
    settle(loop, obj);
    return 0;
}

int am_queue_get_nowait(am_loop_t *loop, int obj, int64_t *value)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    if (available(q) == 0) return AM_EEMPTY;
    am_qitem_t it = take(loop, q);
    if (value) *value = it.value;
    settle(loop, obj);
    return 0;
}

int am_queue_set_maxsize(am_loop_t *loop, int obj, uint32_t maxsize)
{
    am_queue_t *q = queue(loop, obj);
    if (!q) return AM_EINVAL;
    q->maxsize = maxsize;
    settle(loop, obj);
    return 0;
}

int am_queue_set_kind(am_loop_t *loop, int obj, am_queue_kind_t kind)
{
    am_queue_t *q = queue(loop, obj);
    if (!q || (unsigned)kind > AM_QUEUE_PRIORITY) return AM_EINVAL;
    q->kind = kind;
    /* rebuild the heap in the new order: sift every inner node down */
    for (size_t i = q->n / 2; i-- > 0;)
        sift_down(q, i, q->items[i]);
    return 0;
}

size_t am_queue_depth(const am_loop_t *loop, int obj)
{
    const am_queue_t *q = queue(loop, obj);
    return q ? q->n : 0;
}

static int cmp_time(const void *a, const void *b)
{
    am_time_t x = *(const am_time_t *)a, y = *(const am_time_t *)b;
    return (x > y) - (x < y);
}

int am_queue_stats(am_loop_t *loop, int obj, am_queue_stats_t *out)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_QUEUE);
    if (!o) return AM_EINVAL;
    am_queue_t *q = o->q;
    am_time_t now = am__now(loop);
    sample(q, now, 1);
    am_rate_update(&q->put_rate, (double)q->puts, AM_SECONDS(now));
    am_rate_update(&q->get_rate, (double)q->gets, AM_SECONDS(now));
    memset(out, 0, sizeof *out);
    out->kind = q->kind;
    out->maxsize = q->maxsize;
    out->depth = q->n;
    out->max_depth = q->max_depth;
    out->puts = q->puts;
    out->gets = q->gets;
    out->norder = q->norder;
    memcpy(out->order_prio, q->order_prio, sizeof out->order_prio);
    memcpy(out->order_seq, q->order_seq, sizeof out->order_seq);
    out->unfinished = q->unfinished;
    out->blocked_producers = q->putters.live;
    out->blocked_consumers = o->waiters.live;
    out->joiners = q->joiners.live;
    double pr = am_rate_value(&q->put_rate), gr = am_rate_value(&q->get_rate);
    out->put_rate = pr == pr ? pr : 0; /* NAN until the meter has two samples */
    out->get_rate = gr == gr ? gr : 0;
    if (q->nwindow) {
        am_time_t w[AM_QUEUE_WINDOW];
        memcpy(w, q->window, q->nwindow * sizeof *w);
        qsort(w, q->nwindow, sizeof *w, cmp_time);
        out->wait_p50 = AM_SECONDS(w[(q->nwindow - 1) * 50 / 100]);
        out->wait_p95 = AM_SECONDS(w[(q->nwindow - 1) * 95 / 100]);
        out->wait_max = AM_SECONDS(w[q->nwindow - 1]);
    }
    out->wait_mean = q->gets ? q->wait_sum / (double)q->gets : 0;
    for (size_t i = 0; i < q->nhistory; i++)
        out->history[i] =
            q->history[(q->history_head + AM_QUEUE_HISTORY - q->nhistory + i) % AM_QUEUE_HISTORY];
    out->nhistory = q->nhistory;
    return 0;
}
