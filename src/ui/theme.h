/* theme.h — colour themes: themes/NAME.ini files mapping each element of the
 * dashboard (a task state, a panel title, the footer keys...) to a colour
 * pair and attributes, plus attributes alone for terminals without colours.
 *
 * No curses here: colours are numbers (-1 the terminal's default, 0-7 the
 * basic eight, 8-15 their bright forms, up to 255) and attributes are the
 * AM_A_ bits below; term.c turns them into curses pairs. tests/unit/test_theme.c
 * loads every shipped theme and every kind of mistake. */
#ifndef ASYNCMON_UI_THEME_H
#define ASYNCMON_UI_THEME_H

#include <stddef.h>

#include "asyncmon/scenario.h"

typedef enum am_elem_e {
    AM_EL_DEFAULT,
    /* task states, in am_task_state_t order: AM_EL_PENDING + state */
    AM_EL_PENDING,
    AM_EL_RUNNING,
    AM_EL_DONE,
    AM_EL_FAILED,
    AM_EL_CANCELLED,
    AM_EL_TIMED_OUT,
    AM_EL_HEADER,
    AM_EL_TITLE,
    AM_EL_LABEL,
    AM_EL_VALUE,
    AM_EL_DIM,
    AM_EL_PANEL_TITLE,
    AM_EL_PANEL_TITLE_FOCUS,
    AM_EL_COLUMN_HEADER,
    AM_EL_SELECTED,
    AM_EL_SELECTED_UNFOCUSED,
    AM_EL_BAR_EMPTY,
    AM_EL_FOOTER_KEY,
    AM_EL_FOOTER_LABEL,
    AM_EL_MESSAGE,
    AM_EL_STATUS_RUNNING,
    AM_EL_STATUS_PAUSED,
    AM_EL_STATUS_FINISHED,
    AM_EL_LOG_TIME,
    AM_EL_LOG_ACTION,
    AM_EL_NARRATION,
    AM_EL_OVERLAY,
    AM_EL_OVERLAY_KEY,
    AM_EL_OVERLAY_TITLE,
    AM_EL_PROMPT,
    AM_EL_ERROR,
    AM_EL_SCROLLBAR,
    AM_EL_WARNING, /* needs attention: the loop lag over the slow threshold, slow steps */
    AM_EL_GAUGE,   /* the filled cells of the queues panel's gauges and sparklines */
    AM_EL_COUNT
} am_elem_t;

enum {
    AM_A_BOLD = 1 << 0,
    AM_A_DIM = 1 << 1,
    AM_A_UNDERLINE = 1 << 2,
    AM_A_REVERSE = 1 << 3,
    AM_A_ITALIC = 1 << 4,
    AM_A_STANDOUT = 1 << 5
};

#define AM_COLOR_DEFAULT (-1)

typedef struct am_style_s {
    short fg, bg;   /* AM_COLOR_DEFAULT or 0..255 */
    unsigned attrs; /* AM_A_ bits */
} am_style_t;

typedef struct am_theme_s {
    char name[AM_NAME_MAX];
    char path[AM_PATH_MAX]; /* "" for the built-in fallback */
    char description[AM_TITLE_MAX];
    am_style_t color[AM_EL_COUNT]; /* [colors] */
    unsigned mono[AM_EL_COUNT];    /* [mono]: attributes when colours are off */
} am_theme_t;

/* The built-in default (a dark theme): what a theme file's missing entries keep. */
void am_theme_builtin(am_theme_t *t);
/* Where themes live: $ASYNCMON_THEME_DIR, else the source tree's themes/
 * when it exists (running from a build tree), else the installed data dir. */
const char *am_theme_dir(void);
/* Load a theme file over the built-in default. "FILE:LINE: message" in err. */
int am_theme_load_file(const char *path, am_theme_t *t, char *err, size_t errsize);
/* Load theme NAME from am_theme_dir(). An unknown name is AM_ENOENT with the
 * themes there listed in err; "default" falls back to the built-in theme
 * when its file is missing, so an incomplete install still starts. */
int am_theme_load(const char *name, am_theme_t *t, char *err, size_t errsize);
/* The themes in am_theme_dir(), sorted: fn(name) for each. */
int am_theme_list(void (*fn)(const char *name, void *ud), void *ud);
const char *am_elem_name(am_elem_t e);

#endif
