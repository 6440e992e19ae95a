/* error.c — text and symbolic names for the AM_E... error codes.
 *
 * Both tables come from the AM_ERRNO_MAP X-macro in error.h, so a new code
 * needs one line there and nothing here. */
#include "asyncmon/error.h"

const char *am_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define AM_STRERROR_CASE(name, val, msg)                                                           \
    case val:                                                                                      \
        return msg;
        AM_ERRNO_MAP(AM_STRERROR_CASE)
#undef AM_STRERROR_CASE
    default:
        return "unknown error";
    }
}

const char *am_err_name(int err)
{
    switch (err) {
    case 0:
        return "AM_OK";
#define AM_ERR_NAME_CASE(name, val, msg)                                                           \
    case val:                                                                                      \
        return "AM_E" #name;
        AM_ERRNO_MAP(AM_ERR_NAME_CASE)
#undef AM_ERR_NAME_CASE
    default:
        return "AM_EUNKNOWN";
    }
}
