/* monitor.c — folds runtime events into counts, meters, a log and a trace.
 *
 * Each event costs O(1): a few counter updates and one ring-buffer store.
 * Nothing here allocates per event; the group table grows only when a new
 * group appears. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "asyncmon/combinators.h"
#include "asyncmon/monitor.h"

struct am_monitor_s {
    am_loop_t *loop;
    am_counts_t counts;
    am_group_meter_t *groups; /* owned */
    size_t ngroups;
    am_rate_t rate;
    uint64_t nodes, nodes_ended; /* nodes created; node completions (a rearmed wait: each) */
    am_task_id_t last_node;
    uint64_t by_type[AM_EV_NTYPES];
    am_task_id_t wait;
    am_event_t *log; /* owned ring */
    size_t log_cap, log_len, log_head;
    FILE *trace;
    am_observer_fn listener;
    void *listener_ctx;
};

static const char *const type_names[AM_EV_NTYPES] = {"created",     "started",  "progress", "ended",
                                                     "node_start",  "node_end", "deadline", "slow",
                                                     "serve_start", "serve_end"};

const char *am_event_type_name(am_event_type_t t)
{
    return (unsigned)t < AM_EV_NTYPES ? type_names[t] : "?";
}

static am_group_meter_t *group(am_monitor_t *mon, uint16_t g)
{
    if (g >= mon->ngroups) {
        size_t n = (size_t)g + 1;
        am_group_meter_t *p = realloc(mon->groups, n * sizeof *p);
        if (!p) return NULL;
        for (size_t i = mon->ngroups; i < n; i++) {
            memset(&p[i], 0, sizeof p[i]);
            p[i].first_start = -1;
            p[i].last_end = -1;
            am_rate_init(&p[i].rate, 0.3);
        }
        mon->groups = p;
        mon->ngroups = n;
    }
    return &mon->groups[g];
}

static void log_push(am_monitor_t *mon, const am_event_t *ev)
{
    if (!mon->log_cap) return;
    mon->log[mon->log_head] = *ev;
    mon->log_head = (mon->log_head + 1) % mon->log_cap;
    if (mon->log_len < mon->log_cap) mon->log_len++;
}

static void count_task(am_monitor_t *mon, const am_event_t *ev)
{
    am_group_meter_t *g = group(mon, ev->group);
    am_counts_t *c[2] = {&mon->counts, g ? &g->counts : NULL};
    for (int i = 0; i < 2; i++) {
        if (!c[i]) continue;
        switch (ev->type) {
        case AM_EV_CREATED:
            c[i]->created++;
            c[i]->by_state[AM_TASK_PENDING]++;
            break;
        case AM_EV_STARTED:
            c[i]->by_state[AM_TASK_PENDING]--;
            c[i]->by_state[AM_TASK_RUNNING]++;
            break;
        case AM_EV_PROGRESS:
            c[i]->progress++;
            break;
        case AM_EV_ENDED: {
            /* a task cancelled before it started ends from pending */
            am_time_t started = am_task_started(mon->loop, ev->task);
            c[i]->by_state[started >= 0 ? AM_TASK_RUNNING : AM_TASK_PENDING]--;
            c[i]->by_state[ev->state]++;
            break;
        }
        default:
            break;
        }
    }
    if (!g) return;
    if (ev->type == AM_EV_STARTED && g->first_start < 0) g->first_start = ev->time;
    if (ev->type == AM_EV_ENDED) {
        g->last_end = ev->time;
        am_time_t started = am_task_started(mon->loop, ev->task);
        if (started >= 0) g->busy_seconds += AM_SECONDS(ev->time - started);
    }
#ifndef NDEBUG
    uint64_t sum = 0;
    for (int s = 0; s < AM_TASK_NSTATES; s++)
        sum += mon->counts.by_state[s];
    assert(sum == mon->counts.created && "nothing lost: states add up to tasks created");
#endif
}

static void observe(void *ctx, const am_event_t *ev)
{
    am_monitor_t *mon = ctx;
    mon->by_type[ev->type]++;
    if (!AM_KIND_IS_NODE(ev->kind)) {
        count_task(mon, ev);
    } else if (ev->type == AM_EV_NODE_START) {
        /* ids grow with creation and a node reports its start when created,
         * so a higher id is a new node; a lower one is a wait being rearmed */
        if (ev->task > mon->last_node) {
            mon->last_node = ev->task;
            mon->nodes++;
        }
        if (ev->kind == AM_KIND_WAIT) mon->wait = ev->task;
    } else if (ev->type == AM_EV_NODE_END) {
        mon->nodes_ended++;
    }
    /* progress steps are too many to log usefully; the bars show them */
    if (ev->type != AM_EV_PROGRESS) log_push(mon, ev);
    if (mon->trace) {
        char line[512];
        int n = am_event_json(mon->loop, ev, line, sizeof line);
        if (n > 0) {
            fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, mon->trace);
            fputc('\n', mon->trace);
        }
    }
    if (mon->listener) mon->listener(mon->listener_ctx, ev);
}

am_monitor_t *am_monitor_new(am_loop_t *loop, size_t log_capacity)
{
    am_monitor_t *mon = calloc(1, sizeof *mon);
    if (!mon) return NULL;
    mon->loop = loop;
    mon->log_cap = log_capacity;
    if (log_capacity && !(mon->log = calloc(log_capacity, sizeof *mon->log))) {
        free(mon);
        return NULL;
    }
    am_rate_init(&mon->rate, 0.3);
    for (size_t g = 0; g < am_group_count(loop); g++)
        if (!group(mon, (uint16_t)g)) {
            am_monitor_free(mon);
            return NULL;
        }
    am_loop_set_observer(loop, observe, mon);
    /* loop statistics: lag sampled every 100 ms of real time (fails only when already on) */
    am_loop_health_start(loop, 100);
    return mon;
}

void am_monitor_free(am_monitor_t *mon)
{
    if (!mon) return;
    am_loop_set_observer(mon->loop, NULL, NULL);
    free(mon->groups);
    free(mon->log);
    free(mon);
}

void am_monitor_set_trace(am_monitor_t *mon, FILE *f)
{
    mon->trace = f;
}

void am_monitor_set_listener(am_monitor_t *mon, am_observer_fn fn, void *ctx)
{
    mon->listener = fn;
    mon->listener_ctx = ctx;
}

const am_counts_t *am_monitor_counts(const am_monitor_t *mon)
{
    return &mon->counts;
}

uint64_t am_monitor_ended(const am_monitor_t *mon)
{
    const uint64_t *s = mon->counts.by_state;
    return s[AM_TASK_DONE] + s[AM_TASK_FAILED] + s[AM_TASK_CANCELLED] + s[AM_TASK_TIMED_OUT];
}

static uint64_t ended_of(const am_counts_t *c)
{
    return c->by_state[AM_TASK_DONE] + c->by_state[AM_TASK_FAILED] +
           c->by_state[AM_TASK_CANCELLED] + c->by_state[AM_TASK_TIMED_OUT];
}

size_t am_monitor_ngroups(const am_monitor_t *mon)
{
    return mon->ngroups;
}

const am_group_meter_t *am_monitor_group(const am_monitor_t *mon, size_t g)
{
    return g < mon->ngroups ? &mon->groups[g] : NULL;
}

const am_rate_t *am_monitor_rate(const am_monitor_t *mon)
{
    return &mon->rate;
}

void am_monitor_sample(am_monitor_t *mon, am_time_t now)
{
    double t = AM_SECONDS(now);
    am_rate_update(&mon->rate, (double)ended_of(&mon->counts), t);
    for (size_t g = 0; g < mon->ngroups; g++)
        am_rate_update(&mon->groups[g].rate, (double)ended_of(&mon->groups[g].counts), t);
}

uint64_t am_monitor_nodes(const am_monitor_t *mon, uint64_t *ended)
{
    if (ended) *ended = mon->nodes_ended;
    return mon->nodes;
}

am_task_id_t am_monitor_wait(const am_monitor_t *mon)
{
    return mon->wait;
}

uint64_t am_monitor_events(const am_monitor_t *mon, am_event_type_t type)
{
    return (unsigned)type < AM_EV_NTYPES ? mon->by_type[type] : 0;
}

size_t am_monitor_log_len(const am_monitor_t *mon)
{
    return mon->log_len;
}

const am_event_t *am_monitor_log_get(const am_monitor_t *mon, size_t i)
{
    if (i >= mon->log_len) return NULL;
    size_t idx = (mon->log_head + mon->log_cap - 1 - i) % mon->log_cap;
    return &mon->log[idx];
}

static int check_counts(const am_counts_t *c, const char *what, char *buf, size_t size)
{
    uint64_t sum = 0;
    for (int s = 0; s < AM_TASK_NSTATES; s++) {
        /* a count taken below zero wraps, and the sum can still come out right */
        if (c->by_state[s] > c->created) {
            snprintf(buf, size, "%s: %llu tasks %s, but %llu were created", what,
                     (unsigned long long)c->by_state[s], am_task_state_name((am_task_state_t)s),
                     (unsigned long long)c->created);
            return AM_ESTATE;
        }
        sum += c->by_state[s];
    }
    if (sum == c->created) return 0;
    snprintf(buf, size, "%s: states add up to %llu, but %llu tasks were created", what,
             (unsigned long long)sum, (unsigned long long)c->created);
    return AM_ESTATE;
}

int am_monitor_check(const am_monitor_t *mon, char *buf, size_t size)
{
    if (check_counts(&mon->counts, "all groups", buf, size)) return AM_ESTATE;
    am_counts_t sum = {0};
    for (size_t g = 0; g < mon->ngroups; g++) {
        const am_counts_t *c = &mon->groups[g].counts;
        if (check_counts(c, am_group_name(mon->loop, (uint16_t)g), buf, size)) return AM_ESTATE;
        sum.created += c->created;
        for (int s = 0; s < AM_TASK_NSTATES; s++)
            sum.by_state[s] += c->by_state[s];
    }
    if (sum.created != mon->counts.created) {
        snprintf(buf, size, "groups hold %llu tasks, the total is %llu",
                 (unsigned long long)sum.created, (unsigned long long)mon->counts.created);
        return AM_ESTATE;
    }
    if (size) buf[0] = '\0';
    return 0;
}

int am_event_json(const am_loop_t *loop, const am_event_t *ev, char *buf, size_t size)
{
    char name[64];
    am_task_name(loop, ev->task, name, sizeof name);
    /* names and group names are [A-Za-z0-9_.-] (see am_group_add callers) but escape anyway */
    char esc[2 * sizeof name];
    size_t j = 0;
    for (const char *p = name; *p && j + 2 < sizeof esc; p++) {
        if (*p == '"' || *p == '\\') esc[j++] = '\\';
        esc[j++] = (unsigned char)*p < 0x20 ? '?' : *p;
    }
    esc[j] = '\0';
    int n = snprintf(buf, size,
                     "{\"t\":%.6f,\"ev\":\"%s\",\"task\":%u,\"kind\":\"%s\",\"name\":\"%s\","
                     "\"group\":%u,\"state\":\"%s\",\"n\":%u,\"total\":%u",
                     AM_SECONDS(ev->time), am_event_type_name(ev->type), ev->task,
                     am_task_kind_name(ev->kind), esc, ev->group, am_task_state_name(ev->state),
                     ev->n, ev->total);
    if (n < 0) return n;
    /* the tail counts even when it does not fit: the return is snprintf's */
    size_t off = (size_t)n < size ? (size_t)n : size;
    char *tail = buf ? buf + off : NULL;
    int m;
    if (ev->err)
        m = snprintf(tail, size - off, ",\"error\":\"%s\"}", am_err_name(ev->err));
    else
        m = snprintf(tail, size - off, "}");
    return m < 0 ? m : n + m;
}

size_t am_monitor_nobjects(const am_monitor_t *mon)
{
    return am_obj_count(mon->loop);
}

int am_monitor_object(const am_monitor_t *mon, int id, am_obj_info_t *out)
{
    return am_obj_info(mon->loop, id, out);
}

int am_monitor_queue(am_monitor_t *mon, int id, am_queue_stats_t *out)
{
    return am_queue_stats(mon->loop, id, out);
}

void am_monitor_health(const am_monitor_t *mon, am_loop_health_t *out)
{
    am_loop_health(mon->loop, out);
}
