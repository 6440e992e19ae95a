/* program.h — what a simulated task does, as a short list of steps.
 *
 * A program is the body of a coroutine in miniature:
 *     acquire api; sleep uniform 0.1 0.5; release api
 * Each step is one await (or one plain statement). The loop runs a task's
 * steps in order, suspending it where asyncio would (a sleep, a full queue, a
 * held lock) and repeating the whole body `repeat` times (0: until
 * cancelled). Durations are drawn from the loop's seeded RNG when the step
 * runs. sleep is virtual time; cpu and executor are real CPU work (a busy
 * loop) on the loop thread — blocking every task — or on libuv's thread pool;
 * run starts a child process. */
#ifndef ASYNCMON_PROGRAM_H
#define ASYNCMON_PROGRAM_H

#include "asyncmon/queue.h"
#include "asyncmon/rng.h"
#include "asyncmon/sync.h"

typedef enum am_op_kind_e {
    AM_OP_SLEEP,      /* await asyncio.sleep(d) */
    AM_OP_CPU,        /* CPU-bound work on the loop thread: blocks the loop for d real seconds */
    AM_OP_EXECUTOR,   /* await loop.run_in_executor(None, work): d real seconds on the pool */
    AM_OP_ACQUIRE,    /* await sem.acquire() */
    AM_OP_RELEASE,    /* sem.release() */
    AM_OP_LOCK,       /* await lock.acquire() (also a condition's lock) */
    AM_OP_UNLOCK,     /* lock.release() */
    AM_OP_WAIT,       /* await event.wait() */
    AM_OP_SET,        /* event.set() */
    AM_OP_CLEAR,      /* event.clear() */
    AM_OP_COND_WAIT,  /* await cond.wait(): releases the lock, waits, re-acquires */
    AM_OP_NOTIFY,     /* cond.notify(n) */
    AM_OP_NOTIFY_ALL, /* cond.notify_all() */
    AM_OP_PUT,        /* await queue.put(item) */
    AM_OP_GET,        /* item = await queue.get() */
    AM_OP_TASK_DONE,  /* queue.task_done() */
    AM_OP_JOIN,       /* await queue.join() */
    AM_OP_FAIL,       /* raise, with probability p */
    AM_OP_RUN,        /* await (await create_subprocess_exec(*argv)).wait() */
    AM_OP_SERVE,      /* scan the products of the item got, one by one (serve.h) */
    AM_OP_NKINDS
} am_op_kind_t;

typedef struct am_op_s {
    am_op_kind_t kind;
    int obj;        /* primitive or queue id for the ops that take one */
    am_dist_t dist; /* sleep/cpu/executor: seconds; put: the item's priority (or value) */
    double p;       /* fail: probability */
    uint32_t n;     /* notify: how many; put: 1 when dist draws the item's value (`items`) */
    char **argv;    /* run: NULL-terminated, owned by the program */
} am_op_t;

#define AM_PROGRAM_MAX_OPS 64

/* Register a program (ops and their argv are copied). Returns
 * its id (> 0) or AM_E... repeat 0 means "until cancelled". */
int am_program_new(am_loop_t *loop, const am_op_t *ops, size_t nops, uint32_t repeat);
/* Create a task running a program. 0 on error. */
am_task_id_t am_spawn_program(am_loop_t *loop, uint16_t group, int program);
/* Seed the RNG programs draw their durations from. */
void am_loop_seed(am_loop_t *loop, uint64_t seed);

/* Names of primitives and queues, for the parser: return the id (> 0) and
 * kind of the object called `name`, or AM_ENOENT. */
typedef int (*am_obj_lookup_fn)(void *ctx, const char *name, am_obj_kind_t *kind);
/* The lookup over a loop's objects (ctx is the am_loop_t). */
int am_loop_obj_lookup(void *loop, const char *name, am_obj_kind_t *kind);
/* Parse "acquire api; sleep uniform 1 2; release api". On error returns
 * AM_EPARSE and writes "step N: what was expected" to err. */
int am_program_parse(am_obj_lookup_fn lookup, void *ctx, const char *text, am_op_t *ops, size_t max,
                     size_t *nops, char *err, size_t errsize);
/* Free what am_program_parse allocated in ops (argv) when not handed to am_program_new. */
void am_program_ops_free(am_op_t *ops, size_t nops);
/* One step as text ("sleep uniform 1 2"), for the dashboard's code view. */
int am_op_format(const am_loop_t *loop, const am_op_t *op, char *buf, size_t size);
const char *am_op_name(am_op_kind_t k);

/* Where a program task is: step index and iteration (for the code view). */
int am_task_program(const am_loop_t *loop, am_task_id_t id, int *program, uint32_t *pc);
/* The program's steps. */
size_t am_program_ops(const am_loop_t *loop, int program, const am_op_t **ops);
/* How many started, unended tasks of a program are at each step (at[k]: step
 * k, 0-based) and how many of them wait on a primitive or queue (a lock, a
 * semaphore, an event, a condition, a full or empty queue). Kept up to date
 * as tasks move, so reading them costs O(steps) whatever the task count.
 * Returns the number of steps (0 for an unknown program); the arrays hold
 * one more entry, for a task between two iterations. */
size_t am_program_step_counts(const am_loop_t *loop, int program, const uint32_t **at,
                              const uint32_t **waiting);

/* Real work: grace period between SIGTERM and SIGKILL for cancelled child
 * processes (default 2 s of real time). */
void am_loop_set_kill_grace(am_loop_t *loop, double seconds);
/* Child processes still running (for shutdown). */
size_t am_loop_processes(const am_loop_t *loop);

#endif
