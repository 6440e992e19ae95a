/* report.h — report sections on primitives, queues and loop health. */
#ifndef ASYNCMON_CLI_REPORT_H
#define ASYNCMON_CLI_REPORT_H

#include <stdio.h>

#include "asyncmon/driver.h"
#include "asyncmon/monitor.h"

/* Lines "  semaphore api: 0/10 held, 0 waiting", queue figures, loop health. */
void am_report_objects_text(am_monitor_t *mon, FILE *out);
/* The "objects" array and "health" object, each followed by ",\n". */
void am_report_objects_json(am_monitor_t *mon, FILE *f);

/* checkout_report.c: a checkout scenario's figures (checkout.h), nothing for
 * other scenarios: indented text lines, or a "checkout" object followed by ",\n". */
void am_report_checkout_text(am_loop_t *loop, am_driver_t *d, const am_scenario_t *sc, FILE *out);
void am_report_checkout_json(am_loop_t *loop, am_driver_t *d, const am_scenario_t *sc, FILE *f);

#endif
