/* testutil.h — fixtures and helpers shared by the unit tests (testutil.c,
 * linked into every tests/unit/test_*.c): a uv loop with the runtime on it in
 * jump mode, running it dry, spawning sleep and program tasks, the monitor's
 * check, temporary files and the source tree. Helpers that check something
 * fail the running test through cmocka's assertions. */
#ifndef ASYNCMON_TESTUTIL_H
#define ASYNCMON_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "asyncmon/monitor.h"
#include "asyncmon/runtime.h"
#include "asyncmon/scenario.h"

/* A duration in (virtual) seconds as am_time_t microseconds. */
#define S(sec) AM_USEC(sec)

/* ---- the loop fixture ---- */

/* The loop fixture: a uv loop and the runtime on it (bigger fixtures keep these two fields). */
typedef struct tu_loop_s {
    uv_loop_t uv;
    am_loop_t *loop;
} tu_loop_t;

/* Init uv, make *loop on it and set jump mode (AM_SPEED_MAX), asserting each step. */
void tu_loop_open(uv_loop_t *uv, am_loop_t **loop);

/* Free loop (when there is one) and close uv; returns uv_loop_close's result (0 or UV_EBUSY). */
int tu_loop_close(uv_loop_t *uv, am_loop_t *loop);

/* cmocka setup: *state becomes a new tu_loop_t, opened by tu_loop_open. */
int tu_loop_setup(void **state);

/* cmocka teardown of tu_loop_setup: closes and frees *state; fails if uv_loop_close != 0. */
int tu_loop_teardown(void **state);

/* Run the uv loop until nothing is left to do (in jump mode: until the runtime is idle). */
void tu_run_idle(uv_loop_t *uv);

/* tu_loop_open, then a monitor on the loop whose listener is fn(ctx); 0, or -1 without memory. */
int tu_watched_open(uv_loop_t *uv, am_loop_t **loop, am_monitor_t **mon, am_observer_fn fn,
                    void *ctx);

/* Free the monitor (when there is one), then tu_loop_close; returns tu_loop_close's result. */
int tu_watched_close(uv_loop_t *uv, am_loop_t *loop, am_monitor_t *mon);

/* tu_run_idle, then tu_assert_monitor_ok when there is a monitor. */
void tu_run_checked(uv_loop_t *uv, const am_monitor_t *mon);

/* ---- tasks ---- */

/* Spawn a sleep of sec seconds (steps, fail, result as in am_sleep_spec_t); asserts it exists. */
am_task_id_t tu_spawn_sleep(am_loop_t *loop, uint16_t group, double sec, uint32_t steps, int fail,
                            int64_t result);

/* Spawn a one-step sleep of sec seconds in group 0 that ends done with result 0. */
am_task_id_t tu_sleep_for(am_loop_t *loop, double sec);

/* Register a program parsed from text against loop's objects; fails the test if it won't parse. */
int tu_program(am_loop_t *loop, const char *text, uint32_t repeat);

/* Spawn a task in group 0 running program; asserts it was created. */
am_task_id_t tu_spawn_program(am_loop_t *loop, int program);

/* Spawn a task running text once (tu_program + tu_spawn_program). */
am_task_id_t tu_go(am_loop_t *loop, const char *text);

/* Fail the test unless task id ended in state st at exactly sec virtual seconds. */
void tu_assert_ended(am_loop_t *loop, am_task_id_t id, am_task_state_t st, double sec);

/* Fail the test with am_monitor_check's reason when the monitor's counts do not add up. */
void tu_assert_monitor_ok(const am_monitor_t *mon);

/* ---- files ---- */

/* Write text to a new /tmp/am_TAG_XXXXXX (mkstemp); returns its path, reused by the next call. */
const char *tu_write_temp(const char *tag, const char *text);

/* tu_write_temp for len bytes of data that may hold NUL bytes. */
const char *tu_write_temp_bytes(const char *tag, const void *data, size_t len);

/* Remove a file written by tu_write_temp. */
void tu_remove_temp(const char *path);

/* The source tree: $ASYNCMON_SOURCE (set by ctest), else the configured ASYNCMON_SOURCE_DIR. */
const char *tu_source_dir(void);

/* Write "<source tree>/rel" to buf; returns buf. */
char *tu_source_path(char *buf, size_t size, const char *rel);

/* Load demo/NAME.ini from the source tree into sc; fails the test with the loader's message. */
void tu_load_demo(const char *name, am_scenario_t *sc);

#endif
