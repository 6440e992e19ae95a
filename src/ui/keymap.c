/* keymap.c — the dashboard's actions, their default keys, and the key names
 * config.ini's [keys] section and the help screen use.
 *
 * One table lists every action with its name, its help line and its default
 * keys, so the help screen, the footer, the documentation and the config
 * loader cannot disagree. Panel toggles are actions too, one per panel of
 * the registry (panels.c), named toggle_PANEL, so a new panel brings its own
 * key without touching this file. */
#define _POSIX_C_SOURCE 200809L

#include "asyncmon/ui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asyncmon/error.h"

#define FN(k) (AM_KEY_FN | (k))

static const struct {
    const char *name;
    const char *help;
    int keys[AM_KEYS_PER_ACTION];
} actions[AM_ACT_TOGGLE] = {
    [AM_ACT_UP] = {"up", "move up", {FN(KEY_UP), 'k'}},
    [AM_ACT_DOWN] = {"down", "move down", {FN(KEY_DOWN), 'j'}},
    [AM_ACT_PAGE_UP] = {"page_up", "move up a page", {FN(KEY_PPAGE)}},
    [AM_ACT_PAGE_DOWN] = {"page_down", "move down a page", {FN(KEY_NPAGE)}},
    [AM_ACT_HOME] = {"home", "go to the first row", {FN(KEY_HOME), 'g'}},
    [AM_ACT_END] = {"end", "go to the last row", {FN(KEY_END), 'G'}},
    [AM_ACT_LEFT] = {"left", "wait() panel: the done column", {FN(KEY_LEFT), 'h'}},
    [AM_ACT_RIGHT] = {"right", "wait() panel: the pending column", {FN(KEY_RIGHT), 'l'}},
    [AM_ACT_NEXT_PANEL] = {"next_panel", "focus the next panel", {'\t'}},
    [AM_ACT_PREV_PANEL] = {"prev_panel", "focus the previous panel", {FN(KEY_BTAB)}},
    [AM_ACT_CANCEL] = {"cancel", "cancel the selected task", {'c'}},
    [AM_ACT_CANCEL_GROUP] = {"cancel_group", "cancel the selected task's group (asks)", {'C'}},
    [AM_ACT_CANCEL_ALL] = {"cancel_all", "cancel every task (asks)", {'X'}},
    [AM_ACT_ADD] = {"add", "add a task to the selected task's group", {'a'}},
    [AM_ACT_ADD_MANY] = {"add_many", "add 100 tasks to the selected task's group", {'A'}},
    [AM_ACT_TIMEOUT] = {"timeout", "set a timeout on the selected task", {'t'}},
    [AM_ACT_PAUSE] = {"pause", "pause or resume the simulation", {' '}},
    [AM_ACT_FASTER] = {"faster", "speed the clock up (queues panel: see below)", {'+', '=', '>'}},
    [AM_ACT_SLOWER] = {"slower", "slow the clock down (queues panel: see below)", {'-', '_', '<'}},
    [AM_ACT_FILTER] = {"filter", "filter tasks by name", {'/'}},
    [AM_ACT_STATE_FILTER] = {"state_filter", "filter tasks by state (cycles)", {'f'}},
    [AM_ACT_SORT] = {"sort", "sort tasks: id, state, elapsed, name (cycles)", {'s'}},
    [AM_ACT_RESORT] = {"resort", "sort again with the current values", {'R', FN(KEY_F(5))}},
    [AM_ACT_DEMO] = {"demo", "pick another demo scenario", {'d'}},
    [AM_ACT_RESTART] = {"restart", "run the scenario again", {'r'}},
    [AM_ACT_HELP] = {"help", "show this help", {'?', FN(KEY_F(1))}},
    [AM_ACT_QUIT] = {"quit", "quit (what is still running is cancelled)", {'q', FN(KEY_F(10))}},
};

static char toggle_names[AM_PANELS_MAX][48];
static char toggle_help[AM_PANELS_MAX][64];

static void make_toggle_names(void)
{
    static int made;
    if (made) return;
    made = 1;
    for (size_t i = 0; i < am_panel_count() && i < AM_PANELS_MAX; i++) {
        const char *name = am_panel_name(i);
        if (!name) continue;
        snprintf(toggle_names[i], sizeof toggle_names[i], "toggle_%s", name);
        snprintf(toggle_help[i], sizeof toggle_help[i], "show or hide the %s panel",
                 am_panel_title(i));
    }
}

const char *am_action_name(int a)
{
    if (a >= 0 && a < AM_ACT_TOGGLE) return actions[a].name;
    if (a < AM_ACT_TOGGLE || a >= AM_ACT_COUNT) return NULL;
    make_toggle_names();
    size_t i = (size_t)(a - AM_ACT_TOGGLE);
    return i < am_panel_count() && am_panel_name(i) ? toggle_names[i] : NULL;
}

const char *am_action_help(int a)
{
    if (a >= 0 && a < AM_ACT_TOGGLE) return actions[a].help;
    if (!am_action_name(a)) return "";
    return toggle_help[a - AM_ACT_TOGGLE];
}

int am_action_find(const char *name)
{
    for (int a = 0; a < AM_ACT_COUNT; a++) {
        const char *n = am_action_name(a);
        if (n && !strcmp(n, name)) return a;
    }
    return -1;
}

void am_keymap_defaults(am_keymap_t *km)
{
    memset(km, 0, sizeof *km);
    for (int a = 0; a < AM_ACT_TOGGLE; a++)
        memcpy(km->keys[a], actions[a].keys, sizeof km->keys[a]);
    for (size_t i = 0; i < am_panel_count() && i < AM_PANELS_MAX; i++)
        if (am_panel_name(i)) km->keys[AM_ACT_TOGGLE + i][0] = am_panel_toggle_key(i);
}

int am_keymap_action(const am_keymap_t *km, int key)
{
    if (!key) return -1;
    for (int a = 0; a < AM_ACT_COUNT; a++)
        for (int k = 0; k < AM_KEYS_PER_ACTION; k++)
            if (km->keys[a][k] == key) return a;
    return -1;
}

int am_keymap_bind(am_keymap_t *km, int action, const int *keys, int n)
{
    if (action < 0 || action >= AM_ACT_COUNT || n < 1 || n > AM_KEYS_PER_ACTION) return AM_EINVAL;
    for (int i = 0; i < n; i++) {
        for (int a = 0; a < AM_ACT_COUNT; a++) { /* a key does one thing */
            int m = 0;
            for (int k = 0; k < AM_KEYS_PER_ACTION; k++)
                if (km->keys[a][k] != keys[i]) km->keys[a][m++] = km->keys[a][k];
            while (m < AM_KEYS_PER_ACTION)
                km->keys[a][m++] = 0;
        }
    }
    memset(km->keys[action], 0, sizeof km->keys[action]);
    for (int i = 0; i < n; i++)
        km->keys[action][i] = keys[i];
    return 0;
}

/* ---- key names ---- */

static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"up", FN(KEY_UP)},
    {"down", FN(KEY_DOWN)},
    {"left", FN(KEY_LEFT)},
    {"right", FN(KEY_RIGHT)},
    {"pgup", FN(KEY_PPAGE)},
    {"pageup", FN(KEY_PPAGE)},
    {"pgdn", FN(KEY_NPAGE)},
    {"pagedown", FN(KEY_NPAGE)},
    {"home", FN(KEY_HOME)},
    {"end", FN(KEY_END)},
    {"insert", FN(KEY_IC)},
    {"ins", FN(KEY_IC)},
    {"delete", FN(KEY_DC)},
    {"del", FN(KEY_DC)},
    {"backspace", FN(KEY_BACKSPACE)},
    {"btab", FN(KEY_BTAB)},
    {"shift-tab", FN(KEY_BTAB)},
    {"s-tab", FN(KEY_BTAB)},
    {"bksp", FN(KEY_BACKSPACE)},
    {"tab", '\t'},
    {"enter", '\n'},
    {"return", '\n'},
    {"esc", 27},
    {"escape", 27},
    {"space", ' '},
    {"comma", ','},
};

#define EXPECT_KEYS                                                                                \
    "expected keys separated by commas (at most 4): a character, ^A to ^Z, F1 to F12, or up, "     \
    "down, left, right, pgup, pgdn, home, end, tab, btab, enter, esc, space, backspace, insert, "  \
    "delete or comma"

/* Decode one UTF-8 character; the number of bytes, 0 if invalid. */
static int utf8_char(const char *s, int *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    int n, c;
    if (u[0] < 0x80) {
        *cp = u[0];
        return u[0] ? 1 : 0;
    }
    if ((u[0] & 0xe0) == 0xc0) {
        n = 2;
        c = u[0] & 0x1f;
    } else if ((u[0] & 0xf0) == 0xe0) {
        n = 3;
        c = u[0] & 0x0f;
    } else if ((u[0] & 0xf8) == 0xf0) {
        n = 4;
        c = u[0] & 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (u[i] & 0x3f);
    }
    *cp = c;
    return n;
}

static int parse_one(const char *w, int *key, const char **why)
{
    size_t len = strlen(w);
    int cp = 0;

    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (!strcasecmp(w, key_names[i].name)) {
            *key = key_names[i].key;
            return 0;
        }
    if ((w[0] == 'F' || w[0] == 'f') && len >= 2 && len <= 3 && w[1] >= '1' && w[1] <= '9') {
        int n = atoi(w + 1);
        if (n >= 1 && n <= 12 && (len == 2 || (w[2] >= '0' && w[2] <= '9'))) {
            *key = FN(KEY_F(n));
            return 0;
        }
    }
    const char *c = NULL;
    if (w[0] == '^' && len == 2) c = w + 1;
    if (!strncasecmp(w, "ctrl-", 5) && len == 6) c = w + 5;
    if (c) {
        int ch = *c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c;
        if (ch == 'C' || ch == 'Z' || ch == '\\') {
            *why = "expected a key other than ^C, ^Z and ^\\ (the terminal turns them into "
                   "signals)";
            return AM_EPARSE;
        }
        if (ch < 'A' || ch > 'Z') {
            *why = EXPECT_KEYS;
            return AM_EPARSE;
        }
        *key = ch - 'A' + 1;
        return 0;
    }
    if (utf8_char(w, &cp) == (int)len && cp > ' ' && cp != 0x7f) {
        *key = cp;
        return 0;
    }
    *why = EXPECT_KEYS;
    return AM_EPARSE;
}

int am_key_parse(const char *spec, int *keys, int max, const char **why)
{
    int n = 0;
    const char *p = spec;

    *why = NULL;
    while (*p) {
        char w[32];
        size_t len = 0;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p) break;
        while (p[len] && p[len] != ' ' && p[len] != '\t' && p[len] != ',')
            len++;
        /* a lone "," is a separator; "comma" names the key */
        if (len >= sizeof w || n >= max || n >= AM_KEYS_PER_ACTION) {
            *why = EXPECT_KEYS;
            return AM_EPARSE;
        }
        memcpy(w, p, len);
        w[len] = '\0';
        p += len;
        int key;
        if (parse_one(w, &key, why)) return AM_EPARSE;
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= keys[i] == key;
        if (!dup) keys[n++] = key;
    }
    if (n == 0) {
        *why = EXPECT_KEYS;
        return AM_EPARSE;
    }
    return n;
}

size_t am_key_name(int key, char *buf, size_t size)
{
    static const struct {
        int key;
        const char *name;
    } shown[] = {
        {FN(KEY_UP), "Up"},
        {FN(KEY_DOWN), "Down"},
        {FN(KEY_LEFT), "Left"},
        {FN(KEY_RIGHT), "Right"},
        {FN(KEY_PPAGE), "PgUp"},
        {FN(KEY_NPAGE), "PgDn"},
        {FN(KEY_HOME), "Home"},
        {FN(KEY_END), "End"},
        {FN(KEY_IC), "Ins"},
        {FN(KEY_DC), "Del"},
        {FN(KEY_BACKSPACE), "Bksp"},
        {FN(KEY_BTAB), "S-Tab"},
        {'\t', "Tab"},
        {'\n', "Enter"},
        {27, "Esc"},
        {' ', "Space"},
    };
    int n;
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if (shown[i].key == key) return (size_t)snprintf(buf, size, "%s", shown[i].name);
    if (key & AM_KEY_FN) {
        int k = key & ~AM_KEY_FN;
        if (k >= KEY_F(1) && k <= KEY_F(12)) return (size_t)snprintf(buf, size, "F%d", k - KEY_F0);
        return (size_t)snprintf(buf, size, "key%d", k);
    }
    if (key >= 1 && key <= 26) return (size_t)snprintf(buf, size, "^%c", 'A' + key - 1);
    /* a character: UTF-8 */
    char u[5];
    if (key < 0x80) {
        u[0] = (char)key;
        n = 1;
    } else if (key < 0x800) {
        u[0] = (char)(0xc0 | (key >> 6));
        u[1] = (char)(0x80 | (key & 0x3f));
        n = 2;
    } else if (key < 0x10000) {
        u[0] = (char)(0xe0 | (key >> 12));
        u[1] = (char)(0x80 | ((key >> 6) & 0x3f));
        u[2] = (char)(0x80 | (key & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (key >> 18));
        u[1] = (char)(0x80 | ((key >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((key >> 6) & 0x3f));
        u[3] = (char)(0x80 | (key & 0x3f));
        n = 4;
    }
    u[n] = '\0';
    return (size_t)snprintf(buf, size, "%s", u);
}
