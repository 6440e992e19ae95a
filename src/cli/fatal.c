/* fatal.c — installing and chaining handlers for the fatal signals (see
 * fatal.h). Only sigaction and raise are used from the handlers: both are
 * async-signal-safe. */
#define _POSIX_C_SOURCE 200809L

#include "cli/fatal.h"

#include <string.h>

const int am_fatal_signals[AM_NFATAL] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};

void am_fatal_install(void (*fn)(int), struct sigaction old[AM_NFATAL])
{
    for (int i = 0; i < AM_NFATAL; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = fn;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = (int)SA_RESETHAND;
        sigaction(am_fatal_signals[i], &sa, &old[i]);
    }
}

void am_fatal_pass_on(int sig, const struct sigaction old[AM_NFATAL])
{
    /* SA_RESETHAND put back the default; an ignored fatal signal is not
     * ignored again (the faulting instruction would run forever) */
    for (int i = 0; i < AM_NFATAL; i++)
        if (am_fatal_signals[i] == sig && old[i].sa_handler != SIG_DFL &&
            old[i].sa_handler != SIG_IGN)
            sigaction(sig, &old[i], NULL);
    raise(sig);
}

void am_fatal_uninstall(const struct sigaction old[AM_NFATAL])
{
    for (int i = 0; i < AM_NFATAL; i++)
        sigaction(am_fatal_signals[i], &old[i], NULL);
}
