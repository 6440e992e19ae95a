/* checkout.h — the supermarket checkout: a scenario shape and its actions.
 *
 * A checkout scenario (demo/checkout.ini) is an ordinary scenario file: a
 * bounded queue, a customer generator that puts customers (items whose value
 * is their number of products) and waits on an event while arrivals are
 * paused, and cashiers that get a customer, serve it (scan its products) and
 * call task_done. This module recognises that shape and gives the dashboard
 * its actions — each one a change to the runtime (spawn or retire a cashier
 * task, scale the generator's sleep, set the queue's maxsize or order, clear
 * the event, cancel the generator so that the driver joins the queue and
 * cancels the cashiers) — and the figures the checkout view and the summary
 * show. */
#ifndef ASYNCMON_CHECKOUT_H
#define ASYNCMON_CHECKOUT_H

#include "asyncmon/driver.h"
#include "asyncmon/serve.h"

typedef struct am_checkout_s {
    int queue;             /* the queue cashiers serve */
    size_t generator;      /* scenario group putting customers into it */
    size_t cashiers;       /* scenario group serving it */
    int open_event;        /* event the generator waits on (pause arrivals), 0: none */
    int sleep_pc;          /* the generator's sleep step (arrival rate), -1: none */
    am_rate_t served_rate; /* departures per virtual second, EMA */
} am_checkout_t;

/* 1 and *out filled when sc is a checkout (a group with a serve step on a
 * queue another group puts into), else 0. */
int am_checkout_find(const am_scenario_t *sc, am_checkout_t *out);

typedef struct am_checkout_stats_s {
    uint64_t arrived;    /* customers put into the queue */
    uint64_t served;     /* served to the end */
    uint64_t in_queue;   /* waiting in the queue */
    uint64_t in_service; /* at a cashier */
    uint64_t cancelled;  /* their cashier was cancelled before finishing */
    size_t max_queue_depth;
    uint32_t maxsize;
    uint32_t cashiers;                           /* cashier tasks running */
    uint32_t busy;                               /* of which serving */
    uint32_t waiting_to_join;                    /* generators blocked in put: the queue is full */
    int express;                                 /* priority queue by products */
    int paused;                                  /* arrivals paused */
    int closed;                                  /* the store is closed: the generator has ended */
    double arrivals_per_min, departures_per_min; /* recent (EMA) */
    double wait_p50, wait_p95, wait_max;         /* time in queue, seconds, whole run */
    double system_mean, system_p50, system_p95, system_max; /* time in queue + service */
    double service_mean;
    double mean_depth;   /* L */
    double arrival_rate; /* lambda, per second */
    double wait_mean;    /* W */
    double elapsed;
} am_checkout_stats_t;

int am_checkout_stats(am_loop_t *loop, am_driver_t *d, am_checkout_t *c, am_checkout_stats_t *out);

/* Cashier tasks still running, in creation order, into ids (up to max);
 * returns how many there are. */
size_t am_checkout_cashiers(const am_loop_t *loop, const am_driver_t *d, const am_checkout_t *c,
                            am_task_id_t *ids, size_t max);

/* Actions. Each returns 0 or AM_E... (AM_ESTATE: not now, e.g. the store is closed). */
/* A new cashier task; AM_ESTATE once the store is closed (it would keep the
 * run alive after the join that ends it). */
int am_checkout_open_cashier(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c);
/* The newest cashier not already closing finishes its customer and goes. */
int am_checkout_close_cashier(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c);
/* Multiply the arrival rate by factor (the generator's sleep by 1/factor). */
int am_checkout_scale_arrivals(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c,
                               double factor);
/* Arrivals per second now (1 / the mean of the generator's sleep), 0 if unknown. */
double am_checkout_arrival_rate(const am_loop_t *loop, const am_driver_t *d,
                                const am_checkout_t *c);
int am_checkout_resize(am_loop_t *loop, const am_checkout_t *c, int delta);
/* Toggle; *paused (may be NULL) gets the new state. */
int am_checkout_pause_arrivals(am_loop_t *loop, const am_checkout_t *c, int *paused);
int am_checkout_express(am_loop_t *loop, const am_checkout_t *c, int *on);
/* Stop arrivals (cancel the generator): the driver joins the queue, then
 * cancels the cashiers. */
int am_checkout_close_store(am_loop_t *loop, am_driver_t *d, const am_checkout_t *c);

#endif
