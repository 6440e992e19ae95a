/* main.c — the asyncmon command: options, configuration, then one run.
 *
 * Exit status: 0 finished, 1 runtime failure, 2 bad usage or input (nothing
 * was started), 128+N stopped by signal N. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "asyncmon/config.h"
#include "asyncmon/tour.h"
#include "cli/app.h"
#include "run/cmd.h"

static void print_demo(const char *name, const char *title, void *ud)
{
    (void)ud;
    printf("  %-16s %s\n", name, title);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc > 1 && !strcmp(argv[1], "run")) return am_run_main(argc, argv);
    static am_options_t opts;
    char err[2048];
    if (am_options_parse(argc, argv, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s\nTry 'asyncmon --help' for more information.\n", err);
        return AM_EXIT_USAGE;
    }
    switch (opts.command) {
    case AM_CMD_HELP:
        fputs(am_usage(), stdout);
        return AM_EXIT_OK;
    case AM_CMD_VERSION:
        printf("asyncmon %s\n", ASYNCMON_VERSION);
        return AM_EXIT_OK;
    case AM_CMD_LIST_DEMOS:
        printf("Scenarios in %s:\n", am_demo_dir());
        if (am_demo_list(print_demo, NULL) != 0) {
            fprintf(stderr, "asyncmon: cannot list %s\n", am_demo_dir());
            return AM_EXIT_FAILURE;
        }
        return AM_EXIT_OK;
    case AM_CMD_TOUR: /* the tour's scenarios are demos; the dashboard adds its keys */
        snprintf(opts.cfg.demo, sizeof opts.cfg.demo, "%s", am_tour_name((size_t)opts.tour_index));
        break;
    case AM_CMD_RUN_DEMO:
        break;
    }

    char path[AM_PATH_MAX];
    if (am_demo_resolve(opts.cfg.demo, path, sizeof path, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s\n", err);
        return AM_EXIT_USAGE;
    }
    static am_scenario_t sc;
    if (am_scenario_load(path, &sc, err, sizeof err) != 0) {
        fprintf(stderr, "asyncmon: %s\n", err);
        return AM_EXIT_USAGE;
    }
    if (opts.tasks >= 0 && am_scenario_set_tasks(&sc, (uint64_t)opts.tasks) != 0) {
        fprintf(stderr,
                "asyncmon: --tasks %lld: the scenario has %zu groups; give at least that "
                "many tasks, at most %llu\n",
                (long long)opts.tasks, sc.ngroups, (unsigned long long)AM_MAX_TASKS);
        am_scenario_free(&sc);
        return AM_EXIT_USAGE;
    }
    int code = am_app_run(&opts, &sc);
    am_scenario_free(&sc);
    return code;
}
