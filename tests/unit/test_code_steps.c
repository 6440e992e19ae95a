/* test_code_steps.c — the code panel's per-step lines: the [code] section's
 * step.NAME.K keys (parsed, and every mistake as "LINE: message"), the
 * runtime's counts of a program's tasks per step and of those waiting there
 * (am_program_step_counts, kept as tasks move; checked against a walk over
 * every task and the objects' waiters after each event of shipped demos),
 * and the lines am_code_lines marks running or waiting, with real tasks
 * queued on a lock. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "asyncmon/code.h"
#include "asyncmon/driver.h"
#include "asyncmon/error.h"
#include "asyncmon/monitor.h"
#include "asyncmon/program.h"
#include "asyncmon/scenario.h"
#include "testutil.h"

#define L(n) ((uint64_t)1 << ((n)-1))

static int load(const char *text, am_scenario_t *sc, char *err, size_t size)
{
    const char *path = tu_write_temp("steps", text);
    int rc = am_scenario_load(path, sc, err, size);
    tu_remove_temp(path);
    /* messages start with the temporary path: keep "LINE: message" */
    const char *colon = strchr(err, ':');
    if (rc && colon) memmove(err, colon + 1, strlen(colon + 1) + 1);
    return rc;
}

/* Three workers on one lock, as in the tour's lock scenario. */
#define LOCKED                                                                                     \
    "[scenario]\ncombinator = gather\n[lock.l]\n"                                                  \
    "[group.w]\ncount = 3\ndo = lock l; sleep 2; unlock l\n"                                       \
    "[group.s]\ncount = 1\nduration = 1\n"                                                         \
    "[code]\npython = | async def worker(lock):\n"                                                 \
    "    |     async with lock:\n"                                                                 \
    "    |         await asyncio.sleep(2)\n"                                                       \
    "    | await asyncio.gather(...)\n"                                                            \
    "await = 4\ngroup.w = 1\n"

static void test_parse(void **state)
{
    (void)state;
    am_scenario_t sc;
    char err[512] = "";
    assert_int_equal(load(LOCKED "step.w.1 = 2\nstep.w.2 = 3\n", &sc, err, sizeof err), 0);
    assert_int_equal(sc.code.nstep_keys, 2);
    assert_int_equal(sc.code.step_line[0][0], 2);
    assert_int_equal(sc.code.step_line[0][1], 3);
    assert_int_equal(sc.code.step_line[0][2], 0); /* unlock: no key */
    assert_int_equal(sc.code.step_line[1][0], 0); /* the sleep group: none */
    am_scenario_free(&sc);
}

typedef struct bad_s {
    const char *text, *msg;
} bad_t;

static void test_parse_errors(void **state)
{
    (void)state;
    /* LOCKED is 16 lines: the keys after it are on lines 17 and 18 */
    static const bad_t cases[] = {
        {LOCKED "step.w.4 = 2\n",
         "17: step.w.4: step 4 is past the end of [group.w]'s do program (3 steps)"},
        {LOCKED "step.zz.1 = 2\n", "17: step.zz.1: no [group.zz] in this file"},
        {LOCKED "step.s.1 = 2\n",
         "17: step.s.1: [group.s] has no do program (steps are those of do)"},
        {LOCKED "step.w.1 = 5\n",
         "17: step.w.1: line 5 is past the end of the python snippet (4 lines)"},
        {LOCKED "step.w.1 = 0\n",
         "17: step.w.1: expected a line number of the python snippet (1, 2, ...), got \"0\""},
        {LOCKED "step.w.1 = 2\nstep.w.1 = 3\n",
         "18: duplicate key \"step.w.1\" in [code] (first on line 17)"},
        {LOCKED "step.w.0 = 2\n",
         "17: bad key \"step.w.0\" in [code]; expected step.NAME.K, the group NAME and the step "
         "K (1 to 64) of its do program"},
        {LOCKED "step.w = 2\n",
         "17: bad key \"step.w\" in [code]; expected step.NAME.K, the group NAME and the step "
         "K (1 to 64) of its do program"},
        {LOCKED "step.w.x = 2\n",
         "17: bad key \"step.w.x\" in [code]; expected step.NAME.K, the group NAME and the step "
         "K (1 to 64) of its do program"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        am_scenario_t sc;
        char err[512] = "";
        print_message("case %zu\n", i);
        assert_int_not_equal(load(cases[i].text, &sc, err, sizeof err), 0);
        assert_string_equal(err, cases[i].msg);
    }
}

/* The rule alone: keyed steps replace the group's line, a line is waiting
 * only when every task on it waits, unkeyed steps fall back to group.NAME. */
static void test_lines_rule(void **state)
{
    (void)state;
    am_scenario_code_t c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < 6; i++)
        assert_int_equal(am_code_append(&c, "x"), 0);
    c.phase_line[AM_PHASE_AWAIT] = 6;
    c.group_line[0] = 1;
    c.step_line[0][0] = 2; /* step 1 */
    c.step_line[0][1] = 3; /* step 2 */
    c.step_line[0][2] = 2; /* step 3: the same line as step 1 */
    uint32_t at[AM_CODE_MAX_STEPS + 1] = {0}, wt[AM_CODE_MAX_STEPS + 1] = {0};
    am_code_state_t st = {.node = 1, .groups_active = 1};
    st.at[0] = at;
    st.waiting[0] = wt;
    st.nsteps[0] = 4;
    uint64_t w;
    /* no task started yet: the group's line */
    assert_int_equal(am_code_lines(&c, &st, &w), L(1) | L(6));
    assert_int_equal(w, 0);
    /* two wait at step 1, one sleeps at step 2 */
    at[0] = 2, wt[0] = 2, at[1] = 1;
    assert_int_equal(am_code_lines(&c, &st, &w), L(2) | L(3) | L(6));
    assert_int_equal(w, L(2));
    /* one at step 3 runs on line 2 too: the line shows it running */
    at[2] = 1;
    assert_int_equal(am_code_lines(&c, &st, &w), L(2) | L(3) | L(6));
    assert_int_equal(w, 0);
    /* one at step 4 (no key): the group's line as well */
    at[2] = 0, at[3] = 1;
    assert_int_equal(am_code_lines(&c, &st, &w), L(1) | L(2) | L(3) | L(6));
    assert_int_equal(w, L(2));
    /* am_code_active is the union */
    assert_int_equal(am_code_active(&c, &st), L(1) | L(2) | L(3) | L(6));
    /* the group ended: its step lines go */
    st.groups_active = 0;
    assert_int_equal(am_code_lines(&c, &st, &w), L(6));
    assert_int_equal(w, 0);
    am_code_free(&c);
}

typedef struct run_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *d;
    am_scenario_t sc;
} run_t;

/* The state as the code panel reads it (src/ui/code.c run_state). */
static am_code_state_t state_of(run_t *r)
{
    am_code_state_t st = {.node = am_driver_node(r->d) ? 1 : 0};
    for (size_t g = 0; g < r->sc.ngroups; g++) {
        const am_group_meter_t *m = am_monitor_group(r->mon, am_driver_group(r->d, g));
        uint64_t ended = 0;
        for (int s = AM_TASK_DONE; s < AM_TASK_NSTATES; s++)
            ended += m->counts.by_state[s];
        if (m->counts.created > ended) st.groups_active |= 1u << g;
        int prog = am_driver_program(r->d, g);
        if (prog > 0)
            st.nsteps[g] = am_program_step_counts(r->loop, prog, &st.at[g], &st.waiting[g]);
    }
    return st;
}

static void step_to(run_t *r, double sec)
{
    while (am_loop_now(r->loop) < S(sec))
        assert_true(am_loop_step(r->loop) > 0);
}

static void test_lines_on_a_lock(void **state)
{
    (void)state;
    static run_t r;
    char err[512] = "";
    memset(&r, 0, sizeof r);
    assert_int_equal(load(LOCKED "step.w.1 = 2\nstep.w.2 = 3\n", &r.sc, err, sizeof err), 0);
    assert_int_equal(tu_watched_open(&r.uv, &r.loop, &r.mon, NULL, NULL), 0);
    r.d = am_driver_new(r.loop, &r.sc, 7, NULL, NULL);
    assert_non_null(r.d);
    am_loop_pause(r.loop, 1);
    assert_int_equal(am_driver_start(r.d), 0);
    assert_true(am_loop_step(r.loop) > 0); /* t = 0: every task starts */

    int prog = am_driver_program(r.d, 0);
    const uint32_t *at, *wt;
    assert_int_equal(am_program_step_counts(r.loop, prog, &at, &wt), 3);
    assert_int_equal(am_program_step_counts(r.loop, 0, &at, &wt), 0);
    /* one holds the lock and sleeps (step 2), two wait at `lock l` (step 1) */
    assert_int_equal(at[0], 2);
    assert_int_equal(wt[0], 2);
    assert_int_equal(at[1], 1);
    assert_int_equal(wt[1], 0);
    am_code_state_t st = state_of(&r);
    uint64_t w, lines = am_code_lines(&r.sc.code, &st, &w);
    assert_int_equal(lines, L(2) | L(3) | L(4));
    assert_int_equal(w, L(2)); /* `async with lock:` waits, the sleep runs */

    /* cancel one waiter: it leaves the wait and no longer counts */
    am_task_id_t ids[3];
    size_t n = 0;
    for (am_task_id_t id = 1; id <= am_task_count(r.loop) && n < 3; id++)
        if (am_driver_task_group(r.d, id) == 0) ids[n++] = id;
    assert_int_equal(n, 3);
    am_task_id_t waiter = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t pc;
        assert_int_equal(am_task_program(r.loop, ids[i], NULL, &pc), 0);
        if (pc == 0) waiter = ids[i];
    }
    assert_true(waiter != 0);
    assert_int_equal(am_task_cancel(r.loop, waiter), 0);
    assert_int_equal(at[0], 2); /* still there until the cancellation is delivered */
    assert_int_equal(wt[0], 1);
    assert_true(am_loop_step(r.loop) > 0); /* the cancellation is delivered */
    assert_int_equal(am_task_state(r.loop, waiter), AM_TASK_CANCELLED);
    assert_int_equal(at[0], 1);
    assert_int_equal(wt[0], 1);

    /* t = 2: the first unlocks, the last takes the lock and sleeps */
    step_to(&r, 2);
    assert_int_equal(at[0], 0);
    assert_int_equal(wt[0], 0);
    assert_int_equal(at[1], 1);
    st = state_of(&r);
    lines = am_code_lines(&r.sc.code, &st, &w);
    assert_int_equal(lines, L(3) | L(4));
    assert_int_equal(w, 0);

    /* t = 4: all over, nothing counts */
    am_loop_pause(r.loop, 0);
    uv_run(&r.uv, UV_RUN_DEFAULT);
    for (int k = 0; k <= 3; k++) {
        assert_int_equal(at[k], 0);
        assert_int_equal(wt[k], 0);
    }
    tu_assert_monitor_ok(r.mon);
    am_driver_free(r.d);
    assert_int_equal(tu_watched_close(&r.uv, r.loop, r.mon), 0);
    am_scenario_free(&r.sc);
}

/* Queues and conditions: waiting getters, putters and cond.wait() count,
 * tasks leave the counts when they end, whichever way. */
static void test_counts_queue_condition(void **state)
{
    tu_loop_t *e = *state;
    int q = am_queue_new(e->loop, "q", AM_QUEUE_FIFO, 1);
    int cv = am_condition_new(e->loop, "cv");
    assert_true(q > 0 && cv > 0);
    int getter = tu_program(e->loop, "get q; task_done q", 1);
    int putter = tu_program(e->loop, "put q; put q; put q", 1);
    int waiter = tu_program(e->loop, "lock cv; cond_wait cv; unlock cv", 1);
    const uint32_t *at, *wt;
    am_loop_pause(e->loop, 1);
    tu_spawn_program(e->loop, getter);
    tu_spawn_program(e->loop, waiter);
    tu_spawn_program(e->loop, waiter);
    am_loop_step(e->loop);
    am_program_step_counts(e->loop, getter, &at, &wt);
    assert_int_equal(at[0], 1); /* get on an empty queue */
    assert_int_equal(wt[0], 1);
    am_program_step_counts(e->loop, waiter, &at, &wt);
    assert_int_equal(at[1], 2); /* both in cond.wait() (the lock passed on) */
    assert_int_equal(wt[1], 2);
    tu_spawn_program(e->loop, putter);
    am_loop_pause(e->loop, 0);
    tu_run_idle(&e->uv);
    /* the putter's third put waits on the full queue, with no getter left */
    am_program_step_counts(e->loop, putter, &at, &wt);
    assert_int_equal(at[2], 1);
    assert_int_equal(wt[2], 1);
    am_program_step_counts(e->loop, getter, &at, &wt);
    assert_int_equal(at[0] + at[1] + at[2], 0);
    assert_int_equal(am_loop_cancel_all(e->loop) > 0, 1);
    tu_run_idle(&e->uv);
    for (int p = getter; p <= waiter; p++) {
        size_t n = am_program_step_counts(e->loop, p, &at, &wt);
        for (size_t k = 0; k <= n; k++) {
            assert_int_equal(at[k], 0);
            assert_int_equal(wt[k], 0);
        }
    }
}

/* The counts against a walk over every task, after each event of a shipped
 * scenario: at[k] is the number of running tasks at step k, and the tasks
 * counted waiting are the objects' waiters, no more, no fewer. */
static void check_counts(run_t *r)
{
    static uint32_t want[AM_CODE_MAX_GROUPS][AM_CODE_MAX_STEPS + 1];
    memset(want, 0, sizeof want);
    for (am_task_id_t id = 1; id <= am_task_count(r->loop); id++) {
        int g = am_driver_task_group(r->d, id);
        uint32_t pc;
        if (g < 0 || am_task_state(r->loop, id) != AM_TASK_RUNNING ||
            am_task_program(r->loop, id, NULL, &pc) != 0)
            continue;
        want[g][pc]++;
    }
    uint64_t waiting = 0, waiters = 0;
    for (size_t g = 0; g < r->sc.ngroups; g++) {
        const uint32_t *at, *wt;
        size_t n = am_program_step_counts(r->loop, am_driver_program(r->d, g), &at, &wt);
        for (size_t k = 0; k < n + (n > 0); k++) {
            assert_int_equal(at[k], want[g][k]);
            assert_true(wt[k] <= at[k]);
            waiting += wt[k];
        }
    }
    for (int o = 1; o <= (int)am_obj_count(r->loop); o++) {
        am_obj_info_t info;
        assert_int_equal(am_obj_info(r->loop, o, &info), 0);
        waiters += info.waiters;
    }
    assert_int_equal(waiting, waiters);
}

static void test_counts_match_tasks(void **state)
{
    (void)state;
    static const char *const demos[] = {"tour-semaphore",      "tour-condition", "tour-chess",
                                        "tour-priority-queue", "checkout",       "tour-lock"};
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) {
        static run_t r;
        print_message("%s\n", demos[i]);
        memset(&r, 0, sizeof r);
        tu_load_demo(demos[i], &r.sc);
        assert_int_equal(tu_watched_open(&r.uv, &r.loop, &r.mon, NULL, NULL), 0);
        r.d = am_driver_new(r.loop, &r.sc, 7, NULL, NULL);
        assert_non_null(r.d);
        am_loop_pause(r.loop, 1);
        assert_int_equal(am_driver_start(r.d), 0);
        for (int ev = 0; ev < 600 && am_loop_step(r.loop) > 0; ev++)
            check_counts(&r);
        am_driver_stop(r.d); /* cancels what is left: they leave the counts too */
        am_loop_pause(r.loop, 0);
        uv_run(&r.uv, UV_RUN_DEFAULT);
        check_counts(&r);
        am_driver_free(r.d);
        assert_int_equal(tu_watched_close(&r.uv, r.loop, r.mon), 0);
        am_scenario_free(&r.sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_lines_rule),
        cmocka_unit_test(test_lines_on_a_lock),
        cmocka_unit_test(test_counts_match_tasks),
        cmocka_unit_test_setup_teardown(test_counts_queue_condition, tu_loop_setup,
                                        tu_loop_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
