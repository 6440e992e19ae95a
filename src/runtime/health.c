/* health.c — is the loop keeping up? Loop lag and slow steps.
 *
 * Loop lag: a real-time timer asks to fire every interval and measures how
 * late it does; a loop blocked by CPU work in a task fires it late by as much
 * as the block lasted. Slow steps: asyncio's debug mode logs any callback
 * that runs longer than 100 ms; the dispatcher reports each task step that
 * does (am__slow_step) and it is kept here and sent to the observer. */
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

#define LAG_WINDOW 256 /* samples behind the p99 */

typedef struct am_health_s {
    uv_timer_t timer;
    am_loop_t *loop;
    unsigned interval_ms;
    uint64_t expected_ns; /* when the timer should fire next */
    double samples[LAG_WINDOW];
    size_t n, head;
    double lag_now, lag_max;
    uint64_t count;
} am_health_t;

static void on_tick(uv_timer_t *t)
{
    am_health_t *h = t->data;
    uint64_t now = uv_hrtime();
    double lag = now > h->expected_ns ? (double)(now - h->expected_ns) / 1e9 : 0;
    h->lag_now = lag;
    if (lag > h->lag_max) h->lag_max = lag;
    h->samples[h->head] = lag;
    h->head = (h->head + 1) % LAG_WINDOW;
    if (h->n < LAG_WINDOW) h->n++;
    h->count++;
    h->expected_ns = now + (uint64_t)h->interval_ms * 1000000u;
}

int am_loop_health_start(am_loop_t *loop, unsigned interval_ms)
{
    if (loop->health || interval_ms == 0) return AM_EINVAL;
    am_health_t *h = calloc(1, sizeof *h);
    if (!h) return AM_ENOMEM;
    h->loop = loop;
    h->interval_ms = interval_ms;
    uv_timer_init(loop->uv, &h->timer);
    h->timer.data = h;
    h->expected_ns = uv_hrtime() + (uint64_t)interval_ms * 1000000u;
    uv_timer_start(&h->timer, on_tick, interval_ms, interval_ms);
    uv_unref((uv_handle_t *)&h->timer); /* never what keeps the loop alive */
    loop->health = h;
    return 0;
}

static void on_closed(uv_handle_t *handle)
{
    free(handle->data);
}

void am__health_free(am_loop_t *loop)
{
    if (!loop->health) return;
    uv_timer_stop(&loop->health->timer);
    uv_close((uv_handle_t *)&loop->health->timer, on_closed);
    loop->health = NULL;
}

void am_loop_set_slow_threshold(am_loop_t *loop, double seconds)
{
    if (seconds > 0) loop->slow_threshold = seconds;
}

void am__slow_step(am_loop_t *loop, am_task_id_t id, double seconds)
{
    loop->slow.slow_steps++;
    if (seconds > loop->slow.slowest) {
        loop->slow.slowest = seconds;
        loop->slow.slowest_task = id;
    }
    if (!loop->observer || !am_task_valid(loop, id)) return;
    const am_task_t *t = &loop->tasks[id];
    am_event_t ev = {AM_EV_SLOW,
                     id,
                     (am_task_kind_t)t->kind,
                     (am_task_state_t)t->state,
                     t->group,
                     t->n,
                     t->total,
                     0,
                     loop->cur,
                     seconds};
    loop->observer(loop->observer_ctx, &ev);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void am_loop_health(const am_loop_t *loop, am_loop_health_t *out)
{
    *out = loop->slow;
    out->slow_threshold = loop->slow_threshold;
    const am_health_t *h = loop->health;
    if (!h) return;
    out->lag_now = h->lag_now;
    out->lag_max = h->lag_max;
    out->lag_samples = h->count;
    if (h->n) {
        double s[LAG_WINDOW];
        memcpy(s, h->samples, h->n * sizeof *s);
        qsort(s, h->n, sizeof *s, cmp_double);
        out->lag_p99 = s[(h->n - 1) * 99 / 100];
    }
}
