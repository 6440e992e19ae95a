/* spark.h — the arithmetic behind the queues panel's little graphics, kept
 * apart from curses so tests/unit/test_sparkline.c can check it: how full a
 * gauge's cells are ("████████░░ 10/10 held"), which of the eight levels a
 * sparkline sample gets (▁▂▃▄▅▆▇█, or " .:-=+*#" when the locale is not
 * UTF-8), a whole sparkline as text, and how labelled pieces of a row flow
 * onto as many lines as a width needs. */
#ifndef ASYNCMON_UI_SPARK_H
#define ASYNCMON_UI_SPARK_H

#include <stddef.h>
#include <stdint.h>

#define AM_SPARK_LEVELS 8

/* Glyph of level 0..AM_SPARK_LEVELS-1: "▁".."█", or " ".."#" with ascii. */
const char *am_spark_glyph(int level, int ascii);

/* The level of sample v on a scale whose top is `top` (the queue's maxsize,
 * or the deepest it has been when unbounded): 0 for 0, the top level for
 * top or more, and any v > 0 at least level 1, so a queue that held an
 * item never looks empty. A zero top maps everything to 0 but v > 0, which
 * is off the scale, so the top level. */
int am_spark_level(uint32_t v, uint32_t top, int levels);

/* The newest `width` samples of samples[0..n) (oldest first) as a UTF-8
 * sparkline of exactly `width` columns, padded on the left with blanks while
 * there are fewer samples than columns, so the newest is always the last
 * column. Returns the bytes written (the string is always terminated; it is
 * cut at a character boundary if size is too small). */
size_t am_sparkline(char *buf, size_t size, const uint32_t *samples, size_t n, uint32_t top,
                    int width, int ascii);

/* Filled cells of a gauge `width` cells wide showing value out of total,
 * rounded to the nearest cell, except that any value > 0 fills at least one
 * cell and only value >= total fills them all: "1 of 1000 held" is not an
 * empty gauge, "999 of 1000" is not a full one (a gauge of one cell is
 * filled only when full). total 0: empty for 0, full otherwise. */
int am_gauge_filled(uint64_t value, uint64_t total, int width);

/* Flow n pieces of widths[] onto lines `width` columns wide, `gap` columns
 * between pieces on a line, in order: line_of[i] gets the line of piece i.
 * A piece wider than the line gets a line to itself (it is cut when drawn).
 * Returns the number of lines (0 for no pieces). */
int am_flow(const int *widths, int n, int gap, int width, int *line_of);

#endif
