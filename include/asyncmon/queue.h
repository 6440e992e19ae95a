/* queue.h — asyncio.Queue, LifoQueue and PriorityQueue on the runtime.
 *
 * A queue holds items (an int64 value with a priority). Tasks put and get
 * through their programs and suspend while the queue is full or empty;
 * put_nowait/get_nowait fail with AM_EFULL/AM_EEMPTY instead. Priority ties
 * come out in insertion order. A blocked get or put that was let through
 * completes when its task runs: cancelled before that, the task takes no item
 * (puts none) and the next waiter is let through instead, as in asyncio.
 * task_done/join count unfinished items; task_done called more often than
 * items were put is AM_EINVAL. The queue keeps the statistics a dashboard
 * shows: depth, rates, blocked producers and consumers, time in queue
 * (p50/p95/max over the last items), and a fixed-size history of its depth
 * for a sparkline. */
#ifndef ASYNCMON_QUEUE_H
#define ASYNCMON_QUEUE_H

#include "asyncmon/meter.h"
#include "asyncmon/sync.h"

typedef enum am_queue_kind_e { AM_QUEUE_FIFO, AM_QUEUE_LIFO, AM_QUEUE_PRIORITY } am_queue_kind_t;

#define AM_QUEUE_HISTORY 120  /* depth samples kept for the sparkline */
#define AM_QUEUE_WINDOW  1024 /* recent items whose time in queue makes the percentiles */
#define AM_QUEUE_ORDER   16   /* first items got whose order is kept (priority, LIFO demos) */

/* maxsize 0: unbounded. Returns the object id (> 0) or AM_E... */
int am_queue_new(am_loop_t *loop, const char *name, am_queue_kind_t kind, uint32_t maxsize);
int am_queue_put_nowait(am_loop_t *loop, int q, int64_t value, int64_t priority);
int am_queue_get_nowait(am_loop_t *loop, int q, int64_t *value);
int am_queue_task_done(am_loop_t *loop, int q);
/* `await queue.join()` for code outside any task (the driver, before it
 * cancels its workers): when items are unfinished, cb is kept and runs once,
 * from the task_done that finishes the last of them, and 1 is returned; when
 * none are, 0 is returned and cb is not kept. One per queue: it replaces the
 * previous one; cb NULL withdraws it. */
int am_queue_on_join(am_loop_t *loop, int q, am_callout_cb cb, void *data);
/* Change maxsize live (0 = unbounded); raising it lets blocked producers in. */
int am_queue_set_maxsize(am_loop_t *loop, int q, uint32_t maxsize);
size_t am_queue_depth(const am_loop_t *loop, int q);

typedef struct am_queue_stats_s {
    am_queue_kind_t kind;
    uint32_t maxsize;
    size_t depth, max_depth;
    uint64_t puts, gets, unfinished;
    uint32_t blocked_producers, blocked_consumers, joiners;
    double put_rate, get_rate;           /* per virtual second, EMA-smoothed */
    double wait_p50, wait_p95, wait_max; /* seconds items spent queued, recent window */
    double wait_mean;                    /* over every item got so far */
    uint32_t history[AM_QUEUE_HISTORY];  /* depth samples, oldest first */
    size_t nhistory;
    /* the first norder items got, in the order they came out: their priority
     * and their put order (0 = the first item put) */
    size_t norder;
    int64_t order_prio[AM_QUEUE_ORDER];
    uint64_t order_seq[AM_QUEUE_ORDER];
} am_queue_stats_t;

/* Fill stats; now: virtual time, for the rates. */
int am_queue_stats(am_loop_t *loop, int q, am_queue_stats_t *out);
const char *am_queue_kind_name(am_queue_kind_t k);

#endif
