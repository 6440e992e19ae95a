/* loop.c — the virtual clock, the timer heap and the one uv_timer behind them.
 *
 * Every scheduled thing (a task's next step, a node's timeout, a callout) is
 * an entry in one binary min-heap keyed by (virtual time, sequence). The uv
 * timer is armed for the root only. When it fires, every entry that is due is
 * run, within a budget so that the front ends' own handles still get turns. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/internal.h"

/* Entries run per uv timer callback before yielding to the rest of the loop. */
#define AM_DISPATCH_BUDGET 20000

static void arm(am_loop_t *loop);
static const am_hent_t *peek(am_loop_t *loop);
static void ready_reset(am_loop_t *loop);

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
    /* dropping stale entries changes nothing anyone can observe */
    const am_hent_t *e = peek((am_loop_t *)loop);
    return e ? e->when : -1;
}

/* ---- heap ----
 *
 * A 4-ary min-heap on (when, seq), with lazy deletion: each task or callout
 * keeps, in its heap_pos field, the seq of its one live entry (0: none).
 * Cancelling or rescheduling just changes that field; the old entry is
 * skipped when it reaches the top and swept out when stale entries pile up.
 * So sifting never writes into the task table — at ten million tasks that
 * table is far larger than the caches, and a write per level was most of
 * the cost — and four children share one or two cache lines. */

#define ARITY 4

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

static int entry_live(am_loop_t *loop, const am_hent_t *e)
{
    return *pos_of(loop, e->ref) == e->seq;
}

static void sift_up(am_hent_t *h, uint32_t i)
{
    am_hent_t e = h[i];
    while (i > 0) {
        uint32_t p = (i - 1) / ARITY;
        if (!hless(&e, &h[p])) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static void sift_down(am_hent_t *h, uint32_t n, uint32_t i)
{
    am_hent_t e = h[i];
    for (;;) {
        uint32_t c = ARITY * i + 1;
        if (c >= n) break;
        uint32_t best = c, last = c + ARITY < n ? c + ARITY : n;
        for (uint32_t k = c + 1; k < last; k++)
            if (hless(&h[k], &h[best])) best = k;
        if (!hless(&h[best], &e)) break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void heap_pop(am_loop_t *loop)
{
    uint32_t n = --loop->heap_len;
    if (n == 0) return;
    loop->heap[0] = loop->heap[n];
    sift_down(loop->heap, n, 0);
}

/* Sweep out stale entries and rebuild the heap: O(n), run when at least
 * half of it is garbage, so O(1) per schedule amortised. */
static void heap_compact(am_loop_t *loop)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < loop->heap_len; i++)
        if (entry_live(loop, &loop->heap[i])) loop->heap[n++] = loop->heap[i];
    loop->heap_len = n;
    for (uint32_t i = n / ARITY + 1; i-- > 0;)
        if (i < n) sift_down(loop->heap, n, i);
    loop->garbage = 0;
}

/* Drop stale entries from the top of the heap and the front of the FIFO. */
static void drop_stale(am_loop_t *loop)
{
    while (loop->heap_len && !entry_live(loop, &loop->heap[0])) {
        heap_pop(loop);
        if (loop->garbage) loop->garbage--;
    }
    while (loop->ready_head < loop->ready_len && !entry_live(loop, &loop->ready[loop->ready_head]))
        if (++loop->ready_head == loop->ready_len) ready_reset(loop);
}

/* The earliest live entry: the ready FIFO's front or the heap's root. The
 * FIFO holds tasks just created, whose first step is "now": appending there
 * costs O(1) where the heap would cost a push and an O(log n) pop, which is
 * most of the work when a million tasks are spawned at once. Its entries are
 * kept in (when, seq) order, so merging the two gives exactly the heap's. */
static const am_hent_t *peek(am_loop_t *loop)
{
    drop_stale(loop);
    const am_hent_t *r = loop->ready_head < loop->ready_len ? &loop->ready[loop->ready_head] : NULL;
    const am_hent_t *h = loop->heap_len ? &loop->heap[0] : NULL;
    if (!r) return h;
    if (!h) return r;
    return hless(r, h) ? r : h;
}

static uint32_t next_seq(am_loop_t *loop)
{
    if (++loop->seq == 0) loop->seq = 1; /* 0 means "not scheduled" */
    return loop->seq;
}

void am__unschedule(am_loop_t *loop, uint32_t *heap_pos)
{
    if (*heap_pos) {
        *heap_pos = 0;
        loop->garbage++;
    }
}

void am__schedule(am_loop_t *loop, uint32_t ref, uint32_t *heap_pos, am_time_t when)
{
    if (!loop->rbase) loop->rbase = uv_hrtime(); /* the first thing scheduled starts the clock */
    am__unschedule(loop, heap_pos);
    if (loop->heap_len == loop->heap_cap || loop->garbage > loop->heap_len / 2 + 1024)
        heap_compact(loop);
    /* room was made when the task or callout was created (am__heap_fit): live
     * entries never outnumber tasks and callouts */
    assert(loop->heap_len < loop->heap_cap);
    am_hent_t e = {when, next_seq(loop), ref};
    *heap_pos = e.seq;
    loop->heap[loop->heap_len] = e;
    sift_up(loop->heap, loop->heap_len++);
    if (!loop->in_dispatch && loop->heap[0].seq == e.seq) arm(loop);
}

/* The ready FIFO is empty: start it over, and give a big buffer back. */
static void ready_reset(am_loop_t *loop)
{
    loop->ready_head = loop->ready_len = 0;
    if (loop->ready_cap > 65536) {
        free(loop->ready);
        loop->ready = NULL;
        loop->ready_cap = 0;
    }
}

int am__schedule_start(am_loop_t *loop, am_task_id_t id)
{
    if (!loop->rbase) loop->rbase = uv_hrtime();
    if (loop->ready_len == loop->ready_cap) {
        uint32_t cap = loop->ready_cap ? loop->ready_cap * 2 : 1024;
        am_hent_t *r = realloc(loop->ready, (size_t)cap * sizeof *r);
        if (!r) return AM_ENOMEM;
        loop->ready = r;
        loop->ready_cap = cap;
    }
    am_time_t when = am__now(loop);
    /* kept sorted: a late dispatch can create tasks "before" ones already queued */
    if (loop->ready_len > loop->ready_head && loop->ready[loop->ready_len - 1].when > when)
        when = loop->ready[loop->ready_len - 1].when;
    am_hent_t e = {when, next_seq(loop), id};
    am__task(loop, id)->heap_pos = e.seq;
    loop->ready[loop->ready_len++] = e;
    if (!loop->in_dispatch && !loop->timer_armed) arm(loop);
    return 0;
}

/* ---- dispatch ---- */

static double clock_seconds(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t run_due(am_loop_t *loop, am_time_t now, size_t budget)
{
    size_t ran = 0;
    int paused = loop->paused; /* am_loop_step runs while paused */
    loop->in_dispatch = 1;
    loop->dispatch_now = now;
    const am_hent_t *next;
    while ((next = peek(loop)) && next->when <= now && ran < budget) {
        /* a callback paused the loop: finish this instant, even when late */
        if (loop->paused && !paused && next->when > loop->cur) break;
        am_hent_t e = *next;
        if (next == &loop->heap[0] && loop->heap_len)
            heap_pop(loop);
        else if (++loop->ready_head == loop->ready_len)
            ready_reset(loop);
        *pos_of(loop, e.ref) = 0; /* no longer scheduled */
        loop->cur = e.when;
        if (now - e.when > loop->stats.max_late) loop->stats.max_late = now - e.when;
        if (e.ref & AM_REF_CALLOUT) {
            am__dispatch_callout(loop, e.ref & ~AM_REF_CALLOUT);
        } else {
            /* asyncio debug mode: report a step that held the loop too long.
             * The coarse clock costs a few ns and has ms resolution, plenty
             * to tell a step of ~100 ms; only program tasks do real work,
             * and their steps are timed exactly, as the figure is shown. */
            clockid_t which = loop->tasks[e.ref].kind == AM_KIND_PROGRAM ? CLOCK_MONOTONIC
                                                                         : CLOCK_MONOTONIC_COARSE;
            double t0 = clock_seconds(which);
            am__dispatch_task(loop, e.ref);
            double dt = clock_seconds(which) - t0;
            if (dt >= loop->slow_threshold) am__slow_step(loop, e.ref, dt);
        }
        ran++;
    }
    loop->in_dispatch = 0;
    loop->stats.dispatched += ran;
    return ran;
}

static void on_timer(uv_timer_t *t);

/* A batch ran out of budget with more entries due at once. libuv before 1.45
 * runs a timer re-armed for 0 ms from its own callback again straight away,
 * before any I/O, signal or other timer (and without updating its clock): the
 * next batch runs from an idle handle instead, after the front ends' handles
 * have had their turn. */
static void on_idle(uv_idle_t *h)
{
    am_loop_t *loop = h->data;
    uv_idle_stop(h);
    on_timer(&loop->timer);
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
        const am_hent_t *next;
        while ((next = peek(loop)) && budget > 0 && !loop->paused && isinf(loop->speed)) {
            if (next->when > loop->vbase) loop->vbase = next->when;
            budget -= run_due(loop, loop->vbase, budget);
        }
    } else {
        run_due(loop, clock_now(loop), AM_DISPATCH_BUDGET);
    }
    arm(loop);
    if (loop->timer_armed && uv_timer_get_due_in(&loop->timer) == 0) {
        uv_timer_stop(&loop->timer);
        loop->timer_armed = 0;
        uv_idle_start(&loop->idle, on_idle);
    }
}

/* Arm the uv timer for the earliest entry (or stop it). */
static void arm(am_loop_t *loop)
{
    if (loop->in_dispatch) return; /* on_timer re-arms when it is done */
    const am_hent_t *next = peek(loop);
    if (!next || loop->paused) {
        if (loop->timer_armed) uv_timer_stop(&loop->timer);
        loop->timer_armed = 0;
        uv_idle_stop(&loop->idle);
        return;
    }
    uint64_t ms = 0;
    if (!isinf(loop->speed)) {
        am_time_t dv = next->when - clock_now(loop);
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
    const am_hent_t *next = peek(loop);
    if (!next) return 0;
    am_time_t when = next->when;
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
    loop->kill_grace = 2.0;
    loop->slow_threshold = 0.1;
    am_rng_seed(&loop->rng, 1);
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
    uv_mutex_init(&loop->post_lock);
    uv_async_init(uv, &loop->post_async, am__apply_posts);
    loop->post_async.data = loop;
    uv_unref((uv_handle_t *)&loop->post_async); /* never what keeps the loop alive */
    uv_idle_init(uv, &loop->idle);
    loop->idle.data = loop;
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
        if (t->kind == AM_KIND_EXTERN) { /* its record, in the extension table */
            free(loop->ext[t->aux]);
            loop->ext[t->aux] = NULL;
            continue;
        }
        if (!am__is_node(t->kind)) continue;
        const am_node_ops_t *ops = am__node_ops((am_task_kind_t)t->kind);
        if (ops->free_ext && loop->ext[t->aux]) ops->free_ext(loop->ext[t->aux]);
        loop->ext[t->aux] = NULL;
    }
    am__externals_free(loop); /* kills and reaps child processes, waits for pool jobs */
    am__health_free(loop);
    am__objs_free(loop);
    am__programs_free(loop);
    am__serve_free(loop);
    uv_close((uv_handle_t *)&loop->timer, on_close);
    uv_close((uv_handle_t *)&loop->post_async, on_close);
    uv_close((uv_handle_t *)&loop->idle, on_close);
    uv_run(loop->uv, UV_RUN_NOWAIT);
    uv_mutex_destroy(&loop->post_lock);
    free(loop->tasks);
    free(loop->heap);
    free(loop->ready);
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
    peek((am_loop_t *)loop); /* count live entries only */
    out->heap_len = loop->heap_len + (loop->ready_len - loop->ready_head);
    out->heap_len = out->heap_len > loop->garbage ? out->heap_len - loop->garbage : 0;
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
                     am__now(loop),
                     0};
    loop->observer(loop->observer_ctx, &ev);
}
