/* spark.c — sparkline levels, gauge cells and piece flowing for the queues
 * panel (see spark.h): plain arithmetic, no curses, unit-tested. */
#include "ui/spark.h"

#include <string.h>

static const char *const spark_utf8[AM_SPARK_LEVELS] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                                        "\u2585", "\u2586", "\u2587", "\u2588"};
static const char *const spark_ascii[AM_SPARK_LEVELS] = {" ", ".", ":", "-", "=", "+", "*", "#"};

const char *am_spark_glyph(int level, int ascii)
{
    if (level < 0) level = 0;
    if (level >= AM_SPARK_LEVELS) level = AM_SPARK_LEVELS - 1;
    return ascii ? spark_ascii[level] : spark_utf8[level];
}

int am_spark_level(uint32_t v, uint32_t top, int levels)
{
    if (levels < 2 || v == 0) return 0;
    if (top == 0 || v >= top) return levels - 1;
    /* ceil(v * (levels - 1) / top): 1..levels-1 for 0 < v <= top */
    uint64_t num = (uint64_t)v * (uint64_t)(levels - 1);
    int level = (int)((num + top - 1) / top);
    return level < 1 ? 1 : level > levels - 1 ? levels - 1 : level;
}

size_t am_sparkline(char *buf, size_t size, const uint32_t *samples, size_t n, uint32_t top,
                    int width, int ascii)
{
    size_t len = 0;
    if (!size) return 0;
    buf[0] = '\0';
    if (width <= 0) return 0;
    size_t shown = n < (size_t)width ? n : (size_t)width;
    size_t pad = (size_t)width - shown;
    for (size_t i = 0; i < (size_t)width; i++) {
        const char *g = " "; /* no sample yet */
        if (i >= pad) {
            uint32_t v = samples[n - shown + (i - pad)];
            g = am_spark_glyph(am_spark_level(v, top, AM_SPARK_LEVELS), ascii);
        }
        size_t gl = strlen(g);
        if (len + gl + 1 > size) break; /* whole characters only */
        memcpy(buf + len, g, gl);
        len += gl;
    }
    buf[len] = '\0';
    return len;
}

int am_gauge_filled(uint64_t value, uint64_t total, int width)
{
    if (width <= 0 || value == 0) return 0;
    if (total == 0 || value >= total) return width;
    int cells = (int)((double)value * width / (double)total + 0.5); /* the nearest cell */
    if (cells < 1) cells = 1;
    if (cells > width - 1) cells = width - 1;
    return cells;
}

int am_flow(const int *widths, int n, int gap, int width, int *line_of)
{
    int line = -1, used = 0;
    for (int i = 0; i < n; i++) {
        int w = widths[i] > 0 ? widths[i] : 0;
        if (line < 0 || used + gap + w > width) {
            line++;
            used = w;
        } else {
            used += gap + w;
        }
        line_of[i] = line;
    }
    return line + 1;
}
