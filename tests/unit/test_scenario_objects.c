/* test_scenario_objects.c — the scenario format for primitives, queues and
 * programs (docs/scenarios.md: [semaphore.NAME], [lock.NAME], [event.NAME],
 * [condition.NAME], [queue.NAME], and the group keys do, repeat, daemon):
 *   every section and key, their defaults, objects declared after the groups
 *     that use them, `do` continued on indented lines, ids in declaration
 *     order matching the objects the driver creates;
 *   every error with its exact "FILE:LINE: message": unknown and duplicate
 *     keys in object sections, a missing limit (also on a bounded semaphore),
 *     bad values, bad queue kind, duplicate and bad object names, too many
 *     objects, do with duration/steps/fail_rate, repeat or daemon without do,
 *     a program naming an undeclared object or one of the wrong kind (at the
 *     line of `do`, even when the step is on a continuation line);
 *   the driver: demo/semaphore.ini never has more than 10 holders (sampled at
 *     every event and every 0.1 s), all 1000 requests done in 25..35 virtual
 *     seconds; demo/blocking.ini has exactly 4 slow steps, all from the
 *     on_loop tasks and none from in_executor, and all 28 tasks done; daemon
 *     workers are cancelled once the queues they mark done are joined (every
 *     stage of a pipeline; not a queue they never mark done), even when they
 *     start after the other tasks ended or are the only tasks.
 * Scenario files are written to /tmp with mkstemp and removed once loaded;
 * the demos come from $ASYNCMON_SOURCE (set by ctest) or the source tree the
 * build was configured in. */
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

#include "asyncmon/driver.h"
#include "asyncmon/error.h"
#include "asyncmon/monitor.h"
#include "asyncmon/scenario.h"
#include "testutil.h"

/* Load text as a scenario file; returns am_scenario_load's result, the
 * message with the file's path replaced by "F". */
static int load_text(const char *text, am_scenario_t *sc, char *msg, size_t size)
{
    char err[1024];
    const char *path = tu_write_temp("objects", text);
    int rc = am_scenario_load(path, sc, err, sizeof err);
    tu_remove_temp(path);
    size_t len = strlen(path);
    if (!strncmp(err, path, len))
        snprintf(msg, size, "F%s", err + len);
    else
        snprintf(msg, size, "%s", err);
    return rc;
}

static void load_ok(const char *text, am_scenario_t *sc)
{
    char msg[1024];
    if (load_text(text, sc, msg, sizeof msg) != 0) fail_msg("%s", msg);
}

/* ---- sections, keys, defaults ---- */

static void test_every_section(void **state)
{
    (void)state;
    am_scenario_t sc;
    load_ok("[scenario]\n"                                 /* 1 */
            "combinator = gather\n"                        /* 2 */
            "\n"                                           /* 3 */
            "[semaphore.api]\n"                            /* 4 */
            "limit = 10\n"                                 /* 5 */
            "[semaphore.b]\n"                              /* 6 */
            "limit = 1_000\n"                              /* 7 */
            "bounded = yes\n"                              /* 8 */
            "[semaphore.plain]\n"                          /* 9 */
            "bounded = off\n"                              /* 10 */
            "limit = 1e3\n"                                /* 11 */
            "[lock.l]\n"                                   /* 12 */
            "[event.e]\n"                                  /* 13 */
            "[event.go]\n"                                 /* 14 */
            "set = true\n"                                 /* 15 */
            "[condition.c]\n"                              /* 16 */
            "[queue.q]\n"                                  /* 17 */
            "[queue.pq]\n"                                 /* 18 */
            "maxsize = 5\n"                                /* 19 */
            "kind = PRIORITY\n"                            /* 20 */
            "[queue.stack]\n"                              /* 21 */
            "kind = lifo\n"                                /* 22 */
            "maxsize = 0\n"                                /* 23 */
            "[group.g]\n"                                  /* 24 */
            "count = 3\n"                                  /* 25 */
            "do = acquire api; put pq priority 2; get q\n" /* 26 */
            "[group.w]\n"                                  /* 27 */
            "count = 1\n"                                  /* 28 */
            "do = wait go\n"                               /* 29 */
            "repeat = forever\n"                           /* 30 */
            "daemon = 1\n",                                /* 31 */
            &sc);
    assert_int_equal(sc.nobjects, 10);
    static const struct {
        const char *name;
        am_obj_kind_t kind;
        uint32_t limit;
        am_queue_kind_t qkind;
        int set, line;
    } want[] = {
        {"api", AM_OBJ_SEMAPHORE, 10, AM_QUEUE_FIFO, 0, 4},
        {"b", AM_OBJ_BOUNDED_SEMAPHORE, 1000, AM_QUEUE_FIFO, 0, 6},
        {"plain", AM_OBJ_SEMAPHORE, 1000, AM_QUEUE_FIFO, 0, 9},
        {"l", AM_OBJ_LOCK, 0, AM_QUEUE_FIFO, 0, 12},
        {"e", AM_OBJ_EVENT, 0, AM_QUEUE_FIFO, 0, 13},
        {"go", AM_OBJ_EVENT, 0, AM_QUEUE_FIFO, 1, 14},
        {"c", AM_OBJ_CONDITION, 0, AM_QUEUE_FIFO, 0, 16},
        {"q", AM_OBJ_QUEUE, 0, AM_QUEUE_FIFO, 0, 17},
        {"pq", AM_OBJ_QUEUE, 5, AM_QUEUE_PRIORITY, 0, 18},
        {"stack", AM_OBJ_QUEUE, 0, AM_QUEUE_LIFO, 0, 21},
    };
    for (size_t i = 0; i < 10; i++) {
        const am_scenario_obj_t *o = &sc.objects[i];
        assert_string_equal(o->name, want[i].name);
        assert_int_equal(o->kind, want[i].kind);
        assert_int_equal(o->limit, want[i].limit);
        assert_int_equal(o->qkind, want[i].qkind);
        assert_int_equal(o->set, want[i].set);
        assert_int_equal(o->line, want[i].line);
    }
    /* groups: the program, parsed against the ids 1..n in declaration order */
    const am_scenario_group_t *g = &sc.groups[0];
    assert_string_equal(g->program, "acquire api; put pq priority 2; get q");
    assert_int_equal(g->program_line, 26);
    assert_int_equal(g->nops, 3);
    assert_int_equal(g->ops[0].kind, AM_OP_ACQUIRE);
    assert_int_equal(g->ops[0].obj, 1);
    assert_int_equal(g->ops[1].kind, AM_OP_PUT);
    assert_int_equal(g->ops[1].obj, 9);
    assert_true(g->ops[1].dist.a == 2);
    assert_int_equal(g->ops[2].obj, 8);
    assert_int_equal(g->repeat, 1); /* default */
    assert_int_equal(g->daemon, 0);
    assert_int_equal(g->count, 3);
    assert_int_equal(sc.groups[1].repeat, 0); /* forever */
    assert_int_equal(sc.groups[1].daemon, 1);
    assert_int_equal(sc.groups[1].ops[0].obj, 6);
    am_scenario_free(&sc);
    assert_null(sc.groups[0].program);
    assert_int_equal(sc.groups[0].nops, 0);
}

/* The driver creates the objects with the ids the programs were parsed
 * against, initial values included. */
static void test_driver_creates_objects(void **state)
{
    (void)state;
    am_scenario_t sc;
    load_ok("[group.g]\ncount = 1\ndo = sleep 1\n"
            "[semaphore.api]\nlimit = 4\nbounded = true\n"
            "[event.go]\nset = on\n[event.stop]\n[lock.l]\n[condition.c]\n"
            "[queue.jobs]\nmaxsize = 7\nkind = lifo\n",
            &sc);
    uv_loop_t uv;
    assert_int_equal(uv_loop_init(&uv), 0);
    am_loop_t *loop = am_loop_new(&uv);
    assert_non_null(loop);
    am_driver_t *d = am_driver_new(loop, &sc, 1, NULL, NULL);
    assert_non_null(d);
    assert_int_equal(am_obj_count(loop), 6);
    am_obj_info_t in;
    assert_int_equal(am_obj_info(loop, 1, &in), 0);
    assert_string_equal(in.name, "api");
    assert_int_equal(in.kind, AM_OBJ_BOUNDED_SEMAPHORE);
    assert_int_equal(in.capacity, 4);
    assert_int_equal(am_event_is_set(loop, 2), 1);
    assert_int_equal(am_event_is_set(loop, 3), 0);
    assert_int_equal(am_obj_info(loop, 4, &in), 0);
    assert_int_equal(in.kind, AM_OBJ_LOCK);
    assert_int_equal(am_obj_info(loop, 5, &in), 0);
    assert_int_equal(in.kind, AM_OBJ_CONDITION);
    am_queue_stats_t st;
    assert_int_equal(am_queue_stats(loop, 6, &st), 0);
    assert_int_equal(st.kind, AM_QUEUE_LIFO);
    assert_int_equal(st.maxsize, 7);
    /* a loop that already has objects cannot take the scenario's ids */
    assert_null(am_driver_new(loop, &sc, 1, NULL, NULL));
    am_driver_free(d);
    am_loop_free(loop);
    assert_int_equal(uv_loop_close(&uv), 0);
    am_scenario_free(&sc);
}

/* `do` continues on indented lines, joined with a blank; objects may be
 * declared after the groups that use them. */
static void test_do_continuation_and_forward_names(void **state)
{
    (void)state;
    am_scenario_t sc;
    load_ok("[group.g]\n"
            "count = 2\n"
            "do = acquire api;\n"
            "    sleep uniform 0.1 0.5;\n"
            "\n"
            "    release api\n"
            "repeat = 3\n"
            "[semaphore.api]\n"
            "limit = 1\n",
            &sc);
    const am_scenario_group_t *g = &sc.groups[0];
    assert_string_equal(g->program, "acquire api; sleep uniform 0.1 0.5; release api");
    assert_int_equal(g->program_line, 3);
    assert_int_equal(g->nops, 3);
    assert_int_equal(g->ops[0].obj, 1);
    assert_int_equal(g->ops[1].dist.kind, AM_DIST_UNIFORM);
    assert_int_equal(g->ops[2].kind, AM_OP_RELEASE);
    assert_int_equal(g->repeat, 3);
    am_scenario_free(&sc);
    /* a ';' after a blank starts a comment (docs/scenarios.md: Syntax) */
    load_ok("[semaphore.api]\nlimit = 1\n[group.g]\ncount = 1\ndo = acquire api ; release api\n",
            &sc);
    assert_int_equal(sc.groups[0].nops, 1);
    am_scenario_free(&sc);
    /* run's quotes keep a ';' inside them (no blank before it) */
    load_ok("[group.g]\ncount = 1\ndo = run sh -c 'true;false'; sleep 1\n", &sc);
    assert_int_equal(sc.groups[0].nops, 2);
    assert_string_equal(sc.groups[0].ops[0].argv[2], "true;false");
    am_scenario_free(&sc);
}

/* ---- errors ---- */

typedef struct bad_s {
    const char *text;
    const char *message;
} bad_t;

static void test_errors(void **state)
{
    (void)state;
    static const bad_t cases[] = {
        /* object sections */
        {"[semaphore.x]\nlimit = 2\nmaxsize = 3\n[group.g]\ncount = 1\nduration = 1\n",
         "F:3: unknown key \"maxsize\" in [semaphore.x]; expected limit or bounded"},
        {"[lock.l]\nlimit = 1\n",
         "F:2: unknown key \"limit\" in [lock.l]; this section takes no keys"},
        {"[condition.c]\nset = true\n",
         "F:2: unknown key \"set\" in [condition.c]; this section takes no keys"},
        {"[event.e]\nvalue = 1\n", "F:2: unknown key \"value\" in [event.e]; expected set"},
        {"[queue.q]\nlimit = 1\n",
         "F:2: unknown key \"limit\" in [queue.q]; expected maxsize or kind"},
        {"[group.g]\ncount = 1\nduration = 1\n\n[semaphore.x]\nbounded = false\n",
         "F:5: [semaphore.x]: missing required key \"limit\""},
        {"[semaphore.x]\nbounded = true\n[group.g]\ncount = 1\nduration = 1\n",
         "F:1: [semaphore.x]: missing required key \"limit\""},
        {"[group.g]\ncount = 1\nduration = 1\n[semaphore.x]\n",
         "F:4: [semaphore.x]: missing required key \"limit\""},
        {"[semaphore.x]\nlimit = 2\nlimit = 3\n",
         "F:3: duplicate key \"limit\" in [semaphore.x] (first on line 2)"},
        {"[queue.q]\nkind = lifo\nkind = fifo\n",
         "F:3: duplicate key \"kind\" in [queue.q] (first on line 2)"},
        {"[semaphore.x]\nlimit = 0\n",
         "F:2: limit: expected a whole number from 1 to 1000000000, got \"0\""},
        {"[semaphore.x]\nlimit = many\n",
         "F:2: limit: expected a whole number from 1 to 1000000000, got \"many\""},
        {"[semaphore.x]\nlimit = 1\nbounded = maybe\n",
         "F:3: bounded: expected true or false (or yes/no, on/off, 1/0), got \"maybe\""},
        {"[event.e]\nset = 2\n",
         "F:2: set: expected true or false (or yes/no, on/off, 1/0), got \"2\""},
        {"[queue.q]\nmaxsize = -1\n",
         "F:2: maxsize: expected a whole number from 0 (unbounded) to 1000000000, got \"-1\""},
        {"[queue.q]\nkind = stack\n", "F:2: kind: expected fifo, lifo or priority, got \"stack\""},
        {"[semaphore.x]\nlimit = 1\n[queue.x]\n",
         "F:3: [queue.x]: the name \"x\" is already used (line 1)"},
        {"[lock.same]\n[group.g]\ncount = 1\nduration = 1\n[lock.same]\n",
         "F:5: [lock.same]: the name \"same\" is already used (line 1)"},
        {"[semaphore.]\nlimit = 1\n",
         "F:1: [semaphore.]: expected a name of 1 to 31 letters, digits, \"_\" or \"-\""},
        {"[lock.a.b]\n", "F:1: [lock.a.b]: expected a name of 1 to 31 letters, digits, \"_\" or "
                         "\"-\""},
        {"[event.abcdefghijklmnopqrstuvwxyz012345]\n",
         "F:1: [event.abcdefghijklmnopqrstuvwxyz012345]: expected a name of 1 to 31 letters, "
         "digits, \"_\" or \"-\""},
        {"[mutex.m]\n", "F:1: unknown section [mutex.m]; expected [scenario], [group.NAME], "
                        "[semaphore.NAME], [lock.NAME], [event.NAME], [condition.NAME], "
                        "[queue.NAME], [products] or [code]"},
        {"[semaphore]\nlimit = 1\n",
         "F:1: unknown section [semaphore]; expected [scenario], [group.NAME], "
         "[semaphore.NAME], [lock.NAME], [event.NAME], [condition.NAME], [queue.NAME], "
         "[products] or [code]"},
        {"[semaphore.s]\nlimit = 3\n    4\n",
         "F:3: indented line continues \"limit\", but only narration, narration.zh, do and "
         "python may span several lines"},
        /* groups with programs */
        {"[group.g]\ncount = 1\nduration = 1\ndo = sleep 1\n",
         "F:4: [group.g]: \"do\" replaces duration, steps and fail_rate; write the sleep and a "
         "\"fail P\" step in the program"},
        {"[group.g]\ncount = 1\ndo = sleep 1\nsteps = 3\n",
         "F:3: [group.g]: \"do\" replaces duration, steps and fail_rate; write the sleep and a "
         "\"fail P\" step in the program"},
        {"[group.g]\ndo = sleep 1\nfail_rate = 0.5\ncount = 1\n[group.h]\ncount = 1\n"
         "duration = 1\n",
         "F:2: [group.g]: \"do\" replaces duration, steps and fail_rate; write the sleep and a "
         "\"fail P\" step in the program"},
        {"[group.g]\ncount = 1\nduration = 1\nrepeat = 3\n",
         "F:4: [group.g]: repeat and daemon need a program (\"do\")"},
        {"[group.g]\ncount = 1\nduration = 1\ndaemon = true\n",
         "F:4: [group.g]: repeat and daemon need a program (\"do\")"},
        {"[group.g]\ncount = 1\ndaemon = true\nrepeat = 2\nduration = 1\n",
         "F:4: [group.g]: repeat and daemon need a program (\"do\")"},
        {"[group.g]\ncount = 1\nrepeat = 2\n",
         "F:1: [group.g]: missing required key \"duration\" (or \"do\" for a program)"},
        {"[group.g]\ndo = sleep 1\n", "F:1: [group.g]: missing required key \"count\""},
        {"[group.g]\ncount = 1\ndo = sleep 1\nrepeat = 0\n",
         "F:4: repeat: expected a whole number from 1 to 1000000000 or \"forever\", got \"0\""},
        {"[group.g]\ncount = 1\ndo = sleep 1\nrepeat = always\n",
         "F:4: repeat: expected a whole number from 1 to 1000000000 or \"forever\", got "
         "\"always\""},
        {"[group.g]\ncount = 1\ndo = sleep 1\ndaemon = sometimes\n",
         "F:4: daemon: expected true or false (or yes/no, on/off, 1/0), got \"sometimes\""},
        {"[group.g]\ncount = 1\ndo = sleep 1\ndo = sleep 2\n",
         "F:4: duplicate key \"do\" in [group.g] (first on line 3)"},
        {"[group.g]\ncount = 1\n    2\ndo = sleep 1\n",
         "F:3: indented line continues \"count\", but only narration, narration.zh, do and "
         "python may span several lines"},
        /* programs: reported at the line of `do` */
        {"[group.g]\ncount = 1\ndo = acquire api; sleep 1; release api\n",
         "F:3: do: step 1: no semaphore named \"api\" (declare it in a [semaphore.api] section)"},
        {"[scenario]\ntitle = t\n\n[group.g]\ncount = 1\ndo = sleep 1;\n    acquire api;\n"
         "    release api\nrepeat = 2\n[semaphore.other]\nlimit = 1\n",
         "F:6: do: step 2: no semaphore named \"api\" (declare it in a [semaphore.api] section)"},
        {"[queue.api]\n[group.g]\ncount = 1\ndo = acquire api\n",
         "F:4: do: step 1: \"api\" is a queue, expected a semaphore"},
        {"[event.e]\n[group.g]\ncount = 1\ndo = lock e\n",
         "F:4: do: step 1: \"e\" is an event, expected a lock"},
        {"[group.g]\ncount = 1\ndo = sleep uniform 2 1\n",
         "F:3: do: step 1: sleep: expected MIN <= MAX in \"uniform MIN MAX\", got \"uniform 2 "
         "1\""},
        {"[group.g]\ncount = 1\ndo = jump\n",
         "F:3: do: step 1: unknown step \"jump\"; expected sleep, cpu, executor, acquire, "
         "release, lock, unlock, wait, set, clear, cond_wait, notify, notify_all, put, get, "
         "task_done, join, fail, run or serve"},
        {"[group.g]\ncount = 1\ndo = run echo 'hi\n",
         "F:3: do: step 1: unterminated quote in \"run echo 'hi\""},
        {"[group.g]\ncount = 1\ndo =\n",
         "F:3: do: expected steps separated by ';', e.g. \"acquire api; sleep uniform 1 2; "
         "release api\""},
        /* the first error wins, even a program's over a later section's */
        {"[group.g]\ncount = 1\ndo = acquire nope\n[group.h]\ncount = 0\n",
         "F:5: count: expected a whole number from 1 to 100000000, got \"0\""},
        {"[group.g]\ncount = 1\ndo = wait nope\n[group.h]\ncount = 1\nduration = 1\n",
         "F:3: do: step 1: no event named \"nope\" (declare it in a [event.nope] section)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        am_scenario_t sc;
        char msg[1024];
        int rc = load_text(cases[i].text, &sc, msg, sizeof msg);
        if (rc == 0) {
            am_scenario_free(&sc);
            fail_msg("case %zu loaded; expected: %s", i, cases[i].message);
        }
        assert_int_equal(rc, AM_EPARSE);
        if (strcmp(msg, cases[i].message) != 0)
            fail_msg("case %zu:\n  got      %s\n  expected %s", i, msg, cases[i].message);
    }
}

/* At most 16 objects. */
static void test_too_many_objects(void **state)
{
    (void)state;
    char text[2048];
    size_t len = 0;
    for (int i = 0; i < AM_SCENARIO_MAX_OBJECTS; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "[lock.l%d]\n", i);
    len += (size_t)snprintf(text + len, sizeof text - len, "[group.g]\ncount = 1\ndo = lock l15\n");
    am_scenario_t sc;
    char msg[1024];
    assert_int_equal(load_text(text, &sc, msg, sizeof msg), 0);
    assert_int_equal(sc.nobjects, 16);
    assert_int_equal(sc.groups[0].ops[0].obj, 16);
    am_scenario_free(&sc);
    snprintf(text + len, sizeof text - len, "[event.one_more]\n");
    assert_int_equal(load_text(text, &sc, msg, sizeof msg), AM_EPARSE);
    assert_string_equal(msg, "F:20: too many primitives and queues (at most 16)");
}

/* ---- running scenarios through the driver ---- */

typedef struct run_s {
    uv_loop_t uv;
    am_loop_t *loop;
    am_monitor_t *mon;
    am_driver_t *d;
    am_scenario_t sc;
    int finished;
    am_time_t finished_at;
    /* the semaphore watch */
    int sem;
    uint32_t max_holders;
    uint64_t samples, over;
    /* slow steps: scenario group of each */
    uint64_t slow_by_group[AM_SCENARIO_MAX_GROUPS];
    uint64_t slow_events;
} run_t;

static void on_finish(am_driver_t *d, void *data)
{
    run_t *r = data;
    (void)d;
    r->finished++;
    r->finished_at = am_loop_now(r->loop);
}

static void look_at_sem(run_t *r)
{
    am_obj_info_t in;
    if (r->sem <= 0 || am_obj_info(r->loop, r->sem, &in) != 0) return;
    r->samples++;
    if (in.holders > r->max_holders) r->max_holders = in.holders;
    if (in.holders > 10 || in.holders > in.capacity) r->over++;
}

static void on_event(void *ctx, const am_event_t *ev)
{
    run_t *r = ctx;
    look_at_sem(r);
    if (ev->type == AM_EV_SLOW) {
        r->slow_events++;
        int gi = am_driver_task_group(r->d, ev->task);
        if (gi >= 0 && gi < AM_SCENARIO_MAX_GROUPS) r->slow_by_group[gi]++;
    }
}

static void every_tenth(am_loop_t *loop, void *data)
{
    run_t *r = data;
    look_at_sem(r);
    if (!r->finished && am_loop_live(loop) > 0)
        am_loop_call_at(loop, am_loop_now(loop) + S(0.1), every_tenth, r);
}

static run_t *run_new(void)
{
    run_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    return r;
}

/* guard: stop the run at that virtual time if it has not finished (a run
 * with real work must not have one: jump mode would reach it at once) */
static void run_start(run_t *r, uint64_t seed, double guard)
{
    tu_loop_open(&r->uv, &r->loop);
    r->mon = am_monitor_new(r->loop, 0);
    assert_non_null(r->mon);
    am_monitor_set_listener(r->mon, on_event, r);
    r->d = am_driver_new(r->loop, &r->sc, seed, on_finish, r);
    assert_non_null(r->d);
    assert_int_equal(am_driver_start(r->d), 0);
    if (guard > 0) assert_int_equal(am_driver_stop_at(r->d, S(guard)), 0);
}

static void run_finish(run_t *r)
{
    tu_run_idle(&r->uv);
    assert_int_equal(r->finished, 1);
    assert_int_equal(am_driver_stopped(r->d), 0);
    assert_int_equal(am_loop_live(r->loop), 0);
    tu_assert_monitor_ok(r->mon);
}

static void run_free(run_t *r)
{
    am_driver_free(r->d);
    am_monitor_free(r->mon);
    assert_int_equal(tu_loop_close(&r->uv, r->loop), 0);
    am_scenario_free(&r->sc);
    free(r);
}

/* asyncio.Semaphore(10) around 1000 requests of 0.1..0.5 s. */
static void test_demo_semaphore(void **state)
{
    (void)state;
    run_t *r = run_new();
    tu_load_demo("semaphore", &r->sc);
    assert_int_equal(r->sc.nobjects, 1);
    assert_int_equal(r->sc.objects[0].limit, 10);
    run_start(r, 1, 10000);
    r->sem = am_obj_find(r->loop, "api");
    assert_int_equal(r->sem, 1);
    /* right after the start: ten hold, 990 wait (the tasks start at 0) */
    assert_true(am_loop_call_at(r->loop, 0, every_tenth, r) > 0);
    run_finish(r);
    assert_true(r->samples > 2000);
    assert_int_equal(r->over, 0);
    assert_int_equal(r->max_holders, 10);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->created, 1000);
    assert_int_equal(c->by_state[AM_TASK_DONE], 1000);
    double total = AM_SECONDS(r->finished_at);
    if (!(total >= 25 && total <= 35)) fail_msg("took %.3f virtual seconds", total);
    am_task_id_t node = am_driver_node(r->d);
    assert_int_equal(am_task_kind(r->loop, node), AM_KIND_GATHER);
    assert_int_equal(am_task_state(r->loop, node), AM_TASK_DONE);
    am_obj_info_t in;
    assert_int_equal(am_obj_info(r->loop, r->sem, &in), 0);
    assert_int_equal(in.holders, 0);
    assert_int_equal(in.waiters, 0);
    assert_int_equal(in.capacity, 10);
    run_free(r);
}

/* CPU work on the loop vs. run_in_executor: only the former blocks it. */
static void test_demo_blocking(void **state)
{
    (void)state;
    run_t *r = run_new();
    tu_load_demo("blocking", &r->sc);
    assert_int_equal(r->sc.ngroups, 3);
    assert_string_equal(r->sc.groups[1].name, "on_loop");
    assert_string_equal(r->sc.groups[2].name, "in_executor");
    run_start(r, 1, 0);
    run_finish(r);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->created, 28);
    assert_int_equal(c->by_state[AM_TASK_DONE], 28);
    am_loop_health_t h;
    am_loop_health(r->loop, &h);
    assert_int_equal(h.slow_steps, 4);
    assert_int_equal(r->slow_events, 4);
    assert_int_equal(r->slow_by_group[1], 4); /* on_loop */
    assert_int_equal(r->slow_by_group[2], 0); /* in_executor */
    assert_int_equal(r->slow_by_group[0], 0); /* the tickers */
    assert_true(h.slowest >= 0.5);
    assert_int_equal(am_driver_task_group(r->d, h.slowest_task), 1);
    run_free(r);
}

/* Daemon workers whose group starts after every other task has ended are
 * cancelled all the same (not left running forever). */
static void test_daemons_started_late(void **state)
{
    (void)state;
    run_t *r = run_new();
    load_ok("[group.main]\ncount = 2\ndo = sleep 1\n"
            "[group.workers]\ncount = 3\nstart = 5\ndo = sleep 1\nrepeat = forever\n"
            "daemon = true\n",
            &r->sc);
    run_start(r, 1, 10000);
    run_finish(r);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->created, 5);
    assert_int_equal(c->by_state[AM_TASK_DONE], 2);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 3);
    assert_int_equal(r->finished_at, S(5));
    run_free(r);
}

/* Only daemons: nothing else to wait for, they are cancelled at once. */
static void test_daemons_only(void **state)
{
    (void)state;
    run_t *r = run_new();
    load_ok("[group.workers]\ncount = 2\ndo = sleep 1\nrepeat = forever\ndaemon = true\n", &r->sc);
    run_start(r, 1, 10000);
    run_finish(r);
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 2);
    assert_int_equal(r->finished_at, 0);
    run_free(r);
}

/* A pipeline of two queues with daemon stages: both queues are joined
 * before the workers are cancelled, so every item goes all the way. */
static void test_daemon_pipeline_joins_every_queue(void **state)
{
    (void)state;
    run_t *r = run_new();
    load_ok("[queue.raw]\n[queue.done]\n"
            "[group.source]\ncount = 2\ndo = sleep exponential 0.2; put raw\nrepeat = 20\n"
            "[group.stage1]\ncount = 2\ndo = get raw; sleep uniform 0.1 0.5; put done; "
            "task_done raw\nrepeat = forever\ndaemon = true\n"
            "[group.stage2]\ncount = 1\ndo = get done; sleep uniform 0.2 0.6; task_done done\n"
            "repeat = forever\ndaemon = true\n",
            &r->sc);
    run_start(r, 3, 10000);
    run_finish(r);
    am_queue_stats_t st;
    for (int q = 1; q <= 2; q++) {
        assert_int_equal(am_queue_stats(r->loop, q, &st), 0);
        assert_int_equal(st.puts, 40);
        assert_int_equal(st.gets, 40);
        assert_int_equal(st.unfinished, 0);
    }
    const am_counts_t *c = am_monitor_counts(r->mon);
    assert_int_equal(c->by_state[AM_TASK_DONE], 2);
    assert_int_equal(c->by_state[AM_TASK_CANCELLED], 3);
    run_free(r);
}

/* A queue the workers never mark done is not joined: nothing would ever
 * finish its items, and the workers would never be cancelled. */
static void test_daemons_ignore_other_queues(void **state)
{
    (void)state;
    run_t *r = run_new();
    load_ok("[queue.log]\n[queue.jobs]\n"
            "[group.main]\ncount = 1\ndo = put jobs; put log; sleep 1; put jobs\n"
            "[group.workers]\ncount = 1\ndo = get jobs; sleep 3; task_done jobs\n"
            "repeat = forever\ndaemon = true\n",
            &r->sc);
    run_start(r, 1, 10000);
    run_finish(r);
    /* main ends at 1; the worker finishes its second job at 6, then is cancelled */
    assert_int_equal(r->finished_at, S(6));
    am_queue_stats_t st;
    assert_int_equal(am_queue_stats(r->loop, 1, &st), 0);
    assert_int_equal(st.unfinished, 1); /* log: never got */
    assert_int_equal(am_queue_stats(r->loop, 2, &st), 0);
    assert_int_equal(st.unfinished, 0);
    assert_int_equal(am_monitor_counts(r->mon)->by_state[AM_TASK_CANCELLED], 1);
    run_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_section),
        cmocka_unit_test(test_driver_creates_objects),
        cmocka_unit_test(test_do_continuation_and_forward_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many_objects),
        cmocka_unit_test(test_demo_semaphore),
        cmocka_unit_test(test_demo_blocking),
        cmocka_unit_test(test_daemons_started_late),
        cmocka_unit_test(test_daemons_only),
        cmocka_unit_test(test_daemon_pipeline_joins_every_queue),
        cmocka_unit_test(test_daemons_ignore_other_queues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
