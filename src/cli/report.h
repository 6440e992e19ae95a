/* report.h — report sections on primitives, queues and loop health. */
#ifndef ASYNCMON_CLI_REPORT_H
#define ASYNCMON_CLI_REPORT_H

#include <stdio.h>

#include "asyncmon/monitor.h"

/* Lines "  semaphore api: 0/10 held, 0 waiting", queue figures, loop health. */
void am_report_objects_text(am_monitor_t *mon, FILE *out);
/* The "objects" array and "health" object, each followed by ",\n". */
void am_report_objects_json(am_monitor_t *mon, FILE *f);

#endif
