/* output.h — the jobs' own output passed through, as GNU parallel does it,
 * for `asyncmon run` without a terminal.
 *
 * Each job's stdout goes to one file descriptor and its stderr to another:
 *  - grouped (the default, parallel's --group): a job's output is kept whole
 *    and written when the job ends, stdout then stderr, so that two jobs'
 *    outputs never interleave;
 *  - by lines (--line-buffer): whole lines are written as they come, from
 *    any job; a line is never cut by another job's;
 *  - tagged (--tag): each line starts with the job's tag (its input) and a tab;
 *  - in order (--keep-order): jobs are written in the order of their seqs;
 *    by lines, the oldest job still running is written live and the others
 *    wait for their turn.
 * What waits is kept in memory up to a budget shared by all jobs; beyond it
 * a stream goes on in an unlinked temporary file, so a job printing
 * gigabytes costs disk, not memory, and nothing is cut (unlike the ring of
 * last lines the dashboard shows). Bytes pass unchanged: NULs, no trailing
 * newline added. */
#ifndef ASYNCMON_RUN_OUTPUT_H
#define ASYNCMON_RUN_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

enum { AM_OUT_GROUP, AM_OUT_LINE };
/* The memory all waiting output may take before streams go to temporary files. */
#define AM_OUT_MEM_BUDGET ((size_t)64 << 20)

typedef struct am_out_s am_out_t;

/* fd_out, fd_err: where the jobs' stdout and stderr go (borrowed). NULL
 * without memory. */
am_out_t *am_out_new(int mode, int tag, int keep_order, int fd_out, int fd_err, size_t mem_budget);
void am_out_free(am_out_t *o);
/* Called before bytes are written to fd (a progress line on a terminal is
 * cleared first). */
void am_out_set_before(am_out_t *o, void (*fn)(void *ud, int fd), void *ud);
/* Called when job seq's output has been written, all of it (a front end
 * says then what became of the job, after its output, also with -k). */
void am_out_set_after(am_out_t *o, void (*fn)(void *ud, uint32_t seq), void *ud);
/* The tag of job seq (copied). 0 or AM_ENOMEM. */
int am_out_set_tag(am_out_t *o, uint32_t seq, const char *tag);
/* Bytes of job seq's attempt (1, 2... with retries: only the last attempt's
 * output is written when grouped, as earlier ones failed) on its stdout
 * (is_err 0) or stderr. 0, or AM_ENOMEM (the bytes are counted as lost). */
int am_out_data(am_out_t *o, uint32_t seq, unsigned attempt, int is_err, const char *data,
                size_t len);
/* Job seq has ended for good after attempt (0: it never ran). */
void am_out_end(am_out_t *o, uint32_t seq, unsigned attempt);
/* Bytes that could not be kept (no memory, no temporary file) or written
 * (a closed pipe, a full disk). */
uint64_t am_out_lost(const am_out_t *o);
/* Streams that went to a temporary file. */
uint64_t am_out_spilled(const am_out_t *o);

#endif
