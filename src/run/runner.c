/* runner.c — the engine of `asyncmon run`: jobs, a FIFO queue, a live
 * concurrency limit, and one child process per running job.
 *
 * Each attempt of a job is an extern task of the runtime (am_spawn_extern),
 * so the monitor counts it, the header and the event log show it, and the
 * runtime's cancellation (a key, Ctrl-C's cancel-everything) reaches it
 * through the task's cancel op. A task is created only when its job gets a
 * slot: a queued job is the runner's, not yet the runtime's.
 *
 * The child is started with posix_spawn (see spawn() for why) in its own
 * session and process group, with stdin on /dev/null and stdout/stderr on
 * pipes read into the job's rings; a SIGCHLD watcher reaps it. Cancelling
 * sends SIGTERM (and SIGCONT, so a paused job can act on it) to the whole
 * group, then SIGKILL after the grace; a timeout does the same and ends the
 * attempt timed out. When the command exits, whatever it left running in
 * its group gets SIGTERM, so that nothing outlives its job; the attempt ends
 * once the pipes are at EOF (or, if a leftover keeps them open, after the
 * grace, with SIGKILL). am_runner_free kills and reaps what still runs
 * before it returns.
 *
 * Ordering matters for whoever watches am_loop_live (the driver ends a run
 * when it drops to 0): when an attempt ends, the next queued job is started
 * before the ended task is finished. */
#define _GNU_SOURCE /* pipe2, POSIX_SPAWN_SETSID */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asyncmon/meter.h"
#include "cli/fatal.h"
#include "run/run.h"

enum { CANCEL_NONE, CANCEL_USER, CANCEL_TIMEOUT };

typedef struct am_proc_s {
    am_runner_t *r;
    am_job_t *job; /* NULL once the attempt has ended */
    pid_t pid;
    size_t live_at; /* index in the runner's live array while spawned and not reaped */
    uv_pipe_t out, err;
    uv_timer_t timer; /* the timeout, then the grace before SIGKILL, or the wait for EOF */
    int handles;      /* open uv handles: the proc is freed when the last one closed */
    int spawned, exited, out_open, err_open, killed;
    int cancel; /* CANCEL_... */
    int64_t status;
    int signo;
    int outfd, errfd; /* --output-dir files, -1 */
    double start_epoch;
} am_proc_t;

struct am_runner_s {
    am_loop_t *loop;
    am_run_config_t cfg;
    am_job_t **jobs; /* owned, each owned */
    size_t njobs, cap;
    uint32_t *queue; /* seqs, FIFO from qhead */
    size_t qhead, qlen, qcap;
    unsigned running; /* jobs with a task alive */
    size_t nprocs;    /* am_proc_t not yet freed */
    int stopping, freeing, idle_told;
    void (*idle_cb)(am_runner_t *r, void *data);
    void *idle_data;
    void (*end_cb)(am_runner_t *r, am_job_t *job, void *data);
    void *end_data;
    int (*halt)(void *data);
    void *halt_data;
    void (*output_cb)(am_runner_t *r, am_job_t *job, int is_err, const char *data, size_t len,
                      void *ud);
    void *output_ud;
    am_proc_t **live; /* spawned, not yet reaped: what SIGCHLD looks at */
    size_t nlive, live_cap;
    uv_signal_t chld; /* SIGCHLD: our children, and adopted orphans */
    int chld_on, chld_closed;
    int adopting;  /* a job ended with processes left in its group: look for orphans */
    int subreaper; /* own_process: orphans are ours */
    /* the batch's clock: from the first pump to the moment the runner last
     * became idle (uv_hrtime; idle_ns 0 while busy), the loop's time then,
     * and jobs ended per second, fed as each one ends */
    uint64_t start_ns, idle_ns;
    am_time_t idle_at;
    uint64_t nended; /* jobs in a final state */
    am_rate_t rate;
    char buf[65536]; /* every pipe reads here: the data is consumed in the read callback */
};

static const am_extern_ops_t job_ops;

/* ---- orphans ----
 * A job's command may exit before its children. Those the group kill
 * reaches die, but their parent is gone: they would be zombies of init (or
 * live on, if they left the group). As a child subreaper the run adopts
 * them: each SIGCHLD reaps the adopted zombies, and the end of the run kills
 * and reaps any adopted process still alive. Only pids libuv does not wait
 * for are touched: a live job's leader is left to libuv. */

static int is_job_leader(const am_runner_t *r, pid_t pid)
{
    for (size_t i = 0; i < r->nlive; i++)
        if (r->live[i]->pid == pid) return 1;
    return 0;
}

/* Our children (Linux: /proc/self/task/TID/children; the loop thread forks). */
static size_t children(pid_t *out, size_t max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
    FILE *f = fopen(path, "r");
    size_t n = 0;
    long pid;
    if (!f) return 0;
    while (n < max && fscanf(f, "%ld", &pid) == 1)
        out[n++] = (pid_t)pid;
    fclose(f);
    return n;
}

/* 'Z' for a zombie, and its process group; 0 when it is gone. */
static char proc_state(pid_t pid, long *pgrp)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = '\0';
    char *p = strrchr(buf, ')'); /* the command name may hold anything */
    char st;
    long ppid;
    if (!p || sscanf(p + 1, " %c %ld %ld", &st, &ppid, pgrp) != 3) return 0;
    return st;
}

/* Returns how many adopted processes are still alive. */
static size_t reap_orphans(am_runner_t *r, int kill_live)
{
    pid_t pids[512];
    size_t n = children(pids, 512), alive = 0;
    for (size_t i = 0; i < n; i++) {
        long pgrp = 0;
        char st = proc_state(pids[i], &pgrp);
        /* a group leader is a job's command (libuv reaps it), or one that
         * left its job's group: that one waits for the end of the run */
        if (!st || (!kill_live && pgrp == pids[i]) || is_job_leader(r, pids[i])) continue;
        if (st != 'Z') {
            alive++;
            if (!kill_live) continue;
            kill(pids[i], SIGKILL);
        }
        waitpid(pids[i], NULL, 0);
    }
    return alive;
}

static void proc_exited(am_proc_t *p, int status);

static void on_chld(uv_signal_t *h, int signo)
{
    am_runner_t *r = h->data;
    (void)signo;
    /* signals coalesce: look at every live child; from the end, as each
     * reaped one leaves the array */
    for (size_t i = r->nlive; i-- > 0;) {
        if (i >= r->nlive) continue;
        am_proc_t *p = r->live[i];
        int status;
        pid_t got = waitpid(p->pid, &status, WNOHANG);
        if (got == p->pid || (got < 0 && errno == ECHILD)) proc_exited(p, got < 0 ? 0 : status);
    }
    /* only after a job left something behind: a plain job costs no /proc reads */
    if (r->adopting && reap_orphans(r, 0) == 0) r->adopting = 0;
}

/* ---- a crash ----
 * The process dies of SIGSEGV, SIGABRT...: the jobs would live on, each in
 * its own session. The handler kills their groups (kill is
 * async-signal-safe; the live array is only read), then hands the signal on
 * to the handler that was there before (the dashboard's, which restores the
 * terminal) or the default. */

static struct sigaction old_fatal[AM_NFATAL];
static am_runner_t *volatile guarded;

static void on_fatal(int sig)
{
    am_runner_t *r = guarded;
    for (size_t i = 0; r && i < r->nlive; i++)
        kill(-r->live[i]->pid, SIGKILL);
    am_fatal_pass_on(sig, old_fatal);
}

static void guard_fatal(am_runner_t *r)
{
    if (guarded) return; /* one runner per process owns it */
    guarded = r;
    am_fatal_install(on_fatal, old_fatal);
}

static void unguard_fatal(am_runner_t *r)
{
    if (guarded != r) return;
    am_fatal_uninstall(old_fatal);
    guarded = NULL;
}

static void chld_closed(uv_handle_t *h)
{
    ((am_runner_t *)h->data)->chld_closed = 1;
}

/* ---- the job list and the queue ---- */

am_runner_t *am_runner_new(am_loop_t *loop, const am_run_config_t *cfg)
{
    am_runner_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->loop = loop;
    r->cfg = *cfg;
    if (r->cfg.jobs < 1) r->cfg.jobs = 1;
    r->idle_told = 1; /* nothing to tell before the first job */
    r->idle_at = -1;
    am_rate_init(&r->rate, 0.3);
    am_rate_update(&r->rate, 0, 0);
    if (uv_signal_init(am_loop_uv(loop), &r->chld) != 0) {
        free(r);
        return NULL;
    }
    r->chld.data = r;
    uv_signal_start(&r->chld, on_chld, SIGCHLD);
    uv_unref((uv_handle_t *)&r->chld); /* referenced only while a child lives */
    r->chld_on = 1;
#ifdef PR_SET_CHILD_SUBREAPER
    if (cfg->own_process) r->subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
#endif
    if (cfg->own_process) guard_fatal(r);
    return r;
}

static int enqueue(am_runner_t *r, uint32_t seq)
{
    if (r->qhead + r->qlen == r->qcap) {
        if (r->qhead > 0) { /* reuse the consumed front first */
            memmove(r->queue, r->queue + r->qhead, r->qlen * sizeof *r->queue);
            r->qhead = 0;
        } else {
            size_t cap = r->qcap ? r->qcap * 2 : 256;
            uint32_t *q = realloc(r->queue, cap * sizeof *q);
            if (!q) return AM_ENOMEM;
            r->queue = q;
            r->qcap = cap;
        }
    }
    r->queue[r->qhead + r->qlen++] = seq;
    r->idle_told = 0;
    r->idle_ns = 0; /* the clock runs again */
    r->idle_at = -1;
    return 0;
}

int am_runner_add_argv(am_runner_t *r, char **argv, const char *cmd)
{
    if (r->njobs == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        am_job_t **v = realloc(r->jobs, cap * sizeof *v);
        if (!v) goto nomem;
        r->jobs = v;
        r->cap = cap;
    }
    am_job_t *j = calloc(1, sizeof *j);
    if (!j) goto nomem;
    j->cmd = cmd ? strdup(cmd) : am_run_argv_join(argv);
    if (!j->cmd) {
        free(j);
        goto nomem;
    }
    j->seq = (uint32_t)r->njobs + 1;
    j->argv = argv;
    j->state = AM_TASK_PENDING;
    j->exit_code = -1;
    am_ring_init(&j->out);
    am_ring_init(&j->err);
    if (enqueue(r, j->seq) != 0) {
        free(j->cmd);
        free(j);
        goto nomem;
    }
    r->jobs[r->njobs++] = j;
    return (int)j->seq;
nomem:
    am_run_argv_free(argv);
    return AM_ENOMEM;
}

size_t am_runner_njobs(const am_runner_t *r)
{
    return r->njobs;
}

am_job_t *am_runner_job(am_runner_t *r, size_t i)
{
    return i < r->njobs ? r->jobs[i] : NULL;
}

am_job_t *am_runner_job_of_task(am_runner_t *r, am_task_id_t id)
{
    am_job_t *j = am_task_extern_ctx(r->loop, id);
    for (size_t i = 0; j && i < r->njobs; i++) /* the ctx of another extern task is not ours */
        if (r->jobs[i] == j) return j;
    return NULL;
}

unsigned am_runner_limit(const am_runner_t *r)
{
    return r->cfg.jobs;
}

void am_runner_set_limit(am_runner_t *r, unsigned jobs)
{
    r->cfg.jobs = jobs < 1 ? 1 : jobs;
    am_runner_pump(r);
}

int am_runner_stopping(const am_runner_t *r)
{
    return r->stopping;
}

int am_runner_idle(const am_runner_t *r)
{
    return r->qlen == 0 && r->running == 0;
}

void am_runner_set_idle_cb(am_runner_t *r, void (*cb)(am_runner_t *r, void *data), void *data)
{
    r->idle_cb = cb;
    r->idle_data = data;
}

void am_runner_set_end_cb(am_runner_t *r, void (*cb)(am_runner_t *r, am_job_t *job, void *data),
                          void *data)
{
    r->end_cb = cb;
    r->end_data = data;
}

void am_runner_set_output_cb(am_runner_t *r,
                             void (*cb)(am_runner_t *r, am_job_t *job, int is_err, const char *data,
                                        size_t len, void *ud),
                             void *ud)
{
    r->output_cb = cb;
    r->output_ud = ud;
}

void am_runner_counts(const am_runner_t *r, am_run_counts_t *c)
{
    memset(c, 0, sizeof *c);
    c->total = r->njobs;
    for (size_t i = 0; i < r->njobs; i++) {
        const am_job_t *j = r->jobs[i];
        c->by_state[j->state]++;
        if (j->paused) c->paused++;
    }
    c->queued = c->by_state[AM_TASK_PENDING];
    c->running = c->by_state[AM_TASK_RUNNING];
}

int am_runner_status(const am_runner_t *r)
{
    for (size_t i = 0; i < r->njobs; i++)
        if (r->jobs[i]->state != AM_TASK_DONE) return 1;
    return 0;
}

static void check_idle(am_runner_t *r)
{
    if (r->freeing || r->idle_told || !am_runner_idle(r)) return;
    r->idle_told = 1;
    /* every job has ended: the clock stops here, as tqdm's does when it closes */
    r->idle_ns = uv_hrtime();
    r->idle_at = am_loop_now(r->loop);
    if (r->idle_cb) r->idle_cb(r, r->idle_data);
}

/* A job reached a final state for good. */
static void job_over(am_runner_t *r, am_job_t *j)
{
    r->nended++;
    am_rate_update(&r->rate, (double)r->nended, am_runner_elapsed(r, uv_hrtime()));
    if (!r->freeing && r->end_cb) r->end_cb(r, j, r->end_data);
}

/* ---- processes ---- */

static void proc_closed(uv_handle_t *h)
{
    am_proc_t *p = h->data;
    if (--p->handles == 0) {
        p->r->nprocs--;
        free(p);
    }
}

static void signal_group(am_proc_t *p, int sig)
{
    /* the child leads its own session and process group: signal all of it */
    if (p->spawned && p->pid > 0 && kill(-p->pid, sig) != 0 && !p->exited) kill(p->pid, sig);
}

static void close_pipe(uv_pipe_t *pipe, int *open)
{
    if (!*open) return;
    *open = 0;
    uv_read_stop((uv_stream_t *)pipe);
    uv_close((uv_handle_t *)pipe, proc_closed);
}

static void end_attempt(am_proc_t *p);

static void on_linger(uv_timer_t *t)
{
    am_proc_t *p = t->data;
    /* the command exited but something in its group keeps the pipes open */
    signal_group(p, SIGKILL);
    close_pipe(&p->out, &p->out_open);
    close_pipe(&p->err, &p->err_open);
    end_attempt(p);
}

static uint64_t grace_ms(const am_runner_t *r)
{
    double g = r->cfg.grace;
    return g > 0 ? (uint64_t)(g * 1000 + 0.5) : 0;
}

static void on_grace(uv_timer_t *t)
{
    am_proc_t *p = t->data;
    if (p->exited) return;
    p->killed = 1;
    signal_group(p, SIGKILL);
}

/* SIGTERM to the group (SIGCONT too, in case it is paused), SIGKILL after the grace. */
static void terminate(am_proc_t *p, int why)
{
    if (p->exited || p->cancel) return;
    p->cancel = why;
    signal_group(p, SIGTERM);
    signal_group(p, SIGCONT);
    if (p->job) p->job->paused = 0;
    uv_timer_stop(&p->timer);
    uv_timer_start(&p->timer, on_grace, grace_ms(p->r), 0);
}

static void on_timeout(uv_timer_t *t)
{
    terminate(t->data, CANCEL_TIMEOUT);
}

static void on_output_line(void *ud, const char *line, size_t len)
{
    am_proc_t *p = ud;
    am_job_t *j = p->job;
    uint32_t n, total;
    if (!j || !am_run_parse_progress(line, len, &n, &total)) return;
    j->n = n;
    j->total = total;
    am_task_set_progress(p->r->loop, j->task, n, total);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    am_proc_t *p = h->data;
    (void)suggested;
    *buf = uv_buf_init(p->r->buf, sizeof p->r->buf);
}

static void write_all(int fd, const char *s, size_t n)
{
    while (fd >= 0 && n > 0) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return; /* a full disk loses output, not the job */
        s += k;
        n -= (size_t)k;
    }
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    am_proc_t *p = s->data;
    int is_out = s == (uv_stream_t *)&p->out;
    if (nread > 0) {
        if (p->job) {
            am_ring_feed(is_out ? &p->job->out : &p->job->err, buf->base, (size_t)nread,
                         on_output_line, p);
            if (p->r->output_cb)
                p->r->output_cb(p->r, p->job, !is_out, buf->base, (size_t)nread, p->r->output_ud);
        }
        write_all(is_out ? p->outfd : p->errfd, buf->base, (size_t)nread);
        return;
    }
    if (nread == 0) return;
    close_pipe(is_out ? &p->out : &p->err, is_out ? &p->out_open : &p->err_open);
    if (p->exited && !p->out_open && !p->err_open) end_attempt(p);
}

static void live_remove(am_runner_t *r, am_proc_t *p)
{
    size_t i = p->live_at;
    r->live[i] = r->live[--r->nlive];
    r->live[i]->live_at = i;
    if (r->nlive == 0) uv_unref((uv_handle_t *)&r->chld);
}

static int live_add(am_runner_t *r, am_proc_t *p)
{
    if (r->nlive == r->live_cap) {
        size_t cap = r->live_cap ? r->live_cap * 2 : 16;
        am_proc_t **v = realloc(r->live, cap * sizeof *v);
        if (!v) return AM_ENOMEM;
        r->live = v;
        r->live_cap = cap;
    }
    if (r->nlive == 0) uv_ref((uv_handle_t *)&r->chld); /* a child to wait for */
    p->live_at = r->nlive;
    r->live[r->nlive++] = p;
    return 0;
}

/* The child was reaped (waitpid status). */
static void proc_exited(am_proc_t *p, int status)
{
    live_remove(p->r, p);
    p->exited = 1;
    p->status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    p->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    uv_timer_stop(&p->timer);
    /* what it left in its group goes with it (kill fails with ESRCH when nothing is left) */
    if (kill(-p->pid, SIGTERM) == 0) p->r->adopting = 1;
    if (!p->out_open && !p->err_open) {
        end_attempt(p);
        return;
    }
    uint64_t ms = grace_ms(p->r);
    uv_timer_start(&p->timer, on_linger, ms < 100 ? 100 : ms, 0);
}

static int open_output(const am_runner_t *r, uint32_t seq, const char *ext)
{
    if (!r->cfg.outdir) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%u.%s", r->cfg.outdir, seq, ext);
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

static double epoch_now(void)
{
    /* the joblog's Starttime is a calendar time, as GNU parallel writes it */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* posix_spawn, not fork: the child shares our memory until it execs
 * (vfork-like), so starting a job costs the same however big the
 * dashboard's process is. The child gets its own session (and process
 * group), stdin on /dev/null, stdout and stderr on pipes, default signal
 * handling and no blocked signal. 0 or an errno (ENOENT: no such command). */
static int spawn(am_proc_t *p, char **argv)
{
    static const int sigs[] = {SIGPIPE, SIGINT,  SIGTERM,  SIGHUP,  SIGQUIT, SIGCHLD, SIGTSTP,
                               SIGTTIN, SIGTTOU, SIGWINCH, SIGUSR1, SIGUSR2, SIGALRM};
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, rc;
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
        rc = errno;
        goto fail;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&dfl, sigs[i]);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at,
                             POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    int added = live_add(p->r, p) == 0;
    rc = added ? posix_spawnp(&p->pid, argv[0], &fa, &at, argv, environ) : ENOMEM;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        if (added) live_remove(p->r, p);
        goto fail;
    }
    close(po[1]);
    close(pe[1]);
    uv_pipe_open(&p->out, po[0]);
    uv_pipe_open(&p->err, pe[0]);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (po[i] >= 0) close(po[i]);
        if (pe[i] >= 0) close(pe[i]);
    }
    return rc;
}

/* The task's start op: the process. */
static void job_start(am_loop_t *loop, am_task_id_t id, void *ctx)
{
    am_job_t *j = ctx;
    (void)id;
    am_proc_t *p = j->proc;
    am_runner_t *r = p->r;
    j->start_ns = uv_hrtime();
    p->start_epoch = epoch_now();
    uv_timer_init(am_loop_uv(loop), &p->timer);
    p->timer.data = p;
    p->handles = 1;
    uv_pipe_init(am_loop_uv(loop), &p->out, 0);
    uv_pipe_init(am_loop_uv(loop), &p->err, 0);
    p->out.data = p->err.data = p;
    p->handles += 2;
    p->out_open = p->err_open = 1;
    p->outfd = open_output(r, j->seq, "out");
    p->errfd = open_output(r, j->seq, "err");

    int rc = spawn(p, j->argv);
    if (rc != 0) {
        /* as a shell says it: 127 for a command that is not there, 126 otherwise */
        char msg[512];
        int k = snprintf(msg, sizeof msg, "asyncmon: %s: %s\n", j->argv[0], strerror(rc));
        am_ring_feed(&j->err, msg, (size_t)k, NULL, NULL);
        if (r->output_cb) r->output_cb(r, j, 1, msg, (size_t)k, r->output_ud);
        write_all(p->errfd, msg, (size_t)k);
        p->exited = 1;
        p->status = rc == ENOENT ? 127 : 126;
        close_pipe(&p->out, &p->out_open);
        close_pipe(&p->err, &p->err_open);
        end_attempt(p);
        return;
    }
    p->spawned = 1;
    uv_read_start((uv_stream_t *)&p->out, alloc_cb, read_cb);
    uv_read_start((uv_stream_t *)&p->err, alloc_cb, read_cb);
    if (r->cfg.timeout > 0)
        uv_timer_start(&p->timer, on_timeout, (uint64_t)(r->cfg.timeout * 1000 + 0.5), 0);
}

/* The task's cancel op: a key, or the stop of everything. */
static void job_cancel(am_loop_t *loop, am_task_id_t id, void *ctx, int timeout)
{
    am_job_t *j = ctx;
    (void)loop;
    (void)id;
    if (j->proc) terminate(j->proc, timeout ? CANCEL_TIMEOUT : CANCEL_USER);
}

static const am_extern_ops_t job_ops = {job_start, job_cancel};

/* The task ended without the runner (cancelled before its process started). */
static void task_done(am_loop_t *loop, am_task_id_t id, void *data)
{
    am_job_t *j = data;
    am_runner_t *r = j->proc ? j->proc->r : NULL;
    if (!r || j->task != id || j->proc->spawned || j->proc->exited) return;
    am_proc_t *p = j->proc;
    j->proc = NULL;
    j->state = am_task_state(loop, id);
    r->running--;
    r->nprocs--;
    free(p); /* no handle was opened */
    am_runner_pump(r);
    job_over(r, j);
    check_idle(r);
}

static void end_attempt(am_proc_t *p)
{
    am_job_t *j = p->job;
    am_runner_t *r = p->r;
    if (!j) return;
    am_task_id_t id = j->task; /* a retry may start a new attempt below */
    p->job = NULL;
    j->proc = NULL;
    uv_timer_stop(&p->timer);
    uv_close((uv_handle_t *)&p->timer, proc_closed);
    if (p->outfd >= 0) close(p->outfd);
    if (p->errfd >= 0) close(p->errfd);

    am_task_state_t st;
    int64_t value = 0;
    if (p->cancel == CANCEL_TIMEOUT) {
        st = AM_TASK_TIMED_OUT;
        value = AM_ETIMEOUT;
    } else if (p->cancel == CANCEL_USER) {
        st = AM_TASK_CANCELLED;
        value = AM_ECANCELLED;
    } else if (p->status == 0 && p->signo == 0) {
        st = AM_TASK_DONE;
    } else {
        st = AM_TASK_FAILED;
        value = AM_ETASKFAIL;
    }
    am_ring_pack(&j->out); /* a finished job keeps the bytes of its tail, not 32 KiB of slots */
    am_ring_pack(&j->err);
    j->exit_code = p->signo ? -1 : (int)p->status;
    j->term_signal = p->signo;
    j->end_ns = uv_hrtime();
    j->paused = 0;
    int retry = (st == AM_TASK_FAILED || st == AM_TASK_TIMED_OUT) &&
                j->attempts <= r->cfg.retries && !r->stopping;
    if (r->cfg.joblog && !retry) {
        /* GNU parallel logs a job once, with its last attempt: --resume-failed
         * and --retry-failed read a job's Exitval from its one line */
        char line[8192];
        double runtime = (double)(j->end_ns - j->start_ns) / 1e9;
        am_joblog_format(line, sizeof line, j->seq, p->start_epoch, runtime, j->out.bytes,
                         (int)p->status, p->signo, j->cmd);
        fputs(line, r->cfg.joblog);
        fflush(r->cfg.joblog); /* a line per job as it ends, as parallel does */
    }
    j->state = retry ? AM_TASK_PENDING : st;
    r->running--;
    if (retry) enqueue(r, j->seq);
    /* the next job first: a run ends when no task is alive */
    am_runner_pump(r);
    am_task_finish(r->loop, id, st, value);
    if (!retry) job_over(r, j);
    check_idle(r);
}

static void launch(am_runner_t *r, am_job_t *j)
{
    am_proc_t *p = calloc(1, sizeof *p);
    char name[48];
    snprintf(name, sizeof name, "%u %s", j->seq, j->cmd);
    if (p) {
        p->r = r;
        p->job = j;
        p->outfd = p->errfd = -1;
        j->proc = p;
    }
    am_task_id_t id = p ? am_spawn_extern(r->loop, r->cfg.group, name, &job_ops, j) : 0;
    if (!id) { /* out of memory: the job cannot run */
        free(p);
        j->proc = NULL;
        j->state = AM_TASK_FAILED;
        job_over(r, j);
        return;
    }
    r->nprocs++;
    j->task = id;
    j->state = AM_TASK_RUNNING;
    j->attempts++;
    j->n = j->total = 0;
    j->end_ns = 0;
    j->exit_code = -1;
    j->term_signal = 0;
    r->running++;
    am_task_add_done_cb(r->loop, id, task_done, j);
}

void am_runner_set_halt(am_runner_t *r, int (*fn)(void *data), void *data)
{
    r->halt = fn;
    r->halt_data = data;
}

void am_runner_pump(am_runner_t *r)
{
    if (r->freeing) return;
    if (!r->start_ns) r->start_ns = uv_hrtime();
    if (r->halt && r->halt(r->halt_data)) r->stopping = 1;
    while (r->qlen && (r->stopping || r->running < r->cfg.jobs)) {
        am_job_t *j = r->jobs[r->queue[r->qhead] - 1];
        r->qhead++;
        r->qlen--;
        if (j->state != AM_TASK_PENDING) continue; /* cancelled while queued */
        if (r->stopping) {
            j->state = AM_TASK_CANCELLED;
            job_over(r, j);
            continue;
        }
        launch(r, j);
    }
    check_idle(r);
}

/* ---- actions ---- */

int am_runner_cancel(am_runner_t *r, am_job_t *j)
{
    if (j->state == AM_TASK_PENDING) {
        j->state = AM_TASK_CANCELLED; /* its queue entry is skipped */
        job_over(r, j);
        check_idle(r);
        return 0;
    }
    if (j->state != AM_TASK_RUNNING) return AM_ESTATE;
    return am_task_cancel(r->loop, j->task);
}

int am_runner_pause(am_runner_t *r, am_job_t *j, int paused)
{
    (void)r;
    am_proc_t *p = j->proc;
    if (j->state != AM_TASK_RUNNING || !p || !p->spawned || p->exited || p->cancel)
        return AM_ESTATE;
    signal_group(p, paused ? SIGSTOP : SIGCONT);
    j->paused = paused;
    return 0;
}

int am_runner_retry(am_runner_t *r, am_job_t *j)
{
    if (j->state != AM_TASK_FAILED && j->state != AM_TASK_CANCELLED &&
        j->state != AM_TASK_TIMED_OUT)
        return AM_ESTATE;
    if (r->stopping) return AM_ESTATE;
    j->state = AM_TASK_PENDING;
    int rc = enqueue(r, j->seq);
    if (rc) {
        j->state = AM_TASK_FAILED;
        return rc;
    }
    r->nended--; /* it will end again */
    am_runner_pump(r);
    return 0;
}

void am_runner_stop(am_runner_t *r, int hard)
{
    r->stopping = 1;
    am_runner_pump(r); /* the queued are cancelled */
    for (size_t i = 0; i < r->njobs; i++) {
        am_job_t *j = r->jobs[i];
        if (j->state != AM_TASK_RUNNING) continue;
        if (hard && j->proc) {
            j->proc->cancel = j->proc->cancel ? j->proc->cancel : CANCEL_USER;
            j->proc->killed = 1;
            signal_group(j->proc, SIGKILL);
        } else {
            am_task_cancel(r->loop, j->task);
        }
    }
}

void am_runner_free(am_runner_t *r)
{
    if (!r) return;
    r->stopping = 1;
    r->freeing = 1;
    unguard_fatal(r);
    /* kill what runs, then let libuv reap it and close the pipes */
    for (size_t i = 0; i < r->njobs; i++) {
        am_proc_t *p = r->jobs[i]->proc;
        if (!p) continue;
        if (!p->spawned) { /* its task never started: end it here */
            am_job_t *j = r->jobs[i];
            j->proc = NULL;
            r->nprocs--;
            free(p);
            am_task_finish(r->loop, j->task, AM_TASK_CANCELLED, AM_ECANCELLED);
            continue;
        }
        if (!p->cancel) p->cancel = CANCEL_USER;
        signal_group(p, SIGKILL);
    }
    while (r->nprocs > 0)
        uv_run(am_loop_uv(r->loop), UV_RUN_ONCE);
    if (r->chld_on) {
        if (r->subreaper) reap_orphans(r, 1); /* every job has ended: what is left is adopted */
        uv_close((uv_handle_t *)&r->chld, chld_closed);
        while (!r->chld_closed)
            uv_run(am_loop_uv(r->loop), UV_RUN_NOWAIT);
    }
    for (size_t i = 0; i < r->njobs; i++) {
        am_job_t *j = r->jobs[i];
        free(j->cmd);
        am_run_argv_free(j->argv);
        am_ring_free(&j->out);
        am_ring_free(&j->err);
        free(j);
    }
    free(r->jobs);
    free(r->queue);
    free(r->live);
    free(r);
}

/* ---- descriptions ---- */

void am_job_outcome(const am_job_t *j, char *buf, size_t size)
{
    switch (j->state) {
    case AM_TASK_DONE:
        snprintf(buf, size, "exit 0");
        break;
    case AM_TASK_FAILED:
        if (j->term_signal)
            snprintf(buf, size, "signal %d", j->term_signal);
        else
            snprintf(buf, size, "exit %d", j->exit_code);
        break;
    case AM_TASK_CANCELLED:
        snprintf(buf, size, "cancelled");
        break;
    case AM_TASK_TIMED_OUT:
        snprintf(buf, size, "timed out");
        break;
    default:
        /* between SIGTERM and the end (up to --grace): it is going, not
         * running on as the state alone would say */
        if (j->proc && j->proc->cancel && !j->proc->exited)
            snprintf(buf, size, "%s", j->proc->killed ? "SIGKILL" : "stopping");
        else
            snprintf(buf, size, "%s", j->paused ? "paused" : "");
        break;
    }
}

double am_runner_elapsed(const am_runner_t *r, uint64_t now_ns)
{
    if (!r->start_ns) return 0;
    uint64_t end = r->idle_ns ? r->idle_ns : now_ns;
    return end > r->start_ns ? (double)(end - r->start_ns) / 1e9 : 0;
}

double am_runner_rate(const am_runner_t *r)
{
    return am_rate_value(&r->rate);
}

am_time_t am_runner_idle_at(const am_runner_t *r)
{
    return r->idle_at;
}

double am_job_elapsed(const am_job_t *j, uint64_t now_ns)
{
    if (!j->start_ns) return 0;
    uint64_t end = j->end_ns ? j->end_ns : now_ns;
    return end > j->start_ns ? (double)(end - j->start_ns) / 1e9 : 0;
}

const char *am_job_state_name(am_task_state_t s)
{
    static const char *const names[AM_TASK_NSTATES] = {"queued", "running",   "done",
                                                       "failed", "cancelled", "timed out"};
    return s < AM_TASK_NSTATES ? names[s] : "?";
}
