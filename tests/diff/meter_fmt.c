/* meter_fmt — prints am_meter_format's output for meter cases read from stdin,
 * one line out per line in, for the differential test against Python's tqdm
 * (tests/diff/test_tqdm_meter.sh; cases come from tqdm_meter_cases.py).
 *
 * A case is 11 tab-separated fields:
 *   n total elapsed ncols prefix ascii unit unit_scale rate unit_divisor postfix
 * Numbers are Python float.hex() strings (exact), or "None" for total, ncols
 * and rate. Strings are raw UTF-8 and never contain a tab or a newline. */
#include "asyncmon/meter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NFIELDS = 11, LINE_MAX_BYTES = 1 << 16 };

static double parse_num(const char *s, double if_none)
{
    return strcmp(s, "None") == 0 ? if_none : strtod(s, NULL);
}

/* Split line in place on tabs; returns the number of fields. */
static int split_tabs(char *line, char **fields, int max)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

int main(void)
{
    static char line[LINE_MAX_BYTES];
    unsigned long lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        char *f[NFIELDS];
        if (split_tabs(line, f, NFIELDS) != NFIELDS) {
            fprintf(stderr, "meter_fmt: line %lu: expected %d tab-separated fields\n", lineno,
                    NFIELDS);
            return 2;
        }
        am_meter_args_t a;
        am_meter_args_init(&a);
        a.n = parse_num(f[0], 0);
        a.total = parse_num(f[1], NAN);
        a.elapsed = parse_num(f[2], 0);
        a.ncols = strcmp(f[3], "None") == 0 ? -1 : atoi(f[3]);
        a.prefix = f[4];
        a.ascii = atoi(f[5]);
        a.unit = f[6];
        a.unit_scale = atoi(f[7]);
        a.rate = parse_num(f[8], NAN);
        a.unit_divisor = parse_num(f[9], 0);
        a.postfix = f[10];

        /* size it first, as callers of the snprintf-style API do */
        size_t need = am_meter_format(NULL, 0, &a);
        char *out = malloc(need + 1);
        if (!out) return 2;
        if (am_meter_format(out, need + 1, &a) != need || strlen(out) != need) {
            fprintf(stderr, "meter_fmt: line %lu: inconsistent length\n", lineno);
            return 2;
        }
        puts(out);
        free(out);
    }
    return 0;
}
