/* test_driver.c — unit tests of the scenario driver (src/scenario/driver.c)
 * running real scenarios on the runtime, end to end but without a front end.
 *
 * Every run uses the virtual clock in jump mode (AM_SPEED_MAX) on a fresh uv
 * loop, a monitor to count, and checks the same things at the end: on_finish
 * fired exactly once, from uv_run, with every task ended; the finish time the
 * driver reports is the time of that call; am_monitor_check holds.
 *
 * Covered: the shipped demos (gather: 2000 tasks, the node ends with the last
 * task, within 5 s, and a seed replays the run exactly; as_completed: the
 * timeout at 8 s leaves the slow task running to 10 s and the driver awaits
 * it; wait: the `while pending:` loop with failed tasks re-added, every count
 * adding up); gather's first error with return_exceptions = false (the other
 * group keeps running); combinator none; a TaskGroup whose failing child
 * cancels the long siblings; wait_for per group and per scenario, with and
 * without shield; a wait timeout that cancels nothing, once and in a loop; a
 * group's start delay; stopping with am_driver_stop_at and am_driver_stop
 * (right after start, while running, with groups still scheduled, under
 * every combinator); am_driver_free in the middle of a run; --tasks scaling;
 * steps and progress events.
 *
 * Scenario files other than the shipped demo/NAME.ini are written to /tmp
 * with mkstemp and removed once loaded; the source tree is $ASYNCMON_SOURCE
 * (set by ctest) or the ASYNCMON_SOURCE_DIR the build was configured in. A
 * teardown frees whatever a failed test left open.
 *
 * Regression tests for three driver bugs found by this file: a stop time set
 * with am_driver_stop_at outliving a run that finished on its own, and
 * am_driver_free leaving group-spawn and finish callouts on the loop. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "asyncmon/combinators.h"
#include "asyncmon/driver.h"
#include "asyncmon/error.h"
#include "asyncmon/monitor.h"
#include "asyncmon/runtime.h"
#include "asyncmon/scenario.h"
#include "testutil.h"

#define ALL_GROUPS ((size_t)-1)
#define MAX_GROUPS 32
#define MAX_PROG   256

/* ---- scenario files ---- */

/* Write text to a mkstemp file in /tmp, load it and remove the file. */
static void load_text(const char *text, am_scenario_t *sc)
{
    char err[1024];
    const char *path = tu_write_temp("driver", text);
    int rc = am_scenario_load(path, sc, err, sizeof(err));
    tu_remove_temp(path);
    if (rc != 0) fail_msg("%s", err);
}

/* ---- one run: uv loop, runtime, monitor, driver ---- */

typedef struct run_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *d;
    am_scenario_t sc;
    /* what on_finish saw */
    int finish_calls;
    am_driver_t *finish_d;
    void *finish_data;
    am_time_t finish_now;
    uint64_t finish_live;
    int finish_flag;
    /* what the monitor's listener saw: creation times per loop group, progress times */
    uint64_t created[MAX_GROUPS];
    am_time_t created_min[MAX_GROUPS], created_max[MAX_GROUPS];
    am_time_t prog_time[MAX_PROG];
    uint32_t prog_n[MAX_PROG];
    size_t nprog;
} run_t;

static void on_finish(am_driver_t *d, void *data)
{
    run_t *r = data;
    r->finish_calls++;
    r->finish_d = d;
    r->finish_data = data;
    r->finish_now = am_loop_now(r->loop);
    r->finish_live = am_loop_live(r->loop);
    r->finish_flag = am_driver_finished(d);
}

static void on_event(void *ctx, const am_event_t *ev)
{
    run_t *r = ctx;
    if (ev->kind != AM_KIND_SLEEP) return;
    if (ev->type == AM_EV_CREATED && ev->group < MAX_GROUPS) {
        if (r->created[ev->group]++ == 0 || ev->time < r->created_min[ev->group])
            r->created_min[ev->group] = ev->time;
        if (ev->time > r->created_max[ev->group]) r->created_max[ev->group] = ev->time;
    } else if (ev->type == AM_EV_PROGRESS && r->nprog < MAX_PROG) {
        r->prog_time[r->nprog] = ev->time;
        r->prog_n[r->nprog] = ev->n;
        r->nprog++;
    }
}

/* The scenario must already be in r->sc. */
static void run_open(run_t *r, uint64_t seed)
{
    tu_loop_open(&r->uv, &r->loop);
    r->mon = am_monitor_new(r->loop, 0);
    assert_non_null(r->mon);
    am_monitor_set_listener(r->mon, on_event, r);
    r->d = am_driver_new(r->loop, &r->sc, seed, on_finish, r);
    assert_non_null(r->d);
    for (size_t i = 0; i < MAX_GROUPS; i++)
        r->created_min[i] = r->created_max[i] = -1;
}

/* Runs not yet freed, so that the teardown frees them after a failed assertion. */
static run_t *open_runs[4];

static run_t *run_alloc(void)
{
    run_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    for (size_t i = 0; i < 4; i++)
        if (!open_runs[i]) {
            open_runs[i] = r;
            return r;
        }
    fail_msg("too many runs open");
    return NULL;
}

static run_t *run_new_demo(const char *name, uint64_t seed)
{
    run_t *r = run_alloc();
    tu_load_demo(name, &r->sc);
    run_open(r, seed);
    return r;
}

static run_t *run_new_text(const char *text, uint64_t seed)
{
    run_t *r = run_alloc();
    load_text(text, &r->sc);
    run_open(r, seed);
    return r;
}

static void start(run_t *r)
{
    assert_int_equal(am_driver_start(r->d), 0);
}

/* Run the uv loop dry and check what holds at the end of every run. */
static void finish(run_t *r)
{
    assert_int_equal(r->finish_calls, 0);
    uv_run(&r->uv, UV_RUN_DEFAULT);
    assert_int_equal(r->finish_calls, 1);
    assert_ptr_equal(r->finish_d, r->d);
    assert_ptr_equal(r->finish_data, r);
    assert_int_equal(r->finish_flag, 1);
    assert_int_equal(r->finish_live, 0);
    assert_int_equal(am_driver_finished(r->d), 1);
    assert_int_equal(am_driver_finished_at(r->d), r->finish_now);
    assert_int_equal(am_loop_live(r->loop), 0);
    tu_assert_monitor_ok(r->mon);
    /* every simulated task has ended; nothing is left scheduled */
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->by_state[AM_TASK_PENDING], 0);
    assert_int_equal(c->by_state[AM_TASK_RUNNING], 0);
    assert_int_equal(am_monitor_ended(r->mon), c->created);
    assert_int_equal(am_loop_next_time(r->loop), -1);
}

/* Free a run; parts that were never made are skipped. Returns uv_loop_close's result. */
static int run_release(run_t *r)
{
    for (size_t i = 0; i < 4; i++)
        if (open_runs[i] == r) open_runs[i] = NULL;
    am_driver_free(r->d);
    am_monitor_free(r->mon);
    int rc = tu_loop_close(&r->uv, r->loop);
    am_scenario_free(&r->sc);
    free(r);
    return rc;
}

static void run_free(run_t *r)
{
    assert_int_equal(run_release(r), 0);
}

/* After a failed assertion: free what the test left open. */
static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++)
        if (open_runs[i]) run_release(open_runs[i]);
    return 0;
}

/* ---- looking at the tasks after a run ---- */

typedef struct tstats_s {
    uint64_t n;
    uint64_t by_state[AM_TASK_NSTATES];
    am_time_t min_end, max_end;
    am_time_t min_start, max_start;
} tstats_t;

static void add_stats(const run_t *r, am_task_id_t id, tstats_t *s)
{
    am_time_t end = am_task_ended(r->loop, id), st = am_task_started(r->loop, id);
    if (s->n++ == 0) {
        s->min_end = s->max_end = end;
        s->min_start = s->max_start = st;
    }
    s->by_state[am_task_state(r->loop, id)]++;
    if (end < s->min_end) s->min_end = end;
    if (end > s->max_end) s->max_end = end;
    if (st < s->min_start) s->min_start = st;
    if (st > s->max_start) s->max_start = st;
}

/* Simulated tasks of scenario group gi (ALL_GROUPS: every one). */
static tstats_t task_stats(const run_t *r, size_t gi)
{
    tstats_t s;
    memset(&s, 0, sizeof s);
    s.min_end = s.max_end = s.min_start = s.max_start = -1;
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++) {
        if (am_task_is_node(r->loop, id)) continue;
        if (gi != ALL_GROUPS && am_task_group(r->loop, id) != am_driver_group(r->d, gi)) continue;
        add_stats(r, id, &s);
    }
    return s;
}

/* Combinator nodes of one kind. */
static tstats_t node_stats(const run_t *r, am_task_kind_t kind)
{
    tstats_t s;
    memset(&s, 0, sizeof s);
    s.min_end = s.max_end = s.min_start = s.max_start = -1;
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++)
        if (am_task_is_node(r->loop, id) && am_task_kind(r->loop, id) == kind) add_stats(r, id, &s);
    return s;
}

/* The monitor's counts for scenario group gi (zeros when it never saw the group). */
static am_counts_t group_counts(const run_t *r, size_t gi)
{
    am_counts_t c;
    const am_group_meter_t *g = am_monitor_group(r->mon, am_driver_group(r->d, gi));
    if (g) return g->counts;
    memset(&c, 0, sizeof c);
    return c;
}

/* Every end time of the run's simulated tasks, in id order; returns how many. */
static size_t end_times(const run_t *r, am_time_t *t, size_t cap)
{
    size_t n = 0;
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++)
        if (!am_task_is_node(r->loop, id) && n < cap) t[n++] = am_task_ended(r->loop, id);
    return n;
}

/* ---- the shipped demos ---- */

static void test_demo_gather(void **state)
{
    (void)state;
    run_t *r = run_new_demo("gather", 1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    assert_int_not_equal(node, 0);
    assert_int_equal(am_task_kind(r->loop, node), AM_KIND_GATHER);
    finish(r);

    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->created, 2000);
    assert_int_equal(c->by_state[AM_TASK_DONE], 2000);
    tstats_t s = task_stats(r, 0);
    assert_int_equal(s.n, 2000);
    assert_int_equal(s.by_state[AM_TASK_DONE], 2000);
    assert_int_equal(s.min_start, 0);
    assert_int_equal(s.max_start, 0);
    assert_true(s.min_end >= S(1));
    assert_true(s.max_end <= S(5));

    const am_task_id_t *tasks;
    assert_int_equal(am_gather_tasks(r->loop, node, &tasks), 2000);
    assert_int_equal(am_gather_completed(r->loop, node, &tasks), 2000);
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    assert_int_equal(am_task_result(r->loop, node), 2000);
    /* the gather completes with its last task, and the run with it */
    assert_int_equal(am_task_ended(r->loop, node), s.max_end);
    assert_int_equal(am_driver_node_ended(r->d), s.max_end);
    assert_true(am_driver_node_ended(r->d) <= S(5));
    assert_int_equal(am_driver_finished_at(r->d), s.max_end);
    assert_int_equal(am_driver_stopped(r->d), 0);
    uint64_t ended;
    assert_int_equal(am_monitor_nodes(r->mon, &ended), 1);
    assert_int_equal(ended, 1);
    run_free(r);
}

static void test_demo_gather_seeds(void **state)
{
    (void)state;
    static am_time_t ends[3][2001];
    am_time_t node_end[3];
    const uint64_t seeds[3] = {42, 42, 43};

    for (int i = 0; i < 3; i++) {
        run_t *r = run_new_demo("gather", seeds[i]);
        start(r);
        finish(r);
        node_end[i] = am_driver_node_ended(r->d);
        assert_int_equal(end_times(r, ends[i], 2001), 2000);
        run_free(r);
    }
    /* the same seed replays the same run, task by task */
    assert_int_equal(node_end[0], node_end[1]);
    assert_memory_equal(ends[0], ends[1], 2000 * sizeof(am_time_t));
    /* another seed draws other durations (equal by chance: ~1 in 10^6) */
    assert_int_not_equal(node_end[0], node_end[2]);
    assert_true(memcmp(ends[0], ends[2], 2000 * sizeof(am_time_t)) != 0);
}

static void test_demo_as_completed(void **state)
{
    (void)state;
    run_t *r = run_new_demo("as_completed", 1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    assert_int_equal(am_task_kind(r->loop, node), AM_KIND_AS_COMPLETED);
    finish(r);

    /* the timeout stops the waiting at 8 s exactly */
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_TIMED_OUT);
    assert_int_equal(am_task_error(r->loop, node), AM_ETIMEOUT);
    assert_int_equal(am_task_ended(r->loop, node), S(8));
    assert_int_equal(am_driver_node_ended(r->d), S(8));
    const am_task_id_t *order;
    assert_int_equal(am_as_completed_order(r->loop, node, &order), 20);

    tstats_t fast = task_stats(r, 0);
    assert_int_equal(fast.n, 20);
    assert_int_equal(fast.by_state[AM_TASK_DONE], 20);
    assert_true(fast.max_end <= S(5));
    /* the slow task is not cancelled: it ends done at 10 s ... */
    tstats_t slow = task_stats(r, 1);
    assert_int_equal(slow.n, 1);
    assert_int_equal(slow.by_state[AM_TASK_DONE], 1);
    assert_int_equal(slow.max_end, S(10));
    for (size_t i = 0; i < 20; i++)
        assert_int_not_equal(am_task_group(r->loop, order[i]), am_driver_group(r->d, 1));
    /* ... and the driver awaits it */
    assert_int_equal(am_driver_finished_at(r->d), S(10));
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_DONE], 21);
    run_free(r);
}

static uint64_t check_demo_wait(uint64_t seed)
{
    run_t *r = run_new_demo("wait", seed);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    assert_int_equal(am_task_kind(r->loop, node), AM_KIND_WAIT);
    finish(r);

    uint64_t readded = 0;
    uint64_t rounds = am_driver_wait_rounds(r->d, &readded);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_true(rounds > 1);
    /* every failure was replaced once, and every job finally succeeded */
    assert_int_equal(readded, c->by_state[AM_TASK_FAILED]);
    assert_int_equal(c->created, 50 + readded);
    assert_int_equal(c->by_state[AM_TASK_DONE], 50);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED] + c->by_state[AM_TASK_TIMED_OUT], 0);
    /* the group's counts add up and match the totals */
    am_counts_t g = group_counts(r, 0);
    assert_int_equal(g.created, c->created);
    assert_int_equal(g.by_state[AM_TASK_DONE] + g.by_state[AM_TASK_FAILED], g.created);
    assert_int_equal(g.by_state[AM_TASK_FAILED], readded);
    tstats_t s = task_stats(r, 0);
    assert_int_equal(s.n, c->created);
    assert_int_equal(s.by_state[AM_TASK_FAILED], readded);
    /* the loop ended with nothing pending, when the last task ended */
    const am_task_id_t *tasks;
    assert_int_equal(am_wait_pending(r->loop, node, &tasks), 0);
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    assert_int_equal(am_monitor_wait(r->mon), node);
    assert_int_equal(am_driver_node_ended(r->d), s.max_end);
    assert_int_equal(am_driver_finished_at(r->d), s.max_end);
    /* one wait node, started (or rearmed) and returned once per round */
    assert_int_equal(am_monitor_events(r->mon, AM_EV_NODE_START), rounds);
    assert_int_equal(am_monitor_events(r->mon, AM_EV_NODE_END), rounds);
    run_free(r);
    return readded;
}

static void test_demo_wait(void **state)
{
    (void)state;
    uint64_t readded = 0;
    for (uint64_t seed = 1; seed <= 5; seed++)
        readded += check_demo_wait(seed);
    /* the seeds must actually exercise the re-adding (each: 1 - 0.8^50) */
    assert_true(readded > 0);
}

/* ---- combinators on small scenarios ---- */

static void test_gather_first_error(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = gather\n"
                            "return_exceptions = false\n"
                            "[group.ok]\n"
                            "count = 5\n"
                            "duration = fixed 3\n"
                            "[group.bad]\n"
                            "count = 4\n"
                            "duration = uniform 1 2\n"
                            "fail_rate = 1\n",
                            7);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    finish(r);

    tstats_t bad = task_stats(r, 1), ok = task_stats(r, 0);
    assert_int_equal(bad.n, 4);
    assert_int_equal(bad.by_state[AM_TASK_FAILED], 4);
    assert_true(bad.min_end >= S(1) && bad.max_end <= S(2));
    /* the gather raises at the first failure ... */
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_FAILED);
    assert_int_equal(am_task_error(r->loop, node), AM_ETASKFAIL);
    assert_int_equal(am_task_ended(r->loop, node), bad.min_end);
    assert_int_equal(am_driver_node_ended(r->d), bad.min_end);
    /* ... and cancels nothing: the other group ends done, later */
    assert_int_equal(ok.n, 5);
    assert_int_equal(ok.by_state[AM_TASK_DONE], 5);
    assert_int_equal(ok.min_end, S(3));
    assert_int_equal(ok.max_end, S(3));
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_CANCELLED], 0);
    assert_int_equal(am_driver_finished_at(r->d), S(3));
    /* the gather still saw every task end */
    const am_task_id_t *tasks;
    assert_int_equal(am_gather_completed(r->loop, node, &tasks), 9);
    run_free(r);
}

static void test_combinator_none(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = none\n"
                            "[group.ok]\n"
                            "count = 3\n"
                            "duration = fixed 2\n"
                            "[group.bad]\n"
                            "count = 2\n"
                            "duration = fixed 1\n"
                            "fail_rate = 1\n",
                            1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    finish(r);

    /* every task is awaited on its own: failures stop nothing */
    assert_int_equal(task_stats(r, 1).by_state[AM_TASK_FAILED], 2);
    assert_int_equal(task_stats(r, 0).by_state[AM_TASK_DONE], 3);
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    assert_int_equal(am_driver_node_ended(r->d), S(2));
    assert_int_equal(am_driver_finished_at(r->d), S(2));
    assert_int_equal(node_stats(r, AM_KIND_WAIT_FOR).n, 0);
    run_free(r);
}

static void test_taskgroup_cancels_siblings(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = taskgroup\n"
                            "[group.fail]\n"
                            "count = 1\n"
                            "duration = fixed 1\n"
                            "fail_rate = 1\n"
                            "[group.long]\n"
                            "count = 3\n"
                            "duration = fixed 10\n",
                            1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    assert_int_equal(am_task_kind(r->loop, node), AM_KIND_TASKGROUP);
    finish(r);

    tstats_t f = task_stats(r, 0), l = task_stats(r, 1);
    assert_int_equal(f.by_state[AM_TASK_FAILED], 1);
    assert_int_equal(f.max_end, S(1));
    /* the failure cancels the long siblings at once */
    assert_int_equal(l.n, 3);
    assert_int_equal(l.by_state[AM_TASK_CANCELLED], 3);
    assert_int_equal(l.min_end, S(1));
    assert_int_equal(l.max_end, S(1));
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_FAILED);
    assert_int_equal(am_task_error(r->loop, node), AM_ETASKFAIL);
    assert_int_equal(am_task_ended(r->loop, node), S(1));
    assert_int_equal(am_driver_node_ended(r->d), S(1));
    assert_int_equal(am_driver_finished_at(r->d), S(1));
    const am_task_id_t *tasks;
    assert_int_equal(am_taskgroup_tasks(r->loop, node, &tasks), 4);
    run_free(r);
}

static void test_wait_for_group_timeout(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = none\n"
                            "[group.slow]\n"
                            "count = 4\n"
                            "duration = fixed 3\n"
                            "timeout = 1\n"
                            "[group.free]\n"
                            "count = 2\n"
                            "duration = fixed 2\n",
                            1);
    start(r);
    finish(r);

    /* wait_for(task, 1): each task is cancelled at its timeout and ends timed out */
    tstats_t slow = task_stats(r, 0);
    assert_int_equal(slow.n, 4);
    assert_int_equal(slow.by_state[AM_TASK_TIMED_OUT], 4);
    assert_int_equal(slow.min_end, S(1));
    assert_int_equal(slow.max_end, S(1));
    tstats_t wf = node_stats(r, AM_KIND_WAIT_FOR);
    assert_int_equal(wf.n, 4);
    assert_int_equal(wf.by_state[AM_TASK_TIMED_OUT], 4);
    assert_int_equal(wf.min_end, S(1));
    assert_int_equal(wf.max_end, S(1));
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++)
        if (!am_task_is_node(r->loop, id) && am_task_group(r->loop, id) == am_driver_group(r->d, 0))
            assert_int_equal(am_task_error(r->loop, id), AM_ETIMEOUT);
    /* the group without a timeout is not wrapped */
    tstats_t free_ = task_stats(r, 1);
    assert_int_equal(free_.by_state[AM_TASK_DONE], 2);
    assert_int_equal(free_.max_end, S(2));
    assert_int_equal(am_driver_finished_at(r->d), S(2));
    assert_int_equal(node_stats(r, AM_KIND_SHIELD).n, 0);
    run_free(r);
}

static void test_wait_for_shield(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = wait_for\n"
                            "[group.shielded]\n"
                            "count = 4\n"
                            "duration = fixed 3\n"
                            "timeout = 1\n"
                            "shield = true\n",
                            1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    finish(r);

    /* wait_for(shield(task), 1): the waits time out at 1 s ... */
    tstats_t wf = node_stats(r, AM_KIND_WAIT_FOR);
    assert_int_equal(wf.n, 4);
    assert_int_equal(wf.by_state[AM_TASK_TIMED_OUT], 4);
    assert_int_equal(wf.min_end, S(1));
    assert_int_equal(wf.max_end, S(1));
    tstats_t sh = node_stats(r, AM_KIND_SHIELD);
    assert_int_equal(sh.n, 4);
    assert_int_equal(sh.max_end, S(1));
    /* ... but the tasks themselves run on and end done at 3 s */
    tstats_t t = task_stats(r, 0);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.by_state[AM_TASK_DONE], 4);
    assert_int_equal(t.min_end, S(3));
    assert_int_equal(t.max_end, S(3));
    /* the driver awaits the wait_fors (done at 1 s), then the tasks */
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    assert_int_equal(am_driver_node_ended(r->d), S(1));
    assert_int_equal(am_driver_finished_at(r->d), S(3));
    run_free(r);
}

static void test_wait_for_scenario_timeout(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = wait_for\n"
                            "timeout = 1\n"
                            "[group.inherit]\n"
                            "count = 2\n"
                            "duration = fixed 3\n"
                            "[group.own]\n"
                            "count = 2\n"
                            "duration = fixed 3\n"
                            "timeout = 2\n"
                            "[group.quick]\n"
                            "count = 2\n"
                            "duration = fixed 0.5\n",
                            1);
    start(r);
    finish(r);

    /* every group is wrapped; a group's own timeout beats the scenario's */
    assert_int_equal(node_stats(r, AM_KIND_WAIT_FOR).n, 6);
    tstats_t inh = task_stats(r, 0), own = task_stats(r, 1), quick = task_stats(r, 2);
    assert_int_equal(inh.by_state[AM_TASK_TIMED_OUT], 2);
    assert_int_equal(inh.max_end, S(1));
    assert_int_equal(own.by_state[AM_TASK_TIMED_OUT], 2);
    assert_int_equal(own.min_end, S(2));
    assert_int_equal(own.max_end, S(2));
    assert_int_equal(quick.by_state[AM_TASK_DONE], 2);
    assert_int_equal(quick.max_end, S(0.5));
    assert_int_equal(am_driver_node_ended(r->d), S(2));
    assert_int_equal(am_driver_finished_at(r->d), S(2));
    run_free(r);
}

static void test_wait_timeout_cancels_nothing(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = wait\n"
                            "return_when = ALL_COMPLETED\n"
                            "timeout = 1\n"
                            "[group.short]\n"
                            "count = 2\n"
                            "duration = fixed 0.1\n"
                            "[group.long]\n"
                            "count = 1\n"
                            "duration = fixed 3\n",
                            1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    assert_int_equal(am_task_kind(r->loop, node), AM_KIND_WAIT);
    finish(r);

    /* wait returned at its timeout with (done 2, pending 1), as it returned */
    const am_task_id_t *done, *pending;
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    assert_int_equal(am_task_ended(r->loop, node), S(1));
    assert_int_equal(am_driver_node_ended(r->d), S(1));
    assert_int_equal(am_wait_timed_out(r->loop, node), 1);
    assert_int_equal(am_wait_done(r->loop, node, &done), 2);
    assert_int_equal(am_wait_pending(r->loop, node, &pending), 1);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(am_task_group(r->loop, done[i]), am_driver_group(r->d, 0));
    assert_int_equal(am_task_group(r->loop, pending[0]), am_driver_group(r->d, 1));
    assert_int_equal(am_driver_wait_rounds(r->d, NULL), 1);
    /* the timeout cancelled nothing: the long task ends done, and is awaited */
    assert_int_equal(am_task_state(r->loop, pending[0]), AM_TASK_DONE);
    assert_int_equal(am_task_ended(r->loop, pending[0]), S(3));
    assert_int_equal(task_stats(r, 0).max_end, S(0.1));
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_DONE], 3);
    assert_int_equal(am_driver_finished_at(r->d), S(3));
    run_free(r);
}

static void test_wait_loop_timeout(void **state)
{
    (void)state;
    /* while pending: done, pending = await wait(pending, timeout=1) */
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = wait\n"
                            "return_when = ALL_COMPLETED\n"
                            "loop = true\n"
                            "timeout = 1\n"
                            "[group.a]\n"
                            "count = 1\n"
                            "duration = fixed 0.5\n"
                            "[group.b]\n"
                            "count = 1\n"
                            "duration = fixed 1.5\n"
                            "[group.c]\n"
                            "count = 1\n"
                            "duration = fixed 2.5\n",
                            1);
    start(r);
    am_task_id_t node = am_driver_node(r->d);
    finish(r);

    /* returns at 1 (timeout, done {a}), 2 (timeout, done {b}), 2.5 (done {c}) */
    uint64_t readded = 99;
    assert_int_equal(am_driver_wait_rounds(r->d, &readded), 3);
    assert_int_equal(readded, 0);
    assert_int_equal(am_task_ended(r->loop, node), S(2.5));
    assert_int_equal(am_driver_node_ended(r->d), S(2.5));
    assert_int_equal(am_wait_timed_out(r->loop, node), 0);
    const am_task_id_t *tasks;
    assert_int_equal(am_wait_pending(r->loop, node, &tasks), 0);
    assert_int_equal(am_wait_done(r->loop, node, &tasks), 1);
    assert_int_equal(am_task_group(r->loop, tasks[0]), am_driver_group(r->d, 2));
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_DONE], 3);
    assert_int_equal(am_monitor_events(r->mon, AM_EV_NODE_END), 3);
    assert_int_equal(am_driver_finished_at(r->d), S(2.5));
    run_free(r);
}

/* ---- groups starting later ---- */

static void test_group_start_delay(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = gather\n"
                            "[group.early]\n"
                            "count = 3\n"
                            "duration = fixed 1\n"
                            "[group.late]\n"
                            "count = 2\n"
                            "duration = fixed 1\n"
                            "start = 2\n",
                            1);
    start(r);
    /* the combinator waits for the last group */
    assert_int_equal(am_driver_node(r->d), 0);
    assert_int_equal(am_monitor_counts(r->mon)->created, 3);
    finish(r);

    uint16_t early = am_driver_group(r->d, 0), late = am_driver_group(r->d, 1);
    assert_int_equal(r->created[early], 3);
    assert_int_equal(r->created_min[early], 0);
    assert_int_equal(r->created_max[early], 0);
    assert_int_equal(r->created[late], 2);
    assert_int_equal(r->created_min[late], S(2));
    assert_int_equal(r->created_max[late], S(2));
    tstats_t l = task_stats(r, 1);
    assert_int_equal(l.min_start, S(2));
    assert_int_equal(l.max_end, S(3));
    assert_int_equal(task_stats(r, 0).max_end, S(1));

    /* the gather was created at 2 s over both groups, and ended with the late one */
    am_task_id_t node = am_driver_node(r->d);
    assert_int_not_equal(node, 0);
    assert_int_equal(am_task_started(r->loop, node), S(2));
    const am_task_id_t *tasks;
    size_t n = am_gather_tasks(r->loop, node, &tasks);
    assert_int_equal(n, 5);
    size_t nlate = 0;
    for (size_t i = 0; i < n; i++)
        nlate += am_task_group(r->loop, tasks[i]) == late;
    assert_int_equal(nlate, 2);
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    assert_int_equal(am_driver_node_ended(r->d), S(3));
    assert_int_equal(am_driver_finished_at(r->d), S(3));
    run_free(r);
}

/* ---- stopping ---- */

static void test_stop_at_gather(void **state)
{
    (void)state;
    run_t *r = run_new_demo("gather", 1);
    start(r);
    assert_int_equal(am_driver_stop_at(r->d, S(3)), 0);
    am_task_id_t node = am_driver_node(r->d);
    finish(r);

    assert_int_equal(am_driver_stopped(r->d), 1);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->created, 2000);
    assert_int_equal(c->by_state[AM_TASK_DONE] + c->by_state[AM_TASK_CANCELLED], c->created);
    assert_true(c->by_state[AM_TASK_DONE] > 0);
    assert_true(c->by_state[AM_TASK_CANCELLED] > 0);
    /* done by 3 s; everything still running was cancelled at 3 s */
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++) {
        if (am_task_is_node(r->loop, id)) continue;
        if (am_task_state(r->loop, id) == AM_TASK_CANCELLED)
            assert_int_equal(am_task_ended(r->loop, id), S(3));
        else
            assert_true(am_task_ended(r->loop, id) <= S(3));
    }
    assert_true(am_task_is_final(r->loop, node));
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_CANCELLED);
    assert_int_equal(am_driver_node_ended(r->d), S(3));
    assert_int_equal(am_driver_finished_at(r->d), S(3));
    run_free(r);
}

static const char *const two_starts = "[scenario]\n"
                                      "combinator = gather\n"
                                      "return_exceptions = true\n"
                                      "[group.now]\n"
                                      "count = 2\n"
                                      "duration = fixed 1\n"
                                      "[group.later]\n"
                                      "count = 3\n"
                                      "duration = fixed 1\n"
                                      "start = 5\n";

static void stop_cb(am_loop_t *loop, void *data)
{
    (void)loop;
    am_driver_stop(data);
}

static void test_stop_before_late_group(void **state)
{
    (void)state;
    run_t *r = run_new_text(two_starts, 1);
    start(r);
    assert_true(am_loop_call_at(r->loop, S(0.5), stop_cb, r->d) > 0);
    finish(r);

    assert_int_equal(am_driver_stopped(r->d), 1);
    /* the running tasks were cancelled at the stop ... */
    tstats_t now = task_stats(r, 0);
    assert_int_equal(now.by_state[AM_TASK_CANCELLED], 2);
    assert_int_equal(now.max_end, S(0.5));
    /* ... and the group due at 5 s was never spawned, nor the combinator applied */
    assert_int_equal(task_stats(r, 1).n, 0);
    assert_int_equal(group_counts(r, 1).created, 0);
    assert_int_equal(r->created[am_driver_group(r->d, 1)], 0);
    assert_int_equal(am_monitor_counts(r->mon)->created, 2);
    assert_int_equal(am_driver_node(r->d), 0);
    assert_int_equal(am_driver_node_ended(r->d), -1);
    assert_int_equal(am_driver_finished_at(r->d), S(0.5));
    assert_int_equal(am_loop_now(r->loop), S(0.5));
    run_free(r);
}

static void test_stop_after_first_group_ended(void **state)
{
    (void)state;
    run_t *r = run_new_text(two_starts, 1);
    start(r);
    /* nothing is running at 2 s: the stop finishes the run at once */
    assert_int_equal(am_driver_stop_at(r->d, S(2)), 0);
    finish(r);

    assert_int_equal(am_driver_stopped(r->d), 1);
    assert_int_equal(task_stats(r, 0).by_state[AM_TASK_DONE], 2);
    assert_int_equal(task_stats(r, 1).n, 0);
    assert_int_equal(am_driver_node(r->d), 0);
    assert_int_equal(am_driver_finished_at(r->d), S(2));
    run_free(r);
}

static void test_stop_right_after_start(void **state)
{
    (void)state;
    run_t *r = run_new_text(two_starts, 1);
    start(r);
    am_driver_stop(r->d);
    am_driver_stop(r->d); /* twice is harmless */
    assert_int_equal(am_driver_stopped(r->d), 1);
    assert_int_equal(am_driver_finished(r->d), 0); /* finish comes from the loop */
    finish(r);

    /* cancelled before they started: they end from pending */
    tstats_t now = task_stats(r, 0);
    assert_int_equal(now.by_state[AM_TASK_CANCELLED], 2);
    assert_int_equal(now.max_end, 0);
    assert_int_equal(now.max_start, -1);
    assert_int_equal(task_stats(r, 1).n, 0);
    assert_int_equal(am_driver_finished_at(r->d), 0);
    run_free(r);
}

/* Regression: a --duration longer than the run. The run
 * finishes on its own (gather ends at <= 5 s) and finish_cb must withdraw the
 * stop callout set by am_driver_stop_at; otherwise uv_run does not return
 * until the stop time, which then calls am_driver_stop on a finished run and
 * makes am_driver_stopped report 1. At a real speed factor the CLI waits out the
 * whole --duration after the summary-worthy end. */
static void test_stop_at_after_natural_finish(void **state)
{
    (void)state;
    run_t *r = run_new_demo("gather", 1);
    start(r);
    assert_int_equal(am_driver_stop_at(r->d, S(100)), 0);
    finish(r);

    am_time_t end = am_driver_finished_at(r->d);
    assert_true(end <= S(5));
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_DONE], 2000);
    /* the run was not stopped: it ended by itself ... */
    assert_int_equal(am_driver_stopped(r->d), 0);
    /* ... and uv_run returned then, not at the unused stop time */
    assert_int_equal(am_loop_now(r->loop), end);
    run_free(r);
}

/* Stopping cancels whatever is left, whatever the combinator: the run
 * finishes at the stop time and nothing stays scheduled. */
static void check_stop_at(run_t *r, am_time_t at)
{
    start(r);
    assert_int_equal(am_driver_stop_at(r->d, at), 0);
    finish(r);
    assert_int_equal(am_driver_stopped(r->d), 1);
    assert_int_equal(am_driver_finished_at(r->d), at);
    assert_int_equal(am_loop_now(r->loop), at);
    assert_true(am_task_is_final(r->loop, am_driver_node(r->d)));
    assert_true(am_driver_node_ended(r->d) <= at);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_true(c->by_state[AM_TASK_CANCELLED] > 0);
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++) {
        if (!am_task_is_final(r->loop, id)) fail_msg("task %u did not end", (unsigned)id);
        if (am_task_state(r->loop, id) == AM_TASK_CANCELLED)
            assert_int_equal(am_task_ended(r->loop, id), at);
        else
            assert_true(am_task_ended(r->loop, id) <= at);
    }
}

static void test_stop_at_other_combinators(void **state)
{
    (void)state;
    run_t *r = run_new_demo("as_completed", 1);
    check_stop_at(r, S(3));
    run_free(r);

    r = run_new_demo("as_completed", 1);
    check_stop_at(r, S(9)); /* after the timeout: only the slow task is left */
    assert_int_equal(am_task_state(r->loop, am_driver_node(r->d)), AM_TASK_TIMED_OUT);
    assert_int_equal(task_stats(r, 1).by_state[AM_TASK_CANCELLED], 1);
    assert_int_equal(task_stats(r, 0).by_state[AM_TASK_DONE], 20);
    run_free(r);

    r = run_new_demo("wait", 1);
    check_stop_at(r, S(3));
    uint64_t readded = 0;
    assert_true(am_driver_wait_rounds(r->d, &readded) >= 1);
    assert_int_equal(readded, am_monitor_counts(r->mon)->by_state[AM_TASK_FAILED]);
    run_free(r);

    r = run_new_text("[scenario]\n"
                     "combinator = taskgroup\n"
                     "[group.a]\n"
                     "count = 10\n"
                     "duration = uniform 1 5\n",
                     1);
    check_stop_at(r, S(3));
    run_free(r);

    /* shielded tasks are cancelled too: the stop cancels every task, as asyncio.run does */
    r = run_new_text("[scenario]\n"
                     "combinator = wait_for\n"
                     "[group.shielded]\n"
                     "count = 3\n"
                     "duration = fixed 3\n"
                     "timeout = 1\n"
                     "shield = true\n",
                     1);
    check_stop_at(r, S(2));
    assert_int_equal(task_stats(r, 0).by_state[AM_TASK_CANCELLED], 3);
    assert_int_equal(node_stats(r, AM_KIND_WAIT_FOR).by_state[AM_TASK_TIMED_OUT], 3);
    run_free(r);
}

/* Regression: the loop may outlive the driver, so am_driver_free must
 * withdraw the callouts that spawn later groups (their data points inside
 * the driver; left on the loop, on_spawn would use freed memory). Expected:
 * no callout left after am_driver_free (am_loop_next_time -1). */
static void test_free_withdraws_spawn_callouts(void **state)
{
    (void)state;
    run_t *r = run_new_text(two_starts, 1);
    am_loop_pause(r->loop, 1);
    start(r);
    while (am_loop_now(r->loop) < S(1))
        assert_true(am_loop_step(r->loop) > 0); /* the first group: started, ended */
    assert_int_equal(am_loop_now(r->loop), S(1));
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_DONE], 2);
    am_driver_free(r->d);
    r->d = NULL;
    assert_int_equal(am_loop_next_time(r->loop), -1);
    /* safe only once the assertion above holds: nothing of the driver may run */
    am_loop_pause(r->loop, 0);
    uv_run(&r->uv, UV_RUN_DEFAULT);
    assert_int_equal(am_monitor_counts(r->mon)->created, 2);
    assert_int_equal(r->finish_calls, 0);
    run_free(r);
}

/* Regression, the same for the finish callout: once maybe_finish has
 * scheduled finish_cb (data = the driver), am_driver_free must withdraw it.
 * Here a stop before anything was spawned schedules it at once (nothing is
 * live). Expected after am_driver_free: nothing scheduled. */
static void test_free_withdraws_finish_callout(void **state)
{
    (void)state;
    run_t *r = run_new_text("[group.later]\n"
                            "count = 2\n"
                            "duration = fixed 1\n"
                            "start = 5\n",
                            1);
    start(r);
    am_driver_stop(r->d);
    am_driver_free(r->d);
    r->d = NULL;
    assert_int_equal(am_loop_next_time(r->loop), -1);
    uv_run(&r->uv, UV_RUN_DEFAULT);
    assert_int_equal(r->finish_calls, 0);
    assert_int_equal(am_monitor_counts(r->mon)->created, 0);
    run_free(r);
}

/* ---- --tasks, steps ---- */

static void test_set_tasks(void **state)
{
    (void)state;
    run_t *r = run_alloc();
    tu_load_demo("gather", &r->sc);
    assert_int_equal(am_scenario_set_tasks(&r->sc, 100), 0);
    run_open(r, 1);
    start(r);
    finish(r);
    assert_int_equal(am_monitor_counts(r->mon)->created, 100);
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_DONE], 100);
    const am_task_id_t *tasks;
    assert_int_equal(am_gather_tasks(r->loop, am_driver_node(r->d), &tasks), 100);
    run_free(r);

    /* two groups: each keeps its share, the slow one at least one task */
    r = run_alloc();
    tu_load_demo("as_completed", &r->sc);
    assert_int_equal(am_scenario_set_tasks(&r->sc, 42), 0);
    assert_int_equal(r->sc.groups[0].count, 40);
    assert_int_equal(r->sc.groups[1].count, 2);
    run_open(r, 1);
    start(r);
    finish(r);
    assert_int_equal(am_monitor_counts(r->mon)->created, 42);
    assert_int_equal(group_counts(r, 0).created, 40);
    assert_int_equal(group_counts(r, 1).created, 2);
    assert_int_equal(group_counts(r, 1).by_state[AM_TASK_DONE], 2);
    assert_int_equal(task_stats(r, 1).max_end, S(10));
    assert_int_equal(am_driver_node_ended(r->d), S(8));
    assert_int_equal(am_driver_finished_at(r->d), S(10));
    run_free(r);
}

static void test_steps_progress(void **state)
{
    (void)state;
    run_t *r = run_new_text("[scenario]\n"
                            "combinator = gather\n"
                            "return_exceptions = true\n"
                            "[group.ok]\n"
                            "count = 5\n"
                            "duration = fixed 2\n"
                            "steps = 4\n"
                            "[group.bad]\n"
                            "count = 2\n"
                            "duration = fixed 2\n"
                            "steps = 4\n"
                            "fail_rate = 1\n"
                            "[group.one]\n"
                            "count = 3\n"
                            "duration = fixed 1\n",
                            1);
    start(r);
    finish(r);

    /* 4 steps: 3 progress events, then the end (done or failed) is the 4th */
    assert_int_equal(am_monitor_events(r->mon, AM_EV_PROGRESS), 7 * 3);
    assert_int_equal(am_monitor_counts(r->mon)->progress, 7 * 3);
    assert_int_equal(group_counts(r, 0).progress, 5 * 3);
    assert_int_equal(group_counts(r, 1).progress, 2 * 3);
    assert_int_equal(group_counts(r, 2).progress, 0);
    assert_int_equal(r->nprog, 21);
    /* at 0.5, 1 and 1.5 s, n = 1, 2, 3 */
    for (size_t i = 0; i < r->nprog; i++) {
        assert_int_equal(r->prog_time[i], S(0.5) * (am_time_t)r->prog_n[i]);
        assert_in_range(r->prog_n[i], 1, 3);
    }
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++) {
        if (am_task_is_node(r->loop, id)) continue;
        uint32_t n, total;
        am_task_progress(r->loop, id, &n, &total);
        if (am_task_group(r->loop, id) == am_driver_group(r->d, 2)) {
            assert_int_equal(total, 1);
            assert_int_equal(n, 1);
        } else if (am_task_state(r->loop, id) == AM_TASK_DONE) {
            assert_int_equal(total, 4);
            assert_int_equal(n, 4);
        } else {
            assert_int_equal(total, 4);
            assert_int_equal(n, 3); /* failed at its last step */
        }
    }
    assert_int_equal(task_stats(r, 1).by_state[AM_TASK_FAILED], 2);
    assert_int_equal(am_driver_finished_at(r->d), S(2));
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_demo_gather, teardown),
        cmocka_unit_test_teardown(test_demo_gather_seeds, teardown),
        cmocka_unit_test_teardown(test_demo_as_completed, teardown),
        cmocka_unit_test_teardown(test_demo_wait, teardown),
        cmocka_unit_test_teardown(test_gather_first_error, teardown),
        cmocka_unit_test_teardown(test_combinator_none, teardown),
        cmocka_unit_test_teardown(test_taskgroup_cancels_siblings, teardown),
        cmocka_unit_test_teardown(test_wait_for_group_timeout, teardown),
        cmocka_unit_test_teardown(test_wait_for_shield, teardown),
        cmocka_unit_test_teardown(test_wait_for_scenario_timeout, teardown),
        cmocka_unit_test_teardown(test_wait_timeout_cancels_nothing, teardown),
        cmocka_unit_test_teardown(test_wait_loop_timeout, teardown),
        cmocka_unit_test_teardown(test_group_start_delay, teardown),
        cmocka_unit_test_teardown(test_stop_at_gather, teardown),
        cmocka_unit_test_teardown(test_stop_before_late_group, teardown),
        cmocka_unit_test_teardown(test_stop_after_first_group_ended, teardown),
        cmocka_unit_test_teardown(test_stop_right_after_start, teardown),
        cmocka_unit_test_teardown(test_stop_at_after_natural_finish, teardown),
        cmocka_unit_test_teardown(test_stop_at_other_combinators, teardown),
        cmocka_unit_test_teardown(test_free_withdraws_spawn_callouts, teardown),
        cmocka_unit_test_teardown(test_free_withdraws_finish_callout, teardown),
        cmocka_unit_test_teardown(test_set_tasks, teardown),
        cmocka_unit_test_teardown(test_steps_progress, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
