/* fatal.h — handlers for the fatal signals (SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
 * SIGILL) that do their last duty and then let the signal go on: to the
 * handler that was there before them (a sanitizer's report, the dashboard's
 * terminal restore), else to the default action, which ends the process.
 * The dashboard restores the terminal this way (ui/term.c), asyncmon run
 * kills its jobs' process groups (run/runner.c). */
#ifndef ASYNCMON_CLI_FATAL_H
#define ASYNCMON_CLI_FATAL_H

#include <signal.h>

#define AM_NFATAL 5
extern const int am_fatal_signals[AM_NFATAL];

/* Install fn for each fatal signal, once (SA_RESETHAND: a second one while
 * in fn is not caught again), saving the actions it replaces in old. */
void am_fatal_install(void (*fn)(int), struct sigaction old[AM_NFATAL]);
/* From fn: give sig to the action saved in old when that was a handler (the
 * default is already back), then raise it again. */
void am_fatal_pass_on(int sig, const struct sigaction old[AM_NFATAL]);
/* Put every saved action back (fn is not wanted any more). */
void am_fatal_uninstall(const struct sigaction old[AM_NFATAL]);

#endif
