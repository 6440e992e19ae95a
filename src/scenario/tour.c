/* tour.c — the teaching tour's scenario list and the language of its texts.
 *
 * The list is a table on purpose: adding a scenario to the tour is one line
 * here (plus its demo/NAME.ini), and the order is the teaching order of the
 * issue: mistakes first, then gather, as_completed, wait, timeouts,
 * cancellation, TaskGroup, the primitives, queues, blocking, the chess simul. */
#include "asyncmon/tour.h"

#include <stdlib.h>
#include <string.h>

static const char *const tour[] = {
    "tour-mistakes",                 /* 1. awaiting one by one vs. tasks vs. gather */
    "tour-gather",                   /* 2. 2000 tasks, one bar, result order */
    "tour-gather-error",             /* 3. return_exceptions=False */
    "tour-gather-return-exceptions", /*    return_exceptions=True */
    "tour-as-completed",             /* 4. completion order, timeout */
    "tour-wait-all",                 /* 5. wait: ALL_COMPLETED */
    "tour-wait-first-completed",     /*    FIRST_COMPLETED */
    "tour-wait-first-exception",     /*    FIRST_EXCEPTION */
    "tour-wait-loop",                /*    while pending:, re-adding failures */
    "tour-wait-timeout",             /*    a timeout that cancels nothing */
    "tour-wait-for",                 /* 6. wait_for vs. shield */
    "tour-cancel",                   /* 7. cancellation */
    "tour-taskgroup",                /* 8. TaskGroup */
    "tour-semaphore",                /* 9. Semaphore(10) */
    "tour-bounded-semaphore",        /*    BoundedSemaphore released too often */
    "tour-lock",                     /* 10. Lock */
    "tour-event",                    /*     Event */
    "tour-condition",                /*     Condition */
    "checkout",                      /* 11. Queue: the supermarket checkout */
    "tour-priority-queue",           /*     PriorityQueue */
    "tour-lifo-queue",               /*     LifoQueue */
    "tour-blocking",                 /* 12. blocking the loop vs. run_in_executor */
    "tour-chess",                    /* 13. the chess simul */
};

size_t am_tour_count(void)
{
    return sizeof tour / sizeof tour[0];
}

const char *am_tour_name(size_t i)
{
    return i < am_tour_count() ? tour[i] : NULL;
}

int am_tour_index(const char *name)
{
    for (size_t i = 0; i < am_tour_count(); i++)
        if (!strcmp(tour[i], name)) return (int)i;
    return -1;
}

int am_tour_find(const char *s)
{
    if (!s || !*s) return -1;
    if (strspn(s, "0123456789") == strlen(s)) {
        if (strlen(s) > 4) return -1;
        long n = strtol(s, NULL, 10);
        return n >= 1 && (size_t)n <= am_tour_count() ? (int)n - 1 : -1;
    }
    int i = am_tour_index(s);
    for (size_t k = 0; i < 0 && k < am_tour_count(); k++)
        if (!strncmp(tour[k], "tour-", 5) && !strcmp(tour[k] + 5, s)) i = (int)k;
    return i;
}

const char *am_scenario_title_in(const am_scenario_t *sc, const char *lang)
{
    return lang && !strcmp(lang, "zh") && sc->title_zh[0] ? sc->title_zh : sc->title;
}

const char *am_scenario_narration_in(const am_scenario_t *sc, const char *lang)
{
    return lang && !strcmp(lang, "zh") && sc->narration_zh ? sc->narration_zh : sc->narration;
}

void am_scenario_use_language(am_scenario_t *sc, const char *lang)
{
    const char *t = am_scenario_title_in(sc, lang);
    if (t != sc->title) memcpy(sc->title, t, sizeof sc->title);
}
