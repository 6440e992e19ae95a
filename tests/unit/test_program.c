/* test_program.c — unit tests of task programs (program.h): the parser, the
 * interpreter, and the steps that do real work.
 *   Parser: every step kind is accepted with its operands; every error has an
 *     exact message (unknown step, missing name, undeclared object, wrong
 *     object kind, bad duration, notify count, fail probability, unterminated
 *     quote, words after the name, put syntax, run without a command, too many
 *     steps, an empty program); am_op_format's text parses back to the same
 *     step.
 *   Interpreter: repeat N runs N iterations with N-1 progress events; repeat 0
 *     runs until cancelled; a program whose steps never suspend, repeated
 *     forever, still lets the loop run (it yields) and can be cancelled from a
 *     callout, in jump mode and in real time; fail P; deadlines.
 *   executor: runs on libuv's pool and ends done while the loop goes on (a
 *     sleep task finishes meanwhile, no slow step); cancelled before a pool
 *     thread picks it up it ends cancelled at once; cancelled while it runs,
 *     it is marked cancelled when the job returns; a deadline ends it timed out.
 *   cpu: blocks the loop; reported as a slow step (count, slowest, its task,
 *     an AM_EV_SLOW event) past the 0.1 s default threshold; the loop lag
 *     meter sees the block at real speed.
 *   run: "run true" ends done, "run false" and "run /nonexistent" failed; a
 *     cancelled or timed-out child is killed, reaped (no zombie: kill(pid, 0)
 *     is ESRCH, waitpid says ECHILD, /proc/PID is gone), SIGKILL after the
 *     grace period when it ignores SIGTERM; am_loop_free kills and reaps a
 *     child still running.
 * Virtual times are exact in jump mode; real work uses short real durations
 * (at most a few tenths of a second each). */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "asyncmon/monitor.h"
#include "asyncmon/program.h"
#include "asyncmon/queue.h"
#include "asyncmon/runtime.h"
#include "asyncmon/sync.h"
#include "testutil.h"

/* ---- environment ---- */

typedef struct env_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon; /* NULL in the bare environment */
    /* what the observer saw */
    uint32_t progress[64];
    am_time_t progress_at[64];
    size_t nprogress;
    am_task_id_t progress_task;
    uint64_t slow_events;
    am_task_id_t slow_task;
    double slow_real;
} env_t;

static void observe(void *ctx, const am_event_t *ev)
{
    env_t *e = ctx;
    if (ev->type == AM_EV_PROGRESS && ev->task == e->progress_task && e->nprogress < 64) {
        e->progress[e->nprogress] = ev->n;
        e->progress_at[e->nprogress++] = ev->time;
    }
    if (ev->type == AM_EV_SLOW) {
        e->slow_events++;
        e->slow_task = ev->task;
        e->slow_real = ev->real;
    }
}

static int make_env(void **state, int with_monitor)
{
    env_t *e = calloc(1, sizeof *e);
    if (!e) return -1;
    if (with_monitor) {
        if (tu_watched_open(&e->uv, &e->loop, &e->mon, observe, e) != 0) return -1;
    } else {
        tu_loop_open(&e->uv, &e->loop);
        am_loop_set_observer(e->loop, observe, e);
    }
    *state = e;
    return 0;
}

static int setup(void **state)
{
    return make_env(state, 1);
}

static int setup_bare(void **state)
{
    return make_env(state, 0);
}

static int teardown(void **state)
{
    env_t *e = *state;
    int rc = tu_watched_close(&e->uv, e->loop, e->mon);
    free(e);
    return rc == 0 ? 0 : -1;
}

/* Run the loop dry; the monitor's counts, when there is one, must add up after it. */
static void run(env_t *e)
{
    tu_run_checked(&e->uv, e->mon);
}

/* Parse text against the loop's objects; returns 0 or the parser's result. */
static int parse(env_t *e, const char *text, am_op_t *ops, size_t *n, char *err, size_t errsize)
{
    err[0] = '\0';
    return am_program_parse(am_loop_obj_lookup, e->loop, text, ops, AM_PROGRAM_MAX_OPS, n, err,
                            errsize);
}

static void assert_state(env_t *e, am_task_id_t id, am_task_state_t st)
{
    if (am_task_state(e->loop, id) != st)
        fail_msg("task %u: state %s, expected %s (error %s)", id,
                 am_task_state_name(am_task_state(e->loop, id)), am_task_state_name(st),
                 am_err_name(am_task_error(e->loop, id)));
}

static double now_real(void)
{
    return (double)uv_hrtime() / 1e9;
}

/* ---- callouts and real-time timers ---- */

typedef struct call_s {
    env_t *e;
    am_task_id_t task;
    int rc;
    int fired;
    double real; /* uv_hrtime when it fired */
    am_task_state_t state_after;
    struct call_s *other; /* do_cancel_noting: whether this one had fired */
    int other_fired;
} call_t;

static void do_cancel(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    c->real = now_real();
    c->rc = am_task_cancel(loop, c->task);
    c->state_after = am_task_state(loop, c->task);
}

static void at(env_t *e, double sec, am_callout_cb cb, call_t *c)
{
    c->e = e;
    assert_true(am_loop_call_at(e->loop, S(sec), cb, c) > 0);
}

/* A real-time uv timer (the virtual clock may be anywhere). */
typedef struct rtimer_s {
    uv_timer_t t;
    call_t *c;
    void (*fn)(am_loop_t *loop, void *data);
} rtimer_t;

static void on_rtimer(uv_timer_t *t)
{
    rtimer_t *r = t->data;
    r->fn(r->c->e->loop, r->c);
    uv_close((uv_handle_t *)&r->t, NULL);
}

static void after_ms(env_t *e, rtimer_t *r, unsigned ms, void (*fn)(am_loop_t *, void *), call_t *c)
{
    c->e = e;
    r->c = c;
    r->fn = fn;
    assert_int_equal(uv_timer_init(&e->uv, &r->t), 0);
    r->t.data = r;
    assert_int_equal(uv_timer_start(&r->t, on_rtimer, ms, 0), 0);
}

/* When tasks end, in real time and in order. */
typedef struct ends_s {
    am_task_id_t id[16];
    double real[16];
    am_task_state_t others[16]; /* state of `watch` when this one ended */
    am_task_id_t watch;
    size_t n;
    am_loop_t *loop;
} ends_t;

static void on_done(am_loop_t *loop, am_task_id_t id, void *data)
{
    ends_t *d = data;
    if (d->n >= 16) return;
    d->id[d->n] = id;
    d->real[d->n] = now_real();
    d->others[d->n] = d->watch ? am_task_state(loop, d->watch) : AM_TASK_PENDING;
    d->n++;
}

static void track(env_t *e, ends_t *d, am_task_id_t id)
{
    d->loop = e->loop;
    assert_int_equal(am_task_add_done_cb(e->loop, id, on_done, d), 0);
}

static size_t end_index(const ends_t *d, am_task_id_t id)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->id[i] == id) return i;
    fail_msg("task %u never reported its end", id);
    return 0;
}

/* ---- parser ---- */

static void test_parse_every_step(void **state)
{
    env_t *e = *state;
    int s = am_semaphore_new(e->loop, "s", 2, 0);
    int b = am_semaphore_new(e->loop, "b", 1, 1);
    int l = am_lock_new(e->loop, "l");
    int ev = am_event_new(e->loop, "e");
    int c = am_condition_new(e->loop, "c");
    int q = am_queue_new(e->loop, "q", AM_QUEUE_PRIORITY, 0);
    const char *text = "sleep uniform 1 2; cpu fixed 0.5; executor exponential 0.25;"
                       " acquire s; release b; lock l; unlock c; wait e; set e; clear e;"
                       " cond_wait c; notify c; notify c 3; notify_all c; put q; put q priority "
                       "normal 3 1; get q; serve q; task_done q; join q; fail; fail 0.25;"
                       " run sh -c 'echo \"hi there\"' x";
    am_op_t ops[AM_PROGRAM_MAX_OPS];
    size_t n = 0;
    char err[256];
    assert_int_equal(parse(e, text, ops, &n, err, sizeof err), 0);
    assert_string_equal(err, "");
    static const am_op_kind_t kinds[] = {
        AM_OP_SLEEP,     AM_OP_CPU,    AM_OP_EXECUTOR, AM_OP_ACQUIRE,    AM_OP_RELEASE,
        AM_OP_LOCK,      AM_OP_UNLOCK, AM_OP_WAIT,     AM_OP_SET,        AM_OP_CLEAR,
        AM_OP_COND_WAIT, AM_OP_NOTIFY, AM_OP_NOTIFY,   AM_OP_NOTIFY_ALL, AM_OP_PUT,
        AM_OP_PUT,       AM_OP_GET,    AM_OP_SERVE,    AM_OP_TASK_DONE,  AM_OP_JOIN,
        AM_OP_FAIL,      AM_OP_FAIL,   AM_OP_RUN};
    assert_int_equal(n, sizeof kinds / sizeof kinds[0]);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ops[i].kind, kinds[i]);
    /* every kind appears at least once */
    for (int k = 0; k < AM_OP_NKINDS; k++) {
        int seen = 0;
        for (size_t i = 0; i < n; i++)
            seen |= ops[i].kind == (am_op_kind_t)k;
        if (!seen) fail_msg("step kind %s not covered", am_op_name((am_op_kind_t)k));
    }
    assert_int_equal(ops[0].dist.kind, AM_DIST_UNIFORM);
    assert_true(ops[0].dist.a == 1 && ops[0].dist.b == 2);
    assert_true(ops[1].dist.kind == AM_DIST_FIXED && ops[1].dist.a == 0.5);
    assert_true(ops[2].dist.kind == AM_DIST_EXPONENTIAL && ops[2].dist.a == 0.25);
    assert_int_equal(ops[3].obj, s);
    assert_int_equal(ops[4].obj, b); /* a bounded semaphore is a semaphore */
    assert_int_equal(ops[5].obj, l);
    assert_int_equal(ops[6].obj, c); /* a condition is a lock */
    assert_int_equal(ops[7].obj, ev);
    assert_int_equal(ops[10].obj, c);
    assert_int_equal(ops[11].n, 1);
    assert_int_equal(ops[12].n, 3);
    assert_int_equal(ops[14].obj, q);
    assert_true(ops[14].dist.kind == AM_DIST_FIXED && ops[14].dist.a == 0);
    assert_true(ops[15].dist.kind == AM_DIST_NORMAL && ops[15].dist.a == 3 && ops[15].dist.b == 1);
    assert_true(ops[20].p == 1.0);
    assert_true(ops[21].p == 0.25);
    assert_non_null(ops[22].argv);
    assert_string_equal(ops[22].argv[0], "sh");
    assert_string_equal(ops[22].argv[1], "-c");
    assert_string_equal(ops[22].argv[2], "echo \"hi there\"");
    assert_string_equal(ops[22].argv[3], "x");
    assert_null(ops[22].argv[4]);
    for (size_t i = 0; i < n; i++)
        if (ops[i].kind != AM_OP_RUN) assert_null(ops[i].argv);
    /* the program table keeps its own copy */
    int p = am_program_new(e->loop, ops, n, 3);
    assert_true(p > 0);
    am_program_ops_free(ops, n);
    assert_null(ops[22].argv);
    const am_op_t *kept = NULL;
    assert_int_equal(am_program_ops(e->loop, p, &kept), n);
    assert_string_equal(kept[22].argv[2], "echo \"hi there\"");
    assert_int_equal(am_program_ops(e->loop, p + 1, &kept), 0);
    assert_int_equal(am_program_new(e->loop, kept, 0, 1), AM_EINVAL);
    /* empty steps between semicolons are skipped */
    assert_int_equal(parse(e, " ; sleep 1;; set e ;", ops, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_true(ops[0].dist.kind == AM_DIST_FIXED && ops[0].dist.a == 1);
}

typedef struct bad_s {
    const char *text;
    const char *message;
} bad_t;

static void test_parse_errors(void **state)
{
    env_t *e = *state;
    am_semaphore_new(e->loop, "s", 2, 0);
    am_lock_new(e->loop, "l");
    am_event_new(e->loop, "e");
    am_condition_new(e->loop, "c");
    am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 0);
    static const bad_t cases[] = {
        {"jump 3",
         "step 1: unknown step \"jump\"; expected sleep, cpu, executor, acquire, release, lock, "
         "unlock, wait, set, clear, cond_wait, notify, notify_all, put, get, task_done, join, "
         "fail, "
         "run or serve"},
        {"sleep 1; acquire", "step 2: acquire: expected the name of a semaphore"},
        {"lock", "step 1: lock: expected the name of a lock"},
        {"wait", "step 1: wait: expected the name of an event"},
        {"put", "step 1: put: expected the name of a queue"},
        {"acquire api",
         "step 1: no semaphore named \"api\" (declare it in a [semaphore.api] section)"},
        {"get jobs", "step 1: no queue named \"jobs\" (declare it in a [queue.jobs] section)"},
        {"cond_wait l", "step 1: \"l\" is a lock, expected a condition"},
        {"acquire q", "step 1: \"q\" is a queue, expected a semaphore"},
        {"lock e", "step 1: \"e\" is an event, expected a lock"},
        {"wait s", "step 1: \"s\" is a semaphore, expected an event"},
        {"release e; sleep 1", "step 1: \"e\" is an event, expected a semaphore"},
        {"sleep uniform 5",
         "step 1: sleep: expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or "
         "\"normal MEAN SD\", got \"uniform 5\""},
        {"sleep",
         "step 1: sleep: expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or "
         "\"normal MEAN SD\", got \"\""},
        {"cpu uniform 3 1", "step 1: cpu: expected MIN <= MAX in \"uniform MIN MAX\", got "
                            "\"uniform 3 1\""},
        {"executor fixed -1", "step 1: executor: expected seconds >= 0, got \"fixed -1\""},
        {"put q priority soon",
         "step 1: put: priority: expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" "
         "or \"normal MEAN SD\", got \"soon\""},
        {"put q first", "step 1: put: expected \"put QUEUE\", \"put QUEUE priority DIST\" or "
                        "\"put QUEUE items DIST\""},
        {"put q items lots", "step 1: put: items: expected \"fixed S\", \"uniform MIN MAX\", "
                             "\"exponential MEAN\" or \"normal MEAN SD\", got \"lots\""},
        {"serve", "step 1: serve: expected the name of a queue"},
        {"notify c 0", "step 1: notify: expected a count >= 1, got \"0\""},
        {"notify c two", "step 1: notify: expected a count >= 1, got \"two\""},
        {"notify c 1 2", "step 1: notify: expected a count >= 1, got \"1\""},
        {"fail 2", "step 1: fail: expected a probability from 0 to 1, got \"2\""},
        {"fail -0.5", "step 1: fail: expected a probability from 0 to 1, got \"-0.5\""},
        {"fail half", "step 1: fail: expected a probability from 0 to 1, got \"half\""},
        {"fail 0.5x", "step 1: fail: expected a probability from 0 to 1, got \"0.5x\""},
        {"run echo 'hi", "step 1: unterminated quote in \"run echo 'hi\""},
        {"sleep 1; run sh -c \"exit 1", "step 2: unterminated quote in \"run sh -c \"exit 1\""},
        {"run", "step 1: run: expected a command, e.g. run sleep 1"},
        {"acquire s now", "step 1: acquire: unexpected \"now\" after the name"},
        {"notify_all c 2", "step 1: notify_all: unexpected \"2\" after the name"},
        {"", "expected steps separated by ';', e.g. \"acquire api; sleep uniform 1 2; release "
             "api\""},
        {" ;  ; ", "expected steps separated by ';', e.g. \"acquire api; sleep uniform 1 2; "
                   "release api\""},
    };
    /* and one generated: a step of 65 words */
    char many[256] = "run";
    for (int i = 0; i < 64; i++)
        strcat(many, " a");
    const bad_t words = {many, "step 1: too many words (at most 64)"};
    const size_t ncases = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i <= ncases; i++) {
        const bad_t *k = i < ncases ? &cases[i] : &words;
        am_op_t ops[AM_PROGRAM_MAX_OPS];
        size_t n = 99;
        char err[512];
        int rc = parse(e, k->text, ops, &n, err, sizeof err);
        if (rc != AM_EPARSE) fail_msg("\"%s\": returned %d, expected AM_EPARSE", k->text, rc);
        assert_int_equal(n, 0);
        if (strcmp(err, k->message) != 0)
            fail_msg("\"%s\":\n  got      %s\n  expected %s", k->text, err, k->message);
    }
}

static void test_parse_too_many_steps(void **state)
{
    env_t *e = *state;
    char text[AM_PROGRAM_MAX_OPS * 16];
    size_t len = 0;
    for (int i = 0; i < AM_PROGRAM_MAX_OPS; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "sleep %d; ", i);
    am_op_t ops[AM_PROGRAM_MAX_OPS];
    size_t n = 0;
    char err[256];
    assert_int_equal(parse(e, text, ops, &n, err, sizeof err), 0); /* exactly the maximum */
    assert_int_equal(n, AM_PROGRAM_MAX_OPS);
    assert_true(ops[AM_PROGRAM_MAX_OPS - 1].dist.a == AM_PROGRAM_MAX_OPS - 1);
    snprintf(text + len, sizeof text - len, "run true");
    n = 99;
    assert_int_equal(parse(e, text, ops, &n, err, sizeof err), AM_EPARSE);
    assert_int_equal(n, 0);
    assert_string_equal(err, "too many steps (at most 64)");
    /* a smaller array: the limit is the caller's */
    assert_int_equal(am_program_parse(am_loop_obj_lookup, e->loop, "sleep 1; sleep 2; sleep 3", ops,
                                      2, &n, err, sizeof err),
                     AM_EPARSE);
    assert_string_equal(err, "too many steps (at most 2)");
    /* an error after a run step frees its argv (leak-checked under ASan) */
    assert_int_equal(parse(e, "run sleep 1; run true; jump", ops, &n, err, sizeof err), AM_EPARSE);
}

/* Format every step, parse the text back: the same step. */
static void test_op_format_round_trip(void **state)
{
    env_t *e = *state;
    am_semaphore_new(e->loop, "api", 2, 0);
    am_semaphore_new(e->loop, "b", 1, 1);
    am_lock_new(e->loop, "l");
    am_event_new(e->loop, "ev");
    am_condition_new(e->loop, "cond");
    am_queue_new(e->loop, "jobs", AM_QUEUE_PRIORITY, 0);
    const char *text =
        "sleep uniform 0.1 0.5; sleep 2; cpu normal 3 0.5; executor exponential 0.125;"
        " acquire api; release b; lock l; unlock cond; wait ev; set ev; clear ev;"
        " cond_wait cond; notify cond; notify cond 4; notify_all cond; put jobs; put jobs priority "
        "fixed 3; put jobs priority uniform 1 9; get jobs; task_done jobs; join jobs; fail;"
        " fail 0.123456789; fail 0; run true; run sh -c 'echo \"a  b\"; exit 3' '' 'a\tb' it's "
        "'x;y'";
    am_op_t ops[AM_PROGRAM_MAX_OPS], back[AM_PROGRAM_MAX_OPS];
    size_t n = 0, nb = 0;
    char err[256];
    if (parse(e, text, ops, &n, err, sizeof err) != 0) fail_msg("%s", err);
    static const char *const want[] = {"sleep uniform 0.1 0.5",
                                       "sleep fixed 2",
                                       "cpu normal 3 0.5",
                                       "executor exponential 0.125",
                                       "acquire api",
                                       "release b",
                                       "lock l",
                                       "unlock cond",
                                       "wait ev",
                                       "set ev",
                                       "clear ev",
                                       "cond_wait cond",
                                       "notify cond 1",
                                       "notify cond 4",
                                       "notify_all cond",
                                       "put jobs",
                                       "put jobs priority fixed 3",
                                       "put jobs priority uniform 1 9",
                                       "get jobs",
                                       "task_done jobs",
                                       "join jobs",
                                       "fail 1",
                                       "fail 0.123456789",
                                       "fail 0",
                                       "run true",
                                       NULL};
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        int len = am_op_format(e->loop, &ops[i], buf, sizeof buf);
        assert_int_equal(len, (int)strlen(buf));
        if (want[i] && i < sizeof want / sizeof want[0]) assert_string_equal(buf, want[i]);
        if (parse(e, buf, back, &nb, err, sizeof err) != 0)
            fail_msg("step %zu formats as \"%s\", which does not parse: %s", i, buf, err);
        assert_int_equal(nb, 1);
        const am_op_t *a = &ops[i], *b = &back[0];
        if (a->kind != b->kind || a->obj != b->obj || a->dist.kind != b->dist.kind ||
            a->dist.a != b->dist.a || a->dist.b != b->dist.b || a->p != b->p || a->n != b->n)
            fail_msg("step %zu: \"%s\" parses back to a different step", i, buf);
        if (a->argv) {
            size_t k = 0;
            assert_non_null(b->argv);
            for (; a->argv[k]; k++) {
                assert_non_null(b->argv[k]);
                assert_string_equal(a->argv[k], b->argv[k]);
            }
            assert_null(b->argv[k]);
        }
        am_program_ops_free(back, nb);
    }
    /* a ';' inside quotes does not end the step */
    assert_int_equal(ops[n - 1].kind, AM_OP_RUN);
    assert_string_equal(ops[n - 1].argv[2], "echo \"a  b\"; exit 3");
    assert_string_equal(ops[n - 1].argv[3], "");
    assert_string_equal(ops[n - 1].argv[4], "a\tb");
    assert_string_equal(ops[n - 1].argv[5], "it's");
    assert_string_equal(ops[n - 1].argv[6], "x;y");
    assert_null(ops[n - 1].argv[7]);
    am_program_ops_free(ops, n);
    /* truncation returns the full length, as snprintf does */
    am_op_t op = {AM_OP_SLEEP, 0, {AM_DIST_UNIFORM, 1, 2}, 0, 0, NULL};
    char small[8];
    assert_int_equal(am_op_format(e->loop, &op, small, sizeof small),
                     (int)strlen("sleep uniform 1 2"));
    assert_string_equal(small, "sleep u");
    assert_string_equal(am_op_name(AM_OP_NKINDS), "?");
    assert_string_equal(am_op_name(AM_OP_COND_WAIT), "cond_wait");
}

/* "fail 0.5" parses and formats the same in a locale whose decimal point is
 * a comma (the TUI calls setlocale). */
static void test_parse_locale(void **state)
{
    env_t *e = *state;
    static const char *const locales[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"};
    const char *used = NULL;
    for (size_t i = 0; i < sizeof locales / sizeof locales[0] && !used; i++)
        if (setlocale(LC_NUMERIC, locales[i])) used = locales[i];
    if (!used) {
        setlocale(LC_NUMERIC, "C");
        skip(); /* no locale with a decimal comma installed */
    }
    am_op_t ops[AM_PROGRAM_MAX_OPS];
    size_t n = 0;
    char err[256], buf[64];
    int rc = parse(e, "fail 0.25; sleep 0.5", ops, &n, err, sizeof err);
    if (rc == 0) am_op_format(e->loop, &ops[0], buf, sizeof buf);
    setlocale(LC_NUMERIC, "C");
    if (rc != 0) fail_msg("%s: %s", used, err);
    assert_true(ops[0].p == 0.25);
    assert_string_equal(buf, "fail 0.25");
}

/* ---- the interpreter ---- */

static void test_repeat_n(void **state)
{
    env_t *e = *state;
    int p = tu_program(e->loop, "sleep fixed 1; sleep fixed 0.5", 5);
    am_task_id_t t = tu_spawn_program(e->loop, p);
    e->progress_task = t;
    uint32_t n, total;
    am_task_progress(e->loop, t, &n, &total);
    assert_int_equal(n, 0);
    assert_int_equal(total, 5);
    run(e);
    assert_state(e, t, AM_TASK_DONE);
    assert_int_equal(am_task_result(e->loop, t), 5);
    assert_int_equal(am_task_ended(e->loop, t), S(7.5));
    am_task_progress(e->loop, t, &n, &total);
    assert_int_equal(n, 5);
    /* N - 1 progress events, at the end of each iteration but the last */
    assert_int_equal(e->nprogress, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(e->progress[i], i + 1);
        assert_int_equal(e->progress_at[i], S(1.5 * (double)(i + 1)));
    }
    int program;
    uint32_t pc;
    assert_int_equal(am_task_program(e->loop, t, &program, &pc), 0);
    assert_int_equal(program, p);
    assert_int_equal(am_task_kind(e->loop, t), AM_KIND_PROGRAM);
    /* repeat 1: no progress event */
    e->nprogress = 0;
    am_task_id_t once = tu_go(e->loop, "sleep 2");
    e->progress_task = once;
    run(e);
    assert_int_equal(e->nprogress, 0);
    assert_int_equal(am_task_result(e->loop, once), 1);
}

static void test_repeat_forever_until_cancelled(void **state)
{
    env_t *e = *state;
    int p = tu_program(e->loop, "sleep fixed 1", 0);
    am_task_id_t t = tu_spawn_program(e->loop, p);
    e->progress_task = t;
    uint32_t n, total;
    am_task_progress(e->loop, t, &n, &total);
    assert_int_equal(total, 0); /* unknown: until cancelled */
    call_t c = {0};
    c.task = t;
    at(e, 10.5, do_cancel, &c);
    run(e);
    assert_state(e, t, AM_TASK_CANCELLED);
    assert_int_equal(am_task_ended(e->loop, t), S(10.5));
    assert_int_equal(e->nprogress, 10);
    am_task_progress(e->loop, t, &n, &total);
    assert_int_equal(n, 10);
}

/* Never suspends, repeated forever: the task yields every so many steps, so
 * a callout due at the same instant runs and can cancel it. */
static void test_busy_forever_yields_jump(void **state)
{
    env_t *e = *state;
    am_event_new(e->loop, "e");
    int p = tu_program(e->loop, "set e; clear e", 0);
    am_task_id_t t = tu_spawn_program(e->loop, p);
    am_task_id_t other = tu_go(e->loop, "set e");
    call_t c = {0};
    c.task = t;
    at(e, 0, do_cancel, &c);
    run(e);
    assert_int_equal(c.fired, 1);
    assert_int_equal(c.rc, 0);
    assert_state(e, t, AM_TASK_CANCELLED);
    assert_int_equal(am_task_ended(e->loop, t), 0);
    uint32_t n;
    am_task_progress(e->loop, t, &n, NULL);
    assert_true(n > 0); /* it did run for a while */
    assert_state(e, other, AM_TASK_DONE);
}

/* The same at real speed: time goes on, a callout later on fires, and the
 * uv loop's other handles are not starved meanwhile. */
static void on_guard(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    am_loop_cancel_all(loop);
}

static void on_early(am_loop_t *loop, void *data)
{
    call_t *c = data;
    (void)loop;
    c->fired++;
}

/* do_cancel, noting whether the call in c->other had fired by then */
static void do_cancel_noting(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->other_fired = c->other->fired;
    do_cancel(loop, c);
}

static void test_busy_forever_yields_real_time(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_set_speed(e->loop, 1), 0);
    am_event_new(e->loop, "e");
    am_task_id_t t = tu_spawn_program(e->loop, tu_program(e->loop, "set e; clear e", 0));
    am_task_id_t sleeper = tu_go(e->loop, "sleep fixed 0.01");
    call_t c = {0}, guard = {0}, early = {0};
    c.task = t;
    c.other = &early;
    at(e, 0.6, do_cancel_noting, &c);
    rtimer_t rt, rt_early;
    after_ms(e, &rt, 2000, on_guard, &guard); /* if the callout never comes */
    uv_unref((uv_handle_t *)&rt.t);
    /* the loop's other handles get turns while the task spins (between its
     * batches of about 20000 x 1000 steps): a uv timer due in 5 ms fires
     * before the callout due at 0.6 s */
    after_ms(e, &rt_early, 5, on_early, &early);
    double t0 = now_real();
    run(e);
    assert_int_equal(guard.fired, 0);
    assert_int_equal(early.fired, 1);
    assert_int_equal(c.fired, 1);
    assert_int_equal(c.other_fired, 1);
    assert_int_equal(c.rc, 0);
    assert_state(e, t, AM_TASK_CANCELLED);
    assert_true(am_task_ended(e->loop, t) >= S(0.6));
    assert_state(e, sleeper, AM_TASK_DONE);
    assert_true(now_real() - t0 < 1.5);
    if (!uv_is_closing((uv_handle_t *)&rt.t)) {
        uv_close((uv_handle_t *)&rt.t, NULL);
        uv_run(&e->uv, UV_RUN_NOWAIT);
    }
}

static void test_fail_step(void **state)
{
    env_t *e = *state;
    am_loop_seed(e->loop, 5);
    am_task_id_t always = tu_go(e->loop, "sleep 1; fail; sleep 1");
    am_task_id_t never = tu_go(e->loop, "sleep 1; fail 0; sleep 1");
    int p = tu_program(e->loop, "fail 0.5; sleep 1", 1);
    int failed = 0;
    am_task_id_t ids[200];
    for (int i = 0; i < 200; i++)
        ids[i] = tu_spawn_program(e->loop, p);
    run(e);
    assert_state(e, always, AM_TASK_FAILED);
    assert_int_equal(am_task_error(e->loop, always), AM_ETASKFAIL);
    assert_int_equal(am_task_ended(e->loop, always), S(1));
    assert_state(e, never, AM_TASK_DONE);
    for (int i = 0; i < 200; i++)
        failed += am_task_state(e->loop, ids[i]) == AM_TASK_FAILED;
    assert_true(failed > 60 && failed < 140);
}

/* A deadline on a sleeping program task: timed out at the deadline. */
static void test_deadline_on_sleep(void **state)
{
    env_t *e = *state;
    am_task_id_t t = tu_go(e->loop, "sleep 1; sleep 10");
    assert_int_equal(am_task_set_timeout(e->loop, t, S(4)), 0);
    assert_int_equal(am_task_deadline(e->loop, t), S(4));
    run(e);
    assert_state(e, t, AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_ended(e->loop, t), S(4));
    assert_int_equal(am_task_error(e->loop, t), AM_ETIMEOUT);
}

/* ---- executor ---- */

static void test_executor_runs_on_pool(void **state)
{
    env_t *e = *state;
    am_task_id_t x = tu_go(e->loop, "executor fixed 0.05");
    am_task_id_t s = tu_go(e->loop, "sleep fixed 100");
    ends_t d = {0};
    d.watch = x;
    track(e, &d, x);
    track(e, &d, s);
    double t0 = now_real();
    run(e);
    assert_state(e, x, AM_TASK_DONE);
    assert_state(e, s, AM_TASK_DONE);
    /* the sleep task's 100 virtual seconds went by while the job ran */
    assert_int_equal(d.n, 2);
    assert_int_equal(d.id[0], s);
    assert_int_equal(d.others[0], AM_TASK_RUNNING);
    assert_int_equal(am_task_ended(e->loop, s), S(100));
    assert_true(d.real[end_index(&d, x)] - t0 >= 0.05);
    am_loop_health_t h;
    am_loop_health(e->loop, &h);
    assert_int_equal(h.slow_steps, 0);
    assert_int_equal(am_loop_processes(e->loop), 0);
}

/* Four jobs fill the pool (UV_THREADPOOL_SIZE is 4, see main); a fifth is
 * queued and cancelled before any thread takes it: it ends at once. */
static void test_executor_cancel_before_start(void **state)
{
    env_t *e = *state;
    int busy = tu_program(e->loop, "executor fixed 0.3", 1);
    am_task_id_t w[4];
    for (int i = 0; i < 4; i++)
        w[i] = tu_spawn_program(e->loop, busy);
    am_task_id_t x = tu_go(e->loop, "executor fixed 0.3");
    ends_t d = {0};
    d.watch = w[0];
    track(e, &d, x);
    for (int i = 0; i < 4; i++)
        track(e, &d, w[i]);
    call_t c = {0};
    c.task = x;
    at(e, 0, do_cancel, &c); /* after the five started their jobs */
    double t0 = now_real();
    run(e);
    assert_int_equal(c.rc, 0);
    assert_state(e, x, AM_TASK_CANCELLED);
    assert_int_equal(am_task_error(e->loop, x), AM_ECANCELLED);
    assert_int_equal(d.id[0], x);
    assert_int_equal(d.others[0], AM_TASK_RUNNING);
    assert_true(d.real[0] - t0 < 0.25);
    for (int i = 0; i < 4; i++)
        assert_state(e, w[i], AM_TASK_DONE);
}

/* Cancelled while its job runs: it stays running until the job returns,
 * then ends cancelled (a thread cannot be interrupted). */
static void test_executor_cancel_while_running(void **state)
{
    env_t *e = *state;
    am_task_id_t x = tu_go(e->loop, "executor fixed 0.2; sleep 5");
    ends_t d = {0};
    track(e, &d, x);
    call_t c = {0};
    c.task = x;
    rtimer_t rt;
    after_ms(e, &rt, 50, do_cancel, &c);
    double t0 = now_real();
    run(e);
    assert_int_equal(c.fired, 1);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.state_after, AM_TASK_RUNNING); /* not yet */
    assert_state(e, x, AM_TASK_CANCELLED);
    assert_true(d.real[0] - t0 >= 0.2);
    assert_true(d.real[0] - c.real >= 0.1);
    assert_int_equal(am_task_ended(e->loop, x), 0); /* never reached its sleep */
}

static void test_executor_deadline(void **state)
{
    env_t *e = *state;
    am_task_id_t x = tu_go(e->loop, "executor fixed 0.1; sleep 5");
    assert_int_equal(am_task_set_timeout(e->loop, x, S(0.01)), 0);
    run(e);
    assert_state(e, x, AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_error(e->loop, x), AM_ETIMEOUT);
}

/* ---- cpu: blocking the loop ---- */

static void test_cpu_is_a_slow_step(void **state)
{
    env_t *e = *state;
    am_loop_health_t h;
    am_loop_health(e->loop, &h);
    assert_true(h.slow_threshold == 0.1);
    assert_int_equal(h.slow_steps, 0);
    am_task_id_t quick = tu_go(e->loop, "cpu fixed 0.01; sleep 1");
    am_task_id_t t = tu_go(e->loop, "sleep 1; cpu fixed 0.15; sleep 1");
    run(e);
    assert_state(e, t, AM_TASK_DONE);
    assert_state(e, quick, AM_TASK_DONE);
    am_loop_health(e->loop, &h);
    assert_int_equal(h.slow_steps, 1);
    assert_true(h.slowest >= 0.15);
    assert_true(h.slowest < 1.0);
    assert_int_equal(h.slowest_task, t);
    assert_int_equal(e->slow_events, 1);
    assert_int_equal(e->slow_task, t);
    assert_true(e->slow_real >= 0.15);
    assert_int_equal(am_monitor_events(e->mon, AM_EV_SLOW), 1);
    am_loop_health_t mh;
    am_monitor_health(e->mon, &mh);
    assert_int_equal(mh.slow_steps, 1);
    /* a lower threshold catches the small one too */
    am_loop_set_slow_threshold(e->loop, 0.005);
    am_loop_set_slow_threshold(e->loop, -1); /* ignored */
    am_task_id_t small = tu_go(e->loop, "cpu fixed 0.02");
    run(e);
    am_loop_health(e->loop, &h);
    assert_true(h.slow_threshold == 0.005);
    assert_int_equal(h.slow_steps, 2);
    assert_int_equal(h.slowest_task, t);
    assert_int_equal(e->slow_task, small);
}

/* Loop lag at real speed: a 10 ms lag timer fires about 0.15 s late. */
static void test_cpu_loop_lag(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_set_speed(e->loop, 1), 0);
    assert_int_equal(am_loop_health_start(e->loop, 10), 0);
    assert_int_equal(am_loop_health_start(e->loop, 10), AM_EINVAL); /* already on */
    am_task_id_t t = tu_go(e->loop, "sleep 0.03; cpu fixed 0.15");
    am_task_id_t after =
        tu_go(e->loop, "sleep 0.3"); /* the lag timer does not keep the loop alive */
    run(e);
    assert_state(e, t, AM_TASK_DONE);
    assert_state(e, after, AM_TASK_DONE);
    am_loop_health_t h;
    am_loop_health(e->loop, &h);
    assert_true(h.lag_samples >= 3);
    if (!(h.lag_max >= 0.1)) fail_msg("lag_max %.3f s", h.lag_max);
    assert_true(h.lag_max < 1.0);
    assert_int_equal(h.slow_steps, 1);
}

/* ---- child processes ---- */

/* A program that runs a shell which writes its pid to a file, then becomes cmd. */
static void pid_program(char *text, size_t size, char *path, const char *prefix, const char *cmd)
{
    strcpy(path, "/tmp/am_prog_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(text, size, "run sh -c '%secho $$ > %s.tmp; mv %s.tmp %s; exec %s'", prefix, path,
             path, path, cmd);
}

static pid_t read_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    long pid = 0;
    if (fscanf(f, "%ld", &pid) != 1) pid = 0;
    fclose(f);
    return (pid_t)pid;
}

static void assert_reaped(pid_t pid)
{
    char proc[64];
    assert_true(pid > 1);
    errno = 0;
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(errno, ESRCH);
    int st;
    errno = 0;
    assert_int_equal(waitpid(pid, &st, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    snprintf(proc, sizeof proc, "/proc/%ld", (long)pid);
    struct stat sb;
    assert_int_equal(stat(proc, &sb), -1);
}

typedef struct pidcall_s {
    call_t c;
    const char *path;
    pid_t pid;
} pidcall_t;

static void do_cancel_with_pid(am_loop_t *loop, void *data)
{
    pidcall_t *pc = data;
    pc->pid = read_pid(pc->path);
    if (pc->pid > 0) assert_int_equal(kill(pc->pid, 0), 0); /* alive until now */
    do_cancel(loop, &pc->c);
}

static void test_run_cancel_kills_and_reaps(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_set_speed(e->loop, 1), 0);
    char text[512], path[64];
    pid_program(text, sizeof text, path, "", "sleep 5");
    am_task_id_t t = tu_go(e->loop, text);
    ends_t d = {0};
    track(e, &d, t);
    pidcall_t pc = {{0}, path, 0};
    pc.c.task = t;
    pc.c.e = e;
    assert_true(am_loop_call_at(e->loop, S(0.2), do_cancel_with_pid, &pc) > 0);
    double t0 = now_real();
    /* virtual time started when the loop was opened: the cancel is due 0.2 s
     * after that, which is less than 0.2 s from now on a slow (sanitizer) run */
    double due = 0.2 - (double)am_loop_now(e->loop) / (double)S(1);
    run(e);
    unlink(path);
    assert_true(pc.pid > 0);
    assert_int_equal(pc.c.rc, 0);
    assert_state(e, t, AM_TASK_CANCELLED);
    assert_true(d.real[0] - t0 >= due - 0.005);
    assert_true(d.real[0] - t0 < 1.5); /* SIGTERM, not the 5 s sleep */
    assert_reaped(pc.pid);
    assert_int_equal(am_loop_processes(e->loop), 0);
}

/* A child that ignores SIGTERM gets SIGKILL after the grace period. */
static void test_run_kill_grace(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_set_speed(e->loop, 1), 0);
    am_loop_set_kill_grace(e->loop, 0.3);
    char text[512], path[64];
    pid_program(text, sizeof text, path, "trap \"\" TERM; ", "sleep 5");
    am_task_id_t t = tu_go(e->loop, text);
    ends_t d = {0};
    track(e, &d, t);
    pidcall_t pc = {{0}, path, 0};
    pc.c.task = t;
    pc.c.e = e;
    assert_true(am_loop_call_at(e->loop, S(0.2), do_cancel_with_pid, &pc) > 0);
    run(e);
    unlink(path);
    assert_true(pc.pid > 0);
    assert_state(e, t, AM_TASK_CANCELLED);
    double took = d.real[0] - pc.c.real;
    /* it survived SIGTERM (libuv timers count whole ms), and not its 5 s */
    if (!(took >= 0.29 && took < 1.5))
        fail_msg("ended %.3f s after the cancel, expected 0.3 s", took);
    assert_reaped(pc.pid);
}

static void test_run_exit_status(void **state)
{
    env_t *e = *state;
    am_task_id_t ok = tu_go(e->loop, "run true");
    am_task_id_t bad = tu_go(e->loop, "run false");
    am_task_id_t missing = tu_go(e->loop, "run /nonexistent/asyncmon-test");
    am_task_id_t signalled = tu_go(e->loop, "run sh -c 'kill -9 $$'");
    am_task_id_t args = tu_go(e->loop, "run sh -c 'test \"$1\" = \"a b\"' sh 'a b'; run test -n x");
    run(e);
    assert_state(e, ok, AM_TASK_DONE);
    assert_state(e, bad, AM_TASK_FAILED);
    assert_int_equal(am_task_error(e->loop, bad), AM_ETASKFAIL);
    assert_state(e, missing, AM_TASK_FAILED);
    assert_int_equal(am_task_error(e->loop, missing), AM_ETASKFAIL);
    assert_state(e, signalled, AM_TASK_FAILED);
    assert_state(e, args, AM_TASK_DONE); /* argv reaches the child as written */
    assert_int_equal(am_loop_processes(e->loop), 0);
}

/* A deadline on a task waiting for its child: timed out, child reaped. */
static void test_run_deadline(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_set_speed(e->loop, 1), 0);
    char text[512], path[64];
    pid_program(text, sizeof text, path, "", "sleep 5");
    am_task_id_t t = tu_go(e->loop, text);
    assert_int_equal(am_task_set_timeout(e->loop, t, S(0.3)), 0);
    double t0 = now_real();
    run(e);
    pid_t pid = read_pid(path);
    unlink(path);
    assert_state(e, t, AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_error(e->loop, t), AM_ETIMEOUT);
    assert_true(now_real() - t0 < 1.5);
    assert_reaped(pid);
}

/* am_loop_free with a child still running: killed and reaped. */
static void stop_when_started(am_loop_t *loop, void *data)
{
    call_t *c = data;
    c->fired++;
    uv_stop(am_loop_uv(loop));
}

static void test_free_kills_running_child(void **state)
{
    env_t *e = *state;
    assert_int_equal(am_loop_set_speed(e->loop, 1), 0);
    char text[512], path[64];
    pid_program(text, sizeof text, path, "", "sleep 5");
    am_task_id_t t = tu_go(e->loop, text);
    am_task_id_t x = tu_go(e->loop, "executor fixed 0.1");
    call_t c = {0};
    at(e, 0.2, stop_when_started, &c);
    uv_run(&e->uv, UV_RUN_DEFAULT);
    assert_int_equal(c.fired, 1);
    pid_t pid = read_pid(path);
    unlink(path);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, 0), 0);
    assert_state(e, t, AM_TASK_RUNNING);
    assert_int_equal(am_loop_processes(e->loop), 1);
    (void)x;
    double t0 = now_real();
    am_monitor_free(e->mon);
    e->mon = NULL;
    am_loop_free(e->loop);
    e->loop = NULL;
    assert_true(now_real() - t0 < 1.5);
    assert_reaped(pid);
    assert_int_equal(uv_loop_close(&e->uv), 0);
    assert_int_equal(uv_loop_init(&e->uv), 0); /* for the teardown */
    e->loop = am_loop_new(&e->uv);
    assert_non_null(e->loop);
}

int main(void)
{
    /* a known pool size for the executor tests; libuv reads it on first use */
    setenv("UV_THREADPOOL_SIZE", "4", 1);
    /* children that die of SIGTERM/SIGKILL must not take the test with them */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
#define T(f)  cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TB(f) cmocka_unit_test_setup_teardown(f, setup_bare, teardown)
        T(test_parse_every_step),
        T(test_parse_errors),
        T(test_parse_too_many_steps),
        T(test_op_format_round_trip),
        T(test_parse_locale),
        T(test_repeat_n),
        T(test_repeat_forever_until_cancelled),
        T(test_busy_forever_yields_jump),
        T(test_busy_forever_yields_real_time),
        T(test_fail_step),
        T(test_deadline_on_sleep),
        T(test_executor_runs_on_pool),
        T(test_executor_cancel_before_start),
        T(test_executor_cancel_while_running),
        T(test_executor_deadline),
        T(test_cpu_is_a_slow_step),
        TB(test_cpu_loop_lag),
        T(test_run_cancel_kills_and_reaps),
        T(test_run_kill_grace),
        T(test_run_exit_status),
        T(test_run_deadline),
        T(test_free_kills_running_child),
#undef T
#undef TB
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
