/* program.c — simulated coroutines: a task runs a short list of steps.
 *
 * The interpreter runs a task's steps from its program counter until one
 * suspends it (a sleep, a wait on a primitive or queue, real work) and
 * leaves it there; whoever ends the suspension resumes it at the current
 * instant. When a task ends early (cancelled, timed out, failed) it leaves
 * any wait and releases the permits and locks it holds, as `async with`
 * blocks do on the way out. What it holds is derived from the steps before
 * its program counter, so it costs no memory per task. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/objects.h"

/* Steps run in one go before a task that never suspends yields the loop.
 * The loop runs up to 20000 entries in a batch before its other handles get
 * a turn (loop.c), so this bounds a batch of busy tasks to ~1.3M steps:
 * milliseconds, where 1000 made it a tenth of a second or more. */
#define STEP_BUDGET 64

static const char *const op_names[AM_OP_NKINDS] = {
    "sleep", "cpu",       "executor", "acquire",   "release", "lock",       "unlock",
    "wait",  "set",       "clear",    "cond_wait", "notify",  "notify_all", "put",
    "get",   "task_done", "join",     "fail",      "run",     "serve"};

const char *am_op_name(am_op_kind_t k)
{
    return (unsigned)k < AM_OP_NKINDS ? op_names[k] : "?";
}

void am_loop_seed(am_loop_t *loop, uint64_t seed)
{
    am_rng_seed(&loop->rng, seed);
}

void am_loop_set_kill_grace(am_loop_t *loop, double seconds)
{
    if (seconds >= 0) loop->kill_grace = seconds;
}

/* ---- program table ---- */

void am_program_ops_free(am_op_t *ops, size_t nops)
{
    for (size_t i = 0; i < nops; i++) {
        if (!ops[i].argv) continue;
        for (char **a = ops[i].argv; *a; a++)
            free(*a);
        free(ops[i].argv);
        ops[i].argv = NULL;
    }
}

int am_program_new(am_loop_t *loop, const am_op_t *ops, size_t nops, uint32_t repeat)
{
    if (nops == 0 || nops > AM_PROGRAM_MAX_OPS) return AM_EINVAL;
    if (loop->nprogs + 1 >= UINT16_MAX) return AM_ELIMIT;
    if (loop->nprogs + 1 >= loop->prog_cap) {
        uint32_t cap = loop->prog_cap ? loop->prog_cap * 2 : 8;
        am_program_t *p = realloc(loop->progs, (size_t)cap * sizeof *p);
        if (!p) return AM_ENOMEM;
        loop->progs = p;
        loop->prog_cap = cap;
    }
    am_op_t *copy = calloc(nops, sizeof *copy);
    if (!copy) return AM_ENOMEM;
    for (size_t i = 0; i < nops; i++) {
        copy[i] = ops[i];
        copy[i].argv = NULL;
        size_t argc = 0;
        while (ops[i].argv && ops[i].argv[argc])
            argc++;
        if (!argc) continue;
        copy[i].argv = calloc(argc + 1, sizeof *copy[i].argv);
        for (size_t a = 0; copy[i].argv && a < argc; a++)
            if (!(copy[i].argv[a] = strdup(ops[i].argv[a]))) break;
        if (!copy[i].argv || !copy[i].argv[argc - 1]) {
            am_program_ops_free(copy, i + 1);
            free(copy);
            return AM_ENOMEM;
        }
    }
    int id = (int)++loop->nprogs;
    loop->progs[id] = (am_program_t){.ops = copy, .nops = (uint32_t)nops, .repeat = repeat};
    return id;
}

void am__programs_free(am_loop_t *loop)
{
    for (uint32_t i = 1; i <= loop->nprogs; i++) {
        am_program_ops_free(loop->progs[i].ops, loop->progs[i].nops);
        free(loop->progs[i].ops);
    }
    free(loop->progs);
    loop->progs = NULL;
    loop->nprogs = loop->prog_cap = 0;
}

size_t am_program_ops(const am_loop_t *loop, int program, const am_op_t **ops)
{
    if (program <= 0 || (uint32_t)program > loop->nprogs) return 0;
    *ops = loop->progs[program].ops;
    return loop->progs[program].nops;
}

size_t am_program_step_counts(const am_loop_t *loop, int program, const uint32_t **at,
                              const uint32_t **waiting)
{
    if (program <= 0 || (uint32_t)program > loop->nprogs) return 0;
    if (at) *at = loop->progs[program].at;
    if (waiting) *waiting = loop->progs[program].waiting;
    return loop->progs[program].nops;
}

/* ---- the counts per step (am_program_step_counts) ----
 * A task counts from its start to its end: at[pc] always, waiting[pc] while
 * AM_TF_WAITING is set. Every change of pc or of that flag goes through the
 * helpers below; an ended task keeps its flag but no longer counts. */

static int counted(const am_task_t *t)
{
    return t->kind == AM_KIND_PROGRAM && t->state == AM_TASK_RUNNING;
}

static void set_pc(am_loop_t *loop, am_task_t *t, uint32_t pc)
{
    if (counted(t)) {
        am_program_t *p = &loop->progs[t->prog];
        p->at[t->pc]--;
        p->at[pc]++;
    }
    t->pc = (uint8_t)pc;
}

/* Clear the waiting flags (and AM_TF_REACQUIRE with them). */
static void unwait(am_loop_t *loop, am_task_t *t)
{
    if ((t->flags & AM_TF_WAITING) && counted(t)) loop->progs[t->prog].waiting[t->pc]--;
    t->flags &= (uint8_t) ~(AM_TF_WAITING | AM_TF_REACQUIRE);
}

void am__program_wait(am_loop_t *loop, am_task_id_t id, int obj)
{
    am_task_t *t = am__task(loop, id);
    if (!(t->flags & AM_TF_WAITING) && counted(t)) loop->progs[t->prog].waiting[t->pc]++;
    t->flags |= AM_TF_WAITING;
    t->obj = (uint32_t)obj;
}

void am__program_ended(am_loop_t *loop, am_task_t *t)
{
    if (!counted(t)) return;
    am_program_t *p = &loop->progs[t->prog];
    p->at[t->pc]--;
    if (t->flags & AM_TF_WAITING) p->waiting[t->pc]--;
}

int am_task_program(const am_loop_t *loop, am_task_id_t id, int *program, uint32_t *pc)
{
    if (!am_task_valid(loop, id) || loop->tasks[id].kind != AM_KIND_PROGRAM) return AM_EINVAL;
    if (program) *program = loop->tasks[id].prog;
    if (pc) *pc = loop->tasks[id].pc;
    return 0;
}

am_task_id_t am_spawn_program(am_loop_t *loop, uint16_t group, int program)
{
    if (program <= 0 || (uint32_t)program > loop->nprogs || group >= loop->ngroups) return 0;
    am_task_id_t id = am__task_new(loop, AM_KIND_PROGRAM, group);
    if (!id) return 0;
    am_task_t *t = am__task(loop, id);
    t->prog = (uint16_t)program;
    t->total = loop->progs[program].repeat; /* iterations; 0: unknown (until cancelled) */
    t->aux = loop->groups[group].spawned++;
    loop->live++;
    am__emit(loop, AM_EV_CREATED, id, 0);
    if (am__schedule_start(loop, id) != 0) {
        /* no room to start it: it never runs */
        am__end(loop, id, AM_TASK_CANCELLED, AM_ENOMEM);
        return 0;
    }
    return id;
}

/* ---- running ---- */

static const am_op_t *op_at(const am_loop_t *loop, const am_task_t *t)
{
    return &loop->progs[t->prog].ops[t->pc];
}

/* Real CPU work on the loop thread: nothing else runs meanwhile. */
static void busy(double seconds)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < seconds);
}

/* One step. 1: go on; 0: suspended; < 0: the step raised. */
static int step(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    const am_op_t *op = op_at(loop, t);
    switch (op->kind) {
    case AM_OP_SLEEP: {
        am_time_t d = AM_USEC(am_dist_sample(&op->dist, &loop->rng));
        t->duration = am__now(loop) + d; /* the wake-up time */
        am__schedule_task(loop, id, -1);
        return 0;
    }
    case AM_OP_CPU:
        busy(am_dist_sample(&op->dist, &loop->rng));
        return 1;
    case AM_OP_EXECUTOR:
    case AM_OP_RUN: {
        int rc = am__external_start(loop, id, op, am_dist_sample(&op->dist, &loop->rng));
        return rc < 0 ? rc : 0;
    }
    case AM_OP_ACQUIRE:
        return am__sem_acquire(loop, id, op->obj);
    case AM_OP_RELEASE:
        return am__sem_release(loop, op->obj);
    case AM_OP_LOCK:
        return am__lock_acquire(loop, id, op->obj);
    case AM_OP_UNLOCK:
        return am__lock_release(loop, id, op->obj);
    case AM_OP_WAIT:
        return am__event_wait(loop, id, op->obj);
    case AM_OP_SET:
        return am_event_set(loop, op->obj) < 0 ? AM_EINVAL : 1;
    case AM_OP_CLEAR:
        return am_event_clear(loop, op->obj) < 0 ? AM_EINVAL : 1;
    case AM_OP_COND_WAIT:
        return am__cond_wait(loop, id, op->obj);
    case AM_OP_NOTIFY:
        return am__cond_notify(loop, id, op->obj, op->n);
    case AM_OP_NOTIFY_ALL:
        return am__cond_notify(loop, id, op->obj, UINT32_MAX);
    case AM_OP_PUT:
        if (op->n) { /* `put q items DIST`: the drawn value is the item and its priority */
            int64_t v = am__item_sample(&op->dist, &loop->rng);
            return am__queue_put(loop, id, op->obj, v, v);
        }
        return am__queue_put(loop, id, op->obj, id, (int64_t)am_dist_sample(&op->dist, &loop->rng));
    case AM_OP_GET:
        return am__queue_get(loop, id, op->obj);
    case AM_OP_SERVE:
        return am__serve_step(loop, id, op->obj);
    case AM_OP_TASK_DONE: {
        int rc = am_queue_task_done(loop, op->obj);
        if (rc == 0) am__serve_task_done(loop, id, op->obj);
        return rc < 0 ? rc : 1;
    }
    case AM_OP_JOIN:
        return am__queue_join(loop, id, op->obj);
    case AM_OP_FAIL:
        return op->p > 0 && am_rng_unit(&loop->rng) < op->p ? AM_ETASKFAIL : 1;
    default:
        return AM_EINVAL;
    }
}

/* Leave the wait a task is in (cancel or timeout): the object's count of
 * waiters drops now; its ring entry is skipped later. */
void am__obj_leave(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    if (!(t->flags & AM_TF_WAITING)) return;
    am_obj_t *o = &loop->objs[t->obj];
    const am_op_t *op = op_at(loop, t);
    am_ring_t *r = &o->waiters;
    if (op->kind == AM_OP_COND_WAIT && !(t->flags & AM_TF_REACQUIRE)) r = &o->cwaiters;
    if (op->kind == AM_OP_PUT) r = &o->q->putters;
    if (op->kind == AM_OP_JOIN) r = &o->q->joiners;
    if (r->live) r->live--;
    unwait(loop, t);
}

/* Release what the task holds: permits and locks taken by the steps before
 * its program counter in this iteration, minus those it gave back. */
void am__program_abort(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    if (t->kind != AM_KIND_PROGRAM) return;
    am__obj_leave(loop, id);
    am__serve_abort(loop, id); /* an item in hand is abandoned */
    const am_program_t *p = &loop->progs[t->prog];
    if (t->flags & AM_TF_HANDED) /* its get or put never completed */
        am__queue_handed_abort(loop, id, p->ops[t->pc - 1].obj, p->ops[t->pc - 1].kind);
    int held[AM_PROGRAM_MAX_OPS] = {0}; /* per step index of the acquiring step */
    for (uint32_t i = 0; i < t->pc && i < p->nops; i++) {
        const am_op_t *op = &p->ops[i];
        if (op->kind != AM_OP_RELEASE && op->kind != AM_OP_UNLOCK) {
            held[i] = op->kind == AM_OP_ACQUIRE || op->kind == AM_OP_LOCK;
            continue;
        }
        am_op_kind_t want = op->kind == AM_OP_RELEASE ? AM_OP_ACQUIRE : AM_OP_LOCK;
        for (uint32_t j = i; j-- > 0;) /* the latest matching acquire is given back */
            if (held[j] && p->ops[j].kind == want && p->ops[j].obj == op->obj) {
                held[j] = 0;
                break;
            }
    }
    int in_cond = (t->flags & AM_TF_IN_COND) != 0;
    int cond_obj = in_cond ? op_at(loop, t)->obj : 0;
    t->flags &= (uint8_t)~AM_TF_IN_COND;
    for (uint32_t i = t->pc; i-- > 0;) {
        if (!held[i]) continue;
        const am_op_t *op = &p->ops[i];
        if (op->kind == AM_OP_ACQUIRE) {
            am__sem_release(loop, op->obj);
        } else if (op->obj == cond_obj) {
            cond_obj = 0; /* inside cond.wait() the lock is not held */
        } else {
            am__lock_release(loop, id, op->obj);
        }
    }
}

static void end_with(am_loop_t *loop, am_task_id_t id, am_task_state_t st, int err)
{
    am__program_abort(loop, id);
    am__task(loop, id)->duration = -1;
    am__end(loop, id, st, err);
}

/* Run steps until the task suspends or ends. */
static void run(am_loop_t *loop, am_task_id_t id)
{
    for (int budget = STEP_BUDGET; budget > 0; budget--) {
        am_task_t *t = am__task(loop, id);
        const am_program_t *p = &loop->progs[t->prog];
        /* cancelled while it ran (by a side effect of its last step, such as
         * the task_done that lets the driver cancel its workers, or by an
         * observer): the entry am__cancel made delivers it before any other
         * step, as asyncio delivers it at the next await */
        if (t->flags & AM_TF_CANCEL_REQ) return;
        if (t->pc >= p->nops) { /* one iteration done */
            t->n++;
            set_pc(loop, t, 0);
            if ((p->repeat && t->n >= p->repeat) || am__serve_retiring(loop, id)) {
                am__end(loop, id, AM_TASK_DONE, (int64_t)t->n);
                return;
            }
            am__emit(loop, AM_EV_PROGRESS, id, 0);
            if (am__task(loop, id)->flags & AM_TF_CANCEL_REQ) return;
        }
        int rc = step(loop, id);
        t = am__task(loop, id);
        if (rc < 0) {
            end_with(loop, id, AM_TASK_FAILED, rc);
            return;
        }
        if (rc == 0) {
            /* suspended on a primitive, a queue or real work: its deadline
             * still has to fire while it waits (a sleep has armed it already) */
            if (t->duration < 0 && t->deadline >= 0) am__schedule_task(loop, id, -1);
            return;
        }
        set_pc(loop, t, t->pc + 1u);
    }
    /* let the rest of the loop run: at the clock's time, not at the instant
     * it was due, or in real time it would stay ahead of every later entry */
    am__schedule_task(loop, id, loop->dispatch_now);
}

void am__program_resume(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    unwait(loop, t);
    t->flags &= (uint8_t) ~(AM_TF_EXTERNAL | AM_TF_IN_COND);
    set_pc(loop, t, t->pc + 1u);
    t->duration = -1;
    am__schedule_task(loop, id, am__now(loop));
}

void am__program_dispatch(am_loop_t *loop, am_task_id_t id)
{
    am_task_t *t = am__task(loop, id);
    am_time_t now = loop->cur;
    if (t->flags & AM_TF_CANCEL_REQ) {
        int timeout = (t->flags & AM_TF_TIMEOUT) != 0;
        end_with(loop, id, timeout ? AM_TASK_TIMED_OUT : AM_TASK_CANCELLED,
                 timeout ? AM_ETIMEOUT : AM_ECANCELLED);
        return;
    }
    if (t->state == AM_TASK_PENDING) {
        t->state = AM_TASK_RUNNING;
        loop->progs[t->prog].at[t->pc]++; /* counted from now on (pc is 0) */
        t->start = now;
        t->duration = -1;
        am__emit(loop, AM_EV_STARTED, id, 0);
        if (t->deadline >= 0 && t->deadline <= now) {
            end_with(loop, id, AM_TASK_TIMED_OUT, AM_ETIMEOUT);
            return;
        }
        run(loop, id);
        return;
    }
    if (t->deadline >= 0 && now >= t->deadline && !(t->duration >= 0 && t->duration <= now)) {
        /* the deadline came first: asyncio.timeout cancels the task */
        t->flags |= AM_TF_TIMEOUT | AM_TF_CANCEL_REQ;
        if (t->flags & AM_TF_EXTERNAL) {
            am__external_cancel(loop, id); /* ends when the real work returns */
            return;
        }
        end_with(loop, id, AM_TASK_TIMED_OUT, AM_ETIMEOUT);
        return;
    }
    if (t->flags & (AM_TF_WAITING | AM_TF_EXTERNAL)) return; /* a stale entry */
    if (t->flags & AM_TF_HANDED) { /* let through a blocked get or put: complete it */
        const am_op_t *op = &loop->progs[t->prog].ops[t->pc - 1];
        am__queue_handed_run(loop, id, op->obj, op->kind);
    }
    if (t->duration >= 0) { /* a sleep ended, or a product was scanned */
        t->duration = -1;
        if (op_at(loop, t)->kind == AM_OP_SERVE)
            am__serve_scanned(loop, id); /* the step goes on with the next product */
        else
            set_pc(loop, t, t->pc + 1u);
    }
    run(loop, id);
}

/* ---- parsing ---- */

int am_loop_obj_lookup(void *ctx, const char *name, am_obj_kind_t *kind)
{
    const am_loop_t *loop = ctx;
    int id = am_obj_find(loop, name);
    if (id > 0) *kind = loop->objs[id].kind;
    return id;
}

static int kind_fits(am_obj_kind_t have, am_obj_kind_t want)
{
    return have == want || (want == AM_OBJ_SEMAPHORE && have == AM_OBJ_BOUNDED_SEMAPHORE) ||
           (want == AM_OBJ_LOCK && have == AM_OBJ_CONDITION);
}

static const char *section_of(am_obj_kind_t k)
{
    switch (k) {
    case AM_OBJ_QUEUE:
        return "queue";
    case AM_OBJ_EVENT:
        return "event";
    case AM_OBJ_LOCK:
        return "lock";
    case AM_OBJ_CONDITION:
        return "condition";
    default:
        return "semaphore";
    }
}

/* "an event", "a lock" */
static const char *article(am_obj_kind_t k)
{
    return strchr("aeiou", am_obj_kind_name(k)[0]) ? "an" : "a";
}

static int expect_obj(am_obj_lookup_fn lookup, void *ctx, const char *name, am_obj_kind_t want,
                      char *err, size_t errsize)
{
    am_obj_kind_t have = AM_OBJ_NKINDS;
    int id = lookup(ctx, name, &have);
    if (id > 0 && kind_fits(have, want)) return id;
    if (id > 0)
        snprintf(err, errsize, "\"%s\" is %s %s, expected %s %s", name, article(have),
                 am_obj_kind_name(have), article(want), am_obj_kind_name(want));
    else
        snprintf(err, errsize, "no %s named \"%s\" (declare it in a [%s.%s] section)",
                 am_obj_kind_name(want), name, section_of(want), name);
    return AM_EPARSE;
}

/* Split one step into words; quotes group words for `run`. */
static int split(char *s, char **w, int max)
{
    int n = 0;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s) break;
        if (n == max) return -1;
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            w[n++] = s;
            while (*s && *s != q)
                s++;
            if (!*s) return -2;
            *s++ = '\0';
        } else {
            w[n++] = s;
            while (*s && !isspace((unsigned char)*s))
                s++;
            if (*s) *s++ = '\0';
        }
    }
    return n;
}

static int parse_dist_words(const char *what, char **w, int n, am_dist_t *d, char *err,
                            size_t errsize)
{
    char buf[128] = "";
    for (int i = 0; i < n; i++) {
        if (strlen(buf) + strlen(w[i]) + 2 >= sizeof buf) break;
        if (i) strcat(buf, " ");
        strcat(buf, w[i]);
    }
    const char *why = NULL;
    if (n == 0 || am_dist_parse(buf, d, &why) != 0) {
        /* the scenario loader's wording for `duration`: "KEY: expected ..., got ..." */
        snprintf(err, errsize, "%s: %s, got \"%s\"", what,
                 why ? why
                     : "expected \"fixed S\", \"uniform MIN MAX\", \"exponential MEAN\" or "
                       "\"normal MEAN SD\"",
                 buf);
        return AM_EPARSE;
    }
    return 0;
}

static int parse_step(am_obj_lookup_fn lookup, void *ctx, char *text, am_op_t *op, char *err,
                      size_t errsize)
{
    char *w[64];
    char whole[160];                           /* fits in the caller's message */
    memset(op, 0, sizeof *op);                 /* the caller frees op's argv, even on an error */
    snprintf(whole, sizeof whole, "%s", text); /* split() cuts text up */
    int n = split(text, w, 64);
    if (n == -2) {
        snprintf(err, errsize, "unterminated quote in \"%s\"", whole);
        return AM_EPARSE;
    }
    if (n == -1) {
        snprintf(err, errsize, "too many words (at most 64)");
        return AM_EPARSE;
    }
    if (n == 0) {
        snprintf(err, errsize, "empty step");
        return AM_EPARSE;
    }
    int k;
    for (k = 0; k < AM_OP_NKINDS; k++)
        if (strcmp(w[0], op_names[k]) == 0) break;
    if (k == AM_OP_NKINDS) {
        snprintf(err, errsize,
                 "unknown step \"%s\"; expected sleep, cpu, executor, acquire, release, lock, "
                 "unlock, wait, set, clear, cond_wait, notify, notify_all, put, get, task_done, "
                 "join, fail, run or serve",
                 w[0]);
        return AM_EPARSE;
    }
    op->kind = (am_op_kind_t)k;
    static const am_obj_kind_t obj_kind[AM_OP_NKINDS] = {
        [AM_OP_ACQUIRE] = AM_OBJ_SEMAPHORE, [AM_OP_RELEASE] = AM_OBJ_SEMAPHORE,
        [AM_OP_LOCK] = AM_OBJ_LOCK,         [AM_OP_UNLOCK] = AM_OBJ_LOCK,
        [AM_OP_WAIT] = AM_OBJ_EVENT,        [AM_OP_SET] = AM_OBJ_EVENT,
        [AM_OP_CLEAR] = AM_OBJ_EVENT,       [AM_OP_COND_WAIT] = AM_OBJ_CONDITION,
        [AM_OP_NOTIFY] = AM_OBJ_CONDITION,  [AM_OP_NOTIFY_ALL] = AM_OBJ_CONDITION,
        [AM_OP_PUT] = AM_OBJ_QUEUE,         [AM_OP_GET] = AM_OBJ_QUEUE,
        [AM_OP_TASK_DONE] = AM_OBJ_QUEUE,   [AM_OP_JOIN] = AM_OBJ_QUEUE,
        [AM_OP_SERVE] = AM_OBJ_QUEUE};
    switch (op->kind) {
    case AM_OP_SLEEP:
    case AM_OP_CPU:
    case AM_OP_EXECUTOR:
        return parse_dist_words(w[0], w + 1, n - 1, &op->dist, err, errsize);
    case AM_OP_FAIL: {
        const char *end = "";
        op->p = 1.0;
        /* am_parse_number: "0.5" whatever the locale (the TUI sets one) */
        if (n == 2 && am_parse_number(w[1], &op->p, &end) != 0) end = "?";
        if (n > 2 || (n == 2 && (*end || !(op->p >= 0 && op->p <= 1)))) {
            snprintf(err, errsize, "fail: expected a probability from 0 to 1, got \"%s\"",
                     n > 1 ? w[1] : "");
            return AM_EPARSE;
        }
        return 0;
    }
    case AM_OP_RUN: {
        if (n < 2) {
            snprintf(err, errsize, "run: expected a command, e.g. run sleep 1");
            return AM_EPARSE;
        }
        op->argv = calloc((size_t)n, sizeof *op->argv);
        if (!op->argv) return AM_ENOMEM;
        for (int i = 1; i < n; i++)
            if (!(op->argv[i - 1] = strdup(w[i]))) return AM_ENOMEM;
        return 0;
    }
    default:
        break;
    }
    if (n < 2) {
        snprintf(err, errsize, "%s: expected the name of %s %s", w[0], article(obj_kind[op->kind]),
                 am_obj_kind_name(obj_kind[op->kind]));
        return AM_EPARSE;
    }
    op->obj = expect_obj(lookup, ctx, w[1], obj_kind[op->kind], err, errsize);
    if (op->obj < 0) return AM_EPARSE;
    if (op->kind == AM_OP_NOTIFY) {
        char *end = NULL;
        long v = n > 2 ? strtol(w[2], &end, 10) : 1;
        if (n > 3 || (n == 3 && (*end || v < 1))) {
            snprintf(err, errsize, "notify: expected a count >= 1, got \"%s\"", w[2]);
            return AM_EPARSE;
        }
        op->n = (uint32_t)v;
        return 0;
    }
    if (op->kind == AM_OP_PUT) {
        op->dist = (am_dist_t){AM_DIST_FIXED, 0, 0};
        if (n == 2) return 0;
        int items = strcmp(w[2], "items") == 0;
        if (strcmp(w[2], "priority") != 0 && !items) {
            snprintf(err, errsize,
                     "put: expected \"put QUEUE\", \"put QUEUE priority DIST\" or \"put QUEUE "
                     "items DIST\"");
            return AM_EPARSE;
        }
        op->n = (uint32_t)items;
        return parse_dist_words(items ? "put: items" : "put: priority", w + 3, n - 3, &op->dist,
                                err, errsize);
    }
    if (n > 2) {
        snprintf(err, errsize, "%s: unexpected \"%s\" after the name", w[0], w[2]);
        return AM_EPARSE;
    }
    return 0;
}

/* Cut the first step out of s: up to a ';' outside quotes (a quote opens a
 * word, as in split()). *rest is what follows, NULL after the last step. */
static char *next_step(char *s, char **rest)
{
    char q = 0;
    int word_start = 1;
    *rest = NULL;
    for (char *p = s; *p; p++) {
        if (q) {
            if (*p == q) q = 0, word_start = 1;
        } else if (*p == ';') {
            *p = '\0';
            *rest = p + 1;
            break;
        } else if (word_start && (*p == '"' || *p == '\'')) {
            q = *p;
        } else {
            word_start = isspace((unsigned char)*p);
        }
    }
    return s;
}

int am_program_parse(am_obj_lookup_fn lookup, void *ctx, const char *text, am_op_t *ops, size_t max,
                     size_t *nops, char *err, size_t errsize)
{
    char *copy = strdup(text ? text : "");
    if (!copy) return AM_ENOMEM;
    size_t n = 0;
    int rc = 0;
    for (char *s = copy, *rest = NULL; s; s = rest) {
        s = next_step(s, &rest);
        while (isspace((unsigned char)*s))
            s++;
        if (!*s) continue;
        if (n == max) {
            snprintf(err, errsize, "too many steps (at most %zu)", max);
            rc = AM_EPARSE;
            break;
        }
        char step_err[256];
        rc = parse_step(lookup, ctx, s, &ops[n], step_err, sizeof step_err);
        if (rc) {
            am_program_ops_free(ops, n + 1);
            snprintf(err, errsize, "step %zu: %s", n + 1, step_err);
            n = 0;
            break;
        }
        n++;
    }
    free(copy);
    if (rc == 0 && n == 0) {
        snprintf(err, errsize,
                 "expected steps separated by ';', e.g. \"acquire api; sleep "
                 "uniform 1 2; release api\"");
        rc = AM_EPARSE;
    }
    if (rc && n) am_program_ops_free(ops, n);
    *nops = rc ? 0 : n;
    return rc;
}

int am_op_format(const am_loop_t *loop, const am_op_t *op, char *buf, size_t size)
{
    char d[96];
    const char *name =
        op->obj > 0 && (uint32_t)op->obj <= loop->nobjs ? loop->objs[op->obj].name : "";
    switch (op->kind) {
    case AM_OP_SLEEP:
    case AM_OP_CPU:
    case AM_OP_EXECUTOR:
        am_dist_format(&op->dist, d, sizeof d);
        return snprintf(buf, size, "%s %s", am_op_name(op->kind), d);
    case AM_OP_FAIL: {
        am_dist_t p = {AM_DIST_FIXED, op->p, 0};
        am_dist_format(&p, d, sizeof d); /* "fixed P": the shortest exact text, any locale */
        return snprintf(buf, size, "fail %s", d + strlen("fixed "));
    }
    case AM_OP_NOTIFY:
        return snprintf(buf, size, "notify %s %u", name, op->n);
    case AM_OP_PUT:
        if (!op->n && op->dist.kind == AM_DIST_FIXED && op->dist.a == 0)
            return snprintf(buf, size, "put %s", name);
        am_dist_format(&op->dist, d, sizeof d);
        return snprintf(buf, size, "put %s %s %s", name, op->n ? "items" : "priority", d);
    case AM_OP_RUN: {
        int len = snprintf(buf, size, "run");
        for (char **a = op->argv; a && *a && len >= 0 && (size_t)len < size; a++) {
            /* quote what split() would cut or strip, so that the text parses back */
            int bare = **a && !strpbrk(*a, " \t\n\v\f\r\"';");
            const char *q = bare ? "" : strchr(*a, '"') ? "'" : "\"";
            len += snprintf(buf + len, size - (size_t)len, " %s%s%s", q, *a, q);
        }
        return len;
    }
    default:
        return snprintf(buf, size, "%s %s", am_op_name(op->kind), name);
    }
}
