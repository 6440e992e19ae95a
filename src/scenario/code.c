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

/* The lines of group g's tasks: step.NAME.K lines for the steps they are
 * at (in *wait when all of a step's tasks wait there), group.NAME when some
 * are elsewhere (a step without a key, between iterations, not started). */
static uint64_t group_lines(const am_scenario_code_t *c, const am_code_state_t *st, int g,
                            uint64_t *wait)
{
    const uint32_t *at = st->at[g], *w = st->waiting[g];
    size_t n = st->nsteps[g] < AM_CODE_MAX_STEPS ? st->nsteps[g] : AM_CODE_MAX_STEPS;
    uint64_t run = 0;
    int keyed = 0, elsewhere = 0, counted = 0;
    for (size_t k = 0; k < n; k++)
        keyed |= c->step_line[g][k] != 0;
    if (!keyed || !at) return bit(c->group_line[g]);
    for (size_t k = 0; k <= st->nsteps[g]; k++) {
        if (!at[k]) continue;
        counted = 1;
        int l = k < n ? c->step_line[g][k] : 0;
        if (!l)
            elsewhere = 1;
        else if (w && w[k] == at[k])
            *wait |= bit(l);
        else
            run |= bit(l);
    }
    if (elsewhere || !counted) run |= bit(c->group_line[g]);
    return run;
}

uint64_t am_code_active(const am_scenario_code_t *c, const am_code_state_t *st)
{
    return am_code_lines(c, st, NULL);
}

uint64_t am_code_lines(const am_scenario_code_t *c, const am_code_state_t *st, uint64_t *waiting)
{
    uint64_t wait = 0;
    if (waiting) *waiting = 0;
    if (!c->text) return 0;
    if (st->finished) {
        int l = c->phase_line[AM_PHASE_END] ? c->phase_line[AM_PHASE_END]
                                            : c->phase_line[AM_PHASE_AFTER];
        return bit(l);
    }
    uint64_t mask = 0;
    for (int g = 0; g < AM_CODE_MAX_GROUPS; g++)
        if (st->groups_active & (1u << g))
            mask |= group_lines(c, st, g, &wait);
        else if (st->groups_ended & (1u << g))
            mask |= bit(c->ended_line[g]);
    am_code_phase_t ph = st->node == 0   ? AM_PHASE_START
                         : st->node == 1 ? AM_PHASE_AWAIT
                                         : AM_PHASE_AFTER;
    mask |= bit(c->phase_line[ph]);
    /* a line where one task runs and another waits shows it running */
    if (waiting) *waiting = wait & ~mask;
    return mask | wait;
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
