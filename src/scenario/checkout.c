/* checkout.c — recognise a checkout scenario and act on it (checkout.h).
 *
 * Everything here goes through the runtime's API: the dashboard's keys end
 * up as a spawned or retired task, a changed step, queue or event, or a
 * cancelled generator, never as a write into the monitor's model. */
#include "asyncmon/checkout.h"

#include <string.h>

/* The scenario group whose program has step kind k on queue q (-1: none). */
static int group_with(const am_scenario_t *sc, am_op_kind_t k, int q)
{
    for (size_t g = 0; g < sc->ngroups; g++)
        for (size_t i = 0; i < sc->groups[g].nops; i++)
            if (sc->groups[g].ops[i].kind == k && (q == 0 || sc->groups[g].ops[i].obj == q))
                return (int)g;
    return -1;
}

int am_checkout_find(const am_scenario_t *sc, am_checkout_t *out)
{
    int cg = group_with(sc, AM_OP_SERVE, 0);
    if (cg < 0) return 0;
    const am_scenario_group_t *cash = &sc->groups[cg];
    int q = 0;
    for (size_t i = 0; i < cash->nops && !q; i++)
        if (cash->ops[i].kind == AM_OP_SERVE) q = cash->ops[i].obj;
    int gg = group_with(sc, AM_OP_PUT, q);
    if (gg < 0) return 0;
    memset(out, 0, sizeof *out);
    out->queue = q;
    out->cashiers = (size_t)cg;
    out->generator = (size_t)gg;
    out->sleep_pc = -1;
    const am_scenario_group_t *gen = &sc->groups[gg];
    for (size_t i = 0; i < gen->nops; i++) {
        if (gen->ops[i].kind == AM_OP_WAIT && !out->open_event) out->open_event = gen->ops[i].obj;
        if (gen->ops[i].kind == AM_OP_SLEEP && out->sleep_pc < 0) out->sleep_pc = (int)i;
    }
    am_rate_init(&out->served_rate, 0.3);
    return 1;
}

/* Live tasks of a scenario group, in creation order. */
static size_t live_tasks(const am_loop_t *loop, const am_driver_t *d, size_t gi, am_task_id_t *ids,
                         size_t max)
{
    uint16_t gid = am_driver_group(d, gi);
    size_t n = 0, count = am_task_count(loop);
    for (am_task_id_t id = 1; id <= count; id++) {
        if (am_task_is_node(loop, id) || am_task_group(loop, id) != gid ||
            am_task_is_final(loop, id))
            continue;
        if (n < max) ids[n] = id;
        n++;
    }
    return n;
}

size_t am_checkout_cashiers(const am_loop_t *loop, const am_driver_t *d, const am_checkout_t *c,
                            am_task_id_t *ids, size_t max)
{
    return live_tasks(loop, d, c->cashiers, ids, max);
}

int am_checkout_stats(am_loop_t *loop, am_driver_t *d, am_checkout_t *c, am_checkout_stats_t *out)
{
    am_queue_stats_t q;
    am_serve_stats_t s;
    if (am_queue_stats(loop, c->queue, &q) != 0 || am_queue_serve_stats(loop, c->queue, &s) != 0)
        return AM_EINVAL;
    memset(out, 0, sizeof *out);
    out->arrived = q.puts;
    out->served = s.served;
    out->in_queue = q.depth;
    out->in_service = s.in_hand;
    out->cancelled = s.abandoned;
    out->max_queue_depth = q.max_depth;
    out->maxsize = q.maxsize;
    out->waiting_to_join = q.blocked_producers;
    out->express = q.kind == AM_QUEUE_PRIORITY;
    out->paused = c->open_event && !am_event_is_set(loop, c->open_event);
    am_task_id_t none;
    out->closed = live_tasks(loop, d, c->generator, &none, 0) == 0;
    size_t count = am_task_count(loop);
    uint16_t gid = am_driver_group(d, c->cashiers);
    for (am_task_id_t id = 1; id <= count; id++) {
        am_serve_info_t info;
        if (am_task_group(loop, id) != gid || am_task_is_final(loop, id) ||
            am_task_serving(loop, id, &info) != 0)
            continue;
        out->cashiers++;
        if (info.queue) out->busy++;
    }
    am_time_t now = am_loop_now(loop);
    am_rate_update(&c->served_rate, (double)s.served, AM_SECONDS(now));
    double dep = am_rate_value(&c->served_rate);
    out->arrivals_per_min = q.put_rate * 60;
    out->departures_per_min = dep == dep ? dep * 60 : 0; /* NAN until two samples */
    out->wait_p50 = AM_SECONDS(am_quantile_get(s.wait, 0.5));
    out->wait_p95 = AM_SECONDS(am_quantile_get(s.wait, 0.95));
    out->wait_max = AM_SECONDS(am_quantile_get(s.wait, 1));
    out->system_mean = am_quantile_mean(s.system) / 1e6;
    out->system_p50 = AM_SECONDS(am_quantile_get(s.system, 0.5));
    out->system_p95 = AM_SECONDS(am_quantile_get(s.system, 0.95));
    out->system_max = AM_SECONDS(am_quantile_get(s.system, 1));
    out->service_mean = s.service_mean;
    out->mean_depth = s.mean_depth;
    out->arrival_rate = s.arrival_rate;
    out->wait_mean = s.wait_mean;
    out->elapsed = s.elapsed;
    return 0;
}

int am_checkout_open_cashier(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c)
{
    am_task_id_t none;
    if (am_driver_stopped(d) || live_tasks(loop, d, c->generator, &none, 0) == 0) return AM_ESTATE;
    int rc = am_driver_add_tasks(d, c->cashiers, 1);
    return rc == 1 ? 0 : rc < 0 ? rc : AM_ESTATE;
}

int am_checkout_close_cashier(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c)
{
    uint16_t gid = am_driver_group(d, c->cashiers);
    for (am_task_id_t id = (am_task_id_t)am_task_count(loop); id > 0; id--) { /* newest first */
        am_serve_info_t info;
        if (am_task_is_node(loop, id) || am_task_group(loop, id) != gid ||
            am_task_is_final(loop, id) || am_task_serving(loop, id, &info) != 0 || info.retiring)
            continue;
        return am_task_retire(loop, id);
    }
    return AM_ESTATE; /* no cashier left to close */
}

static int generator_step(const am_driver_t *d, const am_checkout_t *c, const am_op_t **op,
                          const am_loop_t *loop)
{
    int prog = am_driver_program(d, c->generator);
    const am_op_t *ops;
    if (c->sleep_pc < 0 || !prog || am_program_ops(loop, prog, &ops) <= (size_t)c->sleep_pc)
        return 0;
    *op = &ops[c->sleep_pc];
    return prog;
}

int am_checkout_scale_arrivals(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c,
                               double factor)
{
    const am_op_t *op;
    int prog = generator_step(d, c, &op, loop);
    if (!prog || !(factor > 0)) return AM_EINVAL;
    double mean = am_dist_mean(&op->dist) / factor;
    if (mean < 0.001 || mean > 3600) return AM_ELIMIT; /* 1000/s .. one an hour */
    return am_program_scale_step(loop, prog, (uint32_t)c->sleep_pc, 1 / factor);
}

double am_checkout_arrival_rate(const am_loop_t *loop, const am_driver_t *d, const am_checkout_t *c)
{
    const am_op_t *op;
    if (!generator_step(d, c, &op, loop)) return 0;
    double mean = am_dist_mean(&op->dist);
    return mean > 0 ? 1 / mean : 0;
}

int am_checkout_resize(am_loop_t *loop, const am_checkout_t *c, int delta)
{
    am_queue_stats_t q;
    if (am_queue_stats(loop, c->queue, &q) != 0) return AM_EINVAL;
    int64_t m = (int64_t)q.maxsize + delta;
    if (q.maxsize == 0 || m < 1 || m > 1000000) return AM_ELIMIT; /* unbounded stays so */
    return am_queue_set_maxsize(loop, c->queue, (uint32_t)m);
}

int am_checkout_pause_arrivals(am_loop_t *loop, const am_checkout_t *c, int *paused)
{
    if (!c->open_event) return AM_ESTATE;
    int set = am_event_is_set(loop, c->open_event);
    int rc = set ? am_event_clear(loop, c->open_event) : am_event_set(loop, c->open_event);
    if (paused) *paused = set;
    return rc < 0 ? rc : 0;
}

int am_checkout_express(am_loop_t *loop, const am_checkout_t *c, int *on)
{
    am_queue_stats_t q;
    if (am_queue_stats(loop, c->queue, &q) != 0) return AM_EINVAL;
    int express = q.kind != AM_QUEUE_PRIORITY;
    if (on) *on = express;
    return am_queue_set_kind(loop, c->queue, express ? AM_QUEUE_PRIORITY : AM_QUEUE_FIFO);
}

int am_checkout_close_store(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c)
{
    if (am_driver_stopped(d)) return AM_ESTATE;
    return am_group_cancel(loop, am_driver_group(d, c->generator)) ? 0 : AM_ESTATE;
}
