/* external.c — real work for program tasks: thread-pool jobs and child processes.
 *
 * executor: the equivalent of loop.run_in_executor(None, f) — a busy loop on
 * libuv's thread pool. Cancelling it before a pool thread picks it up removes
 * it (uv_cancel); once it runs it cannot be interrupted, so the task is
 * marked cancelled when the job returns, as a cancelled asyncio task whose
 * executor future is already running is.
 * run: a child process (uv_spawn, argv, no shell) in its own session, so a
 * cancel reaches its whole process group: SIGTERM, then SIGKILL after the
 * grace period. libuv reaps every child; the loop is never freed with one
 * still running. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/objects.h"

typedef struct am_external_s {
    am_loop_t *loop;
    am_task_id_t task;
    am_task_id_t job_task; /* the task, for the pool thread: never changes */
    uint32_t slot;
    int is_process;
    int exited;
    double seconds; /* executor: the work */
    int64_t status; /* process: exit status; executor: uv status */
    int term_signal;
    uv_work_t work;
    uv_process_t proc;
    uv_timer_t kill_timer;
    int kill_timer_on;
    int handles_open;
} am_external_t;

static int slot_new(am_loop_t *loop, am_external_t *x)
{
    for (uint32_t i = 0; i < loop->next_jobs; i++)
        if (!loop->ext_jobs[i]) {
            loop->ext_jobs[i] = x;
            x->slot = i;
            return 0;
        }
    if (loop->next_jobs == loop->ext_job_cap) {
        uint32_t cap = loop->ext_job_cap ? loop->ext_job_cap * 2 : 16;
        am_external_t **v = realloc(loop->ext_jobs, (size_t)cap * sizeof *v);
        if (!v) return AM_ENOMEM;
        loop->ext_jobs = v;
        loop->ext_job_cap = cap;
    }
    x->slot = loop->next_jobs;
    loop->ext_jobs[loop->next_jobs++] = x;
    return 0;
}

/* The work is over (or never started): the task goes on, or ends. */
static void finish(am_external_t *x, int ok, int err)
{
    am_loop_t *loop = x->loop;
    loop->ext_jobs[x->slot] = NULL;
    am_task_id_t id = x->task;
    x->task = 0;
    if (!id) return;
    am_task_t *t = am__task(loop, id);
    if (!x->is_process && t->kind == AM_KIND_PROGRAM && loop->progs[t->prog].repeat == 1) {
        t->n = 0; /* the job's chunks were shown as progress: back to iterations */
        t->total = 1;
    }
    t->flags &= (uint8_t)~AM_TF_EXTERNAL;
    if (am__final(t->state)) return;
    if (t->flags & AM_TF_CANCEL_REQ) {
        /* the cancellation is delivered now that the work has returned */
        am__schedule_task(loop, id, am__now(loop));
        return;
    }
    if (ok) {
        t->flags |= AM_TF_EXTERNAL; /* so resume clears it and moves on */
        am__program_resume(loop, id);
    } else {
        am__program_abort(loop, id);
        am__end(loop, id, AM_TASK_FAILED, err);
    }
}

/* ---- executor ---- */

#define WORK_CHUNKS 10 /* progress reports per executor job */

/* On a pool thread: the work, in chunks, each reported to the loop thread
 * through am_task_post_progress (the task table is the loop thread's). */
static void work_cb(uv_work_t *req)
{
    am_external_t *x = req->data;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (uint32_t k = 1; k <= WORK_CHUNKS; k++) {
        double until = x->seconds * k / WORK_CHUNKS;
        do {
            clock_gettime(CLOCK_MONOTONIC, &b);
        } while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < until);
        am_task_post_progress(x->loop, x->job_task, k, WORK_CHUNKS);
    }
}

static void after_work_cb(uv_work_t *req, int status)
{
    am_external_t *x = req->data;
    finish(x, status == 0, AM_ECANCELLED);
    free(x);
}

/* ---- processes ---- */

static void handle_closed(uv_handle_t *h)
{
    am_external_t *x = h->data;
    if (--x->handles_open == 0) free(x);
}

static void close_process(am_external_t *x)
{
    if (x->kill_timer_on) {
        uv_timer_stop(&x->kill_timer);
        uv_close((uv_handle_t *)&x->kill_timer, handle_closed);
        x->kill_timer_on = 0;
    }
    uv_close((uv_handle_t *)&x->proc, handle_closed);
}

static void exit_cb(uv_process_t *p, int64_t status, int term_signal)
{
    am_external_t *x = p->data;
    x->exited = 1;
    x->status = status;
    x->term_signal = term_signal;
    finish(x, status == 0 && term_signal == 0, AM_ETASKFAIL);
    close_process(x);
}

static void kill_group(am_external_t *x, int sig)
{
    /* the child leads its own session and process group: signal all of it */
    if (x->proc.pid > 0 && kill(-x->proc.pid, sig) != 0) kill(x->proc.pid, sig);
}

static void on_grace(uv_timer_t *t)
{
    am_external_t *x = t->data;
    if (!x->exited) kill_group(x, SIGKILL);
}

int am__external_start(am_loop_t *loop, am_task_id_t id, const am_op_t *op, double seconds)
{
    am_external_t *x = calloc(1, sizeof *x);
    if (!x) return AM_ENOMEM;
    x->loop = loop;
    x->task = id;
    x->job_task = id;
    x->seconds = seconds;
    if (slot_new(loop, x) != 0) {
        free(x);
        return AM_ENOMEM;
    }
    am_task_t *t = am__task(loop, id);
    t->flags |= AM_TF_EXTERNAL;
    t->obj = x->slot;
    if (op->kind == AM_OP_EXECUTOR) {
        x->work.data = x;
        if (uv_queue_work(loop->uv, &x->work, work_cb, after_work_cb) == 0) return 0;
    } else {
        x->is_process = 1;
        uv_stdio_container_t stdio[3] = {{UV_IGNORE, {0}}, {UV_IGNORE, {0}}, {UV_IGNORE, {0}}};
        uv_process_options_t o;
        memset(&o, 0, sizeof o);
        o.file = op->argv[0];
        o.args = op->argv;
        o.exit_cb = exit_cb;
        o.flags = UV_PROCESS_DETACHED; /* setsid: its own process group, still ours to reap */
        o.stdio_count = 3;
        o.stdio = stdio;
        x->proc.data = x;
        x->handles_open = 1;
        int rc = uv_spawn(loop->uv, &x->proc, &o);
        if (rc == 0) return 0;
        /* the handle must still be closed after a failed spawn */
        loop->ext_jobs[x->slot] = NULL;
        am__task(loop, id)->flags &= (uint8_t)~AM_TF_EXTERNAL;
        x->task = 0;
        uv_close((uv_handle_t *)&x->proc, handle_closed);
        return AM_ETASKFAIL;
    }
    loop->ext_jobs[x->slot] = NULL;
    am__task(loop, id)->flags &= (uint8_t)~AM_TF_EXTERNAL;
    free(x);
    return AM_EIO;
}

void am__external_cancel(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    if (!(t->flags & AM_TF_EXTERNAL) || t->obj >= loop->next_jobs) return;
    am_external_t *x = loop->ext_jobs[t->obj];
    if (!x) return;
    if (!x->is_process) {
        uv_cancel((uv_req_t *)&x->work); /* fails harmlessly once the job runs */
        return;
    }
    if (x->exited || x->kill_timer_on) return;
    kill_group(x, SIGTERM);
    uv_timer_init(loop->uv, &x->kill_timer);
    x->kill_timer.data = x;
    x->handles_open++;
    x->kill_timer_on = 1;
    uv_timer_start(&x->kill_timer, on_grace, (uint64_t)(loop->kill_grace * 1000), 0);
}

size_t am_loop_processes(const am_loop_t *loop)
{
    size_t n = 0;
    for (uint32_t i = 0; i < loop->next_jobs; i++)
        if (loop->ext_jobs[i] && loop->ext_jobs[i]->is_process) n++;
    return n;
}

void am__externals_free(am_loop_t *loop)
{
    /* kill what still runs and let libuv reap it; wait for pool jobs */
    for (;;) {
        int busy = 0;
        for (uint32_t i = 0; i < loop->next_jobs; i++) {
            am_external_t *x = loop->ext_jobs[i];
            if (!x) continue;
            busy = 1;
            x->task = 0; /* nobody to tell any more */
            if (x->is_process && !x->exited) kill_group(x, SIGKILL);
            if (!x->is_process) uv_cancel((uv_req_t *)&x->work);
        }
        if (!busy) break;
        uv_run(loop->uv, UV_RUN_ONCE);
    }
    free(loop->ext_jobs);
    loop->ext_jobs = NULL;
    loop->next_jobs = loop->ext_job_cap = 0;
}
