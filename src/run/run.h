/* run.h — `asyncmon run`: real commands as tasks, many at a time.
 *
 * Three layers, each usable alone:
 *  - text.c, pure: splitting a command line into argv (shell-like quotes, no
 *    shell), {} substitution, shell quoting, the progress parser (percent,
 *    n/total, tqdm bars, '\r' rewrites), the ring of an output stream's last
 *    lines, and the GNU-parallel joblog line;
 *  - runner.c, the engine: a job list and a FIFO queue run with a live
 *    concurrency limit, each attempt an extern task of the runtime (so the
 *    monitor, the header and the log see it), each child in its own process
 *    group with its stdout/stderr read through pipes, timeouts, SIGTERM then
 *    SIGKILL after a grace, pause (SIGSTOP/SIGCONT), retries, the joblog;
 *  - args.c and cmd.c, the command: options, the headless front end and the
 *    dashboard (src/ui/jobs.c draws the jobs and takes the run keys).
 *
 * Jobs are numbered from 1 (the joblog's Seq); a job's state reuses the task
 * states: pending is "queued". */
#ifndef ASYNCMON_RUN_RUN_H
#define ASYNCMON_RUN_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "asyncmon/runtime.h"

/* ---- text.c ---- */

/* Split a command line into a NULL-terminated argv (each string and the
 * vector malloc'd; free with am_run_argv_free). Words are separated by
 * blanks; '...' is literal, "..." takes \" \\ \$ \` escapes, \ outside quotes
 * escapes the next character. No expansion of any kind: no shell. Returns
 * the number of words (0 for a blank line, *out NULL), or AM_EPARSE with
 * "what was expected" in err, or AM_ENOMEM. */
int am_run_split(const char *line, char ***out, char *err, size_t errsize);
void am_run_argv_free(char **argv);
/* s with every "{}" replaced by input (malloc'd, NULL without memory). */
char *am_run_subst(const char *s, const char *input);
/* Does s contain "{}"? */
int am_run_has_slot(const char *s);
/* s quoted for /bin/sh: 'it'\''s' (malloc'd). */
char *am_run_shell_quote(const char *s);
/* argv joined with blanks, each word shell-quoted when it needs it
 * (malloc'd): the command as a user would type it. */
char *am_run_argv_join(char *const *argv);

/* Progress in a line of output: the last "n/total" (0 <= n <= total, not a
 * part of a path, a date or a fraction) or, failing that, the last "NN%" or
 * "NN.N%" (as n per mille, total 1000). A tqdm bar has both; its n/total wins.
 * 1 and *n, *total set when there is one, else 0. */
int am_run_parse_progress(const char *line, size_t len, uint32_t *n, uint32_t *total);

/* The last lines of an output stream. Bytes come in chunks; '\n' ends a
 * line, '\r' (not before '\n') starts it again, as a terminal shows a tqdm
 * bar redrawn in place. Each completed or rewritten line is passed to
 * on_line (for the progress parser). The line in progress is part of the
 * tail. Lines longer than AM_RING_LINE bytes are cut. Memory is taken at the
 * first byte, so a silent job costs nothing. */
#define AM_RING_LINES 64
#define AM_RING_LINE  256
typedef struct am_ring_s {
    char (*lines)[AM_RING_LINE]; /* owned: AM_RING_LINES slots, NULL until output comes */
    size_t head;                 /* slot of the line in progress */
    size_t count;                /* completed lines kept (<= AM_RING_LINES - 1) */
    size_t cur;                  /* bytes of the line in progress */
    int cr;                      /* the last byte was '\r' */
    uint64_t bytes;              /* every byte seen */
    uint64_t nlines;             /* completed lines seen */
    char *packed;                /* owned: after am_ring_pack, the tail's lines, NUL after each */
    size_t npacked;              /* lines in packed */
} am_ring_t;
typedef void (*am_ring_line_fn)(void *ud, const char *line, size_t len);
void am_ring_init(am_ring_t *r);
void am_ring_free(am_ring_t *r);
/* AM_ENOMEM when the slots cannot be allocated (the bytes are then dropped). */
int am_ring_feed(am_ring_t *r, const char *data, size_t len, am_ring_line_fn fn, void *ud);
/* Keep only the bytes of the tail (a job that has ended: its 32 KiB of
 * slots become the few bytes it printed); feeding more undoes it. */
int am_ring_pack(am_ring_t *r);
/* Lines in the tail (completed ones plus a non-empty line in progress). */
size_t am_ring_count(const am_ring_t *r);
/* Line i of the tail, 0 the oldest; "" past the end. */
const char *am_ring_line(const am_ring_t *r, size_t i);
/* The newest non-empty line, "" if none. */
const char *am_ring_last(const am_ring_t *r);

/* One joblog line, GNU parallel's --joblog columns separated by tabs:
 * Seq Host Starttime JobRuntime Send Receive Exitval Signal Command. */
#define AM_JOBLOG_HEADER                                                                           \
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"
int am_joblog_format(char *buf, size_t size, uint32_t seq, double start_epoch, double runtime,
                     uint64_t received, int exitval, int signo, const char *command);

/* ---- runner.c ---- */

typedef struct am_runner_s am_runner_t;

typedef struct am_run_config_s {
    unsigned jobs;  /* concurrency limit, >= 1 */
    double timeout; /* seconds per attempt; <= 0: none */
    double grace;   /* seconds between SIGTERM and SIGKILL */
    unsigned retries;
    int shell;          /* run through /bin/sh -c */
    FILE *joblog;       /* borrowed; NULL: none */
    const char *outdir; /* borrowed; NULL: do not keep outputs */
    uint16_t group;     /* the loop group of the tasks */
    /* the runner owns the process: it adopts the jobs' orphans (Linux: a
     * child subreaper), reaps them and kills those alive at the end, and a
     * fatal signal (SIGSEGV, SIGABRT...) kills every job's group first */
    int own_process;
} am_run_config_t;

typedef struct am_job_s {
    uint32_t seq;
    char *cmd;   /* owned: the command as shown and logged */
    char **argv; /* owned */
    am_task_state_t state;
    int paused;
    unsigned attempts;      /* runs started */
    am_task_id_t task;      /* the current or last attempt's task, 0 before the first */
    int exit_code;          /* of the last attempt; -1 before */
    int term_signal;        /* of the last attempt; 0 if none */
    uint64_t start_ns;      /* uv_hrtime at the last start */
    uint64_t end_ns;        /* ... at its end, 0 while running */
    uint32_t n, total;      /* progress parsed from the output (total 0: none seen) */
    am_ring_t out, err;     /* last lines of stdout, stderr */
    struct am_proc_s *proc; /* the running child, NULL otherwise */
} am_job_t;

typedef struct am_run_counts_s {
    uint64_t total, queued, running, paused;
    uint64_t by_state[AM_TASK_NSTATES]; /* final states of the jobs (pending: queued) */
} am_run_counts_t;

/* The runner runs on loop (whose uv loop it uses for processes). NULL
 * without memory. */
am_runner_t *am_runner_new(am_loop_t *loop, const am_run_config_t *cfg);
/* Kill what still runs (SIGKILL to each process group), reap it, free all. */
void am_runner_free(am_runner_t *r);
/* Add a job (argv is taken over, also on error; cmd copied, NULL: joined
 * from argv). Queued; runs when a slot is free. Returns its seq, or AM_ENOMEM. */
int am_runner_add_argv(am_runner_t *r, char **argv, const char *cmd);
/* Start queued jobs up to the limit (also done after each job ends). */
void am_runner_pump(am_runner_t *r);
/* Stop: no new starts, queued jobs cancelled, running ones get SIGTERM (and
 * SIGKILL after the grace). hard: SIGKILL at once. */
void am_runner_stop(am_runner_t *r, int hard);
int am_runner_stopping(const am_runner_t *r);
/* Called once whenever the runner becomes idle: nothing queued or running. */
void am_runner_set_idle_cb(am_runner_t *r, void (*cb)(am_runner_t *r, void *data), void *data);
/* Called when a job reaches a final state (after retries), for the front ends. */
void am_runner_set_end_cb(am_runner_t *r, void (*cb)(am_runner_t *r, am_job_t *job, void *data),
                          void *data);

/* Called with each chunk a job's attempt prints (is_err: on stderr), for
 * a front end that passes the output on (src/run/output.c). */
void am_runner_set_output_cb(am_runner_t *r,
                             void (*cb)(am_runner_t *r, am_job_t *job, int is_err, const char *data,
                                        size_t len, void *ud),
                             void *ud);

/* Asked before each start: when fn says so, the runner stops as
 * am_runner_stop does (a dashboard quitting through its own path). */
void am_runner_set_halt(am_runner_t *r, int (*fn)(void *data), void *data);

size_t am_runner_njobs(const am_runner_t *r);
am_job_t *am_runner_job(am_runner_t *r, size_t i); /* i = seq - 1 */
void am_runner_counts(const am_runner_t *r, am_run_counts_t *c);
unsigned am_runner_limit(const am_runner_t *r);
/* Change the limit (>= 1); raising it starts jobs at once. */
void am_runner_set_limit(am_runner_t *r, unsigned jobs);
int am_runner_idle(const am_runner_t *r);
/* The batch's clock: seconds from the first am_runner_pump to now_ns, or to
 * the moment every job had ended (the runner became idle), where it stays
 * until a job is queued again, as tqdm's bar stops when it closes. */
double am_runner_elapsed(const am_runner_t *r, uint64_t now_ns);
/* Jobs ended per second of that clock: tqdm's EMA, fed as each job ends
 * (NAN before). */
double am_runner_rate(const am_runner_t *r);
/* The loop's time (am_loop_now) when every job had ended; -1 while one is
 * queued or running, or before the first. */
am_time_t am_runner_idle_at(const am_runner_t *r);
/* The job an attempt's task belongs to, or NULL. */
am_job_t *am_runner_job_of_task(am_runner_t *r, am_task_id_t id);

/* Actions on one job: 0, or AM_ESTATE when it is not in a state for it. */
int am_runner_cancel(am_runner_t *r, am_job_t *job); /* queued: at once; running: SIGTERM... */
int am_runner_pause(am_runner_t *r, am_job_t *job, int paused); /* SIGSTOP / SIGCONT */
int am_runner_retry(am_runner_t *r,
                    am_job_t *job); /* a failed/cancelled/timed-out job: queued again */
/* Exit status of a batch: 0 all done, 1 otherwise. */
int am_runner_status(const am_runner_t *r);
/* "exit 3", "signal 9 (KILL)", "timed out", "cancelled", "" (running/queued). */
void am_job_outcome(const am_job_t *job, char *buf, size_t size);
/* "queued", "running", "done", "failed", "cancelled", "timed out". */
const char *am_job_state_name(am_task_state_t s);
/* Seconds the job ran (so far), 0 if it never started. */
double am_job_elapsed(const am_job_t *job, uint64_t now_ns);

#endif
