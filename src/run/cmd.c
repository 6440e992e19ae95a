/* cmd.c — `asyncmon run`: the jobs are read and checked, then run by the
 * runner under one of two front ends.
 *
 * Headless (stdout or stdin's terminal missing, or --headless): the jobs'
 * output passes through (output.c: grouped per job, or by lines, tagged, in
 * order) to stdout and stderr, which then stays clean for a pipe: one tqdm
 * line for the batch on stderr (redrawn in place on a terminal), a line for
 * each job that did not succeed, and the summary, all on stderr. The dashboard: the session of
 * app.c with the "run" mode, whose begin hands the jobs to a runner on the run's loop;
 * src/ui/jobs.c draws them and takes the run keys. Input lines piped on stdin are read first, then
 * stdin becomes the terminal (/dev/tty) for the keys.
 *
 * Exit status: 0 every job done, 1 some failed (or were cancelled or timed
 * out), 2 bad usage or input (nothing started), 128+N stopped by signal N.
 * Every exit path kills (SIGTERM, then SIGKILL after --grace; a second
 * signal: SIGKILL at once) and reaps every job's process group. */
#define _POSIX_C_SOURCE 200809L

#include "run/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "asyncmon/meter.h"
#include "cli/app.h"
#include "run/output.h"

typedef struct run_s {
    const am_run_opts_t *o;
    am_run_specs_t specs; /* until handed to the runner */
    FILE *joblog;
    am_runner_t *runner;
    /* headless */
    uv_loop_t uv;
    am_loop_t *loop;
    uv_signal_t sig[3];
    int sig_on;
    int signo;
    uv_timer_t refresh;
    int refresh_on;
    int tty;
    int started; /* the run began (the summary is printed) */
    uint64_t last_ended;
    uint64_t last_line_ns; /* when the progress line was last written */
    int printed;
    am_out_t *out; /* the jobs' output passed through */
    /* the outcome, kept when the runner is freed */
    am_run_counts_t counts;
    int status;
    double seconds;
} run_t;

static const char usage[] =
    "Usage: asyncmon run [OPTIONS] -- CMD [ARG...]  (a job per input line, {} = it)\n"
    "       asyncmon run [OPTIONS] -f JOBS          (a job per line of JOBS)\n"
    "\n"
    "Runs commands concurrently and shows them: each job queued, running, done,\n"
    "failed, cancelled or timed out, its elapsed time, a progress bar parsed from\n"
    "its output (percentages, n/total, tqdm bars) and the last lines it printed.\n"
    "Input lines come from stdin (or -a FILE); without {} in the command the line\n"
    "is added as its last argument. Commands run directly, split into words like\n"
    "a shell would ('...', \"...\", \\) but with no expansion, unless --shell.\n"
    "\n"
    "Options:\n"
    "  -j, --jobs N        run N jobs at a time (default: the number of CPUs)\n"
    "  --timeout S         stop a job after S seconds: timed out\n"
    "  --grace S           seconds between SIGTERM and SIGKILL (default 2)\n"
    "  --retries N         run a failed or timed-out job up to N more times\n"
    "  --shell             run each command with /bin/sh -c ({} is quoted)\n"
    "  --joblog FILE       write GNU parallel's joblog (a TSV line per job)\n"
    "  --output-dir DIR    keep each job's output in DIR/SEQ.out and DIR/SEQ.err\n"
    "  -a, --arg-file FILE the input lines ({}) from FILE instead of stdin\n"
    "  -f, --jobs-file F   a job per line of F (not blank ones, not # comments)\n"
    "  --headless          no dashboard: the jobs' output on stdout and stderr, with\n"
    "                      the progress line and the summary on stderr\n"
    "\n"
    "Without the dashboard (--headless, or stdout not a terminal), each job's stdout\n"
    "goes to stdout and its stderr to stderr, as GNU parallel writes them:\n"
    "  --group             a job's output whole when it ends: jobs never interleave\n"
    "                      (the default)\n"
    "  --line-buffer, --lb whole lines as they come, from any job\n"
    "  --tag               each line after the job's input (or -f command) and a tab\n"
    "  -k, --keep-order    jobs' outputs in the order of the input\n"
    "  --theme NAME, --ascii, --key ACTION=KEYS, --config FILE: as for asyncmon\n"
    "  -h, --help          show this help\n"
    "\n"
    "Dashboard keys: Up/Down select a job, Enter shows its output, c cancels it\n"
    "(SIGTERM, SIGKILL after the grace), z pauses or resumes it (SIGSTOP/SIGCONT),\n"
    "r runs a failed one again, a adds a job, + and - change -j, q quits (every\n"
    "job is stopped first: SIGTERM, SIGKILL after the grace), ? lists every key.\n"
    "\n"
    "Exit status: 0 every job succeeded, 1 some did not, 2 bad usage or input,\n"
    "128+N stopped by signal N (130 for Ctrl-C).\n";

const char *am_run_usage(void)
{
    return usage;
}

static am_run_config_t config_of(run_t *run, uint16_t group)
{
    const am_run_opts_t *o = run->o;
    am_run_config_t c = {
        .jobs = o->jobs,
        .timeout = o->timeout,
        .grace = o->grace,
        .retries = o->retries,
        .shell = o->shell,
        .joblog = run->joblog,
        .outdir = o->outdir[0] ? o->outdir : NULL,
        .group = group,
        .own_process = 1, /* the command owns the process: nothing may outlive it */
    };
    return c;
}

/* Hand the jobs read at the start to the runner. */
static int hand_over(run_t *run)
{
    for (size_t i = 0; i < run->specs.n; i++) {
        am_run_spec_t *s = &run->specs.v[i];
        char **argv = s->argv;
        s->argv = NULL; /* the runner's now, even on error */
        int seq = am_runner_add_argv(run->runner, argv, s->cmd);
        if (seq < 0) return AM_ENOMEM;
        /* --tag: the input line, or the command of a -f line */
        const char *tag = s->input ? s->input : am_runner_job(run->runner, (size_t)seq - 1)->cmd;
        if (run->out && am_out_set_tag(run->out, (uint32_t)seq, tag) != 0) return AM_ENOMEM;
    }
    am_run_specs_free(&run->specs);
    return 0;
}

static void keep_outcome(run_t *run)
{
    am_runner_counts(run->runner, &run->counts);
    run->status = am_runner_status(run->runner);
    run->seconds = am_runner_elapsed(run->runner, uv_hrtime());
}

static void print_summary(const run_t *run, FILE *out)
{
    const uint64_t *s = run->counts.by_state;
    fprintf(out,
            "run: %llu job%s in %.3f s (-j %u): done %llu, failed %llu, cancelled %llu, "
            "timed out %llu",
            (unsigned long long)run->counts.total, run->counts.total == 1 ? "" : "s", run->seconds,
            run->o->jobs, (unsigned long long)s[AM_TASK_DONE],
            (unsigned long long)s[AM_TASK_FAILED], (unsigned long long)s[AM_TASK_CANCELLED],
            (unsigned long long)s[AM_TASK_TIMED_OUT]);
    if (run->counts.queued || run->counts.running)
        fprintf(out, ", not run %llu",
                (unsigned long long)(run->counts.queued + run->counts.running));
    fputc('\n', out);
}

/* ---- headless ---- */

static int columns(const run_t *run)
{
    struct winsize ws;
    if (run->tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 100;
}

static void print_bar(run_t *run, int final)
{
    am_run_counts_t c;
    am_runner_counts(run->runner, &c);
    uint64_t ended = c.total - c.queued - c.running;
    am_meter_args_t a;
    am_meter_args_init(&a);
    a.n = (double)ended;
    a.total = (double)c.total;
    /* the runner's clock: the last line's elapsed time and rate are those of
     * the moment the last job ended, not of the teardown after it */
    a.elapsed = am_runner_elapsed(run->runner, uv_hrtime());
    a.ncols = columns(run) - (run->tty ? 1 : 0);
    a.prefix = "run";
    a.ascii = run->o->common.cfg.ascii;
    a.rate = am_runner_rate(run->runner);
    char line[1024];
    am_meter_format(line, sizeof line, &a);
    if (run->tty)
        fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    else
        fprintf(stderr, "%s\n", line);
    run->printed = 1;
    run->last_ended = ended;
    run->last_line_ns = uv_hrtime();
}

static void on_refresh(uv_timer_t *t)
{
    run_t *run = t->data;
    am_run_counts_t c;
    /* not a terminal (a log file, CI): a new line per second at most, not ten */
    if (!run->tty && run->last_line_ns && uv_hrtime() - run->last_line_ns < 1000000000u) return;
    am_runner_counts(run->runner, &c);
    if (!run->printed || c.total - c.queued - c.running != run->last_ended) print_bar(run, 0);
    fflush(stderr);
}

/* The progress line on a terminal is cleared before anything else is
 * written there; the next refresh draws it again below. */
static void clear_bar(run_t *run)
{
    if (run->tty && run->printed) fputs("\r\033[K", stderr);
    run->printed = 0;
}

static void before_output(void *ud, int fd)
{
    run_t *run = ud;
    /* stdout too: on a terminal it is the same screen */
    if (fd == STDERR_FILENO || isatty(fd)) clear_bar(run);
}

static void on_output(am_runner_t *r, am_job_t *j, int is_err, const char *data, size_t len,
                      void *ud)
{
    run_t *run = ud;
    (void)r;
    am_out_data(run->out, j->seq, j->attempts, is_err, data, len);
}

/* What became of a job that did not succeed, once its output is out. */
static void after_output(void *ud, uint32_t seq)
{
    run_t *run = ud;
    am_job_t *j = am_runner_job(run->runner, seq - 1);
    if (!j || j->state == AM_TASK_DONE) return;
    char what[64];
    am_job_outcome(j, what, sizeof what);
    clear_bar(run);
    if (j->state == AM_TASK_FAILED)
        fprintf(stderr, "job %u failed (%s): %s\n", j->seq, what, j->cmd);
    else
        fprintf(stderr, "job %u %s: %s\n", j->seq, am_job_state_name(j->state), j->cmd);
}

static void on_job_end(am_runner_t *r, am_job_t *j, void *data)
{
    run_t *run = data;
    (void)r;
    /* its output (grouped: all of it, now or in its turn with -k), then after_output */
    am_out_end(run->out, j->seq, j->attempts);
}

static void close_headless(run_t *run)
{
    if (run->refresh_on) {
        run->refresh_on = 0;
        uv_timer_stop(&run->refresh);
        uv_close((uv_handle_t *)&run->refresh, NULL);
    }
    if (run->sig_on) {
        run->sig_on = 0;
        for (int i = 0; i < 3; i++)
            uv_close((uv_handle_t *)&run->sig[i], NULL);
    }
}

static void on_idle(am_runner_t *r, void *data)
{
    (void)r;
    close_headless(data); /* nothing else keeps uv_run going */
}

static void on_signal(uv_signal_t *h, int signo)
{
    run_t *run = h->data;
    if (run->signo) {
        fprintf(stderr, "\nasyncmon: interrupted again, killing the jobs\n");
        am_runner_stop(run->runner, 1);
        return;
    }
    run->signo = signo;
    am_run_counts_t c;
    am_runner_counts(run->runner, &c);
    fprintf(stderr, "\nasyncmon: interrupted, stopping %llu running jobs\n",
            (unsigned long long)c.running);
    am_runner_stop(run->runner, 0);
}

static int run_headless(run_t *run)
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    int code = AM_EXIT_FAILURE;
    if (uv_loop_init(&run->uv) != 0) {
        fprintf(stderr, "asyncmon: cannot initialise the event loop\n");
        return AM_EXIT_FAILURE;
    }
    run->loop = am_loop_new(&run->uv);
    int g = run->loop ? am_group_add(run->loop, "jobs") : -1;
    am_run_config_t cfg = config_of(run, (uint16_t)(g < 0 ? 0 : g));
    run->runner = g >= 0 ? am_runner_new(run->loop, &cfg) : NULL;
    run->out = am_out_new(run->o->line_buffer ? AM_OUT_LINE : AM_OUT_GROUP, run->o->tag,
                          run->o->keep_order, STDOUT_FILENO, STDERR_FILENO, AM_OUT_MEM_BUDGET);
    if (!run->runner || !run->out || hand_over(run) != 0) {
        fprintf(stderr, "asyncmon: out of memory\n");
        goto out;
    }
    /* a reader of our stdout that goes away (| head) loses the output, not the jobs */
    signal(SIGPIPE, SIG_IGN);
    am_out_set_before(run->out, before_output, run);
    am_out_set_after(run->out, after_output, run);
    am_runner_set_output_cb(run->runner, on_output, run);
    am_runner_set_end_cb(run->runner, on_job_end, run);
    am_runner_set_idle_cb(run->runner, on_idle, run);
    for (int i = 0; i < 3; i++) {
        uv_signal_init(&run->uv, &run->sig[i]);
        run->sig[i].data = run;
        uv_signal_start(&run->sig[i], on_signal, sigs[i]);
    }
    run->sig_on = 1;
    run->tty = isatty(STDERR_FILENO);
    uv_timer_init(&run->uv, &run->refresh);
    run->refresh.data = run;
    uv_timer_start(&run->refresh, on_refresh, 100, 100);
    run->refresh_on = 1;
    run->started = 1;
    am_runner_pump(run->runner);
    if (am_runner_idle(run->runner)) close_headless(run); /* no jobs at all */
    uv_run(&run->uv, UV_RUN_DEFAULT);
    print_bar(run, 1);
    fflush(stderr);
    keep_outcome(run);
    print_summary(run, stderr); /* stdout has the jobs' output */
    if (am_out_lost(run->out))
        fprintf(stderr, "asyncmon: %llu bytes of the jobs' output could not be written\n",
                (unsigned long long)am_out_lost(run->out));
    code = run->signo ? 128 + run->signo : run->status;
out:
    close_headless(run);
    am_runner_free(run->runner);
    run->runner = NULL;
    am_out_free(run->out);
    run->out = NULL;
    am_loop_free(run->loop);
    uv_run(&run->uv, UV_RUN_NOWAIT);
    if (uv_loop_close(&run->uv) != 0) {
        uv_run(&run->uv, UV_RUN_NOWAIT);
        uv_loop_close(&run->uv);
    }
    return code;
}

/* ---- the dashboard's mode ---- */

static int halted(void *data)
{
    am_app_t *app = data;
    return app->driver && am_driver_stopped(app->driver);
}

static int mode_begin(am_app_t *app, char *err, size_t errsize)
{
    run_t *run = app->mode->data;
    int g = am_group_add(app->loop, "jobs");
    am_run_config_t cfg = config_of(run, (uint16_t)(g < 0 ? 0 : g));
    run->runner = g >= 0 ? am_runner_new(app->loop, &cfg) : NULL;
    if (!run->runner || hand_over(run) != 0) {
        snprintf(err, errsize, "out of memory");
        return AM_ENOMEM;
    }
    am_runner_set_halt(run->runner, halted, app);
    run->started = 1;
    am_runner_pump(run->runner);
    return 0;
}

static void mode_end(am_app_t *app)
{
    run_t *run = app->mode->data;
    if (!run->runner) return;
    keep_outcome(run);
    am_runner_free(run->runner);
    run->runner = NULL;
}

static void mode_signal(am_app_t *app, int signo)
{
    run_t *run = app->mode->data;
    (void)signo;
    /* the first one stops the run the usual way (the jobs get SIGTERM); the
     * dashboard exits at once on a second one: the jobs get SIGKILL first */
    if (run->signo++ && run->runner) am_runner_stop(run->runner, 1);
}

static int mode_finished(const am_app_t *app)
{
    const run_t *run = app->mode->data;
    return run->runner && am_runner_idle(run->runner);
}

/* The header's elapsed time stops when the last job ended. */
static am_time_t mode_finished_at(const am_app_t *app)
{
    const run_t *run = app->mode->data;
    return run->runner ? am_runner_idle_at(run->runner) : -1;
}

/* The event log's first line: what runs. */
static void mode_describe(const am_app_t *app, char *buf, size_t size)
{
    const run_t *run = app->mode->data;
    size_t n = run->runner ? am_runner_njobs(run->runner) : 0;
    snprintf(buf, size, "%zu job%s, -j %u", n, n == 1 ? "" : "s",
             run->runner ? am_runner_limit(run->runner) : run->o->jobs);
}

/* The header counts jobs by their state (a job retried is one job, however
 * many attempts it took: those are in the job list and the event log), and
 * the jobs ended per second. */
static void mode_counts(const am_app_t *app, am_app_counts_t *k)
{
    const run_t *run = app->mode->data;
    if (!run->runner) return;
    am_run_counts_t c;
    am_runner_counts(run->runner, &c);
    k->total_label = "jobs";
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        k->labels[s] = am_job_state_name((am_task_state_t)s);
    k->total = c.total;
    memcpy(k->by_state, c.by_state, sizeof k->by_state);
    k->ended = c.total - c.queued - c.running;
    k->rate = am_runner_rate(run->runner);
}

/* q: the jobs get SIGTERM, SIGKILL after --grace; the dashboard waits for
 * that, and a second more for them to be reaped, before it leaves anyway. */
static double mode_quit_wait(const am_app_t *app)
{
    const run_t *run = app->mode->data;
    return run->o->grace + 1;
}

am_runner_t *am_run_app_runner(const am_app_t *app)
{
    if (!app->mode || strcmp(app->mode->name, "run")) return NULL;
    return ((run_t *)app->mode->data)->runner;
}

int am_run_app_add(am_app_t *app, const char *line, char *err, size_t errsize)
{
    am_runner_t *r = am_run_app_runner(app);
    if (!r) return AM_ESTATE;
    run_t *run = app->mode->data;
    am_run_spec_t sp;
    int rc = am_run_spec_line(run->o, line, &sp, err, errsize);
    if (rc == 0)
        rc = am_runner_add_argv(r, sp.argv, sp.cmd);
    else
        am_run_argv_free(sp.argv);
    free(sp.cmd);
    if (rc >= 0) am_runner_pump(r);
    return rc;
}

static int run_dashboard(run_t *run)
{
    static am_scenario_t sc;
    memset(&sc, 0, sizeof sc);
    snprintf(sc.name, sizeof sc.name, "run");
    snprintf(sc.title, sizeof sc.title, "%zu job%s, -j %u", run->specs.n,
             run->specs.n == 1 ? "" : "s", run->o->jobs);
    sc.combinator = AM_COMB_NONE;
    sc.timeout = -1;
    am_app_mode_t mode = {
        .name = "run",
        .data = run,
        .begin = mode_begin,
        .end = mode_end,
        .signal = mode_signal,
        .finished = mode_finished,
        .finished_at = mode_finished_at,
        .describe = mode_describe,
        .counts = mode_counts,
        .quit_wait = mode_quit_wait,
    };
    int code = am_app_run_mode(&run->o->common, &sc, &mode);
    if (run->started) print_summary(run, stdout);
    if (code == AM_EXIT_OK) code = run->status;
    am_run_specs_free(&run->specs); /* left there if the run never began */
    return code;
}

/* ---- the command ---- */

int am_run_main(int argc, char **argv)
{
    static am_run_opts_t opts;
    char err[AM_PATH_MAX + 512];
    if (am_run_parse_args(argc, argv, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s\nTry 'asyncmon run --help' for more information.\n", err);
        return AM_EXIT_USAGE;
    }
    if (opts.help) {
        fputs(usage, stdout);
        return AM_EXIT_OK;
    }
    run_t *run = calloc(1, sizeof *run);
    if (!run) {
        fprintf(stderr, "asyncmon: out of memory\n");
        return AM_EXIT_FAILURE;
    }
    run->o = &opts;
    opts.common.cfg.speed = 1; /* real commands run in real time: the clock must too */
    opts.common.cfg.duration = -1;
    int code = AM_EXIT_USAGE;
    int stdin_tty = isatty(STDIN_FILENO);
    if (am_run_build_jobs(&opts, stdin_tty, &run->specs, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s\n", err);
        goto out;
    }
    if (opts.outdir[0] && am_run_check_outdir(opts.outdir, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s\n", err);
        goto out;
    }
    if (opts.joblog[0]) {
        run->joblog = fopen(opts.joblog, "we"); /* no job inherits it */
        if (!run->joblog) {
            fprintf(stderr, "asyncmon: --joblog %s: cannot write: %s\n", opts.joblog,
                    strerror(errno));
            goto out;
        }
        fputs(AM_JOBLOG_HEADER, run->joblog);
        fflush(run->joblog);
    }
    /* the jobs were read; the dashboard's keys come from the terminal */
    int dashboard = !opts.common.cfg.headless && isatty(STDOUT_FILENO);
    if (dashboard && !stdin_tty) {
        int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
        dashboard = fd >= 0 && dup2(fd, STDIN_FILENO) >= 0;
        if (fd > STDIN_FILENO) close(fd);
    }
    code = dashboard ? run_dashboard(run) : run_headless(run);
    if (run->joblog && fclose(run->joblog) != 0) {
        fprintf(stderr, "asyncmon: --joblog %s: cannot write: %s\n", opts.joblog, strerror(errno));
        if (code == AM_EXIT_OK) code = AM_EXIT_FAILURE;
    }
    run->joblog = NULL;
out:
    if (run->joblog) fclose(run->joblog);
    am_run_specs_free(&run->specs);
    free(run);
    return code;
}
