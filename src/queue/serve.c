/* serve.c — items with a size and the tasks that serve them (serve.h).
 *
 * What a task holds lives in a side table indexed by task id, grown on the
 * first get, so tasks that never get an item cost nothing and am_task_t
 * stays small. A serve step sleeps once per product; the product being
 * scanned and the count scanned are kept here for the dashboard. The
 * queue's figures (served, abandoned, time in system) are kept with the
 * queue (objects.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/objects.h"

static am_hold_t *hold(const am_loop_t *loop, am_task_id_t id)
{
    return id < loop->hold_cap ? &loop->holds[id] : NULL;
}

static am_hold_t *hold_make(am_loop_t *loop, am_task_id_t id)
{
    if (id >= loop->hold_cap) {
        uint32_t cap = loop->hold_cap ? loop->hold_cap : 64;
        while (cap <= id)
            cap *= 2;
        am_hold_t *v = realloc(loop->holds, (size_t)cap * sizeof *v);
        if (!v) return NULL;
        for (uint32_t i = loop->hold_cap; i < cap; i++)
            v[i] = (am_hold_t){.serve_start = -1};
        loop->holds = v;
        loop->hold_cap = cap;
    }
    return &loop->holds[id];
}

void am__serve_free(am_loop_t *loop)
{
    free(loop->holds);
    free(loop->products);
    loop->holds = NULL;
    loop->products = NULL;
    loop->hold_cap = loop->nproducts = 0;
}

static am_queue_t *queue_of(const am_loop_t *loop, int obj)
{
    am_obj_t *o = am__obj(loop, obj, AM_OBJ_QUEUE);
    return o ? o->q : NULL;
}

/* serve_start / serve_end: n products scanned of total, err why it gave up */
static void emit(am_loop_t *loop, am_event_type_t type, am_task_id_t id, const am_hold_t *h,
                 int err)
{
    if (!loop->observer) return;
    const am_task_t *t = am__task(loop, id);
    am_event_t ev = {type,          id,         (am_task_kind_t)t->kind, (am_task_state_t)t->state,
                     t->group,      h->scanned, (uint32_t)h->item,       err,
                     am__now(loop), 0};
    loop->observer(loop->observer_ctx, &ev);
}

int64_t am__item_sample(const am_dist_t *d, am_rng_t *rng)
{
    if (d->kind == AM_DIST_UNIFORM) { /* whole numbers from a to b, each as likely */
        double lo = ceil(d->a), hi = floor(d->b);
        if (hi < lo) return (int64_t)lo;
        int64_t k = (int64_t)(am_rng_unit(rng) * (hi - lo + 1));
        return (int64_t)lo + k;
    }
    return (int64_t)llround(am_dist_sample(d, rng));
}

int am__serve_got(am_loop_t *loop, am_task_id_t id, int obj, const am_qitem_t *it)
{
    am_queue_t *q = queue_of(loop, obj);
    am_hold_t *h = hold_make(loop, id);
    if (!h || !q) return AM_ENOMEM;
    if (h->obj) { /* a second get before serving the first: that one is dropped */
        am_queue_t *old = queue_of(loop, (int)h->obj);
        if (old) old->in_hand--, old->abandoned++;
    }
    h->obj = (uint32_t)obj;
    h->item = it->value;
    h->enq = it->enq;
    h->number = it->seq + 1;
    h->scanned = 0;
    h->product = 0;
    h->serve_start = -1;
    q->in_hand++;
    return 0;
}

int am__serve_step(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_hold_t *h = hold(loop, id);
    am_queue_t *q = queue_of(loop, obj);
    if (!h || !q || h->obj != (uint32_t)obj) return AM_EINVAL; /* nothing got from obj */
    am_time_t now = am__now(loop);
    if (h->serve_start < 0) {
        h->serve_start = now;
        h->scanned = 0;
        emit(loop, AM_EV_SERVING, id, h, 0);
    }
    if ((int64_t)h->scanned >= h->item) {
        double took = AM_SECONDS(now - h->serve_start);
        q->served++;
        q->in_hand--;
        q->service_sum += took;
        am_quantile_add(&q->hist_system, now - h->enq);
        h->busy += took;
        h->served++;
        h->product = 0;
        emit(loop, AM_EV_SERVED, id, h, 0);
        h->serve_start = -1;
        h->obj = 0;
        return 1;
    }
    if (!loop->nproducts) return AM_EINVAL;
    uint32_t p = (uint32_t)(am_rng_unit(&loop->rng) * loop->nproducts);
    if (p >= loop->nproducts) p = loop->nproducts - 1;
    h->product = (uint16_t)(p + 1);
    am_task_t *t = am__task(loop, id);
    t->duration = now + loop->products[p].time; /* the wake-up time, as a sleep */
    am__schedule_task(loop, id, -1);
    return 0;
}

void am__serve_scanned(am_loop_t *loop, am_task_id_t id)
{
    am_hold_t *h = hold(loop, id);
    if (!h) return;
    h->scanned++;
    h->product = 0;
}

void am__serve_task_done(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_hold_t *h = hold(loop, id);
    if (!h || h->obj != (uint32_t)obj || h->serve_start >= 0) return;
    queue_of(loop, obj)->in_hand--; /* got, marked done without a serve step */
    h->obj = 0;
}

void am__serve_abort(am_loop_t *loop, am_task_id_t id)
{
    am_hold_t *h = hold(loop, id);
    if (!h || !h->obj) return;
    am_queue_t *q = queue_of(loop, (int)h->obj);
    q->in_hand--;
    q->abandoned++;
    if (h->serve_start >= 0) {
        h->busy += AM_SECONDS(am__now(loop) - h->serve_start);
        h->product = 0;
        const am_task_t *t = am__task(loop, id);
        emit(loop, AM_EV_SERVED, id, h, t->flags & AM_TF_TIMEOUT ? AM_ETIMEOUT : AM_ECANCELLED);
        h->serve_start = -1;
    }
    h->obj = 0;
}

int am__serve_retiring(am_loop_t *loop, am_task_id_t id)
{
    am_hold_t *h = hold(loop, id);
    return h && h->retire;
}

/* ---- public ---- */

int am_loop_set_products(am_loop_t *loop, const char *const *names, const double *seconds, size_t n)
{
    if (n > AM_PRODUCTS_MAX) return AM_ELIMIT;
    for (size_t i = 0; i < n; i++)
        if (!names[i] || !names[i][0] || strlen(names[i]) >= AM_OBJ_NAME_MAX || !(seconds[i] > 0) ||
            seconds[i] > 1e9)
            return AM_EINVAL;
    am_product_t *p = n ? calloc(n, sizeof *p) : NULL;
    if (n && !p) return AM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        snprintf(p[i].name, sizeof p[i].name, "%s", names[i]);
        p[i].time = AM_USEC(seconds[i]);
    }
    free(loop->products);
    loop->products = p;
    loop->nproducts = (uint32_t)n;
    return 0;
}

size_t am_loop_products(const am_loop_t *loop)
{
    return loop->nproducts;
}

const char *am_loop_product(const am_loop_t *loop, size_t i, double *seconds)
{
    if (i >= loop->nproducts) return NULL;
    if (seconds) *seconds = AM_SECONDS(loop->products[i].time);
    return loop->products[i].name;
}

int am_task_serving(const am_loop_t *loop, am_task_id_t id, am_serve_info_t *out)
{
    if (!am_task_valid(loop, id) || am__task(loop, id)->kind != AM_KIND_PROGRAM) return AM_EINVAL;
    memset(out, 0, sizeof *out);
    const am_hold_t *h = hold(loop, id);
    if (!h) return 0;
    out->queue = (int)h->obj;
    out->item = h->obj ? h->item : 0;
    out->enqueued = h->obj ? h->enq : -1;
    out->number = h->obj ? h->number : 0;
    out->serving = h->serve_start >= 0;
    out->started = h->serve_start;
    out->scanned = h->obj ? h->scanned : 0;
    out->product = h->product ? loop->products[h->product - 1].name : NULL;
    out->served = h->served;
    out->busy = h->busy;
    if (h->serve_start >= 0) out->busy += AM_SECONDS(am__now(loop) - h->serve_start);
    out->retiring = h->retire;
    return 0;
}

int am_task_retire(am_loop_t *loop, am_task_id_t id)
{
    if (!am_task_valid(loop, id) || am__task(loop, id)->kind != AM_KIND_PROGRAM) return AM_EINVAL;
    am_task_t *t = am__task(loop, id);
    if (am__final(t->state)) return AM_ESTATE;
    const am_hold_t *cur = hold(loop, id);
    int idle = t->state == AM_TASK_PENDING ||
               (t->pc == 0 && (t->flags & AM_TF_WAITING) && !(cur && cur->obj));
    if (idle) return am_task_cancel(loop, id);
    am_hold_t *h = hold_make(loop, id);
    if (!h) return AM_ENOMEM;
    h->retire = 1;
    return 0;
}

int am_queue_serve_stats(am_loop_t *loop, int obj, am_serve_stats_t *out)
{
    am_queue_t *q = queue_of(loop, obj);
    if (!q) return AM_EINVAL;
    am_time_t now = am__now(loop);
    am__queue_account(q, now);
    memset(out, 0, sizeof *out);
    out->served = q->served;
    out->abandoned = q->abandoned;
    out->in_hand = q->in_hand;
    out->service_mean = q->served ? q->service_sum / (double)q->served : 0;
    out->wait = &q->hist_wait;
    out->system = &q->hist_system;
    /* an empty queue adds nothing to L's integral, and idle time after the
     * last customer would only dilute lambda: the figures stop at the last
     * put or get while the queue is empty (a closed store) */
    out->elapsed = AM_SECONDS((q->n ? now : q->last_change) - q->created);
    if (out->elapsed > 0) {
        out->mean_depth = q->depth_area / out->elapsed;
        out->arrival_rate = (double)q->puts / out->elapsed;
    }
    out->wait_mean = q->gets ? q->wait_sum / (double)q->gets : 0;
    return 0;
}

int am_program_set_dist(am_loop_t *loop, int program, uint32_t pc, const am_dist_t *dist)
{
    if (program <= 0 || (uint32_t)program > loop->nprogs || pc >= loop->progs[program].nops)
        return AM_EINVAL;
    loop->progs[program].ops[pc].dist = *dist;
    return 0;
}

int am_program_scale_step(am_loop_t *loop, int program, uint32_t pc, double factor)
{
    if (program <= 0 || (uint32_t)program > loop->nprogs || pc >= loop->progs[program].nops ||
        !(factor > 0))
        return AM_EINVAL;
    am_dist_t d = loop->progs[program].ops[pc].dist;
    d.a *= factor;
    if (d.kind != AM_DIST_EXPONENTIAL) d.b *= factor; /* uniform bounds, normal's spread */
    return am_program_set_dist(loop, program, pc, &d);
}
