/* sim_queue.h - the event queue: a heap of pending events, with FIFO
 * lanes for events pushed with a recurring delay.
 *
 * Events run in one total order: by time, then by the order they were
 * scheduled (a 64-bit sequence number), so ties never depend on memory
 * layout.  Push and pop are O(log n), O(1) for events that take a lane.
 * Cancellation is O(log n): every slot knows where it is, and a cancelled
 * event leaves the heap at once (a lane skips its entry when it comes
 * up), so nothing grows with run length.  Event records live in a slab
 * of slots recycled through a free list: no malloc per event once the
 * slab has grown to the run's high-water mark.
 *
 * An event id packs a slot index and that slot's generation, so cancelling
 * an event that already ran (or was cancelled) is a harmless no-op.
 *
 * The queue knows nothing of nodes or simulations: `owner` and `flags` are
 * opaque to it and only carried for the engine (sim_core.c).
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include "sim_time.h"

#include <glib.h>
#include <stdint.h>

typedef uint64_t SimEventId; /* 0 never names an event */
#define SIM_EVENT_NONE ((SimEventId)0)

typedef struct SimEvent {
    SimTime time;
    uint64_t seq;
    void (*fn)(void *sim, void *ctx, void *data); /* cast by the engine */
    void *ctx;
    void *data;
    void (*drop)(void *data); /* engine use: frees data if the event never runs */
    SimTime local_deadline; /* engine use: deadline on the owner's clock */
    int32_t owner;          /* engine use: owning node or -1 */
    uint32_t flags;         /* engine use */
} SimEvent;

typedef struct SimQueue SimQueue;

SimQueue *sim_queue_new(void);
void sim_queue_free(SimQueue *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimQueue, sim_queue_free)

/* Copies *ev (its seq is assigned here) and returns its id. */
SimEventId sim_queue_push(SimQueue *q, const SimEvent *ev);
/* Removes the earliest event into *out; FALSE (and *out zeroed) if empty. */
gboolean sim_queue_pop(SimQueue *q, SimEvent *out);
/* Removes the earliest event (the queue must not be empty) and returns
 * its record in place: no copy.  The record stays readable until the
 * next push, which may reuse its slot; its id is already stale. */
const SimEvent *sim_queue_take(SimQueue *q);
/* The earliest event without removing it, or NULL. */
const SimEvent *sim_queue_peek(const SimQueue *q);
/* The id of the earliest event, or SIM_EVENT_NONE. */
SimEventId sim_queue_peek_id(const SimQueue *q);
/* Moves a pending event to time t with a fresh sequence number, as if it
 * had just been pushed (it runs after events already queued at t).  The
 * id stays valid.  FALSE if it is not pending. */
gboolean sim_queue_requeue(SimQueue *q, SimEventId id, SimTime t);
/* Removes a pending event; FALSE if it is not pending (ran or cancelled). */
gboolean sim_queue_cancel(SimQueue *q, SimEventId id);
/* The pending event with this id, or NULL. */
SimEvent *sim_queue_get(SimQueue *q, SimEventId id);
gboolean sim_queue_is_pending(const SimQueue *q, SimEventId id);
/* Changes a pending event's time, keeping its sequence number (its place
 * among events at the same time).  FALSE if it is not pending. */
gboolean sim_queue_reschedule(SimQueue *q, SimEventId id, SimTime t);

size_t sim_queue_len(const SimQueue *q);
/* Entries held, pending or not yet dropped (a lane skips a cancelled
 * event's entry lazily): at most about twice len plus a constant. */
size_t sim_queue_entries(const SimQueue *q);
/* Slots allocated (pending + free): the slab's high-water mark. */
size_t sim_queue_capacity(const SimQueue *q);
uint64_t sim_queue_next_seq(const SimQueue *q);

/* Calls fn on every pending event in an unspecified order; fn returns TRUE
 * to cancel that event.  Used for rare whole-queue operations (a node
 * crashes, a node's clock changes); O(n log n) at worst. fn may modify the
 * event's time (the heap is rebuilt afterwards) but not its seq. */
typedef gboolean (*SimQueueVisitFn)(SimEvent *ev, SimEventId id, void *user);
void sim_queue_visit(SimQueue *q, SimQueueVisitFn fn, void *user);

#endif
