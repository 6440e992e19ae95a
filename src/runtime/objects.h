/* objects.h — primitives and queues as the runtime keeps them (private).
 *
 * Every object has a FIFO ring of waiting task ids. Entries are removed
 * lazily: a task that stops waiting (cancelled, timed out) clears its
 * AM_TF_WAITING flag and the count of live waiters drops at once; its ring
 * entry is skipped when it reaches the front. A task waits on one ring at a
 * time and, once out of it, never returns to the same entry, so a stale
 * entry can never wake the wrong wait. */
#ifndef ASYNCMON_RUNTIME_OBJECTS_H
#define ASYNCMON_RUNTIME_OBJECTS_H

#include "asyncmon/serve.h"
#include "runtime/internal.h"

typedef struct am_ring_s {
    am_task_id_t *v; /* owned */
    uint32_t head, len, cap;
    uint32_t live; /* entries whose task still waits here */
} am_ring_t;

typedef struct am_qitem_s {
    int64_t prio;
    uint64_t seq; /* insertion order: FIFO ties, LIFO order */
    int64_t value;
    am_time_t enq;
} am_qitem_t;

typedef struct am_queue_s {
    am_queue_kind_t kind;
    uint32_t maxsize;
    am_qitem_t *items; /* owned: binary heap on (prio, seq) */
    size_t n, cap;
    uint64_t seq;
    am_ring_t putters, joiners; /* getters use the object's main ring */
    uint64_t puts, gets, unfinished;
    size_t max_depth;
    am_rate_t put_rate, get_rate;
    am_time_t window[AM_QUEUE_WINDOW]; /* recent times in queue */
    size_t nwindow, window_head;
    double wait_sum;
    uint32_t history[AM_QUEUE_HISTORY]; /* depth samples, a ring */
    size_t nhistory, history_head;
    am_time_t next_sample; /* -1 until the first sample */
    /* items and room set aside for tasks let through, until they run */
    uint32_t promised_items, promised_room;
    am_callout_cb join_cb; /* am_queue_on_join: runs once nothing is unfinished */
    void *join_data;
    /* the first items got, in the order they came out (the tour's 1,2,3) */
    int64_t order_prio[AM_QUEUE_ORDER];
    uint64_t order_seq[AM_QUEUE_ORDER];
    size_t norder;
    /* service (serve.c) and Little's law: the integral of the depth over time */
    uint64_t served, abandoned, in_hand;
    double service_sum;        /* seconds */
    am_quantile_t hist_wait;   /* time in queue of every item got */
    am_quantile_t hist_system; /* time in queue + service of every item served */
    double depth_area;         /* item-seconds */
    am_time_t area_at, created;
    am_time_t last_change; /* the last put or get: an empty queue's figures stop there */
} am_queue_t;

/* An item a task got from a queue and holds until it served it (serve.c). */
typedef struct am_hold_s {
    int64_t item;
    uint64_t number;       /* the item's place in the order of puts, from 1 */
    am_time_t enq;         /* when the item entered the queue */
    am_time_t serve_start; /* -1 when not serving */
    double busy;           /* seconds of service finished */
    uint64_t served;
    uint32_t obj; /* queue of the item in hand, 0 when none */
    uint32_t scanned;
    uint16_t product; /* 1 + index of the product being scanned, 0 none */
    uint8_t retire;   /* return at the end of this iteration */
} am_hold_t;

typedef struct am_product_s {
    char name[AM_OBJ_NAME_MAX];
    am_time_t time;
} am_product_t;

typedef struct am_obj_s {
    am_obj_kind_t kind;
    char name[AM_OBJ_NAME_MAX];
    am_ring_t waiters;  /* semaphore/lock/event waiters; a condition's lock; queue getters */
    am_ring_t cwaiters; /* condition: tasks in cond.wait() */
    uint32_t value;     /* semaphore: permits free */
    uint32_t limit;     /* semaphore: capacity */
    uint32_t taken;     /* semaphore: permits held */
    uint32_t peak;      /* semaphore: most permits ever held at once */
    uint32_t debt;      /* semaphore: permits to retire as holders release (limit lowered) */
    am_task_id_t owner; /* lock/condition: holder */
    int is_set;         /* event */
    am_queue_t *q;      /* queue: owned */
} am_obj_t;

am_obj_t *am__obj(const am_loop_t *loop, int id, am_obj_kind_t want);
int am__obj_new(am_loop_t *loop, const char *name, am_obj_kind_t kind);

int am__ring_push(am_ring_t *r, am_task_id_t id);
/* Pop the first entry whose task still waits (flag set, not ended); 0 if none. */
am_task_id_t am__ring_pop_live(am_loop_t *loop, am_ring_t *r);
void am__ring_free(am_ring_t *r);

/* Program steps on primitives: 1 = done (go on), 0 = the task now waits,
 * < 0 = the step raised this error (the task fails). */
int am__sem_acquire(am_loop_t *loop, am_task_id_t id, int obj);
int am__sem_release(am_loop_t *loop, int obj);
int am__lock_acquire(am_loop_t *loop, am_task_id_t id, int obj);
int am__lock_release(am_loop_t *loop, am_task_id_t id, int obj);
int am__event_wait(am_loop_t *loop, am_task_id_t id, int obj);
int am__cond_wait(am_loop_t *loop, am_task_id_t id, int obj);
int am__cond_notify(am_loop_t *loop, am_task_id_t id, int obj, uint32_t n);
/* value: the item (the task id unless the step draws one); prio: its priority */
int am__queue_put(am_loop_t *loop, am_task_id_t id, int obj, int64_t value, int64_t prio);
int am__queue_get(am_loop_t *loop, am_task_id_t id, int obj);
int am__queue_join(am_loop_t *loop, am_task_id_t id, int obj);
void am__queue_leave(am_loop_t *loop, am_task_id_t id, am_obj_t *o);
/* A task let through a blocked get or put (AM_TF_HANDED) runs: it takes the
 * item or the room set aside for it; or it ended first: they go to the next. */
void am__queue_handed_run(am_loop_t *loop, am_task_id_t id, int obj, am_op_kind_t kind);
void am__queue_handed_abort(am_loop_t *loop, am_task_id_t id, int obj, am_op_kind_t kind);
void am__queue_free(am_queue_t *q);
/* queue.c: Little's law bookkeeping before the depth changes. */
void am__queue_account(am_queue_t *q, am_time_t now);

/* serve.c: the item a task got (queue.c), a serve step (1 done, 0 scanning
 * a product, < 0 error), a product scanned, task_done, the task ending early,
 * the end of an iteration (1: the task retires), and the tables' memory. */
int am__serve_got(am_loop_t *loop, am_task_id_t id, int obj, const am_qitem_t *it);
int am__serve_step(am_loop_t *loop, am_task_id_t id, int obj);
void am__serve_scanned(am_loop_t *loop, am_task_id_t id);
void am__serve_task_done(am_loop_t *loop, am_task_id_t id, int obj);
void am__serve_abort(am_loop_t *loop, am_task_id_t id);
int am__serve_retiring(am_loop_t *loop, am_task_id_t id);
int64_t am__item_sample(const am_dist_t *d, am_rng_t *rng);

#endif
