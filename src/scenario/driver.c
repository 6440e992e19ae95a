/* driver.c — runs a scenario: spawns its groups, applies its combinator,
 * runs the `while pending:` loop of wait scenarios, and tells when it is over.
 *
 * The run is over when the combinator has completed and every task has
 * ended (the loop's drain callback), or, after a stop, when every task has
 * ended. The combinator is applied once the last group has been created,
 * over all groups' tasks: that is when an asyncio program would call it. */
#include <stdlib.h>
#include <string.h>

#include "asyncmon/driver.h"
#include "asyncmon/serve.h"

typedef struct spawn_arg_s {
    struct am_driver_s *d;
    size_t gi;
} spawn_arg_t;

struct am_driver_s {
    am_loop_t *loop;
    const am_scenario_t *sc;
    am_rng_t rng;
    am_driver_cb on_finish;
    void *data;
    uint16_t gid[AM_SCENARIO_MAX_GROUPS];
    int prog[AM_SCENARIO_MAX_GROUPS]; /* program id of a `do` group, 0 for sleep groups */
    am_task_id_t *daemons;            /* owned: tasks of daemon groups */
    size_t ndaemons, daemons_cap;
    uint64_t workers_live; /* non-daemon tasks not yet ended, when there are daemons */
    int has_daemons;
    uint8_t *sgroup; /* owned: scenario group of each unit, indexed by task id */
    size_t sgroup_cap;
    am_task_id_t *units; /* owned until the combinator copies them */
    size_t nunits, units_cap;
    size_t groups_left; /* groups not yet spawned */
    int64_t spawn_callouts[AM_SCENARIO_MAX_GROUPS];
    spawn_arg_t spawn_args[AM_SCENARIO_MAX_GROUPS];
    int64_t stop_callout;
    int64_t finish_callout;
    am_task_id_t *extra; /* owned: added by hand, for the wait loop's next turn */
    size_t nextra, extra_cap;
    am_task_id_t node;
    am_time_t node_ended;
    am_time_t finished_at;
    uint64_t rounds, readded;
    int node_done, stopped, finished, finish_scheduled;
    /* sequential groups: `for c in coros: await c`, one task after the other */
    uint32_t seq_next[AM_SCENARIO_MAX_GROUPS]; /* index of the next task to create */
    spawn_arg_t seq_args[AM_SCENARIO_MAX_GROUPS];
    uint64_t seq_pending; /* sequential tasks not yet created */
    /* cancel_at: the tasks of such groups, cancelled by a callout */
    struct {
        am_task_id_t id;
        size_t gi;
    } * doomed;
    size_t ndoomed, doomed_cap;
    int64_t cancel_callouts[AM_SCENARIO_MAX_GROUPS];
    spawn_arg_t cancel_args[AM_SCENARIO_MAX_GROUPS];
};

static int remember_group(am_driver_t *d, am_task_id_t id, size_t gi)
{
    if (id >= d->sgroup_cap) {
        size_t cap = d->sgroup_cap ? d->sgroup_cap : 1024;
        while (cap <= id)
            cap *= 2;
        uint8_t *p = realloc(d->sgroup, cap);
        if (!p) return AM_ENOMEM;
        d->sgroup = p;
        d->sgroup_cap = cap;
    }
    d->sgroup[id] = (uint8_t)gi;
    return 0;
}

/* One task of group gi, wrapped in wait_for (and shield) when asked. */
static am_task_id_t spawn_unit(am_driver_t *d, size_t gi, uint32_t index)
{
    const am_scenario_group_t *g = &d->sc->groups[gi];
    am_task_id_t id;
    if (d->prog[gi]) {
        id = am_spawn_program(d->loop, d->gid[gi], d->prog[gi]);
    } else {
        am_sleep_spec_t spec = {0};
        spec.duration = AM_USEC(am_dist_sample(&g->duration, &d->rng));
        spec.steps = g->steps;
        spec.fail = g->fail_rate > 0 && am_rng_unit(&d->rng) < g->fail_rate ? AM_ETASKFAIL : 0;
        spec.result = (int64_t)index + 1;
        id = am_spawn_sleep(d->loop, d->gid[gi], &spec);
    }
    if (!id) return 0;
    double timeout = g->timeout >= 0 ? g->timeout : d->sc->timeout;
    int wrap = g->timeout >= 0 || d->sc->combinator == AM_COMB_WAIT_FOR;
    if (wrap) {
        am_task_id_t inner = g->shield ? am_shield(d->loop, id) : id;
        if (!inner) return 0;
        id = am_wait_for(d->loop, inner, timeout >= 0 ? AM_USEC(timeout) : AM_NO_TIMEOUT, NULL,
                         NULL);
        if (!id) return 0;
    }
    return remember_group(d, id, gi) == 0 ? id : 0;
}

static void finish_cb(am_loop_t *loop, void *data)
{
    am_driver_t *d = data;
    d->finished = 1;
    d->finish_callout = 0;
    d->finished_at = am_loop_now(loop);
    if (d->stop_callout > 0) { /* finished before --duration: nothing left to stop */
        am_loop_cancel_callout(loop, d->stop_callout);
        d->stop_callout = 0;
    }
    if (d->on_finish) d->on_finish(d, d->data);
}

static void maybe_finish(am_driver_t *d)
{
    if (d->finished || d->finish_scheduled) return;
    int work_over = d->stopped || (d->node_done && d->groups_left == 0 && d->seq_pending == 0);
    if (!work_over || am_loop_live(d->loop) > 0) return;
    /* report from a callout, outside whatever runtime callback we are in */
    int64_t h = am_loop_call_at(d->loop, am_loop_now(d->loop), finish_cb, d);
    if (h > 0) {
        d->finish_scheduled = 1;
        d->finish_callout = h;
    }
}

static void on_drain(am_loop_t *loop, void *data)
{
    (void)loop;
    maybe_finish(data);
}

static void node_done(am_driver_t *d)
{
    d->node_done = 1;
    d->node_ended = am_loop_now(d->loop);
    maybe_finish(d);
}

static void on_node(am_loop_t *loop, am_task_id_t node, void *data)
{
    (void)loop;
    (void)node;
    node_done(data);
}

/* The `while pending:` step: re-add a fresh task for each failure, wait again. */
static void on_wait(am_loop_t *loop, am_task_id_t node, void *data)
{
    am_driver_t *d = data;
    d->rounds++;
    if (!d->sc->loop || d->stopped) {
        node_done(d);
        return;
    }
    const am_task_id_t *done, *pending;
    size_t ndone = am_wait_done(loop, node, &done);
    size_t npending = am_wait_pending(loop, node, &pending);
    am_task_id_t *add = NULL;
    size_t nadd = 0;
    if ((d->sc->readd_failed && ndone) || d->nextra) {
        add = malloc((ndone + d->nextra) * sizeof *add);
        if (add && d->nextra) memcpy(add, d->extra, d->nextra * sizeof *add);
        nadd = add ? d->nextra : 0;
        d->nextra = 0;
        for (size_t i = 0; add && d->sc->readd_failed && i < ndone; i++) {
            if (am_task_state(loop, done[i]) != AM_TASK_FAILED) continue;
            size_t gi = done[i] < d->sgroup_cap ? d->sgroup[done[i]] : 0;
            am_task_id_t t = spawn_unit(d, gi, (uint32_t)d->readded);
            if (t) {
                add[nadd++] = t;
                d->readded++;
            }
        }
    }
    am_time_t timeout = d->sc->timeout >= 0 ? AM_USEC(d->sc->timeout) : AM_NO_TIMEOUT;
    if (npending + nadd == 0 || am_wait_rearm(loop, node, add, nadd, timeout) != 0) node_done(d);
    free(add);
}

static void maybe_release_daemons(am_driver_t *d);

static int apply_combinator(am_driver_t *d)
{
    const am_scenario_t *sc = d->sc;
    am_time_t timeout = sc->timeout >= 0 ? AM_USEC(sc->timeout) : AM_NO_TIMEOUT;
    am_task_id_t *u = d->units;
    size_t n = d->nunits;
    switch (sc->combinator) {
    case AM_COMB_GATHER:
        d->node = am_gather(d->loop, u, n, sc->return_exceptions, on_node, d);
        break;
    case AM_COMB_AS_COMPLETED:
        d->node = am_as_completed(d->loop, u, n, timeout, NULL, on_node, d);
        break;
    case AM_COMB_WAIT:
        d->node = am_wait(d->loop, u, n, sc->return_when, timeout, on_wait, d);
        break;
    case AM_COMB_TASKGROUP:
        d->node = am_taskgroup(d->loop, on_node, d);
        for (size_t i = 0; d->node && i < n; i++) {
            int rc = am_taskgroup_add(d->loop, d->node, u[i]);
            if (rc == AM_ENOMEM) return AM_ENOMEM;
            /* asyncio refuses create_task on a group already failing: the
             * task would never have started, so it is cancelled */
            if (rc == AM_ESTATE) am_task_cancel(d->loop, u[i]);
        }
        if (d->node) am_taskgroup_close(d->loop, d->node);
        break;
    case AM_COMB_WAIT_FOR: /* the wait_for nodes are the units: await them all */
    case AM_COMB_NONE:
        d->node = am_gather(d->loop, u, n, 1, on_node, d);
        break;
    }
    free(d->units);
    d->units = NULL;
    d->nunits = d->units_cap = 0;
    return d->node ? 0 : AM_ENOMEM;
}

static void on_joined(am_loop_t *loop, void *data)
{
    (void)loop;
    maybe_release_daemons(data);
}

/* Does a daemon group's program call task_done on queue obj? */
static int daemons_finish(const am_scenario_t *sc, int obj)
{
    for (size_t g = 0; g < sc->ngroups; g++)
        for (size_t i = 0; sc->groups[g].daemon && i < sc->groups[g].nops; i++)
            if (sc->groups[g].ops[i].kind == AM_OP_TASK_DONE && sc->groups[g].ops[i].obj == obj)
                return 1;
    return 0;
}

/* Daemon tasks (workers around a queue) run until every other task has
 * ended, then they are cancelled: the `await queue.join()` then
 * `for w in workers: w.cancel()` ending of an asyncio program. The join
 * waits for the items the workers still have in hand, in every queue they
 * mark done, one queue after the other. */
static void maybe_release_daemons(am_driver_t *d)
{
    if (d->workers_live || d->groups_left || !d->ndaemons) return;
    for (size_t i = 0; i < d->sc->nobjects; i++)
        if (daemons_finish(d->sc, (int)i + 1) &&
            am_queue_on_join(d->loop, (int)i + 1, on_joined, d) > 0)
            return; /* on_joined comes back here */
    for (size_t i = 0; i < d->ndaemons; i++)
        am_task_cancel(d->loop, d->daemons[i]);
    d->ndaemons = 0;
}

static void on_worker_done(am_loop_t *loop, am_task_id_t id, void *data)
{
    (void)loop;
    (void)id;
    am_driver_t *d = data;
    d->workers_live--;
    maybe_release_daemons(d);
}

static int push_daemon(am_driver_t *d, am_task_id_t id)
{
    if (d->ndaemons == d->daemons_cap) {
        size_t cap = d->daemons_cap ? d->daemons_cap * 2 : 16;
        am_task_id_t *v = realloc(d->daemons, cap * sizeof *v);
        if (!v) return AM_ENOMEM;
        d->daemons = v;
        d->daemons_cap = cap;
    }
    d->daemons[d->ndaemons++] = id;
    return 0;
}

static int watch_worker(am_driver_t *d, am_task_id_t id)
{
    if (am_task_add_done_cb(d->loop, id, on_worker_done, d) != 0) return AM_ENOMEM;
    d->workers_live++;
    return 0;
}

/* Remember a task of a group with cancel_at, for its callout. */
static int doom(am_driver_t *d, am_task_id_t id, size_t gi)
{
    if (d->sc->groups[gi].cancel_at < 0) return 0;
    if (d->ndoomed == d->doomed_cap) {
        size_t cap = d->doomed_cap ? d->doomed_cap * 2 : 16;
        void *v = realloc(d->doomed, cap * sizeof *d->doomed);
        if (!v) return AM_ENOMEM;
        d->doomed = v;
        d->doomed_cap = cap;
    }
    d->doomed[d->ndoomed].id = id;
    d->doomed[d->ndoomed++].gi = gi;
    return 0;
}

/* cancel_at: task.cancel() on every task of the group that has not ended. */
static void on_cancel_at(am_loop_t *loop, void *data)
{
    spawn_arg_t *a = data;
    am_driver_t *d = a->d;
    d->cancel_callouts[a->gi] = 0;
    for (size_t i = 0; i < d->ndoomed; i++)
        if (d->doomed[i].gi == a->gi) am_task_cancel(loop, d->doomed[i].id);
}

static void seq_spawn_next(am_loop_t *loop, am_task_id_t id, void *data);

/* The next task of a sequential group, once the one before it has ended. */
static int seq_spawn(am_driver_t *d, size_t gi)
{
    am_task_id_t id = spawn_unit(d, gi, d->seq_next[gi]++);
    if (!id) return AM_ENOMEM;
    if (d->has_daemons && watch_worker(d, id) != 0) return AM_ENOMEM;
    if (doom(d, id, gi) != 0) return AM_ENOMEM;
    if (d->seq_next[gi] < d->sc->groups[gi].count) {
        d->seq_args[gi] = (spawn_arg_t){d, gi};
        if (am_task_add_done_cb(d->loop, id, seq_spawn_next, &d->seq_args[gi]) != 0)
            return AM_ENOMEM;
    }
    return 0;
}

static void seq_spawn_next(am_loop_t *loop, am_task_id_t id, void *data)
{
    (void)loop;
    (void)id;
    spawn_arg_t *a = data;
    am_driver_t *d = a->d;
    if (d->stopped) return;
    d->seq_pending--;
    if (seq_spawn(d, a->gi) != 0) am_driver_stop(d);
    maybe_finish(d);
}

static int spawn_group(am_driver_t *d, size_t gi)
{
    const am_scenario_group_t *g = &d->sc->groups[gi];
    /* a task, plus its wait_for node and shield node when it is wrapped */
    int wrap = g->timeout >= 0 || d->sc->combinator == AM_COMB_WAIT_FOR;
    size_t per = 1 + (size_t)wrap + (size_t)(wrap && g->shield);
    if (am_loop_reserve(d->loop, g->count * per) != 0) return AM_ENOMEM;
    if (d->nunits + g->count > d->units_cap) {
        size_t cap = d->nunits + g->count;
        am_task_id_t *u = realloc(d->units, cap * sizeof *u);
        if (!u) return AM_ENOMEM;
        d->units = u;
        d->units_cap = cap;
    }
    if (g->sequential) { /* the first now, each next one when its predecessor ends */
        d->seq_pending += g->count - 1;
        if (seq_spawn(d, gi) != 0) return AM_ENOMEM;
    }
    for (uint64_t i = 0; !g->sequential && i < g->count; i++) {
        am_task_id_t id = spawn_unit(d, gi, (uint32_t)i);
        if (!id) return AM_ENOMEM;
        if (doom(d, id, gi) != 0) return AM_ENOMEM;
        if (g->daemon) {
            if (push_daemon(d, id) != 0) return AM_ENOMEM;
            continue;
        }
        if (d->has_daemons && watch_worker(d, id) != 0) return AM_ENOMEM;
        d->units[d->nunits++] = id;
    }
    /* the last group may be the daemons', after every other task ended */
    int last = --d->groups_left == 0;
    if (d->has_daemons) maybe_release_daemons(d);
    if (last && !d->stopped) return apply_combinator(d);
    return 0;
}

static void on_spawn(am_loop_t *loop, void *data)
{
    (void)loop;
    spawn_arg_t *a = data;
    am_driver_t *d = a->d;
    d->spawn_callouts[a->gi] = 0;
    if (!d->stopped && spawn_group(d, a->gi) != 0) am_driver_stop(d);
    maybe_finish(d);
}

/* The scenario's primitives and queues, created in order: the ids its
 * programs were parsed against are 1..n. */
static int create_objects(am_driver_t *d)
{
    for (size_t i = 0; i < d->sc->nobjects; i++) {
        const am_scenario_obj_t *o = &d->sc->objects[i];
        int id;
        switch (o->kind) {
        case AM_OBJ_SEMAPHORE:
        case AM_OBJ_BOUNDED_SEMAPHORE:
            id = am_semaphore_new(d->loop, o->name, o->limit, o->kind == AM_OBJ_BOUNDED_SEMAPHORE);
            break;
        case AM_OBJ_LOCK:
            id = am_lock_new(d->loop, o->name);
            break;
        case AM_OBJ_EVENT:
            id = am_event_new(d->loop, o->name);
            if (id > 0 && o->set) am_event_set(d->loop, id);
            break;
        case AM_OBJ_CONDITION:
            id = am_condition_new(d->loop, o->name);
            break;
        case AM_OBJ_QUEUE:
            id = am_queue_new(d->loop, o->name, o->qkind, o->limit);
            break;
        default:
            id = AM_EINVAL;
        }
        if (id != (int)i + 1) return id < 0 ? id : AM_ESTATE; /* a loop that already had objects */
    }
    return 0;
}

/* [products]: what the scenario's serve steps scan. */
static int set_products(am_loop_t *loop, const am_scenario_t *sc)
{
    const char *names[AM_SCENARIO_MAX_PRODUCTS];
    double secs[AM_SCENARIO_MAX_PRODUCTS];
    for (size_t i = 0; i < sc->nproducts; i++) {
        names[i] = sc->products[i].name;
        secs[i] = sc->products[i].seconds;
    }
    return sc->nproducts ? am_loop_set_products(loop, names, secs, sc->nproducts) : 0;
}

am_driver_t *am_driver_new(am_loop_t *loop, const am_scenario_t *sc, uint64_t seed,
                           am_driver_cb on_finish, void *data)
{
    am_driver_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->loop = loop;
    d->sc = sc;
    d->on_finish = on_finish;
    d->data = data;
    d->node_ended = -1;
    d->finished_at = -1;
    am_rng_seed(&d->rng, seed);
    am_loop_seed(loop, seed ^ 0x5eedf00dULL); /* programs' durations: a stream of their own */
    if (create_objects(d) != 0 || set_products(loop, sc) != 0) {
        free(d);
        return NULL;
    }
    for (size_t i = 0; i < sc->ngroups; i++) {
        int g = am_group_add(loop, sc->groups[i].name);
        int p = sc->groups[i].nops ? am_program_new(loop, sc->groups[i].ops, sc->groups[i].nops,
                                                    sc->groups[i].repeat)
                                   : 0;
        if (g < 0 || p < 0) {
            free(d);
            return NULL;
        }
        d->gid[i] = (uint16_t)g;
        d->prog[i] = p;
        if (sc->groups[i].daemon) d->has_daemons = 1;
    }
    am_loop_set_drain_cb(loop, on_drain, d);
    return d;
}

int am_driver_start(am_driver_t *d)
{
    d->groups_left = d->sc->ngroups;
    am_time_t now = am_loop_now(d->loop);
    for (size_t i = 0; i < d->sc->ngroups; i++) {
        if (d->sc->groups[i].cancel_at < 0) continue;
        d->cancel_args[i] = (spawn_arg_t){d, i};
        int64_t h = am_loop_call_at(d->loop, now + AM_USEC(d->sc->groups[i].cancel_at),
                                    on_cancel_at, &d->cancel_args[i]);
        if (h < 0) return (int)h;
        d->cancel_callouts[i] = h;
    }
    for (size_t i = 0; i < d->sc->ngroups; i++) {
        if (d->sc->groups[i].start > 0) {
            spawn_arg_t *a = &d->spawn_args[i];
            *a = (spawn_arg_t){d, i};
            int64_t h =
                am_loop_call_at(d->loop, now + AM_USEC(d->sc->groups[i].start), on_spawn, a);
            if (h < 0) return (int)h;
            d->spawn_callouts[i] = h;
        } else {
            int rc = spawn_group(d, i);
            if (rc) return rc;
        }
    }
    return 0;
}

void am_driver_stop(am_driver_t *d)
{
    if (d->stopped) return;
    d->stopped = 1;
    d->seq_pending = 0; /* the rest of a sequential group is never created */
    for (size_t i = 0; i < d->sc->ngroups; i++) {
        if (d->cancel_callouts[i] > 0) {
            am_loop_cancel_callout(d->loop, d->cancel_callouts[i]);
            d->cancel_callouts[i] = 0;
        }
        if (d->spawn_callouts[i] > 0) {
            am_loop_cancel_callout(d->loop, d->spawn_callouts[i]);
            d->spawn_callouts[i] = 0;
            d->groups_left--;
        }
    }
    am_loop_cancel_all(d->loop);
    maybe_finish(d);
}

static void on_stop_at(am_loop_t *loop, void *data)
{
    (void)loop;
    am_driver_t *d = data;
    d->stop_callout = 0;
    am_driver_stop(d);
}

int am_driver_stop_at(am_driver_t *d, am_time_t at)
{
    int64_t h = am_loop_call_at(d->loop, at, on_stop_at, d);
    if (h < 0) return (int)h;
    d->stop_callout = h;
    return 0;
}

void am_driver_free(am_driver_t *d)
{
    if (!d) return;
    am_loop_set_drain_cb(d->loop, NULL, NULL);
    /* the loop may outlive the driver: withdraw every callout that points at it */
    if (d->stop_callout > 0) am_loop_cancel_callout(d->loop, d->stop_callout);
    if (d->finish_callout > 0) am_loop_cancel_callout(d->loop, d->finish_callout);
    for (size_t i = 0; i < d->sc->ngroups; i++) {
        if (d->spawn_callouts[i] > 0) am_loop_cancel_callout(d->loop, d->spawn_callouts[i]);
        if (d->cancel_callouts[i] > 0) am_loop_cancel_callout(d->loop, d->cancel_callouts[i]);
    }
    for (size_t i = 0; i < d->sc->nobjects; i++)
        if (d->sc->objects[i].kind == AM_OBJ_QUEUE)
            am_queue_on_join(d->loop, (int)i + 1, NULL, NULL);
    free(d->units);
    free(d->daemons);
    free(d->extra);
    free(d->sgroup);
    free(d->doomed);
    free(d);
}

int am_driver_add_tasks(am_driver_t *d, size_t gi, uint32_t n)
{
    if (gi >= d->sc->ngroups || d->stopped) return AM_EINVAL;
    int wait_loop = d->sc->combinator == AM_COMB_WAIT && d->sc->loop && d->node && !d->node_done;
    if (wait_loop && d->nextra + n > d->extra_cap) {
        size_t cap = d->nextra + n + 16;
        am_task_id_t *e = realloc(d->extra, cap * sizeof *e);
        if (!e) return AM_ENOMEM;
        d->extra = e;
        d->extra_cap = cap;
    }
    uint32_t added = 0;
    for (; added < n; added++) {
        am_task_id_t id = spawn_unit(d, gi, d->sc->groups[gi].count + d->readded + added);
        if (!id || doom(d, id, gi) != 0) break; /* added tasks share the group's cancel_at */
        if (d->sc->groups[gi].daemon) {
            if (push_daemon(d, id) != 0) break;
        } else if (d->has_daemons && watch_worker(d, id) != 0) {
            break;
        }
        if (d->sc->groups[gi].daemon) continue;
        if (wait_loop)
            d->extra[d->nextra++] = id;
        else if (d->sc->combinator == AM_COMB_TASKGROUP && d->node)
            am_taskgroup_add(d->loop, d->node, id);
    }
    if (added && (d->finished || d->finish_scheduled)) { /* the run goes on */
        if (d->finish_callout > 0) am_loop_cancel_callout(d->loop, d->finish_callout);
        d->finish_callout = 0;
        d->finished = 0;
        d->finish_scheduled = 0;
    }
    return added || n == 0 ? (int)added : AM_ENOMEM;
}

int am_driver_task_group(const am_driver_t *d, am_task_id_t id)
{
    return id < d->sgroup_cap && id > 0 ? d->sgroup[id] : -1;
}

int am_driver_finished(const am_driver_t *d)
{
    return d->finished;
}

int am_driver_stopped(const am_driver_t *d)
{
    return d->stopped;
}

am_task_id_t am_driver_node(const am_driver_t *d)
{
    return d->node;
}

uint16_t am_driver_group(const am_driver_t *d, size_t i)
{
    return i < d->sc->ngroups ? d->gid[i] : 0;
}

int am_driver_program(const am_driver_t *d, size_t i)
{
    return i < d->sc->ngroups ? d->prog[i] : 0;
}

uint64_t am_driver_wait_rounds(const am_driver_t *d, uint64_t *readded)
{
    if (readded) *readded = d->readded;
    return d->rounds;
}

am_time_t am_driver_node_ended(const am_driver_t *d)
{
    return d->node_ended;
}

am_time_t am_driver_finished_at(const am_driver_t *d)
{
    return d->finished_at;
}
