/* serve.h — items with a size, and the tasks that serve them (a checkout).
 *
 * A program can put an item that carries a value, `put q items uniform 0 9`
 * (a customer with 0-9 products; the value is the item's priority too, so a
 * priority queue orders customers by their number of products), and serve
 * the item it got: `get q; serve q; task_done q` scans the item's products
 * one after the other, each a product drawn at random from the loop's
 * product table, sleeping that product's time (virtual time). The runtime
 * keeps what a dashboard shows about each server (item in hand, products
 * scanned, the product being scanned, items served, busy time) and about
 * each queue (served, abandoned, time in system, Little's law figures), and
 * emits serve_start / serve_end events, so a trace shows every service. */
#ifndef ASYNCMON_SERVE_H
#define ASYNCMON_SERVE_H

#include "asyncmon/program.h"
#include "asyncmon/quantile.h"

#define AM_PRODUCTS_MAX 32

/* The products a serve step scans (names copied; seconds > 0). Replaces
 * the previous table. AM_EINVAL for a bad entry, AM_ELIMIT past
 * AM_PRODUCTS_MAX. */
int am_loop_set_products(am_loop_t *loop, const char *const *names, const double *seconds,
                         size_t n);
size_t am_loop_products(const am_loop_t *loop);
/* Name and seconds of product i (0-based); NULL past the end. */
const char *am_loop_product(const am_loop_t *loop, size_t i, double *seconds);

typedef struct am_serve_info_s {
    int queue;           /* queue of the item in hand, 0 when none */
    int64_t item;        /* its value (products) */
    am_time_t enqueued;  /* when the item entered the queue */
    uint64_t number;     /* the item's place in the queue's order of puts, from 1 */
    int serving;         /* inside a serve step */
    am_time_t started;   /* when the serve step began, -1 when not serving */
    uint32_t scanned;    /* products scanned of the item in hand */
    const char *product; /* being scanned, NULL when none */
    uint64_t served;     /* items served to the end */
    double busy;         /* virtual seconds spent serving, the current service included */
    int retiring;        /* asked to stop after the item in hand */
} am_serve_info_t;

/* What a program task is serving. AM_EINVAL for other tasks. */
int am_task_serving(const am_loop_t *loop, am_task_id_t id, am_serve_info_t *out);

/* Ask a program task to return at the end of the current iteration of its
 * body (`while not closing:`): a cashier closing after the customer in hand.
 * A task waiting at its body's first step with nothing in hand (an idle
 * cashier in `get`) is cancelled at once instead. 0, AM_ESTATE if it has
 * ended, AM_EINVAL if it is no program task. */
int am_task_retire(am_loop_t *loop, am_task_id_t id);

/* Per-queue figures of service (for the queue's items that were served). */
typedef struct am_serve_stats_s {
    uint64_t served;       /* serve steps completed */
    uint64_t abandoned;    /* items whose server ended before finishing with them */
    uint64_t in_hand;      /* got, not yet served (or task_done) nor abandoned */
    double service_mean;   /* seconds per service */
    am_quantile_t *wait;   /* time in queue of every item got (not owned; NULL-safe) */
    am_quantile_t *system; /* time in queue + service of every item served */
    /* Little's law, L = lambda * W, over the queue's life */
    double elapsed;      /* virtual seconds since the queue was created (to its last put
                            or get while it is empty) */
    double mean_depth;   /* L: time-averaged number of items in the queue */
    double arrival_rate; /* lambda: items put per second */
    double wait_mean;    /* W: mean time in queue of the items got */
} am_serve_stats_t;

int am_queue_serve_stats(am_loop_t *loop, int q, am_serve_stats_t *out);

/* Change a queue's order live (the express lane: fifo -> priority by
 * products). The items waiting are reordered. */
int am_queue_set_kind(am_loop_t *loop, int q, am_queue_kind_t kind);

/* Scale the distribution of step pc of a program (the arrival rate: the
 * generator's sleep): its mean is multiplied by factor (> 0). */
int am_program_scale_step(am_loop_t *loop, int program, uint32_t pc, double factor);
/* Replace the distribution of step pc. */
int am_program_set_dist(am_loop_t *loop, int program, uint32_t pc, const am_dist_t *dist);

#endif
