/* internal.h — the runtime's private structures, shared by the runtime sources.
 *
 * Memory per simulated task: one am_task_t (72 bytes) in a flat table, one
 * 16-byte heap entry while it is scheduled, and one 12-byte watch link per
 * combinator watching it. No per-task allocation, no uv handle per task. */
#ifndef ASYNCMON_RUNTIME_INTERNAL_H
#define ASYNCMON_RUNTIME_INTERNAL_H

#include <stdint.h>

#include "asyncmon/combinators.h"
#include "asyncmon/program.h"
#include "asyncmon/runtime.h"

/* Task flags. */
enum {
    AM_TF_CANCEL_REQ = 1 << 0,   /* cancellation requested, not yet delivered */
    AM_TF_TIMEOUT = 1 << 1,      /* the cancellation comes from a timeout: end timed out */
    AM_TF_PLANNED_FAIL = 1 << 2, /* sleep: ends failed with `value` as the error */
    AM_TF_WAITING = 1 << 3,      /* program: suspended on a primitive or queue (obj) */
    AM_TF_EXTERNAL = 1 << 4,     /* program: real work running (executor job, process) */
    AM_TF_REACQUIRE = 1 << 5,    /* program: cond_wait woken, waiting for the lock again */
    AM_TF_IN_COND = 1 << 6,      /* program: inside cond_wait (the lock is not held) */
    AM_TF_HANDED = 1 << 7        /* program: a blocked get/put was let through; it takes
                                    its item (or room) when it runs (queue.c) */
};

typedef struct am_task_s {
    am_time_t start;    /* virtual start time, -1 before */
    am_time_t end;      /* virtual end time, -1 before */
    am_time_t duration; /* sleep: the work; nodes: their timeout (or AM_NO_TIMEOUT) */
    am_time_t deadline; /* absolute deadline, -1 none */
    int64_t value;      /* result when done, error when failed/cancelled */
    uint32_t heap_pos;  /* seq of its live heap or ready entry, 0 when not scheduled */
    uint32_t watch;     /* head of the watch-link list, 0 when none */
    uint32_t n;         /* progress */
    uint32_t total;     /* progress total */
    uint32_t aux;       /* sleep/program: index within its group; node: slot in loop->ext */
    uint32_t obj;       /* program: object waited on, or external job slot */
    uint16_t group;
    uint16_t prog; /* program: its program id */
    uint8_t kind;  /* am_task_kind_t */
    uint8_t state; /* am_task_state_t */
    uint8_t flags;
    uint8_t pc; /* program: the step running or next */
} am_task_t;

/* A heap entry: the key is (when, seq); seq keeps equal times FIFO. */
typedef struct am_hent_s {
    am_time_t when;
    uint32_t seq;
    uint32_t ref; /* task id, or AM_REF_CALLOUT | callout index */
} am_hent_t;

#define AM_REF_CALLOUT 0x80000000u

/* "watcher is told when task ends": watcher is a node id, or a callout index
 * with AM_REF_CALLOUT (add_done_callback). slot is the watcher's own index. */
typedef struct am_link_s {
    uint32_t watcher;
    uint32_t slot;
    uint32_t next;
} am_link_t;

typedef struct am_callout_s {
    am_callout_cb cb; /* NULL when free */
    am_done_cb done;  /* for add_done_callback links */
    void *data;
    am_task_id_t task; /* the task a done-callback is about */
    uint32_t heap_pos;
    uint32_t next_free;
    uint32_t gen; /* bumps on reuse so stale handles fail */
} am_callout_t;

/* A registered program (program.c). */
typedef struct am_program_s {
    am_op_t *ops; /* owned, with each op's argv */
    uint32_t nops;
    uint32_t repeat; /* 0: until cancelled */
    /* started, unended tasks at each step (index pc; nops: between two
     * iterations) and those of them waiting on a primitive or queue, kept as
     * tasks move so the code panel reads them in O(steps), not O(tasks) */
    uint32_t at[AM_PROGRAM_MAX_OPS + 1];
    uint32_t waiting[AM_PROGRAM_MAX_OPS + 1];
} am_program_t;

/* Every combinator extension starts with this header: the completion callback. */
typedef struct am_node_hdr_s {
    am_done_cb cb;
    void *data;
} am_node_hdr_t;

/* Operations a combinator node implements. */
typedef struct am_node_ops_s {
    /* a watched task ended; slot is the value given to am__watch */
    void (*child_ended)(am_loop_t *loop, am_task_id_t node, am_task_id_t child, uint32_t slot);
    /* the node's heap entry fired (timeout or deferred completion) */
    void (*fire)(am_loop_t *loop, am_task_id_t node);
    /* cancellation requested for the node */
    void (*cancel)(am_loop_t *loop, am_task_id_t node);
    /* free the node's extension */
    void (*free_ext)(void *ext);
} am_node_ops_t;

typedef struct am_group_s {
    char name[32];
    uint32_t spawned;
} am_group_t;

struct am_loop_s {
    uv_loop_t *uv;
    uv_timer_t timer; /* the one timer: armed for the earliest heap entry */
    int timer_armed;
    uv_idle_t idle; /* runs the next batch when one ran out of budget (loop.c: on_idle) */

    am_task_t *tasks; /* [0] unused: id 0 is "no task" */
    uint32_t ntasks;
    uint32_t task_cap;

    am_hent_t *heap;
    uint32_t heap_len;
    uint32_t heap_cap;
    uint32_t seq;
    uint32_t garbage; /* heap entries made stale by unschedule/reschedule, roughly */

    am_hent_t *ready; /* FIFO of new tasks' first steps (loop.c: peek) */
    uint32_t ready_head, ready_len, ready_cap;

    am_link_t *links; /* [0] unused */
    uint32_t link_len;
    uint32_t link_cap;
    uint32_t link_free;

    void **ext; /* combinator extensions, indexed by node aux */
    uint32_t ext_len;
    uint32_t ext_cap;

    am_callout_t *callouts; /* [0] unused */
    uint32_t callout_len;
    uint32_t callout_cap;
    uint32_t callout_free;

    am_group_t *groups;
    uint32_t ngroups;
    uint32_t group_cap;

    /* virtual clock: now = vbase + (hrtime - rbase) * speed, unless paused */
    double speed;
    int paused;
    am_time_t vbase;
    uint64_t rbase;
    am_time_t cur;          /* time of the entry being dispatched */
    am_time_t dispatch_now; /* the clock when this dispatch began: cur lags it when late */
    int in_dispatch;

    struct am_obj_s *objs; /* [0] unused: primitives and queues (sync.c, queue.c) */
    uint32_t nobjs, obj_cap;
    struct am_program_s *progs; /* [0] unused (program.c) */
    uint32_t nprogs, prog_cap;
    am_rng_t rng;                    /* durations drawn by programs */
    struct am_external_s **ext_jobs; /* executor jobs and processes running (external.c) */
    uint32_t next_jobs, ext_job_cap;
    double kill_grace;
    struct am_health_s *health; /* owned, NULL until am_loop_health_start (health.c) */
    double slow_threshold;
    am_loop_health_t slow; /* slow-step part of the health figures */

    /* progress posted from other threads (am_task_post_progress) */
    uv_async_t post_async;
    uv_mutex_t post_lock;
    struct am_post_s {
        am_task_id_t id;
        uint32_t n, total;
    } posts[256]; /* under post_lock */
    uint32_t nposts;

    uint64_t live; /* simulated tasks not yet ended */
    am_callout_cb drain_cb;
    void *drain_data;

    struct am_hold_s *holds; /* owned, indexed by task id: items in hand (serve.c) */
    uint32_t hold_cap;
    struct am_product_s *products; /* owned: what serve steps scan (serve.c) */
    uint32_t nproducts;

    am_observer_fn observer;
    void *observer_ctx;
    am_loop_stats_t stats;
};

extern const am_node_ops_t am__gather_ops, am__wait_ops, am__as_completed_ops, am__wait_for_ops,
    am__shield_ops, am__taskgroup_ops;

static inline am_task_t *am__task(const am_loop_t *loop, am_task_id_t id)
{
    return &loop->tasks[id];
}
static inline int am__is_node(uint8_t kind)
{
    return AM_KIND_IS_NODE(kind);
}
static inline int am__final(uint8_t state)
{
    return state >= AM_TASK_DONE;
}

/* loop.c */
int am__heap_fit(am_loop_t *loop);
/* Schedule a new task's first step at now, through the ready FIFO. */
int am__schedule_start(am_loop_t *loop, am_task_id_t id);
/* A done-callback held as a callout; fired with am__callout_fire_soon. */
int am__callout_done(am_loop_t *loop, am_task_id_t task, am_done_cb cb, void *data,
                     uint32_t *index);
void am__callout_fire_soon(am_loop_t *loop, uint32_t idx);
const am_node_ops_t *am__node_ops(am_task_kind_t kind);
void am__schedule(am_loop_t *loop, uint32_t ref, uint32_t *heap_pos, am_time_t when);
void am__unschedule(am_loop_t *loop, uint32_t *heap_pos);
am_time_t am__now(const am_loop_t *loop);
void am__emit(am_loop_t *loop, am_event_type_t type, am_task_id_t id, int err);

/* task.c */
am_task_id_t am__task_new(am_loop_t *loop, am_task_kind_t kind, uint16_t group);
/* Create a node with extension `ext` (owned by the node from now on). */
am_task_id_t am__node_new(am_loop_t *loop, am_task_kind_t kind, void *ext);
void *am__ext(const am_loop_t *loop, am_task_id_t node);
/* Watch `task` from node `watcher` with a slot; returns the link index or 0 on OOM. */
uint32_t am__watch(am_loop_t *loop, am_task_id_t task, uint32_t watcher, uint32_t slot);
/* End a task: set its final state, emit, notify watchers. */
void am__end(am_loop_t *loop, am_task_id_t id, am_task_state_t state, int64_t value);
/* Request cancellation with the timeout flag when `timeout` is set. */
int am__cancel(am_loop_t *loop, am_task_id_t id, int timeout);
void am__dispatch_task(am_loop_t *loop, am_task_id_t id);
void am__dispatch_callout(am_loop_t *loop, uint32_t idx);
/* Error a node reports for a child's outcome (0 when done). */
int am__outcome_error(const am_task_t *t);
void am__schedule_task(am_loop_t *loop, am_task_id_t id, am_time_t when);

/* program.c: run a program task's steps; abort it (release what it holds,
 * leave any wait) before it ends early. */
void am__program_dispatch(am_loop_t *loop, am_task_id_t id);
void am__program_abort(am_loop_t *loop, am_task_id_t id);
/* program.c: a blocked step completed (permit granted, item got...): go on. */
void am__program_resume(am_loop_t *loop, am_task_id_t id);
/* program.c: a program task starts waiting on object obj (sets AM_TF_WAITING
 * and counts it at its step), or it ends (its step's counts drop). */
void am__program_wait(am_loop_t *loop, am_task_id_t id, int obj);
void am__program_ended(am_loop_t *loop, am_task_t *t);
void am__programs_free(am_loop_t *loop);
void am__serve_free(am_loop_t *loop); /* serve.c */

/* sync.c / queue.c: a waiting task leaves its wait (cancelled, timed out). */
void am__obj_leave(am_loop_t *loop, am_task_id_t id);
void am__objs_free(am_loop_t *loop);

/* external.c: start a program step's real work (executor job or process);
 * the task is resumed, or fails, when it is over. */
int am__external_start(am_loop_t *loop, am_task_id_t id, const am_op_t *op, double seconds);
/* task.c: apply progress posted from other threads (the uv_async callback). */
void am__apply_posts(uv_async_t *h);
/* external.c: cancel real work (uv_cancel, or SIGTERM then SIGKILL). */
void am__external_cancel(am_loop_t *loop, am_task_id_t id);
void am__externals_free(am_loop_t *loop);
/* health.c */
void am__health_free(am_loop_t *loop);
void am__slow_step(am_loop_t *loop, am_task_id_t id, double seconds);

#endif
