/* loop.c — the virtual clock, the timer heap and the one uv_timer behind them.
 *
 * Every scheduled thing (a task's next step, a node's timeout, a callout) is
 * an entry in one binary min-heap keyed by (virtual time, sequence). The uv
 * timer is armed for the root only. When it fires, every entry that is due is
 * run, within a budget so that the front ends' own handles still get turns. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

/* Entries run per uv timer callback before yielding to the rest of the loop. */
#define AM_DISPATCH_BUDGET 20000

static void arm(am_loop_t *loop);

/* ---- clock ---- */

static am_time_t clock_now(const am_loop_t *loop)
{
    /* rbase 0: the clock has not started (see am_loop_new) */
    if (loop->paused || isinf(loop->speed) || !loop->rbase) return loop->vbase;
    uint64_t dt = uv_hrtime() - loop->rbase;
    return loop->vbase + (am_time_t)((double)dt / 1e3 * loop->speed);
}

am_time_t am__now(const am_loop_t *loop)
{
    return loop->in_dispatch ? loop->cur : clock_now(loop);
}

am_time_t am_loop_now(const am_loop_t *loop)
{
    return am__now(loop);
}

static void rebase(am_loop_t *loop)
{
    am_time_t now = clock_now(loop);
    if (now > loop->vbase) loop->vbase = now;
    loop->rbase = uv_hrtime();
}

int am_loop_set_speed(am_loop_t *loop, double speed)
{
    if (!(speed > 0)) return AM_EINVAL;
    rebase(loop);
    loop->speed = speed;
    arm(loop);
    return 0;
}

double am_loop_speed(const am_loop_t *loop)
{
    return loop->speed;
}

void am_loop_pause(am_loop_t *loop, int paused)
{
    paused = !!paused;
    if (paused == loop->paused) return;
    rebase(loop);
    loop->paused = paused;
    arm(loop);
}

int am_loop_paused(const am_loop_t *loop)
{
    return loop->paused;
}

am_time_t am_loop_next_time(const am_loop_t *loop)
{
    return loop->heap_len ? loop->heap[0].when : -1;
}

/* ---- heap ---- */

static int hless(const am_hent_t *a, const am_hent_t *b)
{
    if (a->when != b->when) return a->when < b->when;
    return (int32_t)(a->seq - b->seq) < 0; /* wrap-safe */
}

static uint32_t *pos_of(am_loop_t *loop, uint32_t ref)
{
    if (ref & AM_REF_CALLOUT) return &loop->callouts[ref & ~AM_REF_CALLOUT].heap_pos;
    return &loop->tasks[ref].heap_pos;
}

static void hset(am_loop_t *loop, uint32_t i, am_hent_t e)
{
    loop->heap[i] = e;
    *pos_of(loop, e.ref) = i + 1;
}

static void sift_up(am_loop_t *loop, uint32_t i)
{
    am_hent_t e = loop->heap[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!hless(&e, &loop->heap[p])) break;
        hset(loop, i, loop->heap[p]);
        i = p;
    }
    hset(loop, i, e);
}

static void sift_down(am_loop_t *loop, uint32_t i)
{
    am_hent_t e = loop->heap[i];
    uint32_t n = loop->heap_len;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && hless(&loop->heap[c + 1], &loop->heap[c])) c++;
        if (!hless(&loop->heap[c], &e)) break;
        hset(loop, i, loop->heap[c]);
        i = c;
    }
    hset(loop, i, e);
}

static void heap_remove_at(am_loop_t *loop, uint32_t i)
{
    *pos_of(loop, loop->heap[i].ref) = 0;
    uint32_t last = --loop->heap_len;
    if (i == last) return;
    loop->heap[i] = loop->heap[last];
    *pos_of(loop, loop->heap[i].ref) = i + 1;
    if (i > 0 && hless(&loop->heap[i], &loop->heap[(i - 1) / 2]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

void am__unschedule(am_loop_t *loop, uint32_t *heap_pos)
{
    if (*heap_pos) heap_remove_at(loop, *heap_pos - 1);
}

void am__schedule(am_loop_t *loop, uint32_t ref, uint32_t *heap_pos, am_time_t when)
{
    if (!loop->rbase) loop->rbase = uv_hrtime(); /* the first thing scheduled starts the clock */
    am_hent_t e = {when, loop->seq++, ref};
    if (*heap_pos) {
        /* reschedule in place: a new seq keeps FIFO among equal times */
        uint32_t i = *heap_pos - 1;
        loop->heap[i] = e;
        if (i > 0 && hless(&e, &loop->heap[(i - 1) / 2]))
            sift_up(loop, i);
        else
            sift_down(loop, i);
    } else {
        /* room was made when the task or callout was created: see am__heap_fit */
        assert(loop->heap_len < loop->heap_cap);
        loop->heap[loop->heap_len] = e;
        sift_up(loop, loop->heap_len++);
    }
    if (!loop->in_dispatch && loop->heap[0].ref == ref) arm(loop);
}

/* ---- dispatch ---- */

static size_t run_due(am_loop_t *loop, am_time_t now, size_t budget)
{
    size_t ran = 0;
    int paused = loop->paused; /* am_loop_step runs while paused */
    loop->in_dispatch = 1;
    loop->dispatch_now = now;
    while (loop->heap_len && loop->heap[0].when <= now && ran < budget) {
        /* a callback paused the loop: finish this instant, even when late */
        if (loop->paused && !paused && loop->heap[0].when > loop->cur) break;
        am_hent_t e = loop->heap[0];
        heap_remove_at(loop, 0);
        loop->cur = e.when;
        if (now - e.when > loop->stats.max_late) loop->stats.max_late = now - e.when;
        if (e.ref & AM_REF_CALLOUT)
            am__dispatch_callout(loop, e.ref & ~AM_REF_CALLOUT);
        else
            am__dispatch_task(loop, e.ref);
        ran++;
    }
    loop->in_dispatch = 0;
    loop->stats.dispatched += ran;
    return ran;
}

static void on_timer(uv_timer_t *t)
{
    am_loop_t *loop = t->data;
    loop->timer_armed = 0;
    loop->stats.timer_fires++;
    if (loop->paused) return;
    if (isinf(loop->speed)) {
        /* jump mode: run whole instants until the budget is spent */
        size_t budget = AM_DISPATCH_BUDGET;
        /* a callback may pause or change the speed: stop jumping at once */
        while (loop->heap_len && budget > 0 && !loop->paused && isinf(loop->speed)) {
            if (loop->heap[0].when > loop->vbase) loop->vbase = loop->heap[0].when;
            budget -= run_due(loop, loop->vbase, budget);
        }
    } else {
        run_due(loop, clock_now(loop), AM_DISPATCH_BUDGET);
    }
    arm(loop);
}

/* Arm the uv timer for the earliest entry (or stop it). */
static void arm(am_loop_t *loop)
{
    if (loop->in_dispatch) return; /* on_timer re-arms when it is done */
    if (!loop->heap_len || loop->paused) {
        if (loop->timer_armed) uv_timer_stop(&loop->timer);
        loop->timer_armed = 0;
        return;
    }
    uint64_t ms = 0;
    if (!isinf(loop->speed)) {
        am_time_t dv = loop->heap[0].when - clock_now(loop);
        if (dv > 0) {
            double real_us = (double)dv / loop->speed;
            ms = (uint64_t)((real_us + 999.0) / 1000.0);
        }
    }
    uv_timer_start(&loop->timer, on_timer, ms, 0);
    loop->timer_armed = 1;
}

size_t am_loop_step(am_loop_t *loop)
{
    if (!loop->heap_len) return 0;
    am_time_t when = loop->heap[0].when;
    if (when > loop->vbase) loop->vbase = when;
    loop->rbase = uv_hrtime();
    size_t ran = 0, r;
    while ((r = run_due(loop, loop->vbase, AM_DISPATCH_BUDGET)) > 0)
        ran += r;
    arm(loop);
    return ran;
}

/* ---- callouts ---- */

static uint32_t callout_alloc(am_loop_t *loop)
{
    uint32_t i = loop->callout_free;
    if (i) {
        loop->callout_free = loop->callouts[i].next_free;
    } else {
        if (loop->callout_len == loop->callout_cap) {
            uint32_t cap = loop->callout_cap ? loop->callout_cap * 2 : 16;
            am_callout_t *c = realloc(loop->callouts, (size_t)cap * sizeof *c);
            if (!c) return 0;
            memset(c + loop->callout_cap, 0, (size_t)(cap - loop->callout_cap) * sizeof *c);
            loop->callouts = c;
            loop->callout_cap = cap;
            if (am__heap_fit(loop) != 0) return 0;
            if (loop->callout_len == 0) loop->callout_len = 1; /* [0] unused */
        }
        i = loop->callout_len++;
    }
    loop->callouts[i].gen++;
    loop->callouts[i].next_free = 0;
    return i;
}

static void callout_release(am_loop_t *loop, uint32_t i)
{
    am_callout_t *c = &loop->callouts[i];
    c->cb = NULL;
    c->done = NULL;
    c->next_free = loop->callout_free;
    loop->callout_free = i;
}

int64_t am_loop_call_at(am_loop_t *loop, am_time_t when, am_callout_cb cb, void *data)
{
    if (!cb) return AM_EINVAL;
    /* a time in the past means as soon as possible: the clock never runs backwards */
    if (when < am__now(loop)) when = am__now(loop);
    uint32_t i = callout_alloc(loop);
    if (!i) return AM_ENOMEM;
    am_callout_t *c = &loop->callouts[i];
    c->cb = cb;
    c->data = data;
    c->task = 0;
    am__schedule(loop, AM_REF_CALLOUT | i, &c->heap_pos, when);
    return ((int64_t)c->gen << 32) | i;
}

int am_loop_cancel_callout(am_loop_t *loop, int64_t handle)
{
    uint32_t i = (uint32_t)(handle & 0xffffffff);
    uint32_t gen = (uint32_t)(handle >> 32);
    if (handle <= 0 || i == 0 || i >= loop->callout_len) return AM_ENOENT;
    am_callout_t *c = &loop->callouts[i];
    if (c->gen != gen || (!c->cb && !c->done) || !c->heap_pos) return AM_ENOENT;
    am__unschedule(loop, &c->heap_pos);
    callout_release(loop, i);
    arm(loop);
    return 0;
}

int am__callout_done(am_loop_t *loop, am_task_id_t task, am_done_cb cb, void *data, uint32_t *index)
{
    uint32_t i = callout_alloc(loop);
    if (!i) return AM_ENOMEM;
    am_callout_t *c = &loop->callouts[i];
    c->done = cb;
    c->data = data;
    c->task = task;
    *index = i;
    return 0;
}

void am__dispatch_callout(am_loop_t *loop, uint32_t idx)
{
    am_callout_t c = loop->callouts[idx];
    callout_release(loop, idx);
    if (c.done)
        c.done(loop, c.task, c.data);
    else if (c.cb)
        c.cb(loop, c.data);
}

void am__callout_fire_soon(am_loop_t *loop, uint32_t idx)
{
    am__schedule(loop, AM_REF_CALLOUT | idx, &loop->callouts[idx].heap_pos, am__now(loop));
}

/* ---- lifecycle ---- */

am_loop_t *am_loop_new(uv_loop_t *uv)
{
    am_loop_t *loop = calloc(1, sizeof *loop);
    if (!loop) return NULL;
    loop->uv = uv;
    loop->speed = 1.0;
    /* rbase stays 0 until the first schedule, speed or pause change: time
     * spent setting up is not virtual time, so jump-mode runs start at 0 */
    loop->ntasks = 0;
    if (am_loop_reserve(loop, 1024) != 0 || am_group_add(loop, "tasks") < 0) {
        free(loop->tasks);
        free(loop->heap);
        free(loop->groups);
        free(loop);
        return NULL;
    }
    uv_timer_init(uv, &loop->timer);
    loop->timer.data = loop;
    return loop;
}

uv_loop_t *am_loop_uv(const am_loop_t *loop)
{
    return loop->uv;
}

int am_loop_reserve(am_loop_t *loop, size_t n)
{
    size_t want = (size_t)loop->ntasks + 1 + n;
    if (want > UINT32_MAX / 2) return AM_ELIMIT;
    if (want > loop->task_cap) {
        am_task_t *t = realloc(loop->tasks, want * sizeof *t);
        if (!t) return AM_ENOMEM;
        loop->tasks = t;
        loop->task_cap = (uint32_t)want;
    }
    return am__heap_fit(loop);
}

/* Every task and callout has at most one heap entry: size the heap for all of
 * them up front, so scheduling never allocates or fails. */
int am__heap_fit(am_loop_t *loop)
{
    size_t want = (size_t)loop->task_cap + loop->callout_cap;
    if (want <= loop->heap_cap) return 0;
    am_hent_t *h = realloc(loop->heap, want * sizeof *h);
    if (!h) return AM_ENOMEM;
    loop->heap = h;
    loop->heap_cap = (uint32_t)want;
    return 0;
}

static void on_close(uv_handle_t *h)
{
    (void)h;
}

void am_loop_free(am_loop_t *loop)
{
    if (!loop) return;
    for (uint32_t id = 1; id <= loop->ntasks; id++) {
        am_task_t *t = &loop->tasks[id];
        if (t->kind == AM_KIND_SLEEP) continue;
        const am_node_ops_t *ops = am__node_ops((am_task_kind_t)t->kind);
        if (ops->free_ext && loop->ext[t->aux]) ops->free_ext(loop->ext[t->aux]);
        loop->ext[t->aux] = NULL;
    }
    uv_close((uv_handle_t *)&loop->timer, on_close);
    uv_run(loop->uv, UV_RUN_NOWAIT);
    free(loop->tasks);
    free(loop->heap);
    free(loop->links);
    free(loop->ext);
    free(loop->callouts);
    free(loop->groups);
    free(loop);
}

void am_loop_set_observer(am_loop_t *loop, am_observer_fn fn, void *ctx)
{
    loop->observer = fn;
    loop->observer_ctx = ctx;
}

void am_loop_stats(const am_loop_t *loop, am_loop_stats_t *out)
{
    *out = loop->stats;
    out->heap_len = loop->heap_len;
    out->bytes =
        (size_t)loop->task_cap * sizeof(am_task_t) + (size_t)loop->heap_cap * sizeof(am_hent_t) +
        (size_t)loop->link_cap * sizeof(am_link_t) + (size_t)loop->ext_cap * sizeof(void *) +
        (size_t)loop->callout_cap * sizeof(am_callout_t) +
        (size_t)loop->group_cap * sizeof(am_group_t);
}

void am__emit(am_loop_t *loop, am_event_type_t type, am_task_id_t id, int err)
{
    if (!loop->observer) return;
    const am_task_t *t = &loop->tasks[id];
    am_event_t ev = {type,
                     id,
                     (am_task_kind_t)t->kind,
                     (am_task_state_t)t->state,
                     t->group,
                     t->n,
                     t->total,
                     err,
                     am__now(loop)};
    loop->observer(loop->observer_ctx, &ev);
}
