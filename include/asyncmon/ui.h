/* ui.h — the dashboard's public face: its actions, the keys bound to them,
 * and the panels that can be shown or hidden.
 *
 * The configuration ([keys] in config.ini, --key on the command line) binds
 * keys to actions by name ("cancel = x", "quit = q, F10"). Key codes are the
 * character typed (a Unicode code point: 'q', ' ', '\t', '\n', 27 for Esc,
 * 1-26 for Ctrl-A..Z) or a curses KEY_ code ORed with AM_KEY_FN, so this
 * header needs no curses. */
#ifndef ASYNCMON_UI_H
#define ASYNCMON_UI_H

#include <stddef.h>

#define AM_PANELS_MAX      16         /* panels in the registry (src/ui/panels.c), at most */
#define AM_KEYS_PER_ACTION 4          /* keys one action can have */
#define AM_KEY_FN          0x40000000 /* ORed with a curses KEY_ code (KEY_UP, KEY_F(1)...) */

typedef enum am_action_e {
    AM_ACT_UP,
    AM_ACT_DOWN,
    AM_ACT_PAGE_UP,
    AM_ACT_PAGE_DOWN,
    AM_ACT_HOME,
    AM_ACT_END,
    AM_ACT_LEFT,
    AM_ACT_RIGHT,
    AM_ACT_NEXT_PANEL,
    AM_ACT_PREV_PANEL,
    AM_ACT_CANCEL,
    AM_ACT_CANCEL_GROUP,
    AM_ACT_CANCEL_ALL,
    AM_ACT_ADD,
    AM_ACT_ADD_MANY,
    AM_ACT_TIMEOUT,
    AM_ACT_PAUSE,
    AM_ACT_FASTER,
    AM_ACT_SLOWER,
    AM_ACT_FILTER,
    AM_ACT_STATE_FILTER,
    AM_ACT_SORT,
    AM_ACT_RESORT,
    AM_ACT_DEMO,
    AM_ACT_RESTART,
    AM_ACT_HELP,
    AM_ACT_QUIT,
    AM_ACT_TOGGLE, /* AM_ACT_TOGGLE + i shows or hides panel i of the registry */
    AM_ACT_COUNT = AM_ACT_TOGGLE + AM_PANELS_MAX
} am_action_t;

/* keys[a][0..AM_KEYS_PER_ACTION): the keys of action a; 0 marks an empty slot. */
typedef struct am_keymap_s {
    int keys[AM_ACT_COUNT][AM_KEYS_PER_ACTION];
} am_keymap_t;

/* The built-in bindings (listed by `?` in the dashboard and in docs/configuration.md). */
void am_keymap_defaults(am_keymap_t *km);
/* The action bound to key, or -1. */
int am_keymap_action(const am_keymap_t *km, int key);
/* Bind keys[0..n) to action, replacing its keys; a key that belonged to
 * another action is taken from it. 0, or AM_EINVAL (n out of 1..4). */
int am_keymap_bind(am_keymap_t *km, int action, const int *keys, int n);

/* Action names as written in [keys]: "up", "cancel_group", "toggle_log"...
 * am_action_name is NULL for toggle slots no panel uses. */
int am_action_find(const char *name);
const char *am_action_name(int action);
/* One line saying what the action does, for the help screen. */
const char *am_action_help(int action);

/* Parse a key list ("q, F10", "^X", "space", "pgdn"): writes up to max codes
 * into keys, returns how many (>= 1), or AM_EPARSE with *why set to a static
 * "expected ..." text. */
int am_key_parse(const char *spec, int *keys, int max, const char **why);
/* A key's name for the screen: "q", "F10", "Up", "Space", "^X". */
size_t am_key_name(int key, char *buf, size_t size);

/* The panel registry, for [keys] toggle_NAME and the help screen. */
size_t am_panel_count(void);
const char *am_panel_name(size_t i); /* NULL: a fixed part (header, footer) */
const char *am_panel_title(size_t i);
int am_panel_toggle_key(size_t i);

#endif
