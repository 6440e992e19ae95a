/* test_monitor.c — unit tests of the monitor (monitor.h), the model the front
 * ends draw: counts by state that add up to the tasks created after every
 * single event (checked against a recount of the runtime's task table),
 * per-group counts and meters, combinator nodes counted apart, the wait() node
 * on show, the event log ring (order, wrap, no capacity), the JSON-lines trace
 * (exact lines, escaping, snprintf-like truncation), that am_monitor_check can
 * fail, and the "nothing lost" invariant over 100,000 random tasks with random
 * cancellations, deadlines and combinators (fixed seed), checked with
 * am_monitor_check at every event and by recounting the task table, with each
 * node's outcome checked against asyncio's rules at the end.
 * Everything runs on the virtual clock in jump mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <uv.h>

#include "asyncmon/combinators.h"
#include "asyncmon/monitor.h"
#include "asyncmon/rng.h"
#include "asyncmon/runtime.h"
#include "testutil.h"

#define MAX_GROUPS 8

/* A sleep of sec seconds in group, with steps steps, failing with fail (0: ends done). */
static am_task_id_t spawn(am_loop_t *loop, int group, double sec, uint32_t steps, int fail)
{
    return tu_spawn_sleep(loop, (uint16_t)group, sec, steps, fail, 0);
}

static void cancel_cb(am_loop_t *loop, void *data)
{
    am_task_cancel(loop, (am_task_id_t)(uintptr_t)data);
}

/* ---- recount from the task table ---- */

typedef struct table_counts_s {
    am_counts_t all;
    am_counts_t group[MAX_GROUPS];
    size_t nodes;
} table_counts_t;

static void recount(const am_loop_t *loop, table_counts_t *tc)
{
    memset(tc, 0, sizeof *tc);
    for (am_task_id_t id = 1; id <= am_task_count(loop); id++) {
        if (am_task_is_node(loop, id)) {
            tc->nodes++;
            continue;
        }
        am_task_state_t s = am_task_state(loop, id);
        uint16_t g = am_task_group(loop, id);
        uint32_t n;
        am_task_progress(loop, id, &n, NULL);
        /* every step but a done task's last one was a progress event */
        uint64_t steps = n - (s == AM_TASK_DONE ? 1u : 0u);
        tc->all.created++;
        tc->all.by_state[s]++;
        tc->all.progress += steps;
        if (g < MAX_GROUPS) {
            tc->group[g].created++;
            tc->group[g].by_state[s]++;
            tc->group[g].progress += steps;
        }
    }
}

static int counts_equal(const am_counts_t *a, const am_counts_t *b)
{
    if (a->created != b->created || a->progress != b->progress) return 0;
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        if (a->by_state[s] != b->by_state[s]) return 0;
    return 1;
}

/* Does the monitor agree with the table, overall and per group? */
static int monitor_matches_table(const am_monitor_t *mon, const am_loop_t *loop)
{
    table_counts_t tc;
    recount(loop, &tc);
    if (!counts_equal(am_monitor_counts(mon), &tc.all)) return 0;
    for (size_t g = 0; g < am_group_count(loop) && g < MAX_GROUPS; g++) {
        const am_group_meter_t *gm = am_monitor_group(mon, g);
        am_counts_t zero = {0};
        if (!counts_equal(gm ? &gm->counts : &zero, &tc.group[g])) return 0;
    }
    return 1;
}

static uint64_t sum_states(const am_counts_t *c)
{
    uint64_t sum = 0;
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        sum += c->by_state[s];
    return sum;
}

/* ---- a listener that checks the invariants after every event ---- */

typedef struct checker_s {
    am_monitor_t *mon;
    am_loop_t *loop;
    int recount; /* also recount the task table each time (small runs only) */
    uint64_t events;
    uint64_t by_type[AM_EV_NTYPES];
    uint64_t failures;
    uint64_t first_bad; /* 1-based event number of the first failure */
    char why[400];
} checker_t;

static void check_event(void *ctx, const am_event_t *ev)
{
    checker_t *c = ctx;
    c->events++;
    c->by_type[ev->type]++;
    const am_counts_t *k = am_monitor_counts(c->mon);
    char buf[256];
    int bad = sum_states(k) != k->created || am_monitor_check(c->mon, buf, sizeof buf) != 0;
    if (!bad && c->recount) bad = !monitor_matches_table(c->mon, c->loop);
    if (bad && c->failures++ == 0) {
        c->first_bad = c->events;
        snprintf(c->why, sizeof c->why, "event %llu (%s of task %u): %s",
                 (unsigned long long)c->events, am_event_type_name(ev->type), ev->task, buf);
    }
}

/* ---- a small scenario used by several tests ---- */

typedef struct scen_s {
    int io, cpu;
    am_task_id_t a, b, c, d, e, f, g, h;
    am_task_id_t gather, wait, wait_for;
} scen_t;

/* io: a 1 s done, b 2 s fails, c 3 s in 3 steps cancelled at 1.5 s;
 * cpu: d 0.5 s in 2 steps done, e 2 s with a 1.5 s deadline, f cancelled
 * while pending, g 4 s under wait_for(2 s); default group: h 1 s done;
 * plus gather(a, h), wait(b, d, FIRST_COMPLETED) and the wait_for. */
static void scenario(am_loop_t *loop, scen_t *s)
{
    s->io = am_group_add(loop, "io");
    s->cpu = am_group_add(loop, "cpu");
    assert_true(s->io > 0 && s->cpu > 0);
    s->a = spawn(loop, s->io, 1.0, 1, 0);
    s->b = spawn(loop, s->io, 2.0, 1, AM_EIO);
    s->c = spawn(loop, s->io, 3.0, 3, 0);
    s->d = spawn(loop, s->cpu, 0.5, 2, 0);
    s->e = spawn(loop, s->cpu, 2.0, 1, 0);
    s->f = spawn(loop, s->cpu, 1.0, 1, 0);
    s->g = spawn(loop, s->cpu, 4.0, 1, 0);
    s->h = spawn(loop, 0, 1.0, 1, 0);
    assert_int_equal(am_task_set_timeout(loop, s->e, S(1.5)), 0);
    assert_int_equal(am_task_cancel(loop, s->f), 0);
    assert_true(am_loop_call_at(loop, S(1.5), cancel_cb, (void *)(uintptr_t)s->c) > 0);
    am_task_id_t ah[2] = {s->a, s->h}, bd[2] = {s->b, s->d};
    s->gather = am_gather(loop, ah, 2, 0, NULL, NULL);
    s->wait = am_wait(loop, bd, 2, AM_FIRST_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
    s->wait_for = am_wait_for(loop, s->g, S(2.0), NULL, NULL);
    assert_true(s->gather && s->wait && s->wait_for);
}

/* ---- tests ---- */

static void test_counts_add_up_at_every_step(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_monitor_t *mon = am_monitor_new(loop, 64);
    assert_non_null(mon);
    checker_t chk = {mon, loop, 1, 0, {0}, 0, 0, ""};
    am_monitor_set_listener(mon, check_event, &chk);
    scen_t s;
    am_loop_pause(loop, 1);
    scenario(loop, &s);

    const am_counts_t *k = am_monitor_counts(mon);
    assert_int_equal(k->created, 8);
    assert_int_equal(k->by_state[AM_TASK_PENDING], 8);
    assert_int_equal(am_monitor_ended(mon), 0);

    assert_true(am_loop_step(loop) > 0); /* t=0: seven start, f ends from pending */
    assert_int_equal(k->by_state[AM_TASK_PENDING], 0);
    assert_int_equal(k->by_state[AM_TASK_RUNNING], 7);
    assert_int_equal(k->by_state[AM_TASK_CANCELLED], 1);
    assert_true(am_loop_step(loop) > 0); /* t=0.25: d's first step */
    assert_int_equal(k->progress, 1);
    assert_true(am_loop_step(loop) > 0); /* t=0.5: d done */
    assert_int_equal(k->by_state[AM_TASK_DONE], 1);
    assert_int_equal(k->by_state[AM_TASK_RUNNING], 6);

    am_loop_pause(loop, 0);
    tu_run_idle(&e->uv);
    assert_int_equal(chk.failures, 0);
    assert_true(chk.events > 20);
    assert_int_equal(k->created, 8);
    assert_int_equal(k->by_state[AM_TASK_PENDING], 0);
    assert_int_equal(k->by_state[AM_TASK_RUNNING], 0);
    assert_int_equal(k->by_state[AM_TASK_DONE], 3);      /* a, d, h */
    assert_int_equal(k->by_state[AM_TASK_FAILED], 1);    /* b */
    assert_int_equal(k->by_state[AM_TASK_CANCELLED], 2); /* c, f */
    assert_int_equal(k->by_state[AM_TASK_TIMED_OUT], 2); /* e, g */
    assert_int_equal(k->progress, 2);                    /* c at 1 s, d at 0.25 s */
    assert_int_equal(am_monitor_ended(mon), 8);
    assert_true(monitor_matches_table(mon, loop));
    char buf[128] = "x";
    assert_int_equal(am_monitor_check(mon, buf, sizeof buf), 0);
    assert_string_equal(buf, "");

    /* events by type, as the monitor and the listener saw them */
    static const uint64_t want[AM_EV_NTYPES] = {8, 7, 2, 8, 3, 3, 1};
    for (int t = 0; t < AM_EV_NTYPES; t++) {
        assert_int_equal(am_monitor_events(mon, (am_event_type_t)t), want[t]);
        assert_int_equal(chk.by_type[t], want[t]);
    }
    assert_int_equal(am_monitor_events(mon, AM_EV_NTYPES), 0);
    uint64_t ended = 0;
    assert_int_equal(am_monitor_nodes(mon, &ended), 3);
    assert_int_equal(ended, 3);
    am_monitor_free(mon);
}

static void test_group_meters(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    /* created before the groups exist: the monitor learns of them from events */
    am_monitor_t *mon = am_monitor_new(loop, 0);
    assert_int_equal(am_monitor_ngroups(mon), 1);
    scen_t s;
    scenario(loop, &s);
    am_monitor_sample(mon, S(0.0));
    tu_run_idle(&e->uv);
    am_monitor_sample(mon, S(2.0));

    assert_int_equal(am_monitor_ngroups(mon), 3);
    assert_null(am_monitor_group(mon, 3));
    const am_group_meter_t *gd = am_monitor_group(mon, 0);
    const am_group_meter_t *gi = am_monitor_group(mon, (size_t)s.io);
    const am_group_meter_t *gc = am_monitor_group(mon, (size_t)s.cpu);
    assert_non_null(gd);
    assert_non_null(gi);
    assert_non_null(gc);

    assert_int_equal(gd->counts.created, 1);
    assert_int_equal(gd->counts.by_state[AM_TASK_DONE], 1);
    assert_int_equal(gi->counts.created, 3);
    assert_int_equal(gi->counts.by_state[AM_TASK_DONE], 1);
    assert_int_equal(gi->counts.by_state[AM_TASK_FAILED], 1);
    assert_int_equal(gi->counts.by_state[AM_TASK_CANCELLED], 1);
    assert_int_equal(gi->counts.progress, 1);
    assert_int_equal(gc->counts.created, 4);
    assert_int_equal(gc->counts.by_state[AM_TASK_DONE], 1);
    assert_int_equal(gc->counts.by_state[AM_TASK_CANCELLED], 1);
    assert_int_equal(gc->counts.by_state[AM_TASK_TIMED_OUT], 2);
    assert_int_equal(gc->counts.progress, 1);

    /* busy time: sum of (end - start) of tasks that ran */
    assert_true(gd->busy_seconds == 1.0);
    assert_true(gi->busy_seconds == 4.5); /* a 1 + b 2 + c 1.5 */
    assert_true(gc->busy_seconds == 4.0); /* d 0.5 + e 1.5 + g 2; f never ran */
    assert_int_equal(gi->first_start, 0);
    assert_int_equal(gi->last_end, S(2.0));
    assert_int_equal(gc->last_end, S(2.0));
    assert_int_equal(gd->last_end, S(1.0));

    /* the rate meters: tasks ended per virtual second between the samples */
    assert_true(fabs(am_rate_value(am_monitor_rate(mon)) - 4.0) < 1e-9); /* 8 in 2 s */
    assert_true(fabs(am_rate_value(&gi->rate) - 1.5) < 1e-9);
    assert_true(fabs(am_rate_value(&gc->rate) - 2.0) < 1e-9);

    /* combinator nodes are not work: counted apart */
    assert_int_equal(am_monitor_counts(mon)->created, 8);
    uint64_t ended = 0;
    assert_int_equal(am_monitor_nodes(mon, &ended), 3);
    assert_int_equal(ended, 3);
    assert_int_equal(am_monitor_check(mon, NULL, 0), 0);

    /* a group with no task yet: first_start and last_end stay -1 (a new
     * group may move the table: the pointers above are not used again) */
    int idle = am_group_add(loop, "idle");
    am_task_id_t t = spawn(loop, idle, 0.0, 1, 0);
    assert_int_equal(am_monitor_ngroups(mon), 4);
    const am_group_meter_t *gq = am_monitor_group(mon, (size_t)idle);
    assert_int_equal(gq->first_start, -1);
    assert_int_equal(gq->last_end, -1);
    assert_int_equal(gq->counts.by_state[AM_TASK_PENDING], 1);
    tu_run_idle(&e->uv);
    assert_int_equal(gq->first_start, am_task_started(loop, t));
    assert_int_equal(gq->last_end, am_task_ended(loop, t));

    am_monitor_free(mon);
}

static void test_wait_on_show(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_monitor_t *mon = am_monitor_new(loop, 16);
    assert_int_equal(am_monitor_wait(mon), 0);
    am_task_id_t t[3] = {spawn(loop, 0, 1.0, 1, 0), spawn(loop, 0, 2.0, 1, 0),
                         spawn(loop, 0, 3.0, 1, 0)};
    am_task_id_t w1 = am_wait(loop, t, 3, AM_FIRST_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
    assert_int_equal(am_monitor_wait(mon), w1);
    am_task_id_t g = am_gather(loop, t, 3, 1, NULL, NULL);
    assert_int_equal(am_monitor_wait(mon), w1); /* a gather is not a wait */
    am_task_id_t w2 = am_wait(loop, t, 2, AM_ALL_COMPLETED, AM_NO_TIMEOUT, NULL, NULL);
    assert_int_equal(am_monitor_wait(mon), w2);
    tu_run_idle(&e->uv);
    /* rearming the older wait puts it on show again, without counting a new node */
    assert_int_equal(am_wait_rearm(loop, w1, NULL, 0, AM_NO_TIMEOUT), 0);
    assert_int_equal(am_monitor_wait(mon), w1);
    tu_run_idle(&e->uv);
    uint64_t ended = 0;
    assert_int_equal(am_monitor_nodes(mon, &ended), 3);
    assert_int_equal(ended, 4); /* w1 returned twice */
    assert_int_equal(am_monitor_events(mon, AM_EV_NODE_START), 4);
    assert_int_equal(am_task_state(loop, g), AM_TASK_DONE);
    am_monitor_free(mon);
}

/* Every event but progress, in order, as a listener sees them. */
typedef struct evlist_s {
    am_event_t ev[128];
    size_t n;
    size_t all; /* progress included */
} evlist_t;

static void list_event(void *ctx, const am_event_t *ev)
{
    evlist_t *l = ctx;
    l->all++;
    if (ev->type != AM_EV_PROGRESS && l->n < 128) l->ev[l->n++] = *ev;
}

static int same_event(const am_event_t *a, const am_event_t *b)
{
    return a->type == b->type && a->task == b->task && a->kind == b->kind && a->state == b->state &&
           a->group == b->group && a->n == b->n && a->total == b->total && a->err == b->err &&
           a->time == b->time;
}

static void test_event_log_ring(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_monitor_t *small = am_monitor_new(loop, 8);
    evlist_t seen = {0};
    am_monitor_set_listener(small, list_event, &seen);
    scen_t s;
    scenario(loop, &s);
    tu_run_idle(&e->uv);

    /* 8 created + 7 started + 8 ended + 3 node starts + 3 node ends + 1 deadline */
    assert_int_equal(seen.n, 30);
    assert_int_equal(seen.all, 32);
    assert_int_equal(am_monitor_log_len(small), 8);
    for (size_t i = 0; i < 8; i++) {
        const am_event_t *ev = am_monitor_log_get(small, i);
        assert_non_null(ev);
        assert_true(same_event(ev, &seen.ev[seen.n - 1 - i])); /* 0 is the newest */
    }
    assert_null(am_monitor_log_get(small, 8));
    /* the newest: the wait_for over g ends after g timed out, at 2 s */
    const am_event_t *newest = am_monitor_log_get(small, 0);
    assert_int_equal(newest->type, AM_EV_NODE_END);
    assert_int_equal(newest->task, s.wait_for);
    assert_int_equal(newest->state, AM_TASK_TIMED_OUT);
    assert_int_equal(newest->time, S(2.0));
    am_monitor_free(small);
}

static void test_event_log_no_wrap_and_none(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_monitor_t *big = am_monitor_new(loop, 1000);
    evlist_t seen = {0};
    am_monitor_set_listener(big, list_event, &seen);
    scen_t s;
    scenario(loop, &s);
    tu_run_idle(&e->uv);
    assert_int_equal(am_monitor_log_len(big), seen.n);
    for (size_t i = 0; i < seen.n; i++)
        assert_true(same_event(am_monitor_log_get(big, i), &seen.ev[seen.n - 1 - i]));
    /* the oldest entry is the first event: a created at t=0 */
    const am_event_t *oldest = am_monitor_log_get(big, seen.n - 1);
    assert_int_equal(oldest->type, AM_EV_CREATED);
    assert_int_equal(oldest->task, s.a);
    assert_null(am_monitor_log_get(big, seen.n));
    am_monitor_free(big);

    am_monitor_t *none = am_monitor_new(loop, 0);
    spawn(loop, 0, 1.0, 1, 0);
    tu_run_idle(&e->uv);
    assert_int_equal(am_monitor_log_len(none), 0);
    assert_null(am_monitor_log_get(none, 0));
    assert_int_equal(am_monitor_counts(none)->created, 1);
    am_monitor_free(none);
}

/* Simple JSON shape checks: one object per line, strings closed, known keys. */
static int json_line_ok(const char *line)
{
    size_t len = strlen(line);
    if (len < 2 || line[0] != '{' || line[len - 1] != '}') return 0;
    int in_str = 0, depth = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = line[i];
        if (in_str) {
            if (ch == '\\') {
                if (line[i + 1] != '"' && line[i + 1] != '\\') return 0;
                i++;
            } else if (ch == '"') {
                in_str = 0;
            } else if ((unsigned char)ch < 0x20) {
                return 0;
            }
        } else if (ch == '"') {
            in_str = 1;
        } else if (ch == '{') {
            depth++;
        } else if (ch == '}') {
            depth--;
        }
    }
    if (in_str || depth != 0) return 0;
    static const char *const keys[] = {
        "\"t\":",     "\"ev\":\"",    "\"task\":", "\"kind\":\"", "\"name\":\"",
        "\"group\":", "\"state\":\"", "\"n\":",    "\"total\":"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (!strstr(line, keys[k])) return 0;
    return strncmp(line, "{\"t\":", 5) == 0;
}

static void test_trace_json_lines(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_monitor_t *mon = am_monitor_new(loop, 16);
    FILE *f = tmpfile();
    assert_non_null(f);
    am_monitor_set_trace(mon, f);
    scen_t s;
    scenario(loop, &s);
    int odd = am_group_add(loop, "q\"b\\s");
    assert_true(odd > 0);
    am_task_id_t q = spawn(loop, odd, 0.5, 1, 0);
    tu_run_idle(&e->uv);
    am_monitor_set_trace(mon, NULL); /* stops the trace */
    spawn(loop, 0, 1.0, 1, 0);
    tu_run_idle(&e->uv);

    uint64_t total = 0;
    for (int t = 0; t < AM_EV_NTYPES; t++)
        total += am_monitor_events(mon, (am_event_type_t)t);
    rewind(f);
    char line[1024];
    size_t lines = 0;
    int saw_first = 0, saw_fail = 0, saw_node = 0, saw_deadline = 0, saw_escaped = 0;
    char want_node[128];
    snprintf(want_node, sizeof want_node,
             "\"ev\":\"node_end\",\"task\":%u,\"kind\":\"gather\",\"name\":\"gather#%u\"", s.gather,
             s.gather);
    char want_q[64];
    snprintf(want_q, sizeof want_q, "\"task\":%u,\"kind\":\"sleep\",\"name\":\"q\\\"b\\\\s-1\"", q);
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        assert_true(len > 0 && line[len - 1] == '\n');
        line[len - 1] = '\0';
        assert_true(json_line_ok(line));
        lines++;
        if (lines == 1 &&
            strcmp(line, "{\"t\":0.000000,\"ev\":\"created\",\"task\":1,\"kind\":\"sleep\","
                         "\"name\":\"io-1\",\"group\":1,\"state\":\"pending\",\"n\":0,"
                         "\"total\":1}") == 0)
            saw_first = 1;
        if (strcmp(line, "{\"t\":2.000000,\"ev\":\"ended\",\"task\":2,\"kind\":\"sleep\","
                         "\"name\":\"io-2\",\"group\":1,\"state\":\"failed\",\"n\":0,"
                         "\"total\":1,\"error\":\"AM_EIO\"}") == 0)
            saw_fail = 1;
        if (strstr(line, want_node)) saw_node = 1;
        if (strstr(line, "\"ev\":\"deadline\"")) saw_deadline = 1;
        if (strstr(line, want_q)) saw_escaped = 1;
    }
    fclose(f);
    /* one line per event seen while the trace was on (the last task's 3 are not) */
    assert_int_equal(lines, total - 3);
    assert_true(saw_first);
    assert_true(saw_fail);
    assert_true(saw_node);
    assert_true(saw_deadline);
    assert_true(saw_escaped);
    am_monitor_free(mon);
}

static void test_event_json_truncation(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    am_task_id_t t = spawn(loop, 0, 1.0, 1, AM_ETASKFAIL);
    tu_run_idle(&e->uv);
    am_event_t ev = {AM_EV_ENDED, t, AM_KIND_SLEEP, AM_TASK_FAILED, 0,
                     0,           1, AM_ETASKFAIL,  S(1.0),         0};
    char full[512];
    int n = am_event_json(loop, &ev, full, sizeof full);
    assert_int_equal(n, (int)strlen(full));
    assert_string_equal(full, "{\"t\":1.000000,\"ev\":\"ended\",\"task\":1,\"kind\":\"sleep\","
                              "\"name\":\"tasks-1\",\"group\":0,\"state\":\"failed\",\"n\":0,"
                              "\"total\":1,\"error\":\"AM_ETASKFAIL\"}");
    /* like snprintf: the return is the whole length, the buffer a terminated prefix */
    char small[16];
    assert_int_equal(am_event_json(loop, &ev, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    char tiny[1] = {'x'};
    assert_int_equal(am_event_json(loop, &ev, tiny, sizeof tiny), n);
    assert_int_equal(tiny[0], '\0');
    assert_int_equal(am_event_json(loop, &ev, NULL, 0), n);

    assert_string_equal(am_event_type_name(AM_EV_NODE_START), "node_start");
    assert_string_equal(am_event_type_name(AM_EV_NTYPES), "?");
}

static void test_check_can_fail(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    /* a monitor attached after tasks were created cannot account for them:
     * the check must say so, not let the counts wrap around to a fair sum */
    spawn(loop, 0, 1.0, 1, 0);
    spawn(loop, 0, 2.0, 1, 0);
    am_monitor_t *mon = am_monitor_new(loop, 4);
    tu_run_idle(&e->uv);
    char buf[256] = "";
    assert_int_equal(am_monitor_check(mon, buf, sizeof buf), AM_ESTATE);
    assert_true(strlen(buf) > 0);
    am_monitor_free(mon);
}

/* ---- 100,000 random tasks ---- */

#define RAND_TASKS  100000
#define RAND_WAVES  100
#define RAND_NGROUP 4
#define RAND_CAP    200000
#define RAND_WINDOW 3000

typedef struct rsleep_s {
    am_time_t duration;
    int fail;
    int64_t result;
    uint8_t under_wait_for; /* a wait_for may time it out */
} rsleep_t;

typedef struct rnode_s {
    uint8_t rexc;       /* gather */
    uint8_t rw;         /* wait */
    uint8_t timeout;    /* wait / as_completed / wait_for have one */
    uint8_t rearms;     /* wait */
    uint8_t watched;    /* a child of another node: never rearmed (see wait_returned) */
    uint32_t n;         /* as_completed: tasks given */
    am_task_id_t inner; /* wait_for, shield */
} rnode_t;

typedef struct world_s {
    am_loop_t *loop;
    am_monitor_t *mon;
    am_rng_t rng;
    int groups[RAND_NGROUP];
    rsleep_t *sleeps; /* by id */
    rnode_t *nodes;   /* by id */
    int wave;
    size_t spawned;
    size_t overflow;    /* ids past RAND_CAP */
    size_t checkpoints; /* checkpoints that disagreed with the table */
    size_t wait_broken; /* wait sets found inconsistent at a checkpoint */
    size_t checks;
} world_t;

static world_t *g_world; /* callouts carry ids; the world is one per test */

static uint64_t rnd(world_t *w, uint64_t n)
{
    return am_rng_next(&w->rng) % n;
}

static am_task_id_t rspawn(world_t *w, am_time_t max_dur)
{
    am_sleep_spec_t spec = {(am_time_t)rnd(w, (uint64_t)max_dur + 1), 1 + (uint32_t)rnd(w, 4), 0,
                            (int64_t)am_rng_next(&w->rng)};
    if (rnd(w, 10) == 0) spec.fail = rnd(w, 2) ? AM_EIO : AM_ETASKFAIL;
    am_task_id_t id = am_spawn_sleep(w->loop, (uint16_t)w->groups[rnd(w, RAND_NGROUP)], &spec);
    if (!id) return 0;
    if (id >= RAND_CAP) {
        w->overflow++;
        return id;
    }
    w->sleeps[id] = (rsleep_t){spec.duration, spec.fail, spec.result, 0};
    w->spawned++;
    return id;
}

/* Wait sets must be consistent while waiting: done ended, pending not. */
static int wait_sets_ok(const am_loop_t *loop, am_task_id_t id)
{
    const am_task_id_t *d = NULL, *p = NULL;
    size_t nd = am_wait_done(loop, id, &d), np = am_wait_pending(loop, id, &p);
    for (size_t i = 0; i < nd; i++)
        if (!am_task_is_final(loop, d[i])) return 0;
    if (am_task_state(loop, id) != AM_TASK_RUNNING) return 1;
    for (size_t i = 0; i < np; i++)
        if (am_task_is_final(loop, p[i])) return 0;
    return 1;
}

static void checkpoint(world_t *w)
{
    w->checks++;
    if (!monitor_matches_table(w->mon, w->loop)) w->checkpoints++;
    for (am_task_id_t id = 1; id <= am_task_count(w->loop); id++)
        if (am_task_kind(w->loop, id) == AM_KIND_WAIT && !wait_sets_ok(w->loop, id) &&
            w->wait_broken++ == 0)
            print_error("wait %u (%s) at %lld: a done task running or a pending one ended\n", id,
                        am_task_state_name(am_task_state(w->loop, id)),
                        (long long)am_loop_now(w->loop));
}

static void rearm_later(am_loop_t *loop, void *data)
{
    world_t *w = g_world;
    am_task_id_t id = (am_task_id_t)(uintptr_t)data;
    if (w->nodes[id].watched) return;
    am_task_id_t add[2];
    size_t nadd = (size_t)rnd(w, 3);
    for (size_t i = 0; i < nadd; i++)
        add[i] = rspawn(w, S(1.0));
    am_time_t timeout = rnd(w, 2) ? AM_NO_TIMEOUT : (am_time_t)rnd(w, S(1.0));
    am_wait_rearm(loop, id, add, nadd, timeout); /* EINVAL when empty, ESTATE if cancelled */
}

/* A rearmed wait goes from done back to running: a node watching it would see
 * its "final" state undone. So only waits nobody else watches are rearmed, as
 * in asyncio where each `await wait(...)` is a new awaitable. */
static void wait_returned(am_loop_t *loop, am_task_id_t id, void *data)
{
    world_t *w = data;
    if (id >= RAND_CAP || w->nodes[id].rearms >= 5 || w->nodes[id].watched) return;
    uint64_t r = rnd(w, 3);
    if (r == 0) return;
    w->nodes[id].rearms++;
    if (r == 1) {
        rearm_later(loop, (void *)(uintptr_t)id); /* the usual loop: rearm at once */
    } else {
        am_time_t when = am_loop_now(loop) + (am_time_t)rnd(w, S(1.0));
        am_loop_call_at(loop, when, rearm_later, (void *)(uintptr_t)id);
    }
}

static void pick(world_t *w, am_task_id_t *out, size_t k)
{
    am_task_id_t hi = (am_task_id_t)am_task_count(w->loop);
    am_task_id_t lo = hi > RAND_WINDOW ? hi - RAND_WINDOW : 1;
    for (size_t i = 0; i < k; i++) {
        int dup;
        do {
            out[i] = lo + (am_task_id_t)rnd(w, hi - lo + 1);
            dup = 0;
            for (size_t j = 0; j < i; j++)
                dup |= out[j] == out[i];
        } while (dup);
        if (out[i] < RAND_CAP) w->nodes[out[i]].watched = 1;
    }
}

static void make_node(world_t *w)
{
    am_loop_t *loop = w->loop;
    am_task_id_t ids[6];
    size_t k = 1 + (size_t)rnd(w, 6);
    pick(w, ids, k);
    rnode_t info = {0};
    am_task_id_t node = 0;
    am_time_t timeout = rnd(w, 2) ? AM_NO_TIMEOUT : (am_time_t)rnd(w, S(2.0));
    info.timeout = timeout != AM_NO_TIMEOUT;
    switch (rnd(w, 6)) {
    case 0:
        info.rexc = (uint8_t)rnd(w, 2);
        node = am_gather(loop, ids, k, info.rexc, NULL, NULL);
        break;
    case 1:
        info.rw = (uint8_t)rnd(w, 3);
        node = am_wait(loop, ids, k, (am_return_when_t)info.rw, timeout, wait_returned, w);
        break;
    case 2:
        info.n = (uint32_t)k;
        node = am_as_completed(loop, ids, k, timeout, NULL, NULL, NULL);
        break;
    case 3:
        info.inner = ids[0];
        node = am_wait_for(loop, ids[0], timeout, NULL, NULL);
        if (ids[0] < RAND_CAP && timeout != AM_NO_TIMEOUT) w->sleeps[ids[0]].under_wait_for = 1;
        break;
    case 4:
        info.inner = ids[0];
        node = am_shield(loop, ids[0]);
        break;
    default:
        node = am_taskgroup(loop, NULL, NULL);
        for (size_t i = 0; i < k; i++)
            am_taskgroup_add(loop, node, ids[i]); /* may refuse */
        am_taskgroup_close(loop, node);
        break;
    }
    if (!node) return;
    if (node >= RAND_CAP) {
        w->overflow++;
        return;
    }
    w->nodes[node] = info;
    if (rnd(w, 10) == 0) {
        am_time_t when = am_loop_now(loop) + (am_time_t)rnd(w, S(2.0));
        am_loop_call_at(loop, when, cancel_cb, (void *)(uintptr_t)node);
    }
}

static void wave(am_loop_t *loop, void *data)
{
    world_t *w = data;
    for (size_t i = 0; i < RAND_TASKS / RAND_WAVES; i++) {
        am_task_id_t id = rspawn(w, S(3.0));
        if (!id) continue;
        uint64_t r = rnd(w, 60);
        if (r < 3) am_task_set_timeout(loop, id, (am_time_t)rnd(w, S(2.0)));
        if (r == 3) am_task_cancel(loop, id); /* before it starts */
        if (r == 4) {
            am_time_t when = am_loop_now(loop) + (am_time_t)rnd(w, S(3.0));
            am_loop_call_at(loop, when, cancel_cb, (void *)(uintptr_t)id);
        }
    }
    for (int i = 0; i < 30; i++)
        make_node(w);
    if (w->wave == 40) am_group_cancel(loop, (uint16_t)w->groups[1]);
    if (w->wave == 70) am_loop_cancel_all(loop);
    if (w->wave % 10 == 9) checkpoint(w);
    if (++w->wave < RAND_WAVES) am_loop_call_at(loop, am_loop_now(loop) + S(0.05), wave, w);
}

/* asyncio's rules for a node's outcome, from the final task table */
static int node_ok(const world_t *w, am_task_id_t id, char *why, size_t size)
{
    const am_loop_t *loop = w->loop;
    const rnode_t *info = &w->nodes[id];
    am_task_state_t st = am_task_state(loop, id);
    am_time_t end = am_task_ended(loop, id), start = am_task_started(loop, id);
    int err = am_task_error(loop, id);
    const am_task_id_t *kids = NULL;
    size_t n = 0;
    switch (am_task_kind(loop, id)) {
    case AM_KIND_GATHER: {
        n = am_gather_tasks(loop, id, &kids);
        am_time_t first_err = -1, last = start;
        for (size_t i = 0; i < n; i++) {
            am_time_t ke = am_task_ended(loop, kids[i]);
            if (ke > last) last = ke;
            if (am_task_error(loop, kids[i]) && (first_err < 0 || ke < first_err)) first_err = ke;
        }
        if (!info->rexc && first_err >= 0) {
            am_time_t when = first_err > start ? first_err : start;
            if (end != when || (st != AM_TASK_FAILED && st != AM_TASK_CANCELLED)) {
                snprintf(why, size, "gather: ended %s at %lld, first error at %lld",
                         am_task_state_name(st), (long long)end, (long long)when);
                return 0;
            }
            if (st == AM_TASK_FAILED) {
                int found = 0;
                for (size_t i = 0; i < n; i++)
                    found |= am_task_ended(loop, kids[i]) == first_err &&
                             am_task_error(loop, kids[i]) == err &&
                             am_task_state(loop, kids[i]) != AM_TASK_CANCELLED;
                if (!found) {
                    snprintf(why, size, "gather: failed with an error no child raised first");
                    return 0;
                }
            }
            return 1;
        }
        if (end != last || (st != AM_TASK_DONE && st != AM_TASK_CANCELLED)) {
            snprintf(why, size, "gather: ended %s at %lld, last child at %lld",
                     am_task_state_name(st), (long long)end, (long long)last);
            return 0;
        }
        return 1;
    }
    case AM_KIND_WAIT: {
        if (st == AM_TASK_CANCELLED) return 1;
        const am_task_id_t *p = NULL;
        size_t nd = am_wait_done(loop, id, &kids), np = am_wait_pending(loop, id, &p);
        int raised = 0;
        for (size_t i = 0; i < nd; i++) {
            am_task_state_t ks = am_task_state(loop, kids[i]);
            raised |= ks == AM_TASK_FAILED || ks == AM_TASK_TIMED_OUT;
            if (ks < AM_TASK_DONE) {
                snprintf(why, size, "wait: a task in the done set had not ended");
                return 0;
            }
        }
        int ok = st == AM_TASK_DONE;
        if (!am_wait_timed_out(loop, id)) {
            if (info->rw == AM_ALL_COMPLETED) ok &= np == 0;
            if (info->rw == AM_FIRST_COMPLETED) ok &= nd > 0;
            if (info->rw == AM_FIRST_EXCEPTION) ok &= raised || np == 0;
        } else {
            ok &= info->timeout || info->rearms > 0;
        }
        if (!ok) snprintf(why, size, "wait (%d): returned %zu done, %zu pending", info->rw, nd, np);
        return ok;
    }
    case AM_KIND_AS_COMPLETED: {
        size_t got = am_as_completed_order(loop, id, &kids);
        for (size_t i = 0; i < got; i++)
            if (!am_task_is_final(loop, kids[i])) return 0;
        int ok = st == AM_TASK_CANCELLED || (st == AM_TASK_DONE && got == info->n) ||
                 (st == AM_TASK_TIMED_OUT && info->timeout && got < info->n);
        if (!ok)
            snprintf(why, size, "as_completed: %s after %zu of %u", am_task_state_name(st), got,
                     info->n);
        return ok;
    }
    case AM_KIND_WAIT_FOR:
    case AM_KIND_SHIELD: {
        am_task_id_t in = info->inner;
        am_task_state_t is = am_task_state(loop, in);
        am_time_t ie = am_task_ended(loop, in);
        am_time_t when = ie > start ? ie : start;
        int ok = 1;
        if (st == AM_TASK_DONE)
            ok = is == AM_TASK_DONE && end == when &&
                 am_task_result(loop, id) == am_task_result(loop, in);
        else if (st == AM_TASK_FAILED)
            ok = is == AM_TASK_FAILED && end == when && err == am_task_error(loop, in);
        else if (am_task_kind(loop, id) == AM_KIND_WAIT_FOR && st == AM_TASK_TIMED_OUT)
            ok = info->timeout || is == AM_TASK_TIMED_OUT;
        else if (am_task_kind(loop, id) == AM_KIND_WAIT_FOR && st == AM_TASK_CANCELLED)
            ok = is == AM_TASK_CANCELLED && end == when;
        if (!ok)
            snprintf(why, size, "%s: %s, inner %s", am_task_kind_name(am_task_kind(loop, id)),
                     am_task_state_name(st), am_task_state_name(is));
        return ok;
    }
    case AM_KIND_TASKGROUP: {
        n = am_taskgroup_tasks(loop, id, &kids);
        int raised = 0, found = 0;
        for (size_t i = 0; i < n; i++) {
            am_task_state_t ks = am_task_state(loop, kids[i]);
            if (am_task_ended(loop, kids[i]) > end) {
                snprintf(why, size, "taskgroup ended before a child");
                return 0;
            }
            if (ks == AM_TASK_FAILED || ks == AM_TASK_TIMED_OUT) {
                raised = 1;
                found |= am_task_error(loop, kids[i]) == err;
            }
        }
        int ok = (st == AM_TASK_DONE && !raised) || (st == AM_TASK_FAILED && found) ||
                 st == AM_TASK_CANCELLED;
        if (!ok)
            snprintf(why, size, "taskgroup: %s, a child raised: %d", am_task_state_name(st),
                     raised);
        return ok;
    }
    default:
        return 0;
    }
}

static int sleep_ok(const world_t *w, am_task_id_t id, char *why, size_t size)
{
    const am_loop_t *loop = w->loop;
    const rsleep_t *info = &w->sleeps[id];
    am_task_state_t st = am_task_state(loop, id);
    am_time_t s = am_task_started(loop, id), e = am_task_ended(loop, id);
    am_time_t dl = am_task_deadline(loop, id);
    int ok = 1;
    switch (st) {
    case AM_TASK_DONE:
        ok = s >= 0 && e - s == info->duration && !info->fail &&
             am_task_result(loop, id) == info->result && (dl < 0 || e <= dl);
        break;
    case AM_TASK_FAILED:
        ok = s >= 0 && e - s == info->duration && am_task_error(loop, id) == info->fail;
        break;
    case AM_TASK_TIMED_OUT:
        ok = s >= 0 && ((dl >= 0 && e == dl) || info->under_wait_for);
        break;
    case AM_TASK_CANCELLED:
        ok = s < 0 || e - s <= info->duration;
        break;
    default:
        ok = 0;
    }
    if (!ok)
        snprintf(why, size, "task %u: %s, ran %lld..%lld for %lld, deadline %lld", id,
                 am_task_state_name(st), (long long)s, (long long)e, (long long)info->duration,
                 (long long)dl);
    return ok;
}

static void test_nothing_lost_random(void **state)
{
    tu_loop_t *e = *state;
    am_loop_t *loop = e->loop;
    world_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->loop = loop;
    w->sleeps = calloc(RAND_CAP, sizeof *w->sleeps);
    w->nodes = calloc(RAND_CAP, sizeof *w->nodes);
    assert_non_null(w->sleeps);
    assert_non_null(w->nodes);
    am_rng_seed(&w->rng, 20240601);
    g_world = w;
    static const char *const names[RAND_NGROUP] = {"tasks", "fetch", "parse", "store"};
    for (int g = 0; g < RAND_NGROUP; g++)
        w->groups[g] = am_group_add(loop, names[g]);
    assert_int_equal(am_loop_reserve(loop, RAND_TASKS), 0);
    w->mon = am_monitor_new(loop, 256);
    assert_non_null(w->mon);
    checker_t chk = {w->mon, loop, 0, 0, {0}, 0, 0, ""};
    am_monitor_set_listener(w->mon, check_event, &chk);

    assert_true(am_loop_call_at(loop, 0, wave, w) > 0);
    tu_run_idle(&e->uv);

    if (chk.failures) print_error("%s\n", chk.why);
    assert_int_equal(chk.failures, 0);
    assert_int_equal(w->overflow, 0);
    assert_int_equal(w->wave, RAND_WAVES);
    assert_int_equal(w->checks, RAND_WAVES / 10);
    assert_int_equal(w->checkpoints, 0);
    assert_int_equal(w->wait_broken, 0);
    assert_true(w->spawned >= RAND_TASKS);

    /* every task ended in exactly one final state; the monitor agrees */
    char why[256];
    assert_int_equal(am_monitor_check(w->mon, why, sizeof why), 0);
    assert_true(monitor_matches_table(w->mon, loop));
    const am_counts_t *k = am_monitor_counts(w->mon);
    assert_int_equal(k->created, w->spawned);
    assert_int_equal(am_monitor_ended(w->mon), w->spawned);
    assert_int_equal(k->by_state[AM_TASK_PENDING] + k->by_state[AM_TASK_RUNNING], 0);
    for (int s = AM_TASK_DONE; s < AM_TASK_NSTATES; s++)
        assert_true(k->by_state[s] > 0);
    assert_int_equal(am_monitor_events(w->mon, AM_EV_CREATED), w->spawned);
    assert_int_equal(am_monitor_events(w->mon, AM_EV_ENDED), w->spawned);
    uint64_t started = 0, nodes = 0, bad_nodes = 0, bad_sleeps = 0;
    for (am_task_id_t id = 1; id <= am_task_count(loop); id++) {
        assert_true(am_task_is_final(loop, id));
        if (am_task_is_node(loop, id)) {
            nodes++;
            if (!node_ok(w, id, why, sizeof why) && bad_nodes++ == 0)
                print_error("node %u: %s\n", id, why);
        } else {
            started += am_task_started(loop, id) >= 0;
            if (!sleep_ok(w, id, why, sizeof why) && bad_sleeps++ == 0) print_error("%s\n", why);
        }
    }
    assert_int_equal(bad_nodes, 0);
    assert_int_equal(bad_sleeps, 0);
    assert_int_equal(am_monitor_events(w->mon, AM_EV_STARTED), started);
    uint64_t nodes_ended = 0;
    assert_int_equal(am_monitor_nodes(w->mon, &nodes_ended), nodes);
    assert_true(nodes_ended >= nodes); /* a rearmed wait ends more than once */
    am_loop_stats_t st;
    am_loop_stats(loop, &st);
    assert_int_equal(st.heap_len, 0);

    am_monitor_free(w->mon);
    free(w->sleeps);
    free(w->nodes);
    free(w);
    g_world = NULL;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tu_loop_setup, tu_loop_teardown)
    const struct CMUnitTest tests[] = {
        T(test_counts_add_up_at_every_step),
        T(test_group_meters),
        T(test_wait_on_show),
        T(test_event_log_ring),
        T(test_event_log_no_wrap_and_none),
        T(test_trace_json_lines),
        T(test_event_json_truncation),
        T(test_check_can_fail),
        T(test_nothing_lost_random),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
