/* task.c — the task table: simulated tasks, their steps, ends, cancellation,
 * deadlines, watchers and the read-only accessors.
 *
 * A simulated task's life is a chain of heap entries: start (at creation
 * time), one per progress step, and an end. Its next entry is at
 * min(next step, deadline), so a deadline costs nothing extra. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

static const char *const state_names[AM_TASK_NSTATES] = {"pending", "running",   "done",
                                                         "failed",  "cancelled", "timed_out"};
static const char *const kind_names[AM_KIND_NKINDS] = {"sleep",    "program", "extern",
                                                       "gather",   "wait",    "as_completed",
                                                       "wait_for", "shield",  "taskgroup"};

const char *am_task_state_name(am_task_state_t s)
{
    return (unsigned)s < AM_TASK_NSTATES ? state_names[s] : "?";
}

const char *am_task_kind_name(am_task_kind_t k)
{
    return (unsigned)k < AM_KIND_NKINDS ? kind_names[k] : "?";
}

const am_node_ops_t *am__node_ops(am_task_kind_t kind)
{
    switch (kind) {
    case AM_KIND_GATHER:
        return &am__gather_ops;
    case AM_KIND_WAIT:
        return &am__wait_ops;
    case AM_KIND_AS_COMPLETED:
        return &am__as_completed_ops;
    case AM_KIND_WAIT_FOR:
        return &am__wait_for_ops;
    case AM_KIND_SHIELD:
        return &am__shield_ops;
    case AM_KIND_TASKGROUP:
        return &am__taskgroup_ops;
    default:
        return NULL;
    }
}

/* ---- groups ---- */

int am_group_add(am_loop_t *loop, const char *name)
{
    if (!name || !*name || strlen(name) >= sizeof loop->groups[0].name) return AM_EINVAL;
    for (uint32_t i = 0; i < loop->ngroups; i++)
        if (strcmp(loop->groups[i].name, name) == 0) return (int)i;
    if (loop->ngroups >= UINT16_MAX) return AM_ELIMIT;
    if (loop->ngroups == loop->group_cap) {
        uint32_t cap = loop->group_cap ? loop->group_cap * 2 : 8;
        am_group_t *g = realloc(loop->groups, cap * sizeof *g);
        if (!g) return AM_ENOMEM;
        loop->groups = g;
        loop->group_cap = cap;
    }
    am_group_t *g = &loop->groups[loop->ngroups];
    memset(g, 0, sizeof *g);
    strcpy(g->name, name);
    return (int)loop->ngroups++;
}

const char *am_group_name(const am_loop_t *loop, uint16_t group)
{
    return group < loop->ngroups ? loop->groups[group].name : "?";
}

size_t am_group_count(const am_loop_t *loop)
{
    return loop->ngroups;
}

/* ---- creation ---- */

am_task_id_t am__task_new(am_loop_t *loop, am_task_kind_t kind, uint16_t group)
{
    if (loop->ntasks + 1 >= loop->task_cap) {
        size_t more = loop->task_cap / 2 + 1024;
        if (am_loop_reserve(loop, more) != 0) return 0;
    }
    am_task_id_t id = ++loop->ntasks;
    am_task_t *t = &loop->tasks[id];
    memset(t, 0, sizeof *t);
    t->start = -1;
    t->end = -1;
    t->deadline = -1;
    t->duration = AM_NO_TIMEOUT;
    t->total = 1;
    t->group = group;
    t->kind = (uint8_t)kind;
    t->state = AM_TASK_PENDING;
    return id;
}

am_task_id_t am_spawn_sleep(am_loop_t *loop, uint16_t group, const am_sleep_spec_t *spec)
{
    if (!spec || spec->duration < 0 || group >= loop->ngroups || spec->fail > 0) return 0;
    am_task_id_t id = am__task_new(loop, AM_KIND_SLEEP, group);
    if (!id) return 0;
    am_task_t *t = am__task(loop, id);
    t->duration = spec->duration;
    t->total = spec->steps ? spec->steps : 1;
    t->aux = loop->groups[group].spawned++;
    if (spec->fail) {
        t->flags |= AM_TF_PLANNED_FAIL;
        t->value = spec->fail;
    } else {
        t->value = spec->result;
    }
    loop->live++;
    am__emit(loop, AM_EV_CREATED, id, 0);
    if (am__schedule_start(loop, id) != 0) {
        /* no room to start it: it never runs */
        am__end(loop, id, AM_TASK_CANCELLED, AM_ENOMEM);
        return 0;
    }
    return id;
}

/* Give a task a slot in the extension table (combinators, extern tasks). */
static int ext_attach(am_loop_t *loop, am_task_id_t id, void *ext)
{
    if (loop->ext_len == loop->ext_cap) {
        uint32_t cap = loop->ext_cap ? loop->ext_cap * 2 : 64;
        void **e = realloc(loop->ext, cap * sizeof *e);
        if (!e) return AM_ENOMEM;
        loop->ext = e;
        loop->ext_cap = cap;
    }
    am__task(loop, id)->aux = loop->ext_len;
    loop->ext[loop->ext_len++] = ext;
    return 0;
}

am_task_id_t am__node_new(am_loop_t *loop, am_task_kind_t kind, void *ext)
{
    am_task_id_t id = am__task_new(loop, kind, 0);
    if (!id) return 0;
    if (ext_attach(loop, id, ext) != 0) {
        loop->ntasks--; /* the slot just taken: nothing refers to it yet */
        return 0;
    }
    am_task_t *t = am__task(loop, id);
    t->state = AM_TASK_RUNNING;
    t->start = am__now(loop);
    am__emit(loop, AM_EV_NODE_START, id, 0);
    return id;
}

void *am__ext(const am_loop_t *loop, am_task_id_t node)
{
    return loop->ext[loop->tasks[node].aux];
}

/* ---- watchers ---- */

uint32_t am__watch(am_loop_t *loop, am_task_id_t task, uint32_t watcher, uint32_t slot)
{
    uint32_t i = loop->link_free;
    if (i) {
        loop->link_free = loop->links[i].next;
    } else {
        if (loop->link_len + 1 >= loop->link_cap) {
            uint32_t cap = loop->link_cap ? loop->link_cap * 2 : 1024;
            am_link_t *l = realloc(loop->links, (size_t)cap * sizeof *l);
            if (!l) return 0;
            loop->links = l;
            loop->link_cap = cap;
            if (loop->link_len == 0) loop->link_len = 1; /* [0] unused */
        }
        i = loop->link_len++;
    }
    am_task_t *t = am__task(loop, task);
    loop->links[i] = (am_link_t){watcher, slot, t->watch};
    t->watch = i;
    return i;
}

int am_task_add_done_cb(am_loop_t *loop, am_task_id_t id, am_done_cb cb, void *data)
{
    if (!am_task_valid(loop, id) || !cb) return AM_EINVAL;
    uint32_t idx;
    int rc = am__callout_done(loop, id, cb, data, &idx);
    if (rc) return rc;
    if (am__final(am__task(loop, id)->state)) {
        am__callout_fire_soon(loop, idx);
    } else if (!am__watch(loop, id, AM_REF_CALLOUT | idx, 0)) {
        return AM_ENOMEM;
    }
    return 0;
}

/* ---- ending ---- */

int am__outcome_error(const am_task_t *t)
{
    return t->state == AM_TASK_DONE ? 0 : (int)t->value;
}

void am__end(am_loop_t *loop, am_task_id_t id, am_task_state_t state, int64_t value)
{
    am_task_t *t = am__task(loop, id);
    if (am__final(t->state)) return;
    am__unschedule(loop, &t->heap_pos);
    am__program_ended(loop, t); /* before its state changes: it counted while running */
    t->state = (uint8_t)state;
    t->value = value;
    t->end = am__now(loop);
    t->flags &= (uint8_t)~AM_TF_CANCEL_REQ;
    int node = am__is_node(t->kind);
    am__emit(loop, node ? AM_EV_NODE_END : AM_EV_ENDED, id, am__outcome_error(t));

    /* detach the watch list first: watchers may watch or end other tasks. It
     * was built by prepending: reverse it so watchers are told in the order
     * they began watching (asyncio runs done callbacks in the order added) */
    uint32_t l = 0, rest = t->watch;
    t->watch = 0;
    while (rest) {
        uint32_t next = loop->links[rest].next;
        loop->links[rest].next = l;
        l = rest;
        rest = next;
    }
    while (l) {
        am_link_t link = loop->links[l];
        loop->links[l].next = loop->link_free;
        loop->link_free = l;
        l = link.next;
        if (link.watcher & AM_REF_CALLOUT) {
            am__callout_fire_soon(loop, link.watcher & ~AM_REF_CALLOUT);
        } else {
            /* told even when the watcher has ended: a returned wait keeps late ends */
            const am_node_ops_t *ops = am__node_ops((am_task_kind_t)loop->tasks[link.watcher].kind);
            ops->child_ended(loop, link.watcher, id, link.slot);
        }
    }
    if (node) {
        am_node_hdr_t *h = am__ext(loop, id);
        if (h && h->cb) h->cb(loop, id, h->data);
    } else {
        am_time_t late = loop->dispatch_now - loop->tasks[id].end; /* t may have moved */
        if (loop->in_dispatch && late > loop->stats.max_end_late) loop->stats.max_end_late = late;
        if (--loop->live == 0 && loop->drain_cb) loop->drain_cb(loop, loop->drain_data);
    }
}

uint64_t am_loop_live(const am_loop_t *loop)
{
    return loop->live;
}

void am_loop_set_drain_cb(am_loop_t *loop, am_callout_cb cb, void *data)
{
    loop->drain_cb = cb;
    loop->drain_data = data;
}

/* ---- simulated work ---- */

static am_time_t next_step(const am_task_t *t)
{
    return t->start + t->duration * (am_time_t)(t->n + 1) / (am_time_t)t->total;
}

static void schedule_next(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    am_time_t when = next_step(t);
    if (t->deadline >= 0 && t->deadline < when) when = t->deadline;
    am__schedule(loop, id, &t->heap_pos, when);
}

/* Program tasks: their next entry is the earlier of the end of the current
 * sleep (`duration`, -1 when not sleeping) and the deadline; `when` >= 0
 * forces an entry at that time (resume now). */
void am__schedule_task(am_loop_t *loop, am_task_id_t id, am_time_t when)
{
    am_task_t *t = am__task(loop, id);
    if (when < 0) {
        when = t->duration;
        if (t->deadline >= 0 && (when < 0 || t->deadline < when)) when = t->deadline;
    }
    if (when < 0)
        am__unschedule(loop, &t->heap_pos);
    else
        am__schedule(loop, id, &t->heap_pos, when);
}

static void deliver_cancel(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    if (t->flags & AM_TF_TIMEOUT)
        am__end(loop, id, AM_TASK_TIMED_OUT, AM_ETIMEOUT);
    else
        am__end(loop, id, AM_TASK_CANCELLED, AM_ECANCELLED);
}

/* ---- extern tasks ---- */

typedef struct extern_rec_s {
    const am_extern_ops_t *ops;
    void *ctx;
    int cancel_told; /* ops->cancel has run */
    char name[48];
} extern_rec_t;

static extern_rec_t *extern_rec(const am_loop_t *loop, am_task_id_t id)
{
    return loop->ext[loop->tasks[id].aux];
}

am_task_id_t am_spawn_extern(am_loop_t *loop, uint16_t group, const char *name,
                             const am_extern_ops_t *ops, void *ctx)
{
    if (!ops || group >= loop->ngroups) return 0;
    extern_rec_t *r = calloc(1, sizeof *r);
    if (!r) return 0;
    r->ops = ops;
    r->ctx = ctx;
    if (name)
        snprintf(r->name, sizeof r->name, "%s", name);
    else
        snprintf(r->name, sizeof r->name, "%s-%u", am_group_name(loop, group),
                 loop->groups[group].spawned + 1);
    loop->groups[group].spawned++;
    am_task_id_t id = am__task_new(loop, AM_KIND_EXTERN, group);
    /* the record lives in the extension table, like a combinator's */
    if (!id || ext_attach(loop, id, r) != 0) {
        if (id) loop->ntasks--;
        free(r);
        return 0;
    }
    am__task(loop, id)->total = 0;
    loop->live++;
    am__emit(loop, AM_EV_CREATED, id, 0);
    if (am__schedule_start(loop, id) != 0) {
        am__end(loop, id, AM_TASK_CANCELLED, AM_ENOMEM);
        return 0;
    }
    return id;
}

static void extern_dispatch(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    extern_rec_t *r = extern_rec(loop, id);
    if (t->state == AM_TASK_PENDING && !(t->flags & AM_TF_CANCEL_REQ)) {
        t->state = AM_TASK_RUNNING;
        t->start = loop->cur;
        am__emit(loop, AM_EV_STARTED, id, 0);
        if (r->ops->start) r->ops->start(loop, id, r->ctx);
        /* a deadline set while it was pending runs from now on */
        if (!am__final(am__task(loop, id)->state)) am__schedule_task(loop, id, -1);
        return;
    }
    if (t->deadline >= 0 && loop->cur >= t->deadline) t->flags |= AM_TF_CANCEL_REQ | AM_TF_TIMEOUT;
    if (!(t->flags & AM_TF_CANCEL_REQ)) return;
    int timeout = (t->flags & AM_TF_TIMEOUT) != 0;
    if (t->state == AM_TASK_PENDING || !r->ops->cancel) { /* nothing started: end now */
        am__end(loop, id, timeout ? AM_TASK_TIMED_OUT : AM_TASK_CANCELLED,
                timeout ? AM_ETIMEOUT : AM_ECANCELLED);
        return;
    }
    if (!r->cancel_told) {
        r->cancel_told = 1;
        r->ops->cancel(loop, id, r->ctx, timeout);
    }
}

int am_task_finish(am_loop_t *loop, am_task_id_t id, am_task_state_t state, int64_t value)
{
    if (!am_task_valid(loop, id) || loop->tasks[id].kind != AM_KIND_EXTERN) return AM_EINVAL;
    if (am__final(loop->tasks[id].state)) return AM_ESTATE;
    if (state < AM_TASK_DONE || state >= AM_TASK_NSTATES) return AM_EINVAL;
    am__end(loop, id, state, value);
    return 0;
}

int am_task_set_progress(am_loop_t *loop, am_task_id_t id, uint32_t n, uint32_t total)
{
    if (!am_task_valid(loop, id) || loop->tasks[id].kind != AM_KIND_EXTERN) return AM_EINVAL;
    am_task_t *t = am__task(loop, id);
    if (am__final(t->state)) return AM_ESTATE;
    if (t->n == n && t->total == total) return 0;
    t->n = n;
    t->total = total;
    am__emit(loop, AM_EV_PROGRESS, id, 0);
    return 0;
}

int am_task_post_progress(am_loop_t *loop, am_task_id_t id, uint32_t n, uint32_t total)
{
    int rc = 0;
    uv_mutex_lock(&loop->post_lock);
    uint32_t i;
    for (i = 0; i < loop->nposts && loop->posts[i].id != id; i++)
        continue;
    if (i < loop->nposts)
        loop->posts[i] = (struct am_post_s){id, n, total};
    else if (loop->nposts < sizeof loop->posts / sizeof loop->posts[0])
        loop->posts[loop->nposts++] = (struct am_post_s){id, n, total};
    else
        rc = AM_ELIMIT;
    uv_mutex_unlock(&loop->post_lock);
    if (rc == 0) uv_async_send(&loop->post_async);
    return rc;
}

/* On the loop thread: take the mailbox, then apply it without the lock. */
void am__apply_posts(uv_async_t *h)
{
    am_loop_t *loop = h->data;
    struct am_post_s posts[sizeof loop->posts / sizeof loop->posts[0]];
    uv_mutex_lock(&loop->post_lock);
    uint32_t n = loop->nposts;
    memcpy(posts, loop->posts, n * sizeof posts[0]);
    loop->nposts = 0;
    uv_mutex_unlock(&loop->post_lock);
    for (uint32_t i = 0; i < n; i++) {
        am_task_id_t id = posts[i].id;
        if (!am_task_valid(loop, id)) continue;
        am_task_t *t = am__task(loop, id);
        if (t->state != AM_TASK_RUNNING) continue;
        int program_job = t->kind == AM_KIND_PROGRAM && (t->flags & AM_TF_EXTERNAL) &&
                          loop->progs[t->prog].repeat == 1;
        if (t->kind != AM_KIND_EXTERN && !program_job) continue;
        if (t->n == posts[i].n && t->total == posts[i].total) continue;
        t->n = posts[i].n;
        t->total = posts[i].total;
        am__emit(loop, AM_EV_PROGRESS, id, 0);
    }
}

void *am_task_extern_ctx(const am_loop_t *loop, am_task_id_t id)
{
    if (!am_task_valid(loop, id) || loop->tasks[id].kind != AM_KIND_EXTERN) return NULL;
    return extern_rec(loop, id)->ctx;
}

void am__dispatch_task(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    if (am__final(t->state)) return; /* a start entry outlived by a cancel */
    if (am__is_node(t->kind)) {
        am__node_ops((am_task_kind_t)t->kind)->fire(loop, id);
        return;
    }
    if (t->kind == AM_KIND_PROGRAM) {
        am__program_dispatch(loop, id);
        return;
    }
    if (t->kind == AM_KIND_EXTERN) {
        extern_dispatch(loop, id);
        return;
    }
    if (t->flags & AM_TF_CANCEL_REQ) {
        deliver_cancel(loop, id);
        return;
    }
    am_time_t now = loop->cur;
    if (t->state == AM_TASK_PENDING) {
        t->state = AM_TASK_RUNNING;
        t->start = now;
        am__emit(loop, AM_EV_STARTED, id, 0);
        if (t->deadline >= 0 && t->deadline <= now) {
            t->flags |= AM_TF_TIMEOUT;
            deliver_cancel(loop, id);
            return;
        }
        schedule_next(loop, id);
        return;
    }
    if (next_step(t) > now) { /* the deadline came first */
        t->flags |= AM_TF_TIMEOUT;
        deliver_cancel(loop, id);
        return;
    }
    if (t->n + 1 < t->total) {
        t->n++;
        am__emit(loop, AM_EV_PROGRESS, id, 0);
        schedule_next(loop, id);
    } else if (t->flags & AM_TF_PLANNED_FAIL) {
        am__end(loop, id, AM_TASK_FAILED, t->value);
    } else {
        t->n = t->total;
        am__end(loop, id, AM_TASK_DONE, t->value);
    }
}

/* ---- cancellation and deadlines ---- */

int am__cancel(am_loop_t *loop, am_task_id_t id, int timeout)
{
    if (!am_task_valid(loop, id)) return AM_ENOENT;
    am_task_t *t = am__task(loop, id);
    if (am__final(t->state)) return AM_ESTATE;
    if (t->flags & AM_TF_CANCEL_REQ) return 0;
    t->flags |= AM_TF_CANCEL_REQ;
    if (timeout) t->flags |= AM_TF_TIMEOUT;
    if (am__is_node(t->kind)) {
        am__node_ops((am_task_kind_t)t->kind)->cancel(loop, id);
    } else if (t->flags & AM_TF_EXTERNAL) {
        am__external_cancel(loop, id); /* it ends when the real work returns */
    } else {
        if (t->flags & AM_TF_WAITING) am__obj_leave(loop, id);
        am__schedule(loop, id, &t->heap_pos, am__now(loop));
    }
    return 0;
}

int am_task_cancel(am_loop_t *loop, am_task_id_t id)
{
    return am__cancel(loop, id, 0);
}

int am_task_set_timeout(am_loop_t *loop, am_task_id_t id, am_time_t delay)
{
    if (!am_task_valid(loop, id)) return AM_ENOENT;
    am_task_t *t = am__task(loop, id);
    if (am__is_node(t->kind)) return AM_EINVAL;
    if (am__final(t->state)) return AM_ESTATE;
    if (delay != AM_NO_TIMEOUT && delay < 0) return AM_EINVAL;
    t->deadline = delay == AM_NO_TIMEOUT ? -1 : am__now(loop) + delay;
    am__emit(loop, AM_EV_DEADLINE, id, 0);
    if (t->state != AM_TASK_RUNNING || (t->flags & AM_TF_CANCEL_REQ)) return 0;
    if (t->kind == AM_KIND_SLEEP)
        schedule_next(loop, id);
    else
        am__schedule_task(loop, id, -1);
    return 0;
}

static size_t cancel_where(am_loop_t *loop, int group)
{
    size_t n = 0;
    for (am_task_id_t id = 1; id <= loop->ntasks; id++) {
        am_task_t *t = &loop->tasks[id];
        if (am__is_node(t->kind) || am__final(t->state) || (t->flags & AM_TF_CANCEL_REQ)) continue;
        if (group >= 0 && t->group != group) continue;
        if (am__cancel(loop, id, 0) == 0) n++;
    }
    return n;
}

size_t am_group_cancel(am_loop_t *loop, uint16_t group)
{
    return cancel_where(loop, group);
}

size_t am_loop_cancel_all(am_loop_t *loop)
{
    return cancel_where(loop, -1);
}

/* ---- accessors ---- */

size_t am_task_count(const am_loop_t *loop)
{
    return loop->ntasks;
}

int am_task_valid(const am_loop_t *loop, am_task_id_t id)
{
    return id >= 1 && id <= loop->ntasks;
}

#define TASK_OR(loop, id, fallback)                                                                \
    if (!am_task_valid(loop, id)) return fallback;                                                 \
    const am_task_t *t = &(loop)->tasks[id]

am_task_state_t am_task_state(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, AM_TASK_PENDING);
    return (am_task_state_t)t->state;
}

am_task_kind_t am_task_kind(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, AM_KIND_SLEEP);
    return (am_task_kind_t)t->kind;
}

uint16_t am_task_group(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, 0);
    return t->group;
}

int am_task_is_final(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, 0);
    return am__final(t->state);
}

int am_task_is_node(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, 0);
    return am__is_node(t->kind);
}

int64_t am_task_result(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, 0);
    return t->state == AM_TASK_DONE ? t->value : 0;
}

int am_task_error(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, AM_ENOENT);
    return am__final(t->state) ? am__outcome_error(t) : 0;
}

void am_task_progress(const am_loop_t *loop, am_task_id_t id, uint32_t *n, uint32_t *total)
{
    uint32_t a = 0, b = 1;
    if (am_task_valid(loop, id)) {
        a = loop->tasks[id].n;
        b = loop->tasks[id].total;
    }
    if (n) *n = a;
    if (total) *total = b;
}

am_time_t am_task_started(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, -1);
    return t->start;
}

am_time_t am_task_ended(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, -1);
    return t->end;
}

am_time_t am_task_deadline(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, -1);
    return t->deadline;
}

am_time_t am_task_timeout_at(const am_loop_t *loop, am_task_id_t id)
{
    TASK_OR(loop, id, -1);
    am_time_t best = t->deadline;
    for (int depth = 0; depth < 8; depth++) { /* nesting deeper than that is not a teaching case */
        am_task_id_t outer = 0;
        for (uint32_t l = t->watch; l; l = loop->links[l].next) {
            uint32_t w = loop->links[l].watcher;
            if (w & AM_REF_CALLOUT || loop->tasks[w].kind != AM_KIND_WAIT_FOR ||
                am__final(loop->tasks[w].state))
                continue;
            am_time_t d = loop->tasks[w].deadline;
            if (d >= 0 && (best < 0 || d < best)) best = d;
            outer = w;
        }
        if (!outer) break;
        t = &loop->tasks[outer]; /* wait_for(wait_for(task)): the outer one's timeout too */
    }
    return best;
}

int am_task_name(const am_loop_t *loop, am_task_id_t id, char *buf, size_t size)
{
    TASK_OR(loop, id, snprintf(buf, size, "?"));
    if (t->kind == AM_KIND_EXTERN) return snprintf(buf, size, "%s", extern_rec(loop, id)->name);
    if (!am__is_node(t->kind))
        return snprintf(buf, size, "%s-%u", am_group_name(loop, t->group), t->aux + 1);
    return snprintf(buf, size, "%s#%u", am_task_kind_name((am_task_kind_t)t->kind), id);
}
