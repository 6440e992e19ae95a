/* jobs.c — the dashboard of `asyncmon run`: the batch's bar with its ETA,
 * the job list (state, progress parsed from the output, elapsed time, exit,
 * command, last line printed) and, on Enter, a detail pane with the ends of
 * the selected job's stdout and stderr.
 *
 * The view exists only in the run mode (available: the session has a
 * runner). It owns that mode's keys through mode_key: c cancels the selected
 * job, z pauses or resumes it, r runs a failed one again, a adds a job, X
 * cancels them all, + and - change the concurrency limit, Enter opens the
 * detail pane, where the moving keys scroll stdout; < and > stay the speed
 * keys. The task list and the group bars
 * count attempts rather than jobs, so this view takes their place. */
#include <string.h>

#include "asyncmon/meter.h"
#include "run/cmd.h"
#include "ui/ui.h"

typedef struct jobs_s {
    size_t sel, top; /* selected job and the first row shown (indexes) */
    int detail;      /* the detail pane is open */
    int list_h;
    /* the detail pane's stdout: lines scrolled back from its end (0: it
     * follows the output) and the rows it had when last drawn (a page) */
    size_t back;
    int out_rows;
} jobs_t;

static am_runner_t *runner(am_ui_t *ui)
{
    return am_run_app_runner(ui->app);
}

static int available(am_ui_t *ui, void *st)
{
    (void)st;
    return ui->app->loop && runner(ui) != NULL;
}

static void size(am_ui_t *ui, void *st, int width, int *min_h, int *want_h)
{
    (void)st;
    (void)width;
    size_t n = am_runner_njobs(runner(ui));
    *min_h = 5;
    *want_h = 4 + (int)(n > 200 ? 200 : n);
    if (*want_h < 12) *want_h = 12;
}

static am_job_t *selected_job(am_ui_t *ui, jobs_t *j)
{
    am_runner_t *r = runner(ui);
    size_t n = am_runner_njobs(r);
    if (!n) return NULL;
    if (j->sel >= n) j->sel = n - 1;
    return am_runner_job(r, j->sel);
}

/* ---- drawing ---- */

/* The batch's tqdm bar on the runner's clock: its elapsed time and rate stop
 * when the last job ends. */
static void draw_overall(am_ui_t *ui, int y, int x, int w, const am_run_counts_t *c)
{
    am_runner_t *rn = runner(ui);
    uint64_t ended = c->total - c->queued - c->running;
    am_meter_args_t a;
    am_meter_args_init(&a);
    a.n = (double)ended;
    a.total = (double)c->total;
    a.elapsed = am_runner_elapsed(rn, uv_hrtime());
    a.ncols = w;
    a.prefix = "all jobs";
    a.ascii = ui->ascii;
    a.rate = am_runner_rate(rn);
    char line[1024];
    am_meter_format(line, sizeof line, &a);
    am_put(ui, y, x, w,
           c->by_state[AM_TASK_FAILED] || c->by_state[AM_TASK_TIMED_OUT] ? AM_EL_FAILED
                                                                         : AM_EL_DONE,
           line);
}

enum { C_SEQ, C_STATE, C_PROGRESS, C_ELAPSED, C_EXIT, C_CMD, C_OUT, NCOLS };
static const char *const titles[NCOLS] = {"#",    "STATE",   "PROGRESS",   "ELAPSED",
                                          "EXIT", "COMMAND", "LAST OUTPUT"};

typedef struct cols_s {
    int x[NCOLS], w[NCOLS];
} cols_t;

static void layout(cols_t *c, int width, size_t njobs)
{
    int seqw = 2;
    for (size_t n = njobs; n >= 10; n /= 10)
        seqw++;
    const int fixed[C_CMD] = {seqw, 9, 11, 7, 10};
    int x = 0;
    for (int k = 0; k < C_CMD; k++) {
        c->x[k] = x;
        c->w[k] = fixed[k];
        x += fixed[k] + 1;
    }
    int rest = width - x;
    if (rest < 10) rest = 10;
    c->x[C_CMD] = x;
    c->w[C_CMD] = rest * 2 / 5;
    c->x[C_OUT] = x + c->w[C_CMD] + 1;
    c->w[C_OUT] = rest - c->w[C_CMD] - 1;
}

static const char *last_output(const am_job_t *job)
{
    const char *s = am_ring_last(&job->err);
    const char *o = am_ring_last(&job->out);
    /* the stream that spoke last is the more telling; stdout when both did */
    return *o || !*s ? o : s;
}

static void draw_row(am_ui_t *ui, const cols_t *c, int y, int x0, int width, am_job_t *job,
                     int selected, int focused, uint64_t now)
{
    am_elem_t base = selected ? (focused ? AM_EL_SELECTED : AM_EL_SELECTED_UNFOCUSED) : 0;
    if (selected) am_fill(ui, y, x0 - 1, width + 2, base);
    char buf[256];
#define COL(k, e, s) am_put_ell(ui, y, x0 + c->x[k], c->w[k], selected ? base : (e), s)
    snprintf(buf, sizeof buf, "%*u", c->w[C_SEQ], job->seq);
    COL(C_SEQ, AM_EL_DIM, buf);
    am_elem_t se = job->paused ? AM_EL_STATUS_PAUSED : am_state_elem(job->state);
    COL(C_STATE, se, job->paused ? "paused" : am_job_state_name(job->state));
    if (job->total) {
        am_fmt_progress(ui, job->n, job->total, buf, sizeof buf);
        COL(C_PROGRESS, se, buf);
    } else if (job->state == AM_TASK_DONE) {
        am_fmt_progress(ui, 1, 1, buf, sizeof buf);
        COL(C_PROGRESS, se, buf);
    }
    if (job->start_ns) {
        am_fmt_secs(buf, sizeof buf, am_job_elapsed(job, now));
        COL(C_ELAPSED, AM_EL_VALUE, buf);
    }
    am_job_outcome(job, buf, sizeof buf);
    COL(C_EXIT, se, buf);
    COL(C_CMD, AM_EL_DEFAULT, job->cmd);
    if (width > c->x[C_OUT]) COL(C_OUT, AM_EL_DIM, last_output(job));
#undef COL
}

static void draw_list(am_ui_t *ui, jobs_t *j, am_rect_t r, int focused, int y)
{
    am_runner_t *rn = runner(ui);
    size_t n = am_runner_njobs(rn);
    int width = r.w - 2;
    cols_t c;
    layout(&c, width, n);
    am_fill(ui, y, r.x, r.w, AM_EL_COLUMN_HEADER);
    for (int k = 0; k < NCOLS; k++)
        if (c.x[k] < width) am_put(ui, y, r.x + 1 + c.x[k], c.w[k], AM_EL_COLUMN_HEADER, titles[k]);
    y++;
    int h = r.y + r.h - y;
    j->list_h = h > 0 ? h : 0;
    if (!n) {
        if (h > 0) am_put(ui, y, r.x + 2, r.w - 3, AM_EL_DIM, "no jobs: a adds one");
        return;
    }
    if (j->sel >= n) j->sel = n - 1;
    if (j->sel < j->top) j->top = j->sel;
    if (h > 0 && j->sel >= j->top + (size_t)h) j->top = j->sel - (size_t)h + 1;
    if (j->top + (size_t)h > n) j->top = n > (size_t)h ? n - (size_t)h : 0;
    uint64_t now = uv_hrtime();
    for (int i = 0; i < h && j->top + (size_t)i < n; i++) {
        size_t k = j->top + (size_t)i;
        draw_row(ui, &c, y + i, r.x + 1, width, am_runner_job(rn, k), k == j->sel, focused, now);
    }
    if (n > (size_t)h && h > 0)
        am_draw_scrollbar(ui, r.x + r.w - 1, y, h, (double)j->top / (double)(n - (size_t)h));
}

/* The detail pane: the selected job and the ends of its two streams. */
static void draw_detail(am_ui_t *ui, jobs_t *j, am_rect_t r, int y)
{
    am_job_t *job = selected_job(ui, j);
    int x = r.x + 1, w = r.w - 2, bottom = r.y + r.h;
    if (!job) return;
    char what[64], secs[32];
    am_job_outcome(job, what, sizeof what);
    /* "cancelled · cancelled": the outcome only when it says more */
    if (!strcmp(what, am_job_state_name(job->state)) || (job->paused && !strcmp(what, "paused")))
        what[0] = '\0';
    am_fmt_secs(secs, sizeof secs, am_job_elapsed(job, uv_hrtime()));
    am_putf(ui, y++, x, w, am_state_elem(job->state), "job %u: %s%s%s, %s, attempt %u", job->seq,
            job->paused ? "paused" : am_job_state_name(job->state), what[0] ? " · " : "", what,
            secs, job->attempts);
    if (y < bottom) am_put_ell(ui, y++, x, w, AM_EL_DEFAULT, job->cmd);
    const am_ring_t *rings[2] = {&job->out, &job->err};
    const char *names[2] = {"stdout", "stderr"};
    int left = bottom - y;
    /* stderr gets a third of the rows when both streams have something */
    int errn = (int)am_ring_count(&job->err), outn = (int)am_ring_count(&job->out);
    int errh = errn ? (outn ? left / 3 : left - 2) : 1;
    int outh = left - errh - 2;
    if (outh < 1) outh = 1;
    int hs[2] = {outh, errh};
    j->out_rows = outh;
    for (int s = 0; s < 2 && y < bottom; s++) {
        const am_ring_t *rg = rings[s];
        size_t cnt = am_ring_count(rg);
        size_t show = (size_t)(hs[s] > 0 ? hs[s] : 0);
        size_t from = cnt > show ? cnt - show : 0;
        size_t back = 0;
        if (s == 0) { /* stdout scrolls back (Up, PgUp, Home), at most to its first line kept */
            if (j->back > from) j->back = from;
            back = j->back;
            from -= back;
        }
        char head[160];
        int k = snprintf(head, sizeof head, "%s · %llu line%s, %llu bytes", names[s],
                         (unsigned long long)rg->nlines, rg->nlines == 1 ? "" : "s",
                         (unsigned long long)rg->bytes);
        if (back && k > 0 && (size_t)k < sizeof head)
            snprintf(head + k, sizeof head - (size_t)k, " · %zu line%s back (End: follow)", back,
                     back == 1 ? "" : "s");
        am_fill(ui, y, r.x, r.w, AM_EL_COLUMN_HEADER);
        am_put(ui, y++, x, w, AM_EL_COLUMN_HEADER, head);
        for (size_t i = from; i < cnt - back && y < bottom; i++)
            am_put_ell(ui, y++, x, w, s ? AM_EL_FAILED : AM_EL_DEFAULT, am_ring_line(rg, i));
        if (!cnt && y < bottom) am_put(ui, y++, x, w, AM_EL_DIM, "(nothing)");
    }
}

static void draw(am_ui_t *ui, void *st, am_rect_t r, int focused)
{
    jobs_t *j = st;
    am_runner_t *rn = runner(ui);
    am_run_counts_t c;
    am_runner_counts(rn, &c);
    char extra[160];
    int k = snprintf(extra, sizeof extra, "-j %u · %llu running, %llu queued", am_runner_limit(rn),
                     (unsigned long long)c.running, (unsigned long long)c.queued);
    if (c.paused && k > 0 && (size_t)k < sizeof extra)
        snprintf(extra + k, sizeof extra - (size_t)k, ", %llu paused",
                 (unsigned long long)c.paused);
    am_draw_title(ui, r, focused, j->detail ? "Job output (Enter/Esc: back)" : "Jobs", extra);
    if (r.h < 2) return;
    draw_overall(ui, r.y + 1, r.x + 1, r.w - 2, &c);
    if (r.h < 3) return;
    if (j->detail)
        draw_detail(ui, j, r, r.y + 2);
    else
        draw_list(ui, j, r, focused, r.y + 2);
}

/* ---- keys ---- */

static void select_by(am_ui_t *ui, jobs_t *j, long delta)
{
    size_t n = am_runner_njobs(runner(ui));
    if (!n) return;
    long s = (long)j->sel + delta;
    if (s < 0) s = 0;
    if (s >= (long)n) s = (long)n - 1;
    j->sel = (size_t)s;
}

static int key(am_ui_t *ui, void *st, int action, int k)
{
    jobs_t *j = st;
    long page = j->list_h > 1 ? j->list_h - 1 : 1;
    (void)k;
    switch (action) {
    case AM_ACT_UP:
        select_by(ui, j, -1);
        return 1;
    case AM_ACT_DOWN:
        select_by(ui, j, 1);
        return 1;
    case AM_ACT_PAGE_UP:
        select_by(ui, j, -page);
        return 1;
    case AM_ACT_PAGE_DOWN:
        select_by(ui, j, page);
        return 1;
    case AM_ACT_HOME:
        j->sel = 0;
        return 1;
    case AM_ACT_END:
        select_by(ui, j, (long)am_runner_njobs(runner(ui)));
        return 1;
    default:
        return 0;
    }
}

static void add_done(am_ui_t *ui, int ok, const char *text, void *data)
{
    (void)data;
    if (!ok || !text[0]) return;
    char err[256];
    int seq = am_run_app_add(ui->app, text, err, sizeof err);
    if (seq < 0)
        am_ui_message(ui, 1, "%s", seq == AM_EPARSE ? err : am_strerror(seq));
    else
        am_ui_log(ui, "job %d added: %s", seq, text);
}

static void act_result(am_ui_t *ui, const am_job_t *job, int rc, const char *did, const char *why)
{
    if (rc == 0)
        am_ui_log(ui, "job %u %s", job->seq, did);
    else
        am_ui_message(ui, 1, "job %u is %s: %s", job->seq,
                      job->paused ? "paused" : am_job_state_name(job->state), why);
}

static int mode_key(am_ui_t *ui, void *st, int action, int k)
{
    jobs_t *j = st;
    am_runner_t *r = runner(ui);
    am_job_t *job = selected_job(ui, j);
    if (j->detail && (k == 27 || k == '\n' || k == (AM_KEY_FN | KEY_ENTER))) {
        j->detail = 0;
        return 1;
    }
    if (k == '\n' || k == (AM_KEY_FN | KEY_ENTER)) {
        if (job) j->detail = 1;
        j->back = 0;
        return 1;
    }
    if (j->detail) { /* the moving keys scroll the output shown, not the selection */
        size_t page = j->out_rows > 1 ? (size_t)j->out_rows - 1 : 1;
        switch (action) {
        case AM_ACT_UP:
            j->back++;
            return 1;
        case AM_ACT_PAGE_UP:
            j->back += page;
            return 1;
        case AM_ACT_HOME:
            j->back = (size_t)-1 / 2; /* clamped to the first line kept when drawn */
            return 1;
        case AM_ACT_DOWN:
            j->back = j->back > 0 ? j->back - 1 : 0;
            return 1;
        case AM_ACT_PAGE_DOWN:
            j->back = j->back > page ? j->back - page : 0;
            return 1;
        case AM_ACT_END:
            j->back = 0;
            return 1;
        default:
            break;
        }
    }
    if (k == '+' || k == '=' || k == '-' || k == '_') {
        unsigned lim = am_runner_limit(r), want = lim;
        if (k == '+' || k == '=')
            want = lim < AM_RUN_MAX_JOBS ? lim + 1 : lim;
        else
            want = lim > 1 ? lim - 1 : 1;
        am_runner_set_limit(r, want);
        if (want != lim)
            am_ui_log(ui, "-j %u (was %u)", want, lim);
        else
            am_ui_message(ui, 0, "-j stays %u (from 1 to %u)", lim, AM_RUN_MAX_JOBS);
        return 1;
    }
    if (k == 'z') {
        if (!job) return 1;
        int rc = am_runner_pause(r, job, !job->paused);
        act_result(ui, job, rc, job->paused ? "paused (SIGSTOP)" : "resumed (SIGCONT)",
                   "only a running job pauses");
        return 1;
    }
    switch (action) {
    case AM_ACT_CANCEL:
        if (job)
            act_result(ui, job, am_runner_cancel(r, job),
                       job->state == AM_TASK_CANCELLED ? "cancelled" : "cancelling (SIGTERM)",
                       "nothing to cancel");
        return 1;
    case AM_ACT_RESTART:
        if (job)
            act_result(ui, job, am_runner_retry(r, job), "queued again",
                       "only a failed, cancelled or timed-out job runs again");
        return 1;
    case AM_ACT_ADD:
        am_prompt_text(ui, "Add a job (command line): ", "", NULL, add_done, j);
        return 1;
    case AM_ACT_CANCEL_ALL: {
        size_t n = 0;
        for (size_t i = 0; i < am_runner_njobs(r); i++)
            n += am_runner_cancel(r, am_runner_job(r, i)) == 0;
        am_ui_log(ui, "cancelled %zu jobs", n);
        return 1;
    }
    case AM_ACT_PAUSE:
        /* the commands run in real time: a paused clock held nothing back
         * and left the jobs' times in two clocks */
        am_ui_message(ui, 0, "the clock does not pause in asyncmon run (z pauses a job)");
        return 1;
    case AM_ACT_DEMO:
    case AM_ACT_ADD_MANY:
    case AM_ACT_CANCEL_GROUP:
    case AM_ACT_TIMEOUT:
    case AM_ACT_FILTER:
    case AM_ACT_STATE_FILTER:
    case AM_ACT_SORT:
    case AM_ACT_RESORT:
        am_ui_message(ui, 0, "not in asyncmon run (? lists its keys)");
        return 1;
    default:
        return 0;
    }
}

static const char *key_label(am_ui_t *ui, void *st, int action)
{
    (void)ui;
    (void)st;
    switch (action) {
    case AM_ACT_RESTART:
        return "Retry";
    case AM_ACT_FASTER:
        return "Jobs+1";
    case AM_ACT_SLOWER:
        return "Jobs-1";
    case AM_ACT_FILTER:
        return "";
    case AM_ACT_STATE_FILTER:
        return "";
    case AM_ACT_SORT:
        return "";
    case AM_ACT_DEMO:
        return "";
    case AM_ACT_PAUSE:
        return "";
    default:
        return NULL;
    }
}

static uint32_t selected(am_ui_t *ui, void *st)
{
    am_job_t *job = selected_job(ui, st);
    return job ? job->task : 0;
}

static void reset(am_ui_t *ui, void *st)
{
    jobs_t *j = st;
    if (!available(ui, st)) return;
    memset(j, 0, sizeof *j);
    /* attempts, not jobs: the task list and the group bars give way */
    const char *hide[] = {"tasks", "bars"};
    for (size_t i = 0; i < 2; i++) {
        int v = am_ui_view_index(hide[i]);
        if (v >= 0) ui->on[v] = 0;
    }
    ui->focus = am_ui_view_index("jobs");
}

static int busy(am_ui_t *ui, void *st)
{
    (void)st;
    /* elapsed times and the rate move with real time, not with events */
    am_runner_t *r = runner(ui);
    return r && !am_runner_idle(r);
}

const am_view_t am_view_jobs = {
    .name = "jobs",
    .title = "jobs (asyncmon run)",
    .slot = AM_SLOT_MAIN,
    .priority = 75,
    .toggle_key = '9',
    .focusable = 1,
    .on_by_default = 1,
    .state_size = sizeof(jobs_t),
    .available = available,
    .size = size,
    .draw = draw,
    .key = key,
    .reset = reset,
    .selected = selected,
    .busy = busy,
    .key_label = key_label,
    .mode_key = mode_key,
};
