/* panels.c — the panel registry: every view of the dashboard, in screen
 * order (top to bottom; side panels go right of the task list on a wide
 * terminal, below it otherwise).
 *
 * Adding a panel (the queues, say) is one file, src/ui/queues.c, defining
 *     const am_view_t am_view_queues = {.name = "queues", ...};
 * and one X(queues) line below: its toggle key, its [keys] name
 * (toggle_queues), its place in the layout and in Tab's cycle all come from
 * that definition. */
#include "ui/ui.h"

#define AM_PANELS(X)                                                                               \
    X(header)                                                                                      \
    X(tour)                                                                                        \
    X(narration)                                                                                   \
    X(code)                                                                                        \
    X(bars)                                                                                        \
    X(checkout)                                                                                    \
    X(tasks)                                                                                       \
    X(jobs)                                                                                        \
    X(wait)                                                                                        \
    X(queues)                                                                                      \
    X(log)                                                                                         \
    X(footer)

#define DECLARE(name) extern const am_view_t am_view_##name;
AM_PANELS(DECLARE)
#undef DECLARE

#define ADDRESS(name) &am_view_##name,
const am_view_t *const am_views[] = {AM_PANELS(ADDRESS)};
#undef ADDRESS

const size_t am_nviews = sizeof am_views / sizeof am_views[0];

_Static_assert(sizeof am_views / sizeof am_views[0] <= AM_PANELS_MAX,
               "more panels than the keymap has toggle slots (AM_PANELS_MAX)");

size_t am_panel_count(void)
{
    return am_nviews;
}

const char *am_panel_name(size_t i)
{
    return i < am_nviews ? am_views[i]->name : NULL;
}

const char *am_panel_title(size_t i)
{
    return i < am_nviews ? am_views[i]->title : NULL;
}

int am_panel_toggle_key(size_t i)
{
    return i < am_nviews ? am_views[i]->toggle_key : 0;
}
