/* cmd.h — the `asyncmon run` command: its options and job list (args.c),
 * and the command itself with its two front ends (cmd.c). */
#ifndef ASYNCMON_RUN_CMD_H
#define ASYNCMON_RUN_CMD_H

#include "asyncmon/config.h"
#include "run/run.h"

#define AM_RUN_DEFAULT_GRACE 2.0
#define AM_RUN_MAX_JOBS      4096

typedef struct am_run_opts_s {
    am_options_t common; /* --headless, --theme, --ascii, --key, --config and the config file */
    unsigned jobs;
    double timeout; /* 0: none */
    double grace;
    unsigned retries;
    int shell;
    int help;
    int line_buffer;            /* headless output: whole lines as they come, not grouped per job */
    int tag;                    /* ... each line after the job's input and a tab */
    int keep_order;             /* ... jobs in the order of their input */
    char joblog[AM_PATH_MAX];   /* "" if none */
    char outdir[AM_PATH_MAX];   /* "" if none */
    char arg_file[AM_PATH_MAX]; /* -a FILE, "" if none */
    char jobs_file[AM_PATH_MAX]; /* -f JOBS, "" if none */
    char **cmd;                  /* the command template: argv's words after the options */
    int ncmd;
} am_run_opts_t;

/* argv[1] is "run". 0, or AM_EINVAL with a one-line message. */
int am_run_parse_args(int argc, char **argv, am_run_opts_t *o, char *err, size_t errsize);

/* A job before it is handed to a runner. */
typedef struct am_run_spec_s {
    char **argv; /* owned */
    char *cmd;   /* owned; NULL: shown as argv joined */
    char *input; /* owned: the input line ({}), NULL for a whole command */
} am_run_spec_t;
typedef struct am_run_specs_s {
    am_run_spec_t *v;
    size_t n, cap;
} am_run_specs_t;

/* The jobs: the template with each input line (stdin unless it is a
 * terminal, or -a FILE), or the lines of -f JOBS (blank lines and # comments
 * skipped). Errors: "FILE:LINE: what was expected" in err. */
int am_run_build_jobs(const am_run_opts_t *o, int stdin_tty, am_run_specs_t *s, char *err,
                      size_t errsize);
/* One job of a whole command line (split, or for sh -c with --shell). */
int am_run_spec_line(const am_run_opts_t *o, const char *line, am_run_spec_t *out, char *err,
                     size_t errsize);
void am_run_specs_free(am_run_specs_t *s);
/* Create dir if missing; it must be a writable directory. */
int am_run_check_outdir(const char *dir, char *err, size_t errsize);

/* The dashboard's side (src/ui/jobs.c): the runner of a run mode's session,
 * NULL for a scenario's; and `a`: add a job from a command line (0 or its
 * seq > 0, or AM_E... with a message). */
typedef struct am_app_s am_app_t;
am_runner_t *am_run_app_runner(const am_app_t *app);
int am_run_app_add(am_app_t *app, const char *line, char *err, size_t errsize);

/* `asyncmon run ...`: returns the exit status (0 all done, 1 some failed,
 * 2 usage, 128+N stopped by signal N). */
int am_run_main(int argc, char **argv);
/* The run help text. */
const char *am_run_usage(void);

#endif
