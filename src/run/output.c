/* output.c — the jobs' output passed through to asyncmon's stdout and
 * stderr, grouped per job or by whole lines, tagged, in order (output.h).
 *
 * Each job has a spool per stream: what waits to be written. A spool is a
 * growing memory block while the memory of all spools stays under the
 * budget, then an unlinked temporary file (one write per chunk read from a
 * pipe; one pass to read it back). Writing goes through a 64 KiB buffer per
 * descriptor, flushed at the end of each piece a job gets to write, so a
 * tagged million-line output costs a few hundred write calls, not millions. */
#define _GNU_SOURCE /* memrchr */

#include "run/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asyncmon/runtime.h"

typedef struct spool_s {
    char *mem;
    size_t len, cap;
    FILE *file; /* once spilled: everything is there */
    uint64_t size;
} spool_t;

typedef struct ojob_s {
    char *tag;
    size_t taglen;
    unsigned attempt;
    int ended, written;
    spool_t sp[2]; /* stdout, stderr */
    int bol[2];    /* the next byte written starts a line (for the tag) */
} ojob_t;

typedef struct sink_s {
    int fd;
    int broken; /* a write failed: the rest is lost */
    size_t len;
    char buf[65536];
} sink_t;

struct am_out_s {
    int mode, tag, keep;
    size_t budget, mem_used;
    ojob_t *jobs; /* [seq - 1] */
    size_t njobs;
    uint32_t head; /* keep order: the next seq to write */
    uint64_t lost, spilled;
    void (*before)(void *ud, int fd);
    void *before_ud;
    void (*after)(void *ud, uint32_t seq);
    void *after_ud;
    sink_t sink[2];
};

am_out_t *am_out_new(int mode, int tag, int keep_order, int fd_out, int fd_err, size_t mem_budget)
{
    am_out_t *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->mode = mode;
    o->tag = tag;
    o->keep = keep_order;
    o->budget = mem_budget;
    o->head = 1;
    o->sink[0].fd = fd_out;
    o->sink[1].fd = fd_err;
    return o;
}

static void spool_clear(am_out_t *o, spool_t *s)
{
    o->mem_used -= s->cap;
    free(s->mem);
    if (s->file) fclose(s->file);
    memset(s, 0, sizeof *s);
}

void am_out_free(am_out_t *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->njobs; i++) {
        free(o->jobs[i].tag);
        spool_clear(o, &o->jobs[i].sp[0]);
        spool_clear(o, &o->jobs[i].sp[1]);
    }
    free(o->jobs);
    free(o);
}

void am_out_set_before(am_out_t *o, void (*fn)(void *ud, int fd), void *ud)
{
    o->before = fn;
    o->before_ud = ud;
}

void am_out_set_after(am_out_t *o, void (*fn)(void *ud, uint32_t seq), void *ud)
{
    o->after = fn;
    o->after_ud = ud;
}

uint64_t am_out_lost(const am_out_t *o)
{
    return o->lost;
}

uint64_t am_out_spilled(const am_out_t *o)
{
    return o->spilled;
}

static ojob_t *job_of(am_out_t *o, uint32_t seq)
{
    if (seq == 0) return NULL;
    if (seq > o->njobs) {
        size_t n = o->njobs ? o->njobs : 64;
        while (n < seq)
            n *= 2;
        ojob_t *v = realloc(o->jobs, n * sizeof *v);
        if (!v) return NULL;
        memset(v + o->njobs, 0, (n - o->njobs) * sizeof *v);
        for (size_t i = o->njobs; i < n; i++)
            v[i].bol[0] = v[i].bol[1] = 1;
        o->jobs = v;
        o->njobs = n;
    }
    return &o->jobs[seq - 1];
}

int am_out_set_tag(am_out_t *o, uint32_t seq, const char *tag)
{
    ojob_t *j = job_of(o, seq);
    char *t = j ? strdup(tag) : NULL;
    if (!t) return AM_ENOMEM;
    free(j->tag);
    j->tag = t;
    j->taglen = strlen(t);
    return 0;
}

/* ---- writing ---- */

static void sink_flush(am_out_t *o, sink_t *s)
{
    const char *p = s->buf;
    size_t n = s->len;
    s->len = 0;
    if (n == 0) return;
    if (s->broken) {
        o->lost += n;
        return;
    }
    if (o->before) o->before(o->before_ud, s->fd);
    while (n > 0) {
        ssize_t k = write(s->fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) { /* a reader gone (EPIPE), a full disk: the jobs go on */
            s->broken = 1;
            o->lost += n;
            return;
        }
        p += k;
        n -= (size_t)k;
    }
}

static void sink_put(am_out_t *o, sink_t *s, const char *data, size_t len)
{
    while (len > 0) {
        if (s->len == sizeof s->buf) sink_flush(o, s);
        size_t k = sizeof s->buf - s->len;
        if (k > len) k = len;
        memcpy(s->buf + s->len, data, k);
        s->len += k;
        data += k;
        len -= k;
    }
}

/* Bytes of job j's stream, each line after the tag when there is one. */
static void emit(am_out_t *o, ojob_t *j, int is_err, const char *data, size_t len)
{
    sink_t *s = &o->sink[is_err];
    if (!o->tag) {
        sink_put(o, s, data, len);
        return;
    }
    while (len > 0) {
        if (j->bol[is_err]) {
            if (j->taglen) sink_put(o, s, j->tag, j->taglen);
            sink_put(o, s, "\t", 1);
            j->bol[is_err] = 0;
        }
        const char *nl = memchr(data, '\n', len);
        size_t k = nl ? (size_t)(nl - data) + 1 : len;
        sink_put(o, s, data, k);
        if (nl) j->bol[is_err] = 1;
        data += k;
        len -= k;
    }
}

/* ---- spools ---- */

/* An unlinked temporary file in $TMPDIR (or /tmp). */
static FILE *temp_file(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/asyncmon-out.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    if (!f) close(fd);
    return f;
}

static int spool_add(am_out_t *o, spool_t *s, const char *data, size_t len)
{
    if (len == 0) return 0;
    if (!s->file && s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len)
            cap *= 2;
        /* over the budget: this stream goes on in a file (it is the one
         * that grows, so moving it frees the most) */
        if (o->mem_used - s->cap + cap > o->budget) {
            FILE *f = temp_file();
            if (f && fwrite(s->mem, 1, s->len, f) == s->len) {
                o->mem_used -= s->cap;
                free(s->mem);
                s->mem = NULL;
                s->len = s->cap = 0;
                s->file = f;
                o->spilled++;
            } else if (f) {
                fclose(f);
            }
        }
        if (!s->file) { /* in memory: under the budget, or no file could be made */
            char *m = realloc(s->mem, cap);
            if (!m) {
                o->lost += len;
                return AM_ENOMEM;
            }
            o->mem_used += cap - s->cap;
            s->mem = m;
            s->cap = cap;
        }
    }
    if (s->file) {
        if (fwrite(data, 1, len, s->file) != len) {
            o->lost += len;
            return AM_ENOMEM;
        }
    } else {
        memcpy(s->mem + s->len, data, len);
        s->len += len;
    }
    s->size += len;
    return 0;
}

/* Write the spool's first n bytes and keep the rest (a line in progress). */
static void spool_emit(am_out_t *o, ojob_t *j, int is_err, uint64_t n)
{
    spool_t *s = &j->sp[is_err];
    if (!s->file && s->len == 0) return;
    if (!s->file) {
        emit(o, j, is_err, s->mem, (size_t)n);
        memmove(s->mem, s->mem + n, s->len - (size_t)n);
        s->len -= (size_t)n;
        s->size = s->len;
        if (s->len == 0) spool_clear(o, s);
        return;
    }
    char buf[65536];
    spool_t rest = {0};
    uint64_t left = n;
    rewind(s->file);
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, s->file)) > 0) {
        size_t now = left < k ? (size_t)left : k;
        emit(o, j, is_err, buf, now);
        left -= now;
        if (now < k) spool_add(o, &rest, buf + now, k - now);
    }
    spool_clear(o, s);
    *s = rest;
}

/* The spool's bytes up to its last newline (0 if none). */
static uint64_t spool_lines(spool_t *s)
{
    if (!s->file) {
        const char *nl = s->len ? memrchr(s->mem, '\n', s->len) : NULL;
        return nl ? (uint64_t)(nl - s->mem) + 1 : 0;
    }
    char buf[65536];
    uint64_t at = 0, last = 0;
    size_t k;
    rewind(s->file);
    while ((k = fread(buf, 1, sizeof buf, s->file)) > 0) {
        const char *nl = memrchr(buf, '\n', k);
        if (nl) last = at + (uint64_t)(nl - buf) + 1;
        at += k;
    }
    fseek(s->file, 0, SEEK_END);
    return last;
}

/* ---- jobs ---- */

/* Can job seq's lines go out now? */
static int live(const am_out_t *o, uint32_t seq)
{
    return o->mode == AM_OUT_LINE && (!o->keep || seq <= o->head);
}

/* Everything job j has: stdout then stderr, whole. */
static void write_job(am_out_t *o, ojob_t *j)
{
    for (int e = 0; e < 2; e++) {
        spool_emit(o, j, e, j->sp[e].size);
        sink_flush(o, &o->sink[e]);
        j->bol[e] = 1; /* the next job's first line gets its tag */
    }
    j->written = 1;
    if (o->after) o->after(o->after_ud, (uint32_t)(j - o->jobs) + 1);
}

/* Keep order: write the ended jobs at the head, then let the new head's
 * lines out when by lines. */
static void advance(am_out_t *o)
{
    while (o->head <= o->njobs && o->jobs[o->head - 1].ended) {
        write_job(o, &o->jobs[o->head - 1]);
        o->head++;
    }
    if (o->mode != AM_OUT_LINE || o->head > o->njobs) return;
    ojob_t *j = &o->jobs[o->head - 1];
    for (int e = 0; e < 2; e++) {
        uint64_t n = spool_lines(&j->sp[e]);
        if (n) spool_emit(o, j, e, n);
        sink_flush(o, &o->sink[e]);
    }
}

int am_out_data(am_out_t *o, uint32_t seq, unsigned attempt, int is_err, const char *data,
                size_t len)
{
    ojob_t *j = job_of(o, seq);
    if (!j) {
        o->lost += len;
        return AM_ENOMEM;
    }
    is_err = is_err != 0;
    if (attempt != j->attempt) {
        /* a new attempt: an earlier one failed; grouped, its output is not written */
        if (j->written || !live(o, seq)) {
            spool_clear(o, &j->sp[0]);
            spool_clear(o, &j->sp[1]);
        }
        j->attempt = attempt;
        j->ended = j->written = 0;
    }
    if (!live(o, seq)) return spool_add(o, &j->sp[is_err], data, len);
    /* by lines: what ends in a newline goes out now, the rest waits */
    const char *nl = memrchr(data, '\n', len);
    if (!nl) return spool_add(o, &j->sp[is_err], data, len);
    size_t k = (size_t)(nl - data) + 1;
    if (j->sp[is_err].size) spool_emit(o, j, is_err, j->sp[is_err].size);
    emit(o, j, is_err, data, k);
    sink_flush(o, &o->sink[is_err]);
    return spool_add(o, &j->sp[is_err], data + k, len - k);
}

void am_out_end(am_out_t *o, uint32_t seq, unsigned attempt)
{
    ojob_t *j = job_of(o, seq);
    if (!j) return;
    if (attempt != j->attempt && !live(o, seq)) { /* the last attempt printed nothing */
        spool_clear(o, &j->sp[0]);
        spool_clear(o, &j->sp[1]);
    }
    j->attempt = attempt;
    j->ended = 1;
    if (o->keep && seq >= o->head)
        advance(o);
    else
        write_job(o, j);
}
