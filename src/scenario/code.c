/* code.c — the snippet of a scenario's [code] section and the lines that are
 * executing in a phase of the run (code.h). Kept apart from the loader so
 * that the rule "which line is highlighted when" is one small function the
 * unit tests pin down, and the panel only draws what it returns. */
#include "asyncmon/code.h"

#include <stdlib.h>
#include <string.h>

#include "asyncmon/error.h"

static uint64_t bit(int line)
{
    return line >= 1 && line <= AM_CODE_MAX_LINES ? (uint64_t)1 << (line - 1) : 0;
}

uint64_t am_code_active(const am_scenario_code_t *c, const am_code_state_t *st)
{
    if (!c->text) return 0;
    if (st->finished) {
        int l = c->phase_line[AM_PHASE_END] ? c->phase_line[AM_PHASE_END]
                                            : c->phase_line[AM_PHASE_AFTER];
        return bit(l);
    }
    uint64_t mask = 0;
    for (int g = 0; g < AM_CODE_MAX_GROUPS; g++)
        if (st->groups_active & (1u << g))
            mask |= bit(c->group_line[g]);
        else if (st->groups_ended & (1u << g))
            mask |= bit(c->ended_line[g]);
    am_code_phase_t ph = st->node == 0   ? AM_PHASE_START
                         : st->node == 1 ? AM_PHASE_AWAIT
                                         : AM_PHASE_AFTER;
    return mask | bit(c->phase_line[ph]);
}

const char *am_code_line(const am_scenario_code_t *c, int i, size_t *len)
{
    if (!c->text || i < 1 || i > c->nlines) return NULL;
    const char *p = c->text;
    for (int k = 1; k < i; k++)
        p = strchr(p, '\n') + 1; /* nlines counts the '\n's, so there is one */
    const char *e = strchr(p, '\n');
    *len = e ? (size_t)(e - p) : strlen(p);
    return p;
}

int am_code_append(am_scenario_code_t *c, const char *line)
{
    size_t old = c->text ? strlen(c->text) : 0, add = strlen(line);
    char *p = realloc(c->text, old + add + 2);
    if (!p) return AM_ENOMEM;
    if (c->nlines) p[old++] = '\n';
    memcpy(p + old, line, add + 1);
    c->text = p;
    c->nlines++;
    return 0;
}

void am_code_free(am_scenario_code_t *c)
{
    free(c->text);
    c->text = NULL;
    c->nlines = 0;
}
