/* raw_libuv.c — the baseline for bench/tasks.sh: N timers on a plain libuv
 * loop, one uv_timer_t per task, durations uniform in [1, 5] s, as a C
 * program without any runtime would do it. Prints the lateness of the last
 * timer against its deadline. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

static uint64_t fired, start_ms;
static int64_t max_late_ms;

static void on_timer(uv_timer_t *t)
{
    int64_t due = (int64_t)(uintptr_t)t->data;
    int64_t late = (int64_t)(uv_now(t->loop) - start_ms) - due;
    if (late > max_late_ms) max_late_ms = late;
    fired++;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    uv_loop_t *loop = uv_default_loop();
    uv_timer_t *timers = malloc(n * sizeof *timers);
    if (!timers) return 1;
    start_ms = uv_now(loop);
    for (uint64_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t ms = 1000 + s % 4001;
        uv_timer_init(loop, &timers[i]);
        timers[i].data = (void *)(uintptr_t)ms;
        uv_timer_start(&timers[i], on_timer, ms, 0);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    printf("fired %llu max_late_s %.3f\n", (unsigned long long)fired, max_late_ms / 1e3);
    return fired == n ? 0 : 1;
}
