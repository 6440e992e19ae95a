/* Unit tests for src/run/runner.c with real commands: outcomes (exit 0,
 * exit 3, a signal, a command that is not there), progress parsed from the
 * output, the concurrency limit, timeouts, retries, cancel and pause, the
 * joblog, output files, and that the runner's tasks keep the monitor's
 * books (every attempt a task that ends in one final state). Sleeps are a
 * few hundredths of a second. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/run.h"
#include "testutil.h"

typedef struct fx_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_runner_t *r;
    int idle_calls;
    int ended;
    unsigned max_running;
} fx_t;

static void on_event(void *ctx, const am_event_t *ev)
{
    fx_t *f = ctx;
    if (ev->type != AM_EV_STARTED || !f->r) return;
    am_run_counts_t c;
    am_runner_counts(f->r, &c);
    if (c.running > f->max_running) f->max_running = (unsigned)c.running;
}

static void on_idle(am_runner_t *r, void *data)
{
    (void)r;
    ((fx_t *)data)->idle_calls++;
}

static void on_end(am_runner_t *r, am_job_t *j, void *data)
{
    (void)r;
    (void)j;
    ((fx_t *)data)->ended++;
}

static fx_t *open_fx(const am_run_config_t *cfg)
{
    fx_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(tu_watched_open(&f->uv, &f->loop, &f->mon, on_event, f), 0);
    am_run_config_t c = *cfg;
    c.group = (uint16_t)am_group_add(f->loop, "jobs");
    f->r = am_runner_new(f->loop, &c);
    assert_non_null(f->r);
    am_runner_set_idle_cb(f->r, on_idle, f);
    am_runner_set_end_cb(f->r, on_end, f);
    return f;
}

static void close_fx(fx_t *f)
{
    am_runner_free(f->r);
    f->r = NULL;
    tu_assert_monitor_ok(f->mon);
    assert_int_equal(tu_watched_close(&f->uv, f->loop, f->mon), 0);
    free(f);
}

static int add(fx_t *f, const char *a0, ...)
{
    char **argv = calloc(16, sizeof *argv);
    va_list ap;
    va_start(ap, a0);
    int n = 0;
    for (const char *a = a0; a && n < 15; a = va_arg(ap, const char *))
        argv[n++] = strdup(a);
    va_end(ap);
    return am_runner_add_argv(f->r, argv, NULL);
}

static void run(fx_t *f)
{
    am_runner_pump(f->r);
    uv_run(&f->uv, UV_RUN_DEFAULT);
    assert_true(am_runner_idle(f->r));
}

static am_run_config_t cfg_jobs(unsigned jobs)
{
    am_run_config_t c = {.jobs = jobs, .grace = 2};
    return c;
}

static void test_outcomes(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(4);
    fx_t *f = open_fx(&c);
    add(f, "true", NULL);
    add(f, "sh", "-c", "echo out; echo err >&2; exit 3", NULL);
    add(f, "sh", "-c", "kill -9 $$", NULL);
    add(f, "/nonexistent/command", NULL);
    add(f, "false", NULL);
    run(f);
    char what[64];
    am_job_t *j = am_runner_job(f->r, 0);
    assert_int_equal(j->state, AM_TASK_DONE);
    assert_int_equal(j->exit_code, 0);
    j = am_runner_job(f->r, 1);
    assert_int_equal(j->state, AM_TASK_FAILED);
    assert_int_equal(j->exit_code, 3);
    assert_string_equal(am_ring_last(&j->out), "out");
    assert_string_equal(am_ring_last(&j->err), "err");
    am_job_outcome(j, what, sizeof what);
    assert_string_equal(what, "exit 3");
    j = am_runner_job(f->r, 2);
    assert_int_equal(j->state, AM_TASK_FAILED);
    assert_int_equal(j->term_signal, SIGKILL);
    am_job_outcome(j, what, sizeof what);
    assert_string_equal(what, "signal 9");
    j = am_runner_job(f->r, 3);
    assert_int_equal(j->state, AM_TASK_FAILED);
    assert_int_equal(j->exit_code, 127);
    assert_non_null(strstr(am_ring_last(&j->err), "No such file or directory"));
    assert_int_equal(am_runner_job(f->r, 4)->state, AM_TASK_FAILED);
    assert_int_equal(am_runner_status(f->r), 1);
    assert_int_equal(f->idle_calls, 1);
    assert_int_equal(f->ended, 5);
    /* the tasks: one per attempt, counted by the monitor */
    const am_counts_t *mc = am_monitor_counts(f->mon);
    assert_int_equal(mc->created, 5);
    assert_int_equal(mc->by_state[AM_TASK_DONE], 1);
    assert_int_equal(mc->by_state[AM_TASK_FAILED], 4);
    close_fx(f);
}

static void test_progress_from_output(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(2);
    fx_t *f = open_fx(&c);
    add(f, "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo \"step $i/10\"; done", NULL);
    add(f, "sh", "-c", "printf ' 10%%|#  | 1/10\\r 70%%|### | 7/10\\r'", NULL);
    add(f, "sh", "-c", "echo 'at 42%'", NULL);
    run(f);
    am_job_t *j = am_runner_job(f->r, 0);
    assert_int_equal(j->n, 10);
    assert_int_equal(j->total, 10);
    assert_int_equal(j->out.nlines, 10);
    j = am_runner_job(f->r, 1);
    assert_int_equal(j->n, 7);
    assert_int_equal(j->total, 10);
    assert_string_equal(am_ring_last(&j->out), " 70%|### | 7/10");
    j = am_runner_job(f->r, 2);
    assert_int_equal(j->n, 420);
    assert_int_equal(j->total, 1000);
    close_fx(f);
}

static void test_limit(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(3);
    fx_t *f = open_fx(&c);
    for (int i = 0; i < 12; i++)
        add(f, "sleep", "0.02", NULL);
    run(f);
    assert_int_equal(f->max_running, 3);
    assert_int_equal(am_runner_status(f->r), 0);
    am_run_counts_t rc;
    am_runner_counts(f->r, &rc);
    assert_int_equal(rc.by_state[AM_TASK_DONE], 12);
    close_fx(f);
}

static void test_timeout_and_retries(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(2);
    c.timeout = 0.1;
    c.retries = 2;
    c.grace = 0.1;
    fx_t *f = open_fx(&c);
    add(f, "sleep", "5", NULL);
    /* ignores SIGTERM: killed after the grace */
    add(f, "sh", "-c", "trap '' TERM; sleep 5", NULL);
    /* fails twice, then succeeds: a counter in a file */
    char path[] = "/tmp/asyncmon-retry-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char script[256];
    snprintf(script, sizeof script, "echo x >> %s; [ \"$(wc -l < %s)\" -ge 3 ]", path, path);
    add(f, "sh", "-c", script, NULL);
    uint64_t t0 = uv_hrtime();
    run(f);
    double secs = (double)(uv_hrtime() - t0) / 1e9;
    am_job_t *j = am_runner_job(f->r, 0);
    assert_int_equal(j->state, AM_TASK_TIMED_OUT);
    assert_int_equal(j->attempts, 3);
    j = am_runner_job(f->r, 1);
    assert_int_equal(j->state, AM_TASK_TIMED_OUT);
    assert_int_equal(j->term_signal, SIGKILL);
    j = am_runner_job(f->r, 2);
    assert_int_equal(j->state, AM_TASK_DONE);
    assert_int_equal(j->attempts, 3);
    assert_true(secs < 4); /* nothing waited for the sleeps of 5 s */
    const am_counts_t *mc = am_monitor_counts(f->mon);
    assert_int_equal(mc->created, 9);
    assert_int_equal(mc->by_state[AM_TASK_TIMED_OUT], 6);
    unlink(path);
    close_fx(f);
}

typedef struct {
    fx_t *f;
    uv_timer_t t;
    int step;
} driver_t;

static void on_tick(uv_timer_t *t)
{
    driver_t *d = t->data;
    am_runner_t *r = d->f->r;
    am_job_t *a = am_runner_job(r, 0), *b = am_runner_job(r, 1), *q = am_runner_job(r, 2);
    switch (d->step++) {
    case 0:
        assert_int_equal(a->state, AM_TASK_RUNNING);
        assert_int_equal(q->state, AM_TASK_PENDING);
        assert_int_equal(am_runner_cancel(r, q), 0); /* queued: at once */
        assert_int_equal(q->state, AM_TASK_CANCELLED);
        assert_int_equal(am_runner_pause(r, b, 1), 0);
        assert_int_equal(am_runner_cancel(r, a), 0);
        break;
    case 1:
        assert_int_equal(a->state, AM_TASK_CANCELLED);
        assert_int_equal(b->state, AM_TASK_RUNNING);
        assert_true(b->paused);
        assert_int_equal(am_runner_retry(r, a), 0); /* cancelled: again */
        assert_int_equal(am_runner_retry(r, b), AM_ESTATE);
        assert_int_equal(am_runner_pause(r, b, 0), 0);
        break;
    default:
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, NULL);
    }
}

static void test_cancel_pause_retry(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(2);
    fx_t *f = open_fx(&c);
    add(f, "sh", "-c", "sleep 0.3; exit 0", NULL);
    add(f, "sh", "-c", "sleep 0.2", NULL);
    add(f, "true", NULL);
    driver_t d = {f, {0}, 0};
    uv_timer_init(&f->uv, &d.t);
    d.t.data = &d;
    uv_timer_start(&d.t, on_tick, 50, 100);
    run(f);
    assert_true(d.step >= 2);
    assert_int_equal(am_runner_job(f->r, 0)->state, AM_TASK_DONE); /* the retry */
    assert_int_equal(am_runner_job(f->r, 0)->attempts, 2);
    assert_int_equal(am_runner_job(f->r, 1)->state, AM_TASK_DONE);
    assert_int_equal(am_runner_job(f->r, 2)->state, AM_TASK_CANCELLED);
    assert_int_equal(am_runner_job(f->r, 2)->attempts, 0);
    close_fx(f);
}

/* A job cancelled but still alive in its grace says so: "stopping". */
static void on_stop_tick(uv_timer_t *t)
{
    driver_t *d = t->data;
    am_runner_t *r = d->f->r;
    am_job_t *a = am_runner_job(r, 0);
    char what[64];
    switch (d->step++) {
    case 0:
        am_job_outcome(a, what, sizeof what);
        assert_string_equal(what, "");
        assert_int_equal(am_runner_cancel(r, a), 0);
        break;
    case 1: /* SIGTERM ignored, the grace not over */
        assert_int_equal(a->state, AM_TASK_RUNNING);
        am_job_outcome(a, what, sizeof what);
        assert_string_equal(what, "stopping");
        break;
    default:
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, NULL);
    }
}

static void test_cancel_stopping(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(1);
    c.grace = 0.5;
    fx_t *f = open_fx(&c);
    add(f, "sh", "-c", "trap '' TERM; sleep 5", NULL);
    driver_t d = {f, {0}, 0};
    uv_timer_init(&f->uv, &d.t);
    d.t.data = &d;
    uv_timer_start(&d.t, on_stop_tick, 100, 100);
    run(f);
    assert_true(d.step >= 2);
    am_job_t *a = am_runner_job(f->r, 0);
    assert_int_equal(a->state, AM_TASK_CANCELLED);
    char what[64];
    am_job_outcome(a, what, sizeof what);
    assert_string_equal(what, "cancelled");
    close_fx(f);
}

static void test_joblog_and_outputs(void **state)
{
    (void)state;
    char dir[] = "/tmp/asyncmon-out-XXXXXX";
    assert_non_null(mkdtemp(dir));
    FILE *log = tmpfile();
    assert_non_null(log);
    am_run_config_t c = cfg_jobs(1);
    c.joblog = log;
    c.outdir = dir;
    fx_t *f = open_fx(&c);
    add(f, "sh", "-c", "echo hello; echo oops >&2", NULL);
    add(f, "sh", "-c", "exit 5", NULL);
    add(f, "sh", "-c", "kill -TERM $$", NULL);
    run(f);
    rewind(log);
    char line[512];
    unsigned seq;
    double start, runtime;
    int send, recv, exitval, sig;
    char cmd[256];
    const int want[3][3] = {{6, 0, 0}, {0, 5, 0}, {0, 0, SIGTERM}};
    for (int i = 0; i < 3; i++) {
        assert_non_null(fgets(line, sizeof line, log));
        assert_int_equal(sscanf(line, "%u\t:\t%lf\t%lf\t%d\t%d\t%d\t%d\t%255[^\n]", &seq, &start,
                                &runtime, &send, &recv, &exitval, &sig, cmd),
                         8);
        assert_int_equal(seq, (unsigned)i + 1);
        assert_true(start > 1.6e9);
        assert_true(runtime >= 0 && runtime < 5);
        assert_int_equal(send, 0);
        assert_int_equal(recv, want[i][0]);
        assert_int_equal(exitval, want[i][1]);
        assert_int_equal(sig, want[i][2]);
        assert_string_equal(cmd, am_runner_job(f->r, (size_t)i)->cmd);
    }
    assert_null(fgets(line, sizeof line, log));
    fclose(log);
    char path[512], text[64] = "";
    snprintf(path, sizeof path, "%s/1.out", dir);
    FILE *o = fopen(path, "r");
    assert_non_null(o);
    assert_non_null(fgets(text, sizeof text, o));
    fclose(o);
    assert_string_equal(text, "hello\n");
    snprintf(path, sizeof path, "%s/1.err", dir);
    o = fopen(path, "r");
    assert_non_null(o);
    assert_non_null(fgets(text, sizeof text, o));
    fclose(o);
    assert_string_equal(text, "oops\n");
    close_fx(f);
    for (int i = 1; i <= 3; i++) {
        snprintf(path, sizeof path, "%s/%d.out", dir, i);
        unlink(path);
        snprintf(path, sizeof path, "%s/%d.err", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

/* With --retries, GNU parallel's joblog has one line per job: its last
 * attempt (the one that counts), not a line per attempt. */
static void test_joblog_retries(void **state)
{
    (void)state;
    FILE *log = tmpfile();
    assert_non_null(log);
    am_run_config_t c = cfg_jobs(2);
    c.joblog = log;
    c.retries = 3;
    fx_t *f = open_fx(&c);
    char path[] = "/tmp/asyncmon-jlretry-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char script[256];
    /* fails twice, then succeeds on its third attempt */
    snprintf(script, sizeof script, "echo x >> %s; [ \"$(wc -l < %s)\" -ge 3 ] || exit 4", path,
             path);
    add(f, "sh", "-c", script, NULL);
    add(f, "sh", "-c", "exit 7", NULL); /* fails every one of its 4 attempts */
    run(f);
    assert_int_equal(am_runner_job(f->r, 0)->attempts, 3);
    assert_int_equal(am_runner_job(f->r, 1)->attempts, 4);
    rewind(log);
    char line[512];
    unsigned seq;
    double start, runtime;
    int send, recv, exitval, sig, seen[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        assert_non_null(fgets(line, sizeof line, log));
        assert_int_equal(sscanf(line, "%u\t:\t%lf\t%lf\t%d\t%d\t%d\t%d", &seq, &start, &runtime,
                                &send, &recv, &exitval, &sig),
                         7);
        assert_true(seq == 1 || seq == 2);
        seen[seq - 1]++;
        assert_int_equal(exitval, seq == 1 ? 0 : 7); /* the last attempt's outcome */
    }
    assert_null(fgets(line, sizeof line, log)); /* no line for the attempts retried */
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 1);
    fclose(log);
    unlink(path);
    close_fx(f);
}

/* The batch's clock stops when the last job ends, and runs again when a job
 * is queued after that. */
static void test_clock_stops_when_idle(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(2);
    fx_t *f = open_fx(&c);
    assert_int_equal(am_runner_idle_at(f->r), -1);
    add(f, "sleep", "0.05", NULL);
    add(f, "true", NULL);
    run(f);
    double e = am_runner_elapsed(f->r, uv_hrtime());
    assert_true(e >= 0.05 && e < 2);
    assert_true(am_runner_idle_at(f->r) >= 0);
    double rate = am_runner_rate(f->r);
    assert_true(rate > 0);
    usleep(100000);
    assert_true(am_runner_elapsed(f->r, uv_hrtime()) == e); /* stopped, not counting */
    assert_true(am_runner_rate(f->r) == rate);
    add(f, "true", NULL);
    am_runner_pump(f->r);
    assert_int_equal(am_runner_idle_at(f->r), -1);
    assert_true(am_runner_elapsed(f->r, uv_hrtime()) >= e + 0.1); /* running again */
    uv_run(&f->uv, UV_RUN_DEFAULT);
    assert_true(am_runner_idle_at(f->r) >= 0);
    close_fx(f);
}

static void test_stop_and_free(void **state)
{
    (void)state;
    am_run_config_t c = cfg_jobs(2);
    c.grace = 0.1;
    fx_t *f = open_fx(&c);
    for (int i = 0; i < 5; i++)
        add(f, "sh", "-c", "trap '' TERM; sleep 5 & sleep 5", NULL);
    am_runner_pump(f->r);
    while (!am_runner_job(f->r, 1)->start_ns) /* the tasks start: two processes */
        uv_run(&f->uv, UV_RUN_ONCE);
    am_runner_stop(f->r, 0);
    uint64_t t0 = uv_hrtime();
    uv_run(&f->uv, UV_RUN_DEFAULT);
    assert_true((double)(uv_hrtime() - t0) / 1e9 < 3);
    am_run_counts_t rc;
    am_runner_counts(f->r, &rc);
    assert_int_equal(rc.by_state[AM_TASK_CANCELLED], 5);
    assert_int_equal(am_runner_job(f->r, 0)->term_signal, SIGKILL);
    assert_int_equal(am_runner_job(f->r, 4)->attempts, 0);
    close_fx(f);

    /* freeing a runner with jobs running kills and reaps them */
    f = open_fx(&c);
    add(f, "sleep", "5", NULL);
    am_runner_pump(f->r);
    while (!am_runner_job(f->r, 0)->start_ns)
        uv_run(&f->uv, UV_RUN_ONCE);
    t0 = uv_hrtime();
    close_fx(f);
    assert_true((double)(uv_hrtime() - t0) / 1e9 < 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_progress_from_output),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_cancel_stopping),
        cmocka_unit_test(test_timeout_and_retries),
        cmocka_unit_test(test_cancel_pause_retry),
        cmocka_unit_test(test_joblog_and_outputs),
        cmocka_unit_test(test_joblog_retries),
        cmocka_unit_test(test_clock_stops_when_idle),
        cmocka_unit_test(test_stop_and_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
