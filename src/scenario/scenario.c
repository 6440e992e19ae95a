/* scenario.c — loading demo scenarios (the .ini files in demo/) and finding the shipped ones.
 *
 * A scenario file has one optional [scenario] section (title, narration and
 * the combinator that awaits the tasks) and one or more [group.NAME] sections,
 * each a batch of simulated tasks. The format is documented in
 * docs/scenarios.md; the loader reports the first problem as "FILE:LINE:
 * message" saying what was expected and what was found, because scenario files
 * are written by hand, often by people learning asyncio. */
#define _POSIX_C_SOURCE 200809L

#include "asyncmon/scenario.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asyncmon/error.h"
#include "scenario/ini_util.h"

#ifndef ASYNCMON_DATA_DIR
#define ASYNCMON_DATA_DIR "/usr/local/share/asyncmon"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum {
    S_TITLE,
    S_NARRATION,
    S_COMBINATOR,
    S_RETURN_EXCEPTIONS,
    S_RETURN_WHEN,
    S_LOOP,
    S_READD_FAILED,
    S_TIMEOUT,
    S_TITLE_ZH,
    S_NARRATION_ZH,
    S_SPEED,
    S_NKEYS
};
static const char *const scenario_keys[S_NKEYS] = {
    "title",        "narration", "combinator", "return_exceptions", "return_when", "loop",
    "readd_failed", "timeout",   "title.zh",   "narration.zh",      "speed"};

enum {
    G_COUNT,
    G_DURATION,
    G_FAIL_RATE,
    G_STEPS,
    G_TIMEOUT,
    G_SHIELD,
    G_START,
    G_DO,
    G_REPEAT,
    G_DAEMON,
    G_SEQUENTIAL,
    G_CANCEL_AT,
    G_NKEYS
};
static const char *const group_keys[G_NKEYS] = {"count",   "duration", "fail_rate",  "steps",
                                                "timeout", "shield",   "start",      "do",
                                                "repeat",  "daemon",   "sequential", "cancel_at"};

/* Objects: [semaphore.NAME], [lock.NAME], [event.NAME], [condition.NAME], [queue.NAME]. */
enum { O_LIMIT, O_BOUNDED, O_SET, O_MAXSIZE, O_KIND, O_NKEYS };
static const char *const object_keys[O_NKEYS] = {"limit", "bounded", "set", "maxsize", "kind"};
static const struct {
    const char *section;
    am_obj_kind_t kind;
    const char *const keys[3]; /* the keys this section takes */
    int nkeys;
} object_sections[] = {
    {"semaphore", AM_OBJ_SEMAPHORE, {"limit", "bounded"}, 2},
    {"lock", AM_OBJ_LOCK, {0}, 0},
    {"event", AM_OBJ_EVENT, {"set"}, 1},
    {"condition", AM_OBJ_CONDITION, {0}, 0},
    {"queue", AM_OBJ_QUEUE, {"maxsize", "kind"}, 2},
};
static const char *const queue_kind_names[] = {
    [AM_QUEUE_FIFO] = "fifo", [AM_QUEUE_LIFO] = "lifo", [AM_QUEUE_PRIORITY] = "priority"};

static const char *const combinator_names[] = {[AM_COMB_NONE] = "none",
                                               [AM_COMB_GATHER] = "gather",
                                               [AM_COMB_AS_COMPLETED] = "as_completed",
                                               [AM_COMB_WAIT] = "wait",
                                               [AM_COMB_WAIT_FOR] = "wait_for",
                                               [AM_COMB_TASKGROUP] = "taskgroup"};

static const char *const return_when_names[] = {[AM_ALL_COMPLETED] = "ALL_COMPLETED",
                                                [AM_FIRST_COMPLETED] = "FIRST_COMPLETED",
                                                [AM_FIRST_EXCEPTION] = "FIRST_EXCEPTION"};

/* [code]: the snippet and the line of each phase (code.h) */
enum { C_START, C_AWAIT, C_AFTER, C_END, C_PYTHON, C_NKEYS };
static const char *const code_keys[C_NKEYS] = {"start", "await", "after", "end", "python"};

#define EXPECT_TIMEOUT "expected seconds >= 0 or \"none\""
#define MAX_STEPS      1000000

typedef struct loader_s {
    am_scenario_t *sc;
    enum { IN_NOTHING, IN_SCENARIO, IN_GROUP, IN_OBJECT, IN_CODE, IN_PRODUCTS } where;
    am_scenario_group_t *group; /* the [group.NAME] being read */
    am_scenario_obj_t *object;  /* the object section being read */
    int object_section;         /* its index in object_sections */
    uint64_t tasks;             /* count of the groups so far, current one excluded */
    int scenario_line;          /* line of the [scenario] header, 0 before it */
    int seen_s[S_NKEYS];        /* line each [scenario] key was set on, 0 if not yet */
    int seen_g[G_NKEYS];        /* the same for the current group */
    int seen_o[O_NKEYS];        /* the same for the current object */
    int seen_c[C_NKEYS];        /* the same for [code] */
} loader_t;

const char *am_combinator_name(am_combinator_t c)
{
    return (unsigned)c < COUNT(combinator_names) ? combinator_names[c] : "unknown";
}

/* A group's required keys are checked when its section ends. */
static void finish_group(am_ini_t *ini, loader_t *ld)
{
    am_scenario_group_t *g = ld->group;

    if (!g || ini->error) return;
    if (!ld->seen_g[G_COUNT])
        am_ini_fail(ini, g->line, AM_EPARSE, "[group.%s]: missing required key \"count\"", g->name);
    else if (!ld->seen_g[G_DURATION] && !ld->seen_g[G_DO])
        am_ini_fail(ini, g->line, AM_EPARSE,
                    "[group.%s]: missing required key \"duration\" (or \"do\" for a program)",
                    g->name);
    else if (ld->seen_g[G_DO] &&
             (ld->seen_g[G_DURATION] || ld->seen_g[G_STEPS] || ld->seen_g[G_FAIL_RATE]))
        am_ini_fail(ini, ld->seen_g[G_DO], AM_EPARSE,
                    "[group.%s]: \"do\" replaces duration, steps and fail_rate; write the "
                    "sleep and a \"fail P\" step in the program",
                    g->name);
    else if (!ld->seen_g[G_DO] && (ld->seen_g[G_REPEAT] || ld->seen_g[G_DAEMON]))
        am_ini_fail(ini, ld->seen_g[G_REPEAT] ? ld->seen_g[G_REPEAT] : ld->seen_g[G_DAEMON],
                    AM_EPARSE, "[group.%s]: repeat and daemon need a program (\"do\")", g->name);
    ld->tasks += g->count;
    ld->group = NULL;
}

static void finish_object(am_ini_t *ini, loader_t *ld);
static int start_object(am_ini_t *ini, loader_t *ld, const char *name);

static void on_section(am_ini_t *ini, const char *name)
{
    loader_t *ld = ini->user;
    am_scenario_t *sc = ld->sc;
    am_scenario_group_t *g;
    const char *gname;

    finish_group(ini, ld);
    finish_object(ini, ld);
    if (ini->error) return;
    if (start_object(ini, ld, name)) return;
    if (!strcmp(name, "code")) {
        if (sc->code.line) {
            am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate section [code] (first on line %d)",
                        sc->code.line);
            return;
        }
        sc->code.line = ini->line;
        ld->where = IN_CODE;
        return;
    }
    if (!strcmp(name, "products")) {
        if (sc->products_line) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "duplicate section [products] (first on line %d)", sc->products_line);
            return;
        }
        sc->products_line = ini->line;
        ld->where = IN_PRODUCTS;
        return;
    }
    if (!strcmp(name, "scenario")) {
        if (ld->scenario_line) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "duplicate section [scenario] (first on line %d)", ld->scenario_line);
            return;
        }
        ld->scenario_line = ini->line;
        ld->where = IN_SCENARIO;
        return;
    }
    if (strncmp(name, "group.", 6) != 0) {
        am_ini_fail(
            ini, ini->line, AM_EPARSE,
            "unknown section [%s]; expected [scenario], [group.NAME], [semaphore.NAME], "
            "[lock.NAME], [event.NAME], [condition.NAME], [queue.NAME], [products] or [code]",
            name);
        return;
    }
    gname = name + 6;
    if (!am_is_name(gname, AM_NAME_MAX, 0)) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "[%s]: expected a group name of 1 to %d letters, digits, \"_\" or \"-\"", name,
                    AM_NAME_MAX - 1);
        return;
    }
    for (size_t i = 0; i < sc->ngroups; i++) {
        if (!strcmp(sc->groups[i].name, gname)) {
            am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate section [%s] (first on line %d)",
                        name, sc->groups[i].line);
            return;
        }
    }
    if (sc->ngroups == AM_SCENARIO_MAX_GROUPS) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "too many groups (at most %d)",
                    AM_SCENARIO_MAX_GROUPS);
        return;
    }
    g = &sc->groups[sc->ngroups++];
    memset(g, 0, sizeof(*g));
    strcpy(g->name, gname);
    g->duration.kind = AM_DIST_FIXED;
    g->steps = 1;
    g->timeout = -1;
    g->repeat = 1;
    g->cancel_at = -1;
    g->line = ini->line;
    memset(ld->seen_g, 0, sizeof(ld->seen_g));
    ld->group = g;
    ld->where = IN_GROUP;
}

/* Append a line to a multi-line value (narration, do), joined by `sep`. */
static void append_text(am_ini_t *ini, char **dst, const char *text, char sep)
{
    size_t old = *dst ? strlen(*dst) : 0, add = strlen(text);
    char *p;

    if (!add) return;
    p = realloc(*dst, old + add + 2);
    if (!p) {
        am_ini_fail(ini, ini->line, AM_ENOMEM, "out of memory");
        return;
    }
    if (old) p[old++] = sep;
    memcpy(p + old, text, add + 1);
    *dst = p;
}

/* Is the UTF-8 character ending at end (or starting at p) East Asian wide?
 * Chinese text has no spaces: a line break inside it joins with nothing. */
static int wide_cp(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

static uint32_t utf8_at(const unsigned char *p)
{
    if (p[0] < 0x80) return p[0];
    if ((p[0] & 0xE0) == 0xC0 && p[1]) return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2])
        return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3])
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
               (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    return 0xFFFD;
}

/* Full-width punctuation (，。；：、（）…): Chinese sets no space after it,
 * whatever comes next. */
static int fullwidth_punct(uint32_t c)
{
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
           (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65);
}

/* Append a continuation line of Chinese text: no separator between two wide
 * characters or after full-width punctuation (a space there would show, as
 * in "它， pending"), a line break otherwise. */
static void append_cjk(am_ini_t *ini, char **dst, const char *text)
{
    size_t old = *dst ? strlen(*dst) : 0;
    if (old) {
        const unsigned char *s = (const unsigned char *)*dst;
        size_t last = old - 1;
        while (last > 0 && (s[last] & 0xC0) == 0x80)
            last--; /* back to the first byte of the last character */
        uint32_t prev = utf8_at(s + last);
        if (fullwidth_punct(prev) ||
            (wide_cp(prev) && wide_cp(utf8_at((const unsigned char *)text)))) {
            size_t add = strlen(text);
            char *p = realloc(*dst, old + add + 1);
            if (!p) {
                am_ini_fail(ini, ini->line, AM_ENOMEM, "out of memory");
                return;
            }
            memcpy(p + old, text, add + 1);
            *dst = p;
            return;
        }
    }
    append_text(ini, dst, text, '\n');
}

static void append_narration(am_ini_t *ini, am_scenario_t *sc, const char *text)
{
    append_text(ini, &sc->narration, text, '\n');
}

/* Look name up case-insensitively in a table of words; -1 if absent. */
static int lookup_word(const char *const *words, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(words[i], name)) return (int)i;
    return -1;
}

static void set_bool(am_ini_t *ini, const char *key, const char *value, int *out)
{
    if (am_parse_bool(value, out))
        am_ini_bad_value(ini, key, "expected true or false (or yes/no, on/off, 1/0)", value);
}

/* title, title.zh: one line of at most AM_TITLE_MAX - 1 bytes */
static void set_title(am_ini_t *ini, const char *key, const char *value, char *dst)
{
    if (strlen(value) >= AM_TITLE_MAX)
        am_ini_fail(ini, ini->line, AM_EPARSE, "%s: too long (%zu bytes; at most %d)", key,
                    strlen(value), AM_TITLE_MAX - 1);
    else
        strcpy(dst, value);
}

static void set_scenario_key(am_ini_t *ini, am_scenario_t *sc, int k, const char *key,
                             const char *value)
{
    int i;

    switch (k) {
    case S_TITLE:
        set_title(ini, key, value, sc->title);
        break;
    case S_NARRATION:
        append_narration(ini, sc, value);
        break;
    case S_TITLE_ZH:
        set_title(ini, key, value, sc->title_zh);
        break;
    case S_SPEED:
        if (!strcasecmp(value, "max"))
            sc->speed = AM_SPEED_MAX;
        else if (am_parse_real(value, &sc->speed) || !(sc->speed >= 0.1 && sc->speed <= 1e6))
            am_ini_bad_value(ini, key, "expected a speed from 0.1 to 1000000, or max", value);
        break;
    case S_NARRATION_ZH:
        append_text(ini, &sc->narration_zh, value, '\n');
        break;
    case S_COMBINATOR:
        i = lookup_word(combinator_names, COUNT(combinator_names), value);
        if (i < 0)
            am_ini_bad_value(ini, key,
                             "expected none, gather, as_completed, wait, wait_for or taskgroup",
                             value);
        else
            sc->combinator = (am_combinator_t)i;
        break;
    case S_RETURN_WHEN:
        i = lookup_word(return_when_names, COUNT(return_when_names), value);
        if (i < 0)
            am_ini_bad_value(ini, key, "expected ALL_COMPLETED, FIRST_COMPLETED or FIRST_EXCEPTION",
                             value);
        else
            sc->return_when = (am_return_when_t)i;
        break;
    case S_RETURN_EXCEPTIONS:
        set_bool(ini, key, value, &sc->return_exceptions);
        break;
    case S_LOOP:
        set_bool(ini, key, value, &sc->loop);
        break;
    case S_READD_FAILED:
        set_bool(ini, key, value, &sc->readd_failed);
        break;
    case S_TIMEOUT:
        if (am_parse_seconds(value, 1, &sc->timeout))
            am_ini_bad_value(ini, key, EXPECT_TIMEOUT, value);
        break;
    }
}

static void set_group_key(am_ini_t *ini, loader_t *ld, int k, const char *key, const char *value)
{
    am_scenario_group_t *g = ld->group;
    const char *why;
    uint64_t u;

    switch (k) {
    case G_COUNT:
        if (am_parse_uint(value, 1, AM_MAX_TASKS, &g->count))
            am_ini_bad_value(ini, key, "expected a whole number from 1 to 100000000", value);
        else if (ld->tasks + g->count > AM_MAX_TASKS)
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "count: the groups would have %llu tasks in all; at most 100000000",
                        (unsigned long long)(ld->tasks + g->count));
        break;
    case G_DURATION:
        if (am_dist_parse(value, &g->duration, &why)) am_ini_bad_value(ini, key, why, value);
        break;
    case G_FAIL_RATE:
        if (am_parse_real(value, &g->fail_rate) || g->fail_rate < 0 || g->fail_rate > 1)
            am_ini_bad_value(ini, key, "expected a number from 0 to 1", value);
        break;
    case G_STEPS:
        if (am_parse_uint(value, 1, MAX_STEPS, &u))
            am_ini_bad_value(ini, key, "expected a whole number from 1 to 1000000", value);
        else
            g->steps = (uint32_t)u;
        break;
    case G_TIMEOUT:
        if (am_parse_seconds(value, 1, &g->timeout))
            am_ini_bad_value(ini, key, EXPECT_TIMEOUT, value);
        break;
    case G_SHIELD:
        set_bool(ini, key, value, &g->shield);
        break;
    case G_START:
        if (am_parse_seconds(value, 0, &g->start))
            am_ini_bad_value(ini, key, "expected seconds >= 0", value);
        break;
    case G_DO:
        g->program_line = ini->line;
        append_text(ini, &g->program, value, ' ');
        break;
    case G_REPEAT:
        if (!strcasecmp(value, "forever"))
            g->repeat = 0;
        else if (am_parse_uint(value, 1, 1000000000, &u))
            am_ini_bad_value(ini, key,
                             "expected a whole number from 1 to 1000000000 or \"forever\"", value);
        else
            g->repeat = (uint32_t)u;
        break;
    case G_DAEMON:
        set_bool(ini, key, value, &g->daemon);
        break;
    case G_SEQUENTIAL:
        set_bool(ini, key, value, &g->sequential);
        break;
    case G_CANCEL_AT:
        if (am_parse_seconds(value, 0, &g->cancel_at))
            am_ini_bad_value(ini, key, "expected seconds >= 0", value);
        break;
    }
}

/* ---- objects ---- */

static void finish_object(am_ini_t *ini, loader_t *ld)
{
    am_scenario_obj_t *o = ld->object;
    if (!o || ini->error) return;
    /* a semaphore section, bounded or not */
    if (object_sections[ld->object_section].kind == AM_OBJ_SEMAPHORE && !ld->seen_o[O_LIMIT])
        am_ini_fail(ini, o->line, AM_EPARSE, "[semaphore.%s]: missing required key \"limit\"",
                    o->name);
    ld->object = NULL;
}

static int name_taken(const am_scenario_t *sc, const char *name)
{
    for (size_t i = 0; i < sc->nobjects; i++)
        if (!strcmp(sc->objects[i].name, name)) return sc->objects[i].line;
    return 0;
}

/* Start an object section; 0 when `name` is not one. */
static int start_object(am_ini_t *ini, loader_t *ld, const char *name)
{
    am_scenario_t *sc = ld->sc;
    for (size_t i = 0; i < COUNT(object_sections); i++) {
        size_t len = strlen(object_sections[i].section);
        if (strncmp(name, object_sections[i].section, len) != 0 || name[len] != '.') continue;
        const char *oname = name + len + 1;
        if (!am_is_name(oname, AM_OBJ_NAME_MAX, 0))
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "[%s]: expected a name of 1 to %d letters, digits, \"_\" or \"-\"", name,
                        AM_OBJ_NAME_MAX - 1);
        else if (name_taken(sc, oname))
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "[%s]: the name \"%s\" is already used (line %d)", name, oname,
                        name_taken(sc, oname));
        else if (sc->nobjects == AM_SCENARIO_MAX_OBJECTS)
            am_ini_fail(ini, ini->line, AM_EPARSE, "too many primitives and queues (at most %d)",
                        AM_SCENARIO_MAX_OBJECTS);
        if (ini->error) return 1;
        am_scenario_obj_t *o = &sc->objects[sc->nobjects++];
        memset(o, 0, sizeof *o);
        o->kind = object_sections[i].kind;
        strcpy(o->name, oname);
        o->line = ini->line;
        memset(ld->seen_o, 0, sizeof ld->seen_o);
        ld->object = o;
        ld->object_section = (int)i;
        ld->where = IN_OBJECT;
        return 1;
    }
    return 0;
}

static void on_object_key(am_ini_t *ini, loader_t *ld, const char *key, const char *value)
{
    am_scenario_obj_t *o = ld->object;
    const char *section = object_sections[ld->object_section].section;
    int nkeys = object_sections[ld->object_section].nkeys;
    int allowed = 0;
    for (int i = 0; i < nkeys; i++)
        if (!strcmp(object_sections[ld->object_section].keys[i], key)) allowed = 1;
    int k = am_ini_lookup(object_keys, O_NKEYS, key);
    if (!allowed || k < 0) {
        char expected[96];
        if (nkeys)
            am_ini_join(expected, sizeof expected, object_sections[ld->object_section].keys,
                        (size_t)nkeys);
        am_ini_fail(ini, ini->line, AM_EPARSE, "unknown key \"%s\" in [%s.%s]; %s%s", key, section,
                    o->name, nkeys ? "expected " : "this section takes no keys",
                    nkeys ? expected : "");
        return;
    }
    if (ld->seen_o[k]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate key \"%s\" in [%s.%s] (first on line %d)",
                    key, section, o->name, ld->seen_o[k]);
        return;
    }
    ld->seen_o[k] = ini->line;
    uint64_t u;
    int b, i;
    switch (k) {
    case O_LIMIT:
        if (am_parse_uint(value, 1, 1000000000, &u))
            am_ini_bad_value(ini, key, "expected a whole number from 1 to 1000000000", value);
        else
            o->limit = (uint32_t)u;
        break;
    case O_BOUNDED:
        set_bool(ini, key, value, &b);
        if (!ini->error) o->kind = b ? AM_OBJ_BOUNDED_SEMAPHORE : AM_OBJ_SEMAPHORE;
        break;
    case O_SET:
        set_bool(ini, key, value, &o->set);
        break;
    case O_MAXSIZE:
        if (am_parse_uint(value, 0, 1000000000, &u))
            am_ini_bad_value(ini, key, "expected a whole number from 0 (unbounded) to 1000000000",
                             value);
        else
            o->limit = (uint32_t)u;
        break;
    case O_KIND:
        i = lookup_word(queue_kind_names, COUNT(queue_kind_names), value);
        if (i < 0)
            am_ini_bad_value(ini, key, "expected fifo, lifo or priority", value);
        else
            o->qkind = (am_queue_kind_t)i;
        break;
    }
}

/* The scenario's own objects, for the program parser: ids are 1..n in order. */
static int scenario_lookup(void *ctx, const char *name, am_obj_kind_t *kind)
{
    const am_scenario_t *sc = ctx;
    for (size_t i = 0; i < sc->nobjects; i++)
        if (!strcmp(sc->objects[i].name, name)) {
            *kind = sc->objects[i].kind;
            return (int)i + 1;
        }
    return AM_ENOENT;
}

/* Programs may name objects declared further down: parse them at the end. */
static void parse_programs(am_ini_t *ini, am_scenario_t *sc)
{
    for (size_t i = 0; i < sc->ngroups && !ini->error; i++) {
        am_scenario_group_t *g = &sc->groups[i];
        if (!g->program_line) continue; /* no `do`; an empty one is an error */
        char why[320];
        if (am_program_parse(scenario_lookup, sc, g->program, g->ops, AM_PROGRAM_MAX_OPS, &g->nops,
                             why, sizeof why) != 0)
            am_ini_fail(ini, g->program_line, AM_EPARSE, "do: %s", why);
        for (size_t k = 0; k < g->nops && !ini->error; k++)
            if (g->ops[k].kind == AM_OP_SERVE && sc->nproducts == 0)
                am_ini_fail(ini, g->program_line, AM_EPARSE,
                            "do: step %zu: serve scans products: add a [products] section "
                            "(e.g. beer = 2)",
                            k + 1);
    }
}

/* ---- [code] ---- */

/* One line of the snippet: "| text" (the blank after '|' is dropped, the
 * rest kept, so Python's indentation survives the .ini reader). */
static void code_python_line(am_ini_t *ini, am_scenario_t *sc, const char *value)
{
    if (value[0] != '|') {
        am_ini_bad_value(ini, "python", "expected a line starting with \"|\" (\"| code\")", value);
        return;
    }
    if (sc->code.nlines == AM_CODE_MAX_LINES) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "python: too many lines (at most %d)",
                    AM_CODE_MAX_LINES);
        return;
    }
    const char *text = value + 1;
    if (*text == ' ') text++;
    if (am_code_append(&sc->code, text) != 0)
        am_ini_fail(ini, ini->line, AM_ENOMEM, "out of memory");
}

/* step.NAME.K = LINE: LINE while a task of group NAME is at step K of its
 * program; NAME and K are checked against the groups after loading. */
static void on_code_step_key(am_ini_t *ini, am_scenario_code_t *c, const char *key,
                             const char *value)
{
    const char *name = key + 5, *dot = strrchr(name, '.');
    char group[AM_CODE_NAME_MAX];
    uint64_t k, u;
    size_t len = dot ? (size_t)(dot - name) : 0;
    if (len) {
        memcpy(group, name, len < sizeof group ? len : sizeof group - 1);
        group[len < sizeof group ? len : sizeof group - 1] = '\0';
    }
    if (!len || len >= sizeof group || !am_is_name(group, AM_CODE_NAME_MAX, 0) ||
        am_parse_uint(dot + 1, 1, AM_CODE_MAX_STEPS, &k)) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "bad key \"%s\" in [code]; expected step.NAME.K, the group NAME and the "
                    "step K (1 to %d) of its do program",
                    key, AM_CODE_MAX_STEPS);
        return;
    }
    for (size_t i = 0; i < c->nstep_keys; i++)
        if (!strcmp(c->step_key[i].group, group) && c->step_key[i].step == (int)k) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "duplicate key \"%s\" in [code] (first on line %d)", key,
                        c->step_key[i].line);
            return;
        }
    if (c->nstep_keys == AM_CODE_MAX_STEP_KEYS) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "too many step.NAME.K keys (at most %d)",
                    AM_CODE_MAX_STEP_KEYS);
        return;
    }
    if (am_parse_uint(value, 1, AM_CODE_MAX_LINES, &u)) {
        am_ini_bad_value(ini, key, "expected a line number of the python snippet (1, 2, ...)",
                         value);
        return;
    }
    am_code_step_key_t *sk = &c->step_key[c->nstep_keys++];
    strcpy(sk->group, group);
    sk->step = (int)k;
    sk->value = (int)u;
    sk->line = ini->line;
}

static void on_code_key(am_ini_t *ini, loader_t *ld, const char *key, const char *value)
{
    am_scenario_code_t *c = &ld->sc->code;
    uint64_t u;
    int k = am_ini_lookup(code_keys, C_NKEYS, key), *seen = NULL, *line = NULL;
    char expected[160];

    if (k >= 0) {
        seen = &ld->seen_c[k];
        if (k != C_PYTHON) line = &c->phase_line[k];
    } else if ((!strncmp(key, "group.", 6) || !strncmp(key, "ended.", 6)) &&
               am_is_name(key + 6, AM_CODE_NAME_MAX, 0)) {
        for (size_t i = 0; i < c->ngroup_keys; i++)
            if (!strcmp(c->group_key[i], key)) seen = &c->group_key_line[i];
        if (!seen) {
            if (c->ngroup_keys == 2 * AM_CODE_MAX_GROUPS) {
                am_ini_fail(ini, ini->line, AM_EPARSE,
                            "too many group.NAME and ended.NAME keys (at most %d)",
                            2 * AM_CODE_MAX_GROUPS);
                return;
            }
            strcpy(c->group_key[c->ngroup_keys], key);
            line = &c->group_key_value[c->ngroup_keys];
            seen = &c->group_key_line[c->ngroup_keys++];
        }
    } else if (!strncmp(key, "step.", 5)) {
        on_code_step_key(ini, c, key, value);
        return;
    } else {
        am_ini_join(expected, sizeof(expected), code_keys, C_NKEYS);
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "unknown key \"%s\" in [code]; expected %s, group.NAME, ended.NAME or "
                    "step.NAME.K",
                    key, expected);
        return;
    }
    if (*seen) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate key \"%s\" in [code] (first on line %d)",
                    key, *seen);
        return;
    }
    *seen = ini->line;
    if (k == C_PYTHON) {
        if (value[0]) code_python_line(ini, ld->sc, value); /* "python =" then indented lines */
    } else if (am_parse_uint(value, 1, AM_CODE_MAX_LINES, &u)) {
        am_ini_bad_value(ini, key, "expected a line number of the python snippet (1, 2, ...)",
                         value);
    } else {
        *line = (int)u;
    }
}

/* After the whole file: the phase lines exist in the snippet and the
 * group.NAME and ended.NAME keys name groups. */
static void check_code(am_ini_t *ini, loader_t *ld)
{
    am_scenario_code_t *c = &ld->sc->code;

    if (ini->error || !c->line) return;
    if (!c->text) {
        am_ini_fail(ini, c->line, AM_EPARSE, "[code]: missing required key \"python\"");
        return;
    }
    for (int k = 0; k < C_PYTHON; k++)
        if (c->phase_line[k] > c->nlines) {
            am_ini_fail(ini, ld->seen_c[k], AM_EPARSE,
                        "%s: line %d is past the end of the python snippet (%d lines)",
                        code_keys[k], c->phase_line[k], c->nlines);
            return;
        }
    for (size_t i = 0; i < c->ngroup_keys; i++) {
        const char *key = c->group_key[i], *name = key + 6;
        size_t g = 0;
        while (g < ld->sc->ngroups && strcmp(ld->sc->groups[g].name, name))
            g++;
        if (g == ld->sc->ngroups) {
            am_ini_fail(ini, c->group_key_line[i], AM_EPARSE, "%s: no [group.%s] in this file", key,
                        name);
            return;
        }
        if (c->group_key_value[i] > c->nlines) {
            am_ini_fail(ini, c->group_key_line[i], AM_EPARSE,
                        "%s: line %d is past the end of the python snippet (%d lines)", key,
                        c->group_key_value[i], c->nlines);
            return;
        }
        if (key[0] == 'g')
            c->group_line[g] = c->group_key_value[i];
        else
            c->ended_line[g] = c->group_key_value[i];
    }
    for (size_t i = 0; i < c->nstep_keys; i++) {
        const am_code_step_key_t *sk = &c->step_key[i];
        size_t g = 0;
        while (g < ld->sc->ngroups && strcmp(ld->sc->groups[g].name, sk->group))
            g++;
        if (g == ld->sc->ngroups) {
            am_ini_fail(ini, sk->line, AM_EPARSE, "step.%s.%d: no [group.%s] in this file",
                        sk->group, sk->step, sk->group);
            return;
        }
        const am_scenario_group_t *gr = &ld->sc->groups[g];
        if (!gr->nops) {
            am_ini_fail(ini, sk->line, AM_EPARSE,
                        "step.%s.%d: [group.%s] has no do program (steps are those of do)",
                        sk->group, sk->step, sk->group);
            return;
        }
        if ((size_t)sk->step > gr->nops) {
            am_ini_fail(ini, sk->line, AM_EPARSE,
                        "step.%s.%d: step %d is past the end of [group.%s]'s do program (%zu "
                        "steps)",
                        sk->group, sk->step, sk->step, sk->group, gr->nops);
            return;
        }
        if (sk->value > c->nlines) {
            am_ini_fail(ini, sk->line, AM_EPARSE,
                        "step.%s.%d: line %d is past the end of the python snippet (%d lines)",
                        sk->group, sk->step, sk->value, c->nlines);
            return;
        }
        if (g < AM_CODE_MAX_GROUPS) c->step_line[g][sk->step - 1] = sk->value;
    }
}

/* [products] beer = 2: a product and the seconds it takes to scan. */
static void on_product_key(am_ini_t *ini, am_scenario_t *sc, const char *key, const char *value)
{
    double v = 0;
    const char *end = "";
    if (!am_is_name(key, AM_OBJ_NAME_MAX, 0)) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "[products]: expected a product name of 1 to %d letters, digits, \"_\" or "
                    "\"-\", got \"%s\"",
                    AM_OBJ_NAME_MAX - 1, key);
        return;
    }
    for (size_t i = 0; i < sc->nproducts; i++)
        if (!strcmp(sc->products[i].name, key)) {
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "duplicate product \"%s\" in [products] (first on line %d)", key,
                        sc->products[i].line);
            return;
        }
    if (am_parse_number(value, &v, &end) != 0 || *end || !(v > 0) || v > 86400) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "%s: expected the seconds it takes to scan one (> 0, at most 86400), got "
                    "\"%s\"",
                    key, value);
        return;
    }
    if (sc->nproducts == AM_SCENARIO_MAX_PRODUCTS) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "too many products (at most %d)",
                    AM_SCENARIO_MAX_PRODUCTS);
        return;
    }
    am_scenario_product_t *p = &sc->products[sc->nproducts++];
    snprintf(p->name, sizeof p->name, "%s", key);
    p->seconds = v;
    p->line = ini->line;
}

static void on_key(am_ini_t *ini, const char *key, const char *value)
{
    loader_t *ld = ini->user;
    const char *const *keys = ld->where == IN_GROUP ? group_keys : scenario_keys;
    size_t nkeys = ld->where == IN_GROUP ? G_NKEYS : S_NKEYS;
    int *seen = ld->where == IN_GROUP ? ld->seen_g : ld->seen_s;
    char section[AM_NAME_MAX + 8], expected[160];
    int k;

    if (ini->continuation) {
        if (ld->where == IN_SCENARIO && !strcmp(key, "narration"))
            append_narration(ini, ld->sc, value);
        else if (ld->where == IN_SCENARIO && !strcmp(key, "narration.zh"))
            append_cjk(ini, &ld->sc->narration_zh, value);
        else if (ld->where == IN_CODE && !strcmp(key, "python"))
            code_python_line(ini, ld->sc, value);
        else if (ld->where == IN_GROUP && !strcmp(key, "do"))
            append_text(ini, &ld->group->program, value, ' ');
        else
            am_ini_fail(ini, ini->line, AM_EPARSE,
                        "indented line continues \"%s\", but only narration, narration.zh, do and "
                        "python may span "
                        "several lines",
                        key);
        return;
    }
    if (ld->where == IN_OBJECT) {
        on_object_key(ini, ld, key, value);
        return;
    }
    if (ld->where == IN_CODE) {
        on_code_key(ini, ld, key, value);
        return;
    }
    if (ld->where == IN_PRODUCTS) {
        on_product_key(ini, ld->sc, key, value);
        return;
    }
    if (ld->where == IN_NOTHING) {
        am_ini_fail(ini, ini->line, AM_EPARSE,
                    "key \"%s\" is outside any section; expected [scenario] or [group.NAME] "
                    "before it",
                    key);
        return;
    }
    if (ld->where == IN_GROUP)
        snprintf(section, sizeof(section), "group.%s", ld->group->name);
    else
        strcpy(section, "scenario");
    k = am_ini_lookup(keys, nkeys, key);
    if (k < 0) {
        am_ini_join(expected, sizeof(expected), keys, nkeys);
        am_ini_fail(ini, ini->line, AM_EPARSE, "unknown key \"%s\" in [%s]; expected %s", key,
                    section, expected);
        return;
    }
    if (seen[k]) {
        am_ini_fail(ini, ini->line, AM_EPARSE, "duplicate key \"%s\" in [%s] (first on line %d)",
                    key, section, seen[k]);
        return;
    }
    seen[k] = ini->line;
    if (ld->where == IN_GROUP)
        set_group_key(ini, ld, k, key, value);
    else
        set_scenario_key(ini, ld->sc, k, key, value);
}

/* "demo/gather.ini" -> "gather" */
static void scenario_name(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    size_t len;

    base = base ? base + 1 : path;
    len = strlen(base);
    if (len > 4 && !strcmp(base + len - 4, ".ini")) len -= 4;
    if (len >= size) len = size - 1;
    memcpy(name, base, len);
    name[len] = '\0';
}

int am_scenario_load(const char *path, am_scenario_t *sc, char *err, size_t errsize)
{
    loader_t ld;
    am_ini_t ini;

    memset(sc, 0, sizeof(*sc));
    sc->combinator = AM_COMB_NONE;
    sc->return_when = AM_ALL_COMPLETED;
    sc->timeout = -1;
    memset(&ld, 0, sizeof(ld));
    ld.sc = sc;
    am_ini_init(&ini, path, on_section, on_key, &ld, err, errsize);
    if (strlen(path) >= sizeof(sc->path))
        return am_ini_fail(&ini, 0, AM_EINVAL, "path too long (at most %d bytes)", AM_PATH_MAX - 1);
    strcpy(sc->path, path);
    scenario_name(path, sc->name, sizeof(sc->name));

    if (am_ini_run(&ini) == 0) {
        finish_group(&ini, &ld);
        finish_object(&ini, &ld);
        if (!ini.error && sc->ngroups == 0)
            am_ini_fail(&ini, 0, AM_EPARSE, "no [group.NAME] section");
        parse_programs(&ini, sc);
        check_code(&ini, &ld);
    }
    if (ini.error) {
        am_scenario_free(sc);
        return ini.error;
    }
    if (!sc->title[0]) strcpy(sc->title, sc->name);
    return 0;
}

void am_scenario_free(am_scenario_t *sc)
{
    free(sc->narration);
    sc->narration = NULL;
    free(sc->narration_zh);
    sc->narration_zh = NULL;
    am_code_free(&sc->code);
    for (size_t i = 0; i < sc->ngroups; i++) {
        am_program_ops_free(sc->groups[i].ops, sc->groups[i].nops);
        sc->groups[i].nops = 0;
        free(sc->groups[i].program);
        sc->groups[i].program = NULL;
    }
}

uint64_t am_scenario_tasks(const am_scenario_t *sc)
{
    uint64_t n = 0;

    for (size_t i = 0; i < sc->ngroups; i++)
        n += sc->groups[i].count;
    return n;
}

int am_scenario_set_tasks(am_scenario_t *sc, uint64_t n)
{
    uint64_t total = am_scenario_tasks(sc), sum = 0, counts[AM_SCENARIO_MAX_GROUPS];
    size_t i, largest = 0;

    if (sc->ngroups == 0 || n < sc->ngroups || n > AM_MAX_TASKS || total == 0) return AM_EINVAL;
    for (i = 0; i < sc->ngroups; i++)
        if (sc->groups[i].count > AM_MAX_TASKS) return AM_EINVAL; /* keeps count * n below 2^64 */
    /* Each group gets its share rounded down, at least 1; the largest group
     * absorbs what rounding left over. */
    for (i = 0; i < sc->ngroups; i++) {
        counts[i] = sc->groups[i].count * n / total;
        if (counts[i] < 1) counts[i] = 1;
        sum += counts[i];
        if (sc->groups[i].count > sc->groups[largest].count) largest = i;
    }
    if (sum < n) counts[largest] += n - sum;
    /* The minimum of 1 can overshoot: take back from the biggest shares. */
    while (sum > n) {
        size_t big = 0;
        for (i = 1; i < sc->ngroups; i++)
            if (counts[i] > counts[big]) big = i;
        counts[big]--;
        sum--;
    }
    for (i = 0; i < sc->ngroups; i++)
        sc->groups[i].count = counts[i];
    return 0;
}

/* ---- shipped scenarios ---- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The program's own directory, from /proc/self/exe ("" when unknown). */
static const char *exe_dir(void)
{
    static char dir[AM_PATH_MAX];
    static int done;
    if (!done) {
        done = 1;
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        dir[n > 0 ? n : 0] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            dir[0] = '\0';
    }
    return dir;
}

const char *am_data_dir(const char *sub, const char *env_var)
{
    static struct {
        char sub[16];
        char path[AM_PATH_MAX];
    } cache[4];
    const char *env = env_var ? getenv(env_var) : NULL;
    if (env && *env) return env;
    size_t i;
    for (i = 0; i < 4 && cache[i].sub[0]; i++)
        if (!strcmp(cache[i].sub, sub)) return cache[i].path;
    char buf[AM_PATH_MAX];
    const char *found = NULL;
    /* installed: <prefix>/bin/asyncmon next to <prefix>/share/asyncmon/SUB */
    if (exe_dir()[0] &&
        snprintf(buf, sizeof buf, "%s/../share/asyncmon/%s", exe_dir(), sub) < (int)sizeof buf &&
        is_dir(buf))
        found = buf;
#ifdef ASYNCMON_SOURCE_DIR
    /* a binary in a build tree: the source tree's copy */
    char src[AM_PATH_MAX];
    if (!found && snprintf(src, sizeof src, "%s/%s", ASYNCMON_SOURCE_DIR, sub) < (int)sizeof src &&
        is_dir(src))
        found = src;
#endif
    char data[AM_PATH_MAX];
    if (!found) {
        snprintf(data, sizeof data, "%s/%s", ASYNCMON_DATA_DIR, sub);
        found = data;
    }
    if (i == 4) i = 3; /* never more than a few subdirectories: reuse the last slot */
    snprintf(cache[i].sub, sizeof cache[i].sub, "%s", sub);
    snprintf(cache[i].path, sizeof cache[i].path, "%s", found);
    return cache[i].path;
}

const char *am_demo_dir(void)
{
    return am_data_dir("demo", "ASYNCMON_DEMO_DIR");
}

int am_demo_resolve(const char *name_or_file, char *path, size_t size, char *err, size_t errsize)
{
    const char *s = name_or_file, *dir;
    size_t len = strlen(s);
    struct stat st;
    int n;

    if (err && errsize) err[0] = '\0';
    if (strchr(s, '/') || (len > 4 && !strcmp(s + len - 4, ".ini"))) {
        if (len >= size) {
            snprintf(err, errsize, "%s: path too long", s);
            return AM_EINVAL;
        }
        if (stat(s, &st) != 0) {
            snprintf(err, errsize, "%s: cannot open: %s", s, strerror(errno));
            return AM_ENOENT;
        }
        memcpy(path, s, len + 1);
        return 0;
    }
    dir = am_demo_dir();
    if (!am_is_name(s, AM_NAME_MAX, 0)) {
        snprintf(err, errsize,
                 "unknown demo \"%s\": expected a demo name (see --list-demos) or a path to an "
                 ".ini file",
                 s);
        return AM_ENOENT;
    }
    n = snprintf(path, size, "%s/%s.ini", dir, s);
    if (n < 0 || (size_t)n >= size) {
        snprintf(err, errsize, "%s/%s.ini: path too long", dir, s);
        return AM_EINVAL;
    }
    if (stat(path, &st) != 0) {
        snprintf(err, errsize, "unknown demo \"%s\": no %s (see --list-demos)", s, path);
        return AM_ENOENT;
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int am_demo_list(void (*fn)(const char *name, const char *title, void *ud), void *ud)
{
    const char *dir = am_demo_dir();
    char **names = NULL, **grown, path[AM_PATH_MAX], err[AM_PATH_MAX + 200];
    size_t n = 0, cap = 0, i;
    struct dirent *de;
    am_scenario_t sc;
    DIR *d;
    int rc = 0;

    d = opendir(dir);
    if (!d) return AM_ENOENT;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".ini") != 0 || de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            grown = realloc(names, cap * sizeof(*names));
            if (!grown) {
                rc = AM_ENOMEM;
                break;
            }
            names = grown;
        }
        names[n] = strdup(de->d_name);
        if (!names[n]) {
            rc = AM_ENOMEM;
            break;
        }
        names[n++][len - 4] = '\0'; /* sort and report by name */
    }
    closedir(d);
    if (rc == 0) {
        qsort(names, n, sizeof(*names), compare_names);
        for (i = 0; i < n; i++) {
            snprintf(path, sizeof(path), "%s/%s.ini", dir, names[i]);
            if (am_scenario_load(path, &sc, err, sizeof(err)) == 0) {
                fn(names[i], sc.title, ud);
                am_scenario_free(&sc);
            } else {
                fn(names[i], "(invalid scenario file)", ud);
            }
        }
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}
