/* args.c — the options of `asyncmon run`, and the job list they describe.
 *
 *   asyncmon run [OPTIONS] -- CMD ARG...   (a job per input line, {} = the line)
 *   asyncmon run [OPTIONS] -f JOBS         (a job per line of JOBS)
 *
 * Everything is read and checked before anything starts, so a bad option, a
 * missing file or an unbalanced quote is a usage error (exit 2) with the
 * file and line, and no job has run. The dashboard options that make sense
 * here (--headless, --theme, --ascii, --key, --config) go to the common
 * parser. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/cmd.h"
#include "scenario/ini_util.h"

/* A usage error: the message, and AM_EINVAL. */
#define USAGE(...) (snprintf(err, errsize, __VA_ARGS__), AM_EINVAL)

static int parse_uint(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out,
                      char *err, size_t errsize)
{
    uint64_t x;
    if (am_parse_uint(v, lo, hi, &x) != 0)
        return USAGE("%s: expected a whole number from %u to %u, got '%s'", opt, lo, hi, v);
    *out = (unsigned)x;
    return 0;
}

static int parse_secs(const char *opt, const char *v, int zero_ok, double *out, char *err,
                      size_t errsize)
{
    double x;
    if (am_parse_seconds(v, 0, &x) != 0 || x > 1e7 || (!zero_ok && x == 0))
        return USAGE("%s: expected seconds (a number %s 0), got '%s'", opt, zero_ok ? ">=" : ">",
                     v);
    *out = x;
    return 0;
}

static int set_path(const char *opt, const char *v, char *dst, char *err, size_t errsize)
{
    if (!*v || strlen(v) >= AM_PATH_MAX) return USAGE("%s: expected a file name, got '%s'", opt, v);
    strcpy(dst, v);
    return 0;
}

static unsigned default_jobs(void)
{
    unsigned n = uv_available_parallelism();
    return n ? n : 1;
}

int am_run_parse_args(int argc, char **argv, am_run_opts_t *o, char *err, size_t errsize)
{
    memset(o, 0, sizeof *o);
    o->jobs = default_jobs();
    o->grace = AM_RUN_DEFAULT_GRACE;
    /* the common options, for am_options_parse: argv[0] and what we pass on */
    char **common = calloc((size_t)argc + 1, sizeof *common);
    int ncommon = 0, i;
    if (!common) return USAGE("out of memory");
    common[ncommon++] = argv[0];
    for (i = 2; i < argc; i++) { /* argv[1] is "run" */
        const char *a = argv[i];
        const char *v = NULL;
        int start = i;
        char name[64];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || !a[1]) break; /* the command starts here */
        /* -jN, --opt=value, --opt value */
        const char *eq = strchr(a, '=');
        if (!strncmp(a, "-j", 2) && a[2] && a[1] != '-') {
            snprintf(name, sizeof name, "-j");
            v = a + 2;
        } else if (eq && a[1] == '-') {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            v = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        int takes = !strcmp(name, "-j") || !strcmp(name, "--jobs") || !strcmp(name, "--timeout") ||
                    !strcmp(name, "--grace") || !strcmp(name, "--retries") ||
                    !strcmp(name, "--joblog") || !strcmp(name, "--output-dir") ||
                    !strcmp(name, "-a") || !strcmp(name, "--arg-file") || !strcmp(name, "-f") ||
                    !strcmp(name, "--jobs-file") || !strcmp(name, "--theme") ||
                    !strcmp(name, "--key") || !strcmp(name, "--config");
        if (takes && !v) {
            if (i + 1 >= argc) {
                (void)USAGE("%s: expected a value", name);
                goto out;
            }
            v = argv[++i];
        } else if (!takes && v) {
            (void)USAGE("%s: takes no value", name);
            goto out;
        }
        int rc = 0;
        if (!strcmp(name, "-j") || !strcmp(name, "--jobs"))
            rc = parse_uint(name, v, 1, AM_RUN_MAX_JOBS, &o->jobs, err, errsize);
        else if (!strcmp(name, "--timeout"))
            rc = parse_secs(name, v, 0, &o->timeout, err, errsize);
        else if (!strcmp(name, "--grace"))
            rc = parse_secs(name, v, 1, &o->grace, err, errsize);
        else if (!strcmp(name, "--retries"))
            rc = parse_uint(name, v, 0, 1000, &o->retries, err, errsize);
        else if (!strcmp(name, "--shell"))
            o->shell = 1;
        else if (!strcmp(name, "--line-buffer") || !strcmp(name, "--lb"))
            o->line_buffer = 1;
        else if (!strcmp(name, "--group"))
            o->line_buffer = 0; /* the default, as GNU parallel's */
        else if (!strcmp(name, "--tag"))
            o->tag = 1;
        else if (!strcmp(name, "-k") || !strcmp(name, "--keep-order"))
            o->keep_order = 1;
        else if (!strcmp(name, "--joblog"))
            rc = set_path(name, v, o->joblog, err, errsize);
        else if (!strcmp(name, "--output-dir"))
            rc = set_path(name, v, o->outdir, err, errsize);
        else if (!strcmp(name, "-a") || !strcmp(name, "--arg-file"))
            rc = set_path(name, v, o->arg_file, err, errsize);
        else if (!strcmp(name, "-f") || !strcmp(name, "--jobs-file"))
            rc = set_path(name, v, o->jobs_file, err, errsize);
        else if (!strcmp(name, "-h") || !strcmp(name, "--help"))
            o->help = 1;
        else if (!strcmp(name, "--headless") || !strcmp(name, "--ascii") ||
                 !strcmp(name, "--theme") || !strcmp(name, "--key") || !strcmp(name, "--config"))
            for (int k = start; k <= i; k++) /* as given: "--theme x" or "--theme=x" */
                common[ncommon++] = argv[k];
        else
            rc = USAGE("run: unknown option '%s'", a);
        if (rc) goto out;
    }
    if (o->help) {
        o->cmd = NULL;
        o->ncmd = 0;
        goto done;
    }
    o->cmd = argv + i;
    o->ncmd = argc - i;
    if (o->jobs_file[0] && o->ncmd) {
        (void)USAGE("run: give either -f JOBS or a command, not both");
        goto out;
    }
    if (!o->jobs_file[0] && !o->ncmd) {
        (void)USAGE("run: expected a command (asyncmon run [OPTIONS] -- CMD ARG...) or -f "
                    "JOBS");
        goto out;
    }
    if (o->jobs_file[0] && o->arg_file[0]) {
        (void)USAGE("run: -a gives the {} lines of a command; -f JOBS has whole commands");
        goto out;
    }
done : {
    int rc = am_options_parse(ncommon, common, &o->common, err, errsize);
    if (rc == 0 && o->common.command != AM_CMD_RUN_DEMO) o->help = 1;
    free(common);
    return rc ? AM_EINVAL : 0;
}
out:
    free(common);
    return AM_EINVAL;
}

/* ---- the job list ---- */

void am_run_specs_free(am_run_specs_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        am_run_argv_free(s->v[i].argv);
        free(s->v[i].cmd);
        free(s->v[i].input);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int specs_push(am_run_specs_t *s, char **argv, char *cmd)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        am_run_spec_t *v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            am_run_argv_free(argv);
            free(cmd);
            return AM_ENOMEM;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (am_run_spec_t){argv, cmd, NULL};
    return 0;
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* One job of a command line (a -f line, an `a` in the dashboard). */
int am_run_spec_line(const am_run_opts_t *o, const char *line, am_run_spec_t *out, char *err,
                     size_t errsize)
{
    out->argv = NULL;
    out->cmd = NULL;
    out->input = NULL;
    if (o->shell) {
        char **argv = calloc(4, sizeof *argv);
        if (!argv) return AM_ENOMEM;
        argv[0] = dupstr("/bin/sh");
        argv[1] = dupstr("-c");
        argv[2] = dupstr(line);
        out->cmd = dupstr(line);
        out->argv = argv;
        if (!argv[0] || !argv[1] || !argv[2] || !out->cmd) return AM_ENOMEM;
        return 0;
    }
    int n = am_run_split(line, &out->argv, err, errsize);
    if (n < 0) return n;
    if (n == 0) {
        snprintf(err, errsize, "expected a command, got an empty line");
        return AM_EPARSE;
    }
    return 0;
}

/* One job of the template and an input line. */
static int spec_template(const am_run_opts_t *o, const char *input, am_run_spec_t *out)
{
    int slot = 0;
    for (int k = 0; k < o->ncmd; k++)
        slot |= am_run_has_slot(o->cmd[k]);
    out->argv = NULL;
    out->cmd = NULL;
    out->input = NULL;
    if (o->shell) {
        /* the words are the user's shell text; the line goes in quoted */
        char *q = input ? am_run_shell_quote(input) : dupstr("");
        size_t len = 1;
        for (int k = 0; k < o->ncmd; k++)
            len += strlen(o->cmd[k]) + 1;
        char *text = malloc(len + (q ? strlen(q) : 0) + 1);
        if (!q || !text) {
            free(q);
            free(text);
            return AM_ENOMEM;
        }
        text[0] = '\0';
        for (int k = 0; k < o->ncmd; k++) {
            if (k) strcat(text, " ");
            strcat(text, o->cmd[k]);
        }
        if (input && !slot) {
            strcat(text, " ");
            strcat(text, q);
        }
        char *line = input && slot ? am_run_subst(text, q) : dupstr(text);
        free(q);
        free(text);
        if (!line) return AM_ENOMEM;
        char e[8];
        int rc = am_run_spec_line(o, line, out, e, sizeof e);
        free(line);
        return rc;
    }
    /* no shell: {} is replaced inside each word, which stays one argument */
    size_t n = (size_t)o->ncmd + (input && !slot ? 1 : 0);
    char **argv = calloc(n + 1, sizeof *argv);
    if (!argv) return AM_ENOMEM;
    for (int k = 0; k < o->ncmd; k++)
        if (!(argv[k] = input ? am_run_subst(o->cmd[k], input) : dupstr(o->cmd[k]))) goto nomem;
    if (input && !slot && !(argv[o->ncmd] = dupstr(input))) goto nomem;
    out->argv = argv;
    return 0;
nomem:
    am_run_argv_free(argv);
    return AM_ENOMEM;
}

/* Read the lines of path ("-": stdin) and call fn for each non-blank one. */
static int read_lines(const char *path, int comments,
                      int (*fn)(const char *line, int lineno, void *ud), void *ud, char *err,
                      size_t errsize)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        snprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
        return AM_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (memchr(line, '\0', (size_t)len)) {
            snprintf(err, errsize, "%s:%d: expected text, got a NUL byte",
                     f == stdin ? "stdin" : path, lineno);
            rc = AM_EPARSE;
            break;
        }
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || (comments && *p == '#')) continue;
        if ((rc = fn(line, lineno, ud)) != 0) break;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
        rc = AM_EIO;
    }
    free(line);
    if (f != stdin) fclose(f);
    return rc;
}

typedef struct {
    const am_run_opts_t *o;
    am_run_specs_t *s;
    const char *path;
    char *err;
    size_t errsize;
} build_t;

static int on_input_line(const char *line, int lineno, void *ud)
{
    build_t *b = ud;
    am_run_spec_t sp;
    (void)lineno;
    int rc = spec_template(b->o, line, &sp);
    if (rc == 0 && (rc = specs_push(b->s, sp.argv, sp.cmd)) == 0) {
        /* kept for --tag */
        if ((b->s->v[b->s->n - 1].input = strdup(line))) return 0;
        rc = AM_ENOMEM;
    }
    snprintf(b->err, b->errsize, "out of memory");
    return rc;
}

static int on_jobs_line(const char *line, int lineno, void *ud)
{
    build_t *b = ud;
    am_run_spec_t sp;
    char why[256];
    int rc = am_run_spec_line(b->o, line, &sp, why, sizeof why);
    if (rc == 0) return specs_push(b->s, sp.argv, sp.cmd);
    am_run_argv_free(sp.argv);
    free(sp.cmd);
    if (rc == AM_ENOMEM)
        snprintf(b->err, b->errsize, "out of memory");
    else
        snprintf(b->err, b->errsize, "%s:%d: %s", b->path, lineno, why);
    return rc;
}

int am_run_build_jobs(const am_run_opts_t *o, int stdin_tty, am_run_specs_t *s, char *err,
                      size_t errsize)
{
    memset(s, 0, sizeof *s);
    build_t b = {o, s, o->jobs_file, err, errsize};
    int rc;
    if (o->jobs_file[0]) {
        if (!strcmp(o->jobs_file, "-")) b.path = "stdin";
        rc = read_lines(o->jobs_file, 1, on_jobs_line, &b, err, errsize);
    } else if (o->arg_file[0]) {
        b.path = o->arg_file;
        rc = read_lines(o->arg_file, 0, on_input_line, &b, err, errsize);
    } else if (!stdin_tty) {
        b.path = "stdin";
        rc = read_lines("-", 0, on_input_line, &b, err, errsize);
    } else {
        /* a terminal is no list of inputs: a command without {} runs once */
        int slot = 0;
        for (int k = 0; k < o->ncmd; k++)
            slot |= am_run_has_slot(o->cmd[k]);
        if (slot) {
            snprintf(err, errsize,
                     "run: {} needs input lines: pipe them in (seq 10 | asyncmon run ...) or give "
                     "-a FILE");
            return AM_EINVAL;
        }
        am_run_spec_t sp;
        rc = spec_template(o, NULL, &sp);
        if (rc == 0) rc = specs_push(s, sp.argv, sp.cmd);
        if (rc) snprintf(err, errsize, "out of memory");
    }
    if (rc) am_run_specs_free(s);
    return rc;
}

int am_run_check_outdir(const char *dir, char *err, size_t errsize)
{
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
        snprintf(err, errsize, "--output-dir %s: cannot create: %s", dir, strerror(errno));
        return AM_EIO;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) != 0) {
        snprintf(err, errsize, "--output-dir %s: expected a writable directory", dir);
        return AM_EIO;
    }
    return 0;
}
