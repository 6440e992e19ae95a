/* checkout_report.c — the checkout's part of the end-of-run report: what
 * happened to every customer (arrived = served + in queue + in service +
 * cancelled), the queue's depth against its maxsize, the times in queue and
 * in system, and Little's law (L = lambda * W) over the run. */
#include <stdio.h>

#include "asyncmon/checkout.h"
#include "cli/report.h"

static int figures(am_loop_t *loop, am_driver_t *d, const am_scenario_t *sc,
                   am_checkout_stats_t *st)
{
    am_checkout_t c;
    if (!loop || !d || !am_checkout_find(sc, &c)) return 0;
    return am_checkout_stats(loop, d, &c, st) == 0;
}

void am_report_checkout_text(am_loop_t *loop, am_driver_t *d, const am_scenario_t *sc, FILE *out)
{
    am_checkout_stats_t st;
    if (!figures(loop, d, sc, &st)) return;
    fprintf(out,
            "  checkout: %llu customers arrived: %llu served, %llu in queue, %llu in service, "
            "%llu cancelled; queue max %zu of %u; %u cashiers open\n",
            (unsigned long long)st.arrived, (unsigned long long)st.served,
            (unsigned long long)st.in_queue, (unsigned long long)st.in_service,
            (unsigned long long)st.cancelled, st.max_queue_depth, st.maxsize, st.cashiers);
    fprintf(out,
            "  checkout: time in queue p50 %.3f s, p95 %.3f s, max %.3f s; in system mean %.3f s; "
            "Little's law L %.3f vs lambda*W %.3f (%.3f/s * %.3f s)\n",
            st.wait_p50, st.wait_p95, st.wait_max, st.system_mean, st.mean_depth,
            st.arrival_rate * st.wait_mean, st.arrival_rate, st.wait_mean);
}

void am_report_checkout_json(am_loop_t *loop, am_driver_t *d, const am_scenario_t *sc, FILE *f)
{
    am_checkout_stats_t st;
    if (!figures(loop, d, sc, &st)) return;
    fprintf(f,
            "  \"checkout\": {\"arrived\": %llu, \"served\": %llu, \"in_queue\": %llu, "
            "\"in_service\": %llu, \"cancelled\": %llu, \"max_queue_depth\": %zu, "
            "\"maxsize\": %u, \"cashiers\": %u, \"express\": %s, \"closed\": %s, "
            "\"wait_p50\": %.6f, \"wait_p95\": %.6f, \"wait_max\": %.6f, "
            "\"system_mean\": %.6f, \"system_p50\": %.6f, \"system_p95\": %.6f, "
            "\"system_max\": %.6f, \"service_mean\": %.6f, "
            "\"littles_law\": {\"L\": %.6f, \"lambda\": %.6f, \"W\": %.6f, \"lambda_W\": %.6f, "
            "\"seconds\": %.6f}},\n",
            (unsigned long long)st.arrived, (unsigned long long)st.served,
            (unsigned long long)st.in_queue, (unsigned long long)st.in_service,
            (unsigned long long)st.cancelled, st.max_queue_depth, st.maxsize, st.cashiers,
            st.express ? "true" : "false", st.closed ? "true" : "false", st.wait_p50, st.wait_p95,
            st.wait_max, st.system_mean, st.system_p50, st.system_p95, st.system_max,
            st.service_mean, st.mean_depth, st.arrival_rate, st.wait_mean,
            st.arrival_rate * st.wait_mean, st.elapsed);
}
