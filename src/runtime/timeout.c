/* timeout.c — asyncio.wait_for and asyncio.shield.
 *
 * Both nodes mirror one inner task. They differ in what cancellation does:
 * wait_for passes it on to the inner task (and, when its timeout expires,
 * cancels the inner task with a "timed out" outcome); shield absorbs it, so
 * the inner task keeps running while the shield itself ends cancelled. */
#include <stdlib.h>

#include "runtime/internal.h"

typedef struct mirror_s {
    am_node_hdr_t hdr;
    am_task_id_t inner;
    int expired; /* wait_for: the timeout fired */
} mirror_t;

static void mirror_free(void *ext)
{
    free(ext);
}

/* End the node as its inner task ended. */
static void mirror(am_loop_t *loop, am_task_id_t node)
{
    mirror_t *m = am__ext(loop, node);
    const am_task_t *in = am__task(loop, m->inner);
    am_task_state_t st = (am_task_state_t)in->state;
    if (m->expired && (st == AM_TASK_CANCELLED || st == AM_TASK_TIMED_OUT)) st = AM_TASK_TIMED_OUT;
    am__end(loop, node, st, st == AM_TASK_TIMED_OUT ? AM_ETIMEOUT : in->value);
}

static void mirror_child_ended(am_loop_t *loop, am_task_id_t node, am_task_id_t child,
                               uint32_t slot)
{
    (void)child;
    (void)slot;
    if (!am__final(am__task(loop, node)->state)) mirror(loop, node);
}

static am_task_id_t mirror_new(am_loop_t *loop, am_task_kind_t kind, am_task_id_t inner,
                               am_done_cb cb, void *data)
{
    if (!am_task_valid(loop, inner)) return 0;
    mirror_t *m = calloc(1, sizeof *m);
    if (!m) return 0;
    m->hdr = (am_node_hdr_t){cb, data};
    m->inner = inner;
    am_task_id_t node = am__node_new(loop, kind, m);
    if (!node) {
        free(m);
        return 0;
    }
    if (am__final(am__task(loop, inner)->state))
        am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
    else if (!am__watch(loop, inner, node, 0))
        return 0;
    return node;
}

/* ---- wait_for ---- */

static void wait_for_fire(am_loop_t *loop, am_task_id_t node)
{
    mirror_t *m = am__ext(loop, node);
    if (am__final(am__task(loop, m->inner)->state)) {
        mirror(loop, node);
        return;
    }
    /* the timeout: cancel the inner task; we end when it has */
    m->expired = 1;
    am__cancel(loop, m->inner, 1);
}

static void wait_for_cancel(am_loop_t *loop, am_task_id_t node)
{
    mirror_t *m = am__ext(loop, node);
    int timeout = (am__task(loop, node)->flags & AM_TF_TIMEOUT) != 0;
    if (timeout) m->expired = 1;
    if (am__cancel(loop, m->inner, timeout) == AM_ESTATE)
        am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
}

const am_node_ops_t am__wait_for_ops = {mirror_child_ended, wait_for_fire, wait_for_cancel,
                                        mirror_free};

am_task_id_t am_wait_for(am_loop_t *loop, am_task_id_t inner, am_time_t timeout, am_done_cb cb,
                         void *data)
{
    if (timeout != AM_NO_TIMEOUT && timeout < 0) return 0;
    am_task_id_t node = mirror_new(loop, AM_KIND_WAIT_FOR, inner, cb, data);
    if (!node) return 0;
    am_task_t *t = am__task(loop, node);
    t->duration = timeout;
    if (timeout != AM_NO_TIMEOUT && !t->heap_pos) {
        t->deadline = am__now(loop) + timeout;
        am__schedule(loop, node, &t->heap_pos, t->deadline);
    }
    return node;
}

/* ---- shield ---- */

static void shield_fire(am_loop_t *loop, am_task_id_t node)
{
    am_task_t *t = am__task(loop, node);
    if (t->flags & AM_TF_CANCEL_REQ) {
        int timeout = (t->flags & AM_TF_TIMEOUT) != 0;
        am__end(loop, node, timeout ? AM_TASK_TIMED_OUT : AM_TASK_CANCELLED,
                timeout ? AM_ETIMEOUT : AM_ECANCELLED);
    } else {
        mirror(loop, node);
    }
}

static void shield_cancel(am_loop_t *loop, am_task_id_t node)
{
    /* the inner task is left alone: only the shield ends */
    am__schedule(loop, node, &am__task(loop, node)->heap_pos, am__now(loop));
}

const am_node_ops_t am__shield_ops = {mirror_child_ended, shield_fire, shield_cancel, mirror_free};

am_task_id_t am_shield(am_loop_t *loop, am_task_id_t inner)
{
    return mirror_new(loop, AM_KIND_SHIELD, inner, NULL, NULL);
}
