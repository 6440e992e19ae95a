/* sync.h — asyncio's synchronisation primitives on the runtime: Semaphore,
 * BoundedSemaphore, Lock, Event, Condition.
 *
 * Primitives are objects of the loop, named by an id (> 0). Tasks wait on
 * them through their programs (program.h: acquire, lock, wait, cond_wait...).
 * Waiters are woken first-in first-out. A permit or the lock is handed to
 * the woken waiter directly, so a waiter cancelled between being woken and
 * running passes it on instead of losing it. A task that ends while holding
 * a permit or a lock releases it, as `async with` does. */
#ifndef ASYNCMON_SYNC_H
#define ASYNCMON_SYNC_H

#include "asyncmon/runtime.h"

#define AM_OBJ_NAME_MAX 32

typedef enum am_obj_kind_e {
    AM_OBJ_SEMAPHORE,
    AM_OBJ_BOUNDED_SEMAPHORE,
    AM_OBJ_LOCK,
    AM_OBJ_EVENT,
    AM_OBJ_CONDITION,
    AM_OBJ_QUEUE,
    AM_OBJ_NKINDS
} am_obj_kind_t;

/* Create a primitive. value: the semaphore's initial count (ignored for the
 * others). Returns its id (> 0) or AM_E... (AM_EINVAL for a bad name/value). */
int am_semaphore_new(am_loop_t *loop, const char *name, uint32_t value, int bounded);
int am_lock_new(am_loop_t *loop, const char *name);
int am_event_new(am_loop_t *loop, const char *name);
int am_condition_new(am_loop_t *loop, const char *name);

/* Release from outside any task (the dashboard's "+" raises a limit this way).
 * A bounded semaphore released above its initial value: AM_EOVERRELEASE. */
int am_semaphore_release(am_loop_t *loop, int sem);
/* Change a semaphore's capacity live (the "+"/"-" keys): raising it wakes
 * waiters; lowering it takes effect as holders release. */
int am_semaphore_set_limit(am_loop_t *loop, int sem, uint32_t limit);
int am_event_set(am_loop_t *loop, int ev);
int am_event_clear(am_loop_t *loop, int ev);
int am_event_is_set(const am_loop_t *loop, int ev);

/* What the dashboard shows: "semaphore api: 10/10 held, 990 waiting". */
typedef struct am_obj_info_s {
    am_obj_kind_t kind;
    const char *name;
    uint32_t capacity;  /* semaphore: its limit; lock/condition: 1; queue: maxsize (0 = none) */
    uint32_t holders;   /* permits taken / 1 when locked / event: 1 when set / queue: depth */
    uint32_t waiters;   /* tasks waiting on it (queue: getters + putters + joiners) */
    am_task_id_t owner; /* lock/condition: the task holding the lock, else 0 */
    uint32_t peak;      /* semaphore: most permits ever held at once (never above its limit) */
} am_obj_info_t;

size_t am_obj_count(const am_loop_t *loop); /* ids are 1..count */
int am_obj_info(const am_loop_t *loop, int obj, am_obj_info_t *out);
/* Find an object by name, or AM_ENOENT. */
int am_obj_find(const am_loop_t *loop, const char *name);
const char *am_obj_kind_name(am_obj_kind_t k);

#endif
