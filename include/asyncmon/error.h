/* error.h — error codes shared by every asyncmon module.
 *
 * Errors are small negative integers, as in libuv: 0 is success, a negative
 * value names what went wrong, and am_strerror() turns it into a sentence. */
#ifndef ASYNCMON_ERROR_H
#define ASYNCMON_ERROR_H

#define AM_ERRNO_MAP(X)                                                                            \
    X(NOMEM, -1, "out of memory")                                                                  \
    X(INVAL, -2, "invalid argument")                                                               \
    X(NOENT, -3, "no such task or object")                                                         \
    X(STATE, -4, "operation not allowed in the current state")                                     \
    X(CANCELLED, -5, "cancelled")                                                                  \
    X(TIMEOUT, -6, "timed out")                                                                    \
    X(TASKFAIL, -7, "task failed")                                                                 \
    X(LIMIT, -8, "limit reached")                                                                  \
    X(IO, -9, "input/output error")                                                                \
    X(PARSE, -10, "parse error")                                                                   \
    X(EMPTY, -11, "empty")                                                                         \
    X(FULL, -12, "full")                                                                           \
    X(OVERRELEASE, -13, "released more times than acquired")

enum {
#define AM_ERRNO_ENUM(name, val, msg) AM_E##name = (val),
    AM_ERRNO_MAP(AM_ERRNO_ENUM)
#undef AM_ERRNO_ENUM
};

/* Text for an error code; never NULL. */
const char *am_strerror(int err);
/* Short symbolic name ("AM_ECANCELLED"); never NULL. */
const char *am_err_name(int err);

#endif
