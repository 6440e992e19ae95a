/* report.c — the end-of-run report's parts about primitives, queues and the
 * loop's health, shared by the text summary and the JSON file. */
#include <stdio.h>

#include "cli/report.h"

void am_report_objects_text(am_monitor_t *mon, FILE *out)
{
    for (size_t i = 1; i <= am_monitor_nobjects(mon); i++) {
        am_obj_info_t o;
        if (am_monitor_object(mon, (int)i, &o) != 0) continue;
        if (o.kind == AM_OBJ_QUEUE) {
            am_queue_stats_t q;
            am_monitor_queue(mon, (int)i, &q);
            fprintf(out,
                    "  queue %s (%s, maxsize %u): %llu put, %llu got, depth %zu (max %zu); "
                    "time in queue p50 %.3f s, p95 %.3f s, max %.3f s\n",
                    o.name, am_queue_kind_name(q.kind), q.maxsize, (unsigned long long)q.puts,
                    (unsigned long long)q.gets, q.depth, q.max_depth, q.wait_p50, q.wait_p95,
                    q.wait_max);
        } else {
            fprintf(out, "  %s %s: %u/%u held, %u waiting\n", am_obj_kind_name(o.kind), o.name,
                    o.holders, o.capacity, o.waiters);
        }
    }
    am_loop_health_t h;
    am_monitor_health(mon, &h);
    fprintf(out, "  loop: lag max %.3f s (p99 %.3f s); %llu slow steps over %.0f ms", h.lag_max,
            h.lag_p99, (unsigned long long)h.slow_steps, h.slow_threshold * 1000);
    if (h.slow_steps) fprintf(out, ", slowest %.3f s", h.slowest);
    fputc('\n', out);
}

void am_report_objects_json(am_monitor_t *mon, FILE *f)
{
    fprintf(f, "  \"objects\": [");
    for (size_t i = 1; i <= am_monitor_nobjects(mon); i++) {
        am_obj_info_t o;
        if (am_monitor_object(mon, (int)i, &o) != 0) continue;
        fprintf(f,
                "%s\n    {\"name\": \"%s\", \"kind\": \"%s\", \"capacity\": %u, \"holders\": %u, "
                "\"waiters\": %u",
                i > 1 ? "," : "", o.name, am_obj_kind_name(o.kind), o.capacity, o.holders,
                o.waiters);
        if (o.kind == AM_OBJ_SEMAPHORE || o.kind == AM_OBJ_BOUNDED_SEMAPHORE)
            fprintf(f, ", \"peak\": %u", o.peak);
        if (o.kind == AM_OBJ_QUEUE) {
            am_queue_stats_t q;
            am_monitor_queue(mon, (int)i, &q);
            fprintf(
                f,
                ", \"queue_kind\": \"%s\", \"maxsize\": %u, \"depth\": %zu, \"max_depth\": %zu, "
                "\"puts\": %llu, \"gets\": %llu, \"unfinished\": %llu, \"wait_p50\": %.6f, "
                "\"wait_p95\": %.6f, \"wait_max\": %.6f, \"wait_mean\": %.6f",
                am_queue_kind_name(q.kind), q.maxsize, q.depth, q.max_depth,
                (unsigned long long)q.puts, (unsigned long long)q.gets,
                (unsigned long long)q.unfinished, q.wait_p50, q.wait_p95, q.wait_max, q.wait_mean);
            /* the order items came out: priority order, last in first out */
            fprintf(f, ", \"got_priorities\": [");
            for (size_t k = 0; k < q.norder; k++)
                fprintf(f, "%s%lld", k ? ", " : "", (long long)q.order_prio[k]);
            fprintf(f, "], \"got_put_order\": [");
            for (size_t k = 0; k < q.norder; k++)
                fprintf(f, "%s%llu", k ? ", " : "", (unsigned long long)q.order_seq[k]);
            fputc(']', f);
        }
        fputc('}', f);
    }
    fprintf(f, "\n  ],\n");
    am_loop_health_t h;
    am_monitor_health(mon, &h);
    fprintf(f,
            "  \"health\": {\"lag_max\": %.6f, \"lag_p99\": %.6f, \"lag_samples\": %llu, "
            "\"slow_steps\": %llu, \"slowest\": %.6f, \"slow_threshold\": %.6f},\n",
            h.lag_max, h.lag_p99, (unsigned long long)h.lag_samples,
            (unsigned long long)h.slow_steps, h.slowest, h.slow_threshold);
}
