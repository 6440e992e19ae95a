/* tour.h — the guided teaching tour (`asyncmon tour`): its scenarios in the
 * order a learner meets them, and the scenario texts in the chosen language.
 *
 * The tour is a list of demo names (src/scenario/tour.c); each is an
 * ordinary scenario file in demo/ with, besides its English title and
 * narration, a title.zh, a narration.zh and a [code] section (code.h). */
#ifndef ASYNCMON_TOUR_H
#define ASYNCMON_TOUR_H

#include <stddef.h>

#include "asyncmon/scenario.h"

/* Scenarios in the tour. */
size_t am_tour_count(void);
/* Demo name of scenario i (0-based), NULL past the end. */
const char *am_tour_name(size_t i);
/* A scenario by its number (1-based: "3"), its demo name ("tour-gather") or
 * that name without "tour-" ("gather"). Its index, or -1. */
int am_tour_find(const char *number_or_name);
/* Its index when demo `name` is in the tour, else -1. */
int am_tour_index(const char *name);

/* The scenario's title and narration in language `lang` ("en", "zh"): the
 * translation when the file has one, else the English text. */
const char *am_scenario_title_in(const am_scenario_t *sc, const char *lang);
const char *am_scenario_narration_in(const am_scenario_t *sc, const char *lang);
/* Make the translated title the scenario's title for language `lang`, so
 * that everything showing sc->title (the dashboard's header) speaks it too.
 * The translation itself stays in title_zh: am_scenario_title_in still works. */
void am_scenario_use_language(am_scenario_t *sc, const char *lang);

#endif
