/* sync.c — Semaphore, BoundedSemaphore, Lock, Event and Condition.
 *
 * Wake-ups hand the permit (or the lock) straight to the first waiter still
 * waiting, FIFO, and resume it at the current instant. Doing the hand-off
 * here, rather than letting the woken task race for it when it runs, is what
 * makes permit accounting exact: nothing can slip in between, and a waiter
 * cancelled after the hand-off releases what it was given when it ends. */
#include <stdlib.h>
#include <string.h>

#include "runtime/objects.h"

static const char *const kind_names[AM_OBJ_NKINDS] = {"semaphore", "bounded semaphore", "lock",
                                                      "event",     "condition",         "queue"};

const char *am_obj_kind_name(am_obj_kind_t k)
{
    return (unsigned)k < AM_OBJ_NKINDS ? kind_names[k] : "?";
}

/* ---- rings ---- */

int am__ring_push(am_ring_t *r, am_task_id_t id)
{
    if (r->len == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 16;
        am_task_id_t *v = malloc((size_t)cap * sizeof *v);
        if (!v) return AM_ENOMEM;
        for (uint32_t i = 0; i < r->len; i++)
            v[i] = r->v[(r->head + i) % r->cap];
        free(r->v);
        r->v = v;
        r->head = 0;
        r->cap = cap;
    }
    r->v[(r->head + r->len++) % r->cap] = id;
    r->live++;
    return 0;
}

am_task_id_t am__ring_pop_live(am_loop_t *loop, am_ring_t *r)
{
    while (r->len) {
        am_task_id_t id = r->v[r->head];
        r->head = (r->head + 1) % r->cap;
        r->len--;
        const am_task_t *t = am__task(loop, id);
        if (t->state == AM_TASK_RUNNING && (t->flags & AM_TF_WAITING) &&
            !(t->flags & AM_TF_CANCEL_REQ)) {
            r->live--;
            return id;
        }
    }
    return 0;
}

void am__ring_free(am_ring_t *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* Put a task to wait on ring r of object obj. */
static int wait_on(am_loop_t *loop, am_ring_t *r, am_task_id_t id, int obj)
{
    if (am__ring_push(r, id) != 0) return AM_ENOMEM;
    am__program_wait(loop, id, obj);
    return 0;
}

/* ---- objects ---- */

am_obj_t *am__obj(const am_loop_t *loop, int id, am_obj_kind_t want)
{
    if (id <= 0 || (uint32_t)id > loop->nobjs) return NULL;
    am_obj_t *o = &loop->objs[id];
    if (o->kind == want) return o;
    /* a bounded semaphore is a semaphore; a condition has a lock */
    if (want == AM_OBJ_SEMAPHORE && o->kind == AM_OBJ_BOUNDED_SEMAPHORE) return o;
    if (want == AM_OBJ_LOCK && o->kind == AM_OBJ_CONDITION) return o;
    return NULL;
}

int am__obj_new(am_loop_t *loop, const char *name, am_obj_kind_t kind)
{
    if (!name || !*name || strlen(name) >= AM_OBJ_NAME_MAX) return AM_EINVAL;
    if (am_obj_find(loop, name) > 0) return AM_EINVAL;
    if (loop->nobjs + 1 >= loop->obj_cap) {
        uint32_t cap = loop->obj_cap ? loop->obj_cap * 2 : 8;
        am_obj_t *o = realloc(loop->objs, (size_t)cap * sizeof *o);
        if (!o) return AM_ENOMEM;
        loop->objs = o;
        loop->obj_cap = cap;
    }
    int id = (int)++loop->nobjs;
    am_obj_t *o = &loop->objs[id];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    strcpy(o->name, name);
    return id;
}

void am__objs_free(am_loop_t *loop)
{
    for (uint32_t i = 1; i <= loop->nobjs; i++) {
        am__ring_free(&loop->objs[i].waiters);
        am__ring_free(&loop->objs[i].cwaiters);
        if (loop->objs[i].q) am__queue_free(loop->objs[i].q);
    }
    free(loop->objs);
    loop->objs = NULL;
    loop->nobjs = loop->obj_cap = 0;
}

size_t am_obj_count(const am_loop_t *loop)
{
    return loop->nobjs;
}

int am_obj_find(const am_loop_t *loop, const char *name)
{
    for (uint32_t i = 1; i <= loop->nobjs; i++)
        if (strcmp(loop->objs[i].name, name) == 0) return (int)i;
    return AM_ENOENT;
}

int am_obj_info(const am_loop_t *loop, int id, am_obj_info_t *out)
{
    if (id <= 0 || (uint32_t)id > loop->nobjs) return AM_ENOENT;
    const am_obj_t *o = &loop->objs[id];
    memset(out, 0, sizeof *out);
    out->kind = o->kind;
    out->name = o->name;
    switch (o->kind) {
    case AM_OBJ_SEMAPHORE:
    case AM_OBJ_BOUNDED_SEMAPHORE:
        out->capacity = o->limit;
        out->holders = o->taken;
        out->peak = o->peak;
        out->waiters = o->waiters.live;
        break;
    case AM_OBJ_LOCK:
    case AM_OBJ_CONDITION:
        out->capacity = 1;
        out->holders = o->owner ? 1 : 0;
        out->owner = o->owner;
        out->waiters = o->waiters.live + o->cwaiters.live;
        break;
    case AM_OBJ_EVENT:
        out->capacity = 1;
        out->holders = o->is_set ? 1 : 0;
        out->waiters = o->waiters.live;
        break;
    case AM_OBJ_QUEUE:
        out->capacity = o->q->maxsize;
        out->holders = (uint32_t)o->q->n;
        out->waiters = o->waiters.live + o->q->putters.live + o->q->joiners.live;
        break;
    default:
        break;
    }
    return 0;
}

/* ---- semaphores ---- */

int am_semaphore_new(am_loop_t *loop, const char *name, uint32_t value, int bounded)
{
    int id = am__obj_new(loop, name, bounded ? AM_OBJ_BOUNDED_SEMAPHORE : AM_OBJ_SEMAPHORE);
    if (id > 0) loop->objs[id].value = loop->objs[id].limit = value;
    return id;
}

/* Hand free permits to waiters, first come first served. */
static void sem_grant(am_loop_t *loop, int obj)
{
    for (;;) {
        am_obj_t *o = &loop->objs[obj];
        if (o->value == 0) return;
        am_task_id_t w = am__ring_pop_live(loop, &o->waiters);
        if (!w) return;
        o->value--;
        if (++o->taken > o->peak) o->peak = o->taken;
        am__program_resume(loop, w);
    }
}

int am__sem_acquire(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_SEMAPHORE);
    if (!o) return AM_EINVAL;
    /* asyncio's fairness: a newcomer does not overtake tasks already waiting */
    if (o->value > 0 && o->waiters.live == 0) {
        o->value--;
        if (++o->taken > o->peak) o->peak = o->taken;
        return 1;
    }
    return wait_on(loop, &o->waiters, id, obj);
}

int am__sem_release(am_loop_t *loop, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_SEMAPHORE);
    if (!o) return AM_EINVAL;
    if (o->taken == 0 && o->kind == AM_OBJ_BOUNDED_SEMAPHORE) return AM_EOVERRELEASE;
    if (o->taken) o->taken--;
    if (o->debt) { /* the limit was lowered: retire this permit */
        o->debt--;
        return 1;
    }
    o->value++;
    if (o->taken == 0 && o->value > o->limit) o->limit = o->value; /* a plain semaphore grows */
    sem_grant(loop, obj);
    return 1;
}

int am_semaphore_release(am_loop_t *loop, int sem)
{
    const am_obj_t *o = am__obj(loop, sem, AM_OBJ_SEMAPHORE);
    /* no task holds what is released from outside: a plain semaphore gains a
     * permit even while all are held, and its capacity shows it */
    if (o && o->kind == AM_OBJ_SEMAPHORE) return am_semaphore_set_limit(loop, sem, o->limit + 1);
    int rc = am__sem_release(loop, sem);
    return rc < 0 ? rc : 0;
}

int am_semaphore_set_limit(am_loop_t *loop, int sem, uint32_t limit)
{
    am_obj_t *o = am__obj(loop, sem, AM_OBJ_SEMAPHORE);
    if (!o || limit == 0) return AM_EINVAL;
    if (limit > o->limit) {
        uint32_t more = limit - o->limit;
        uint32_t forgiven = more < o->debt ? more : o->debt;
        o->debt -= forgiven;
        o->value += more - forgiven;
        o->limit = limit;
        sem_grant(loop, sem);
    } else {
        uint32_t less = o->limit - limit;
        uint32_t now = less < o->value ? less : o->value;
        o->value -= now;
        o->debt += less - now;
        o->limit = limit;
    }
    return 0;
}

/* ---- locks and conditions ---- */

int am_lock_new(am_loop_t *loop, const char *name)
{
    return am__obj_new(loop, name, AM_OBJ_LOCK);
}

int am_condition_new(am_loop_t *loop, const char *name)
{
    return am__obj_new(loop, name, AM_OBJ_CONDITION);
}

int am__lock_acquire(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_LOCK);
    if (!o) return AM_EINVAL;
    if (o->owner == 0 && o->waiters.live == 0) {
        o->owner = id;
        return 1;
    }
    return wait_on(loop, &o->waiters, id, obj);
}

/* Release the lock of obj and hand it to the next waiter. */
static void lock_pass(am_loop_t *loop, int obj)
{
    am_obj_t *o = &loop->objs[obj];
    o->owner = am__ring_pop_live(loop, &o->waiters);
    if (o->owner) am__program_resume(loop, o->owner);
}

int am__lock_release(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_LOCK);
    if (!o) return AM_EINVAL;
    /* asyncio raises RuntimeError for releasing an unlocked lock */
    if (o->owner == 0 || o->owner != id) return AM_ESTATE;
    lock_pass(loop, obj);
    return 1;
}

int am__cond_wait(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_CONDITION);
    if (!o) return AM_EINVAL;
    if (o->owner != id) return AM_ESTATE; /* cond.wait() needs the lock */
    int rc = wait_on(loop, &o->cwaiters, id, obj);
    if (rc) return rc;
    am__task(loop, id)->flags |= AM_TF_IN_COND;
    lock_pass(loop, obj);
    return 0;
}

int am__cond_notify(am_loop_t *loop, am_task_id_t id, int obj, uint32_t n)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_CONDITION);
    if (!o) return AM_EINVAL;
    if (o->owner != id) return AM_ESTATE; /* notify() needs the lock */
    for (uint32_t i = 0; i < n; i++) {
        am_task_id_t w = am__ring_pop_live(loop, &o->cwaiters);
        if (!w) break;
        /* woken, it must take the lock back before cond.wait() returns */
        am__task(loop, w)->flags |= AM_TF_REACQUIRE;
        if (am__ring_push(&loop->objs[obj].waiters, w) != 0) return AM_ENOMEM;
        o = &loop->objs[obj];
    }
    return 1;
}

/* ---- events ---- */

int am_event_new(am_loop_t *loop, const char *name)
{
    return am__obj_new(loop, name, AM_OBJ_EVENT);
}

int am__event_wait(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_EVENT);
    if (!o) return AM_EINVAL;
    if (o->is_set) return 1;
    return wait_on(loop, &o->waiters, id, obj);
}

int am_event_set(am_loop_t *loop, int ev)
{
    am_obj_t *o = am__obj(loop, ev, AM_OBJ_EVENT);
    if (!o) return AM_EINVAL;
    o->is_set = 1;
    am_task_id_t w;
    while ((w = am__ring_pop_live(loop, &loop->objs[ev].waiters)) != 0)
        am__program_resume(loop, w);
    return 0;
}

int am_event_clear(am_loop_t *loop, int ev)
{
    am_obj_t *o = am__obj(loop, ev, AM_OBJ_EVENT);
    if (!o) return AM_EINVAL;
    o->is_set = 0;
    return 0;
}

int am_event_is_set(const am_loop_t *loop, int ev)
{
    const am_obj_t *o = am__obj(loop, ev, AM_OBJ_EVENT);
    return o ? o->is_set : 0;
}
