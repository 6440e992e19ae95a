/* testutil.c — the helpers testutil.h declares, shared by the unit tests. */
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
#include <unistd.h>

#include "asyncmon/program.h"
#include "testutil.h"

/* ---- the loop fixture ---- */

void tu_loop_open(uv_loop_t *uv, am_loop_t **loop)
{
    assert_int_equal(uv_loop_init(uv), 0);
    *loop = am_loop_new(uv);
    assert_non_null(*loop);
    assert_int_equal(am_loop_set_speed(*loop, AM_SPEED_MAX), 0);
}

int tu_loop_close(uv_loop_t *uv, am_loop_t *loop)
{
    if (!loop) return 0;
    am_loop_free(loop);
    return uv_loop_close(uv);
}

int tu_loop_setup(void **state)
{
    tu_loop_t *f = calloc(1, sizeof *f);
    if (!f) return -1;
    tu_loop_open(&f->uv, &f->loop);
    *state = f;
    return 0;
}

int tu_loop_teardown(void **state)
{
    tu_loop_t *f = *state;
    int rc = tu_loop_close(&f->uv, f->loop);
    free(f);
    return rc == 0 ? 0 : -1;
}

void tu_run_idle(uv_loop_t *uv)
{
    uv_run(uv, UV_RUN_DEFAULT);
}

int tu_watched_open(uv_loop_t *uv, am_loop_t **loop, am_monitor_t **mon, am_observer_fn fn,
                    void *ctx)
{
    tu_loop_open(uv, loop);
    *mon = am_monitor_new(*loop, 0);
    if (!*mon) return -1;
    am_monitor_set_listener(*mon, fn, ctx);
    return 0;
}

int tu_watched_close(uv_loop_t *uv, am_loop_t *loop, am_monitor_t *mon)
{
    am_monitor_free(mon);
    return tu_loop_close(uv, loop);
}

void tu_run_checked(uv_loop_t *uv, const am_monitor_t *mon)
{
    tu_run_idle(uv);
    if (mon) tu_assert_monitor_ok(mon);
}

/* ---- tasks ---- */

am_task_id_t tu_spawn_sleep(am_loop_t *loop, uint16_t group, double sec, uint32_t steps, int fail,
                            int64_t result)
{
    am_sleep_spec_t spec = {S(sec), steps, fail, result};
    am_task_id_t id = am_spawn_sleep(loop, group, &spec);
    assert_int_not_equal(id, 0);
    return id;
}

am_task_id_t tu_sleep_for(am_loop_t *loop, double sec)
{
    return tu_spawn_sleep(loop, 0, sec, 1, 0, 0);
}

int tu_program(am_loop_t *loop, const char *text, uint32_t repeat)
{
    am_op_t ops[AM_PROGRAM_MAX_OPS];
    size_t n = 0;
    char err[256] = "";
    if (am_program_parse(am_loop_obj_lookup, loop, text, ops, AM_PROGRAM_MAX_OPS, &n, err,
                         sizeof err) != 0)
        fail_msg("\"%s\": %s", text, err);
    int id = am_program_new(loop, ops, n, repeat);
    am_program_ops_free(ops, n);
    assert_true(id > 0);
    return id;
}

am_task_id_t tu_spawn_program(am_loop_t *loop, int program)
{
    am_task_id_t id = am_spawn_program(loop, 0, program);
    assert_int_not_equal(id, 0);
    return id;
}

am_task_id_t tu_go(am_loop_t *loop, const char *text)
{
    return tu_spawn_program(loop, tu_program(loop, text, 1));
}

void tu_assert_ended(am_loop_t *loop, am_task_id_t id, am_task_state_t st, double sec)
{
    if (am_task_state(loop, id) != st)
        fail_msg("task %u: state %s, expected %s", id, am_task_state_name(am_task_state(loop, id)),
                 am_task_state_name(st));
    if (am_task_ended(loop, id) != S(sec))
        fail_msg("task %u: ended at %.6f s, expected %.6f s", id,
                 AM_SECONDS(am_task_ended(loop, id)), sec);
}

void tu_assert_monitor_ok(const am_monitor_t *mon)
{
    char why[256];
    if (am_monitor_check(mon, why, sizeof why) != 0) fail_msg("am_monitor_check: %s", why);
}

/* ---- files ---- */

const char *tu_write_temp_bytes(const char *tag, const void *data, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "/tmp/am_%s_XXXXXX", tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

const char *tu_write_temp(const char *tag, const char *text)
{
    return tu_write_temp_bytes(tag, text, strlen(text));
}

void tu_remove_temp(const char *path)
{
    unlink(path);
}

const char *tu_source_dir(void)
{
    const char *s = getenv("ASYNCMON_SOURCE");
#ifdef ASYNCMON_SOURCE_DIR
    if (!s || !*s) s = ASYNCMON_SOURCE_DIR;
#endif
    return s ? s : ".";
}

char *tu_source_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", tu_source_dir(), rel);
    return buf;
}

void tu_load_demo(const char *name, am_scenario_t *sc)
{
    char path[1024], rel[256], err[1024];
    snprintf(rel, sizeof rel, "demo/%s.ini", name);
    tu_source_path(path, sizeof path, rel);
    if (am_scenario_load(path, sc, err, sizeof err) != 0) fail_msg("%s", err);
}
