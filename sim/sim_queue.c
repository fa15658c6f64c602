/* sim_queue.c - the event queue: an implicit binary min-heap over a slab.
 *
 * Three arrays, all indexed and grown together, carry the queue:
 *
 *   ev[slot]    the event records (the slab proper);
 *   meta[slot]  per slot: heap position, generation, free-list link;
 *   heap[i]     one compact entry {time, seq, slot} per pending event.
 *
 * Sifting compares keys that sit side by side in `heap` instead of
 * chasing a pointer per comparison, and records each move in `meta`,
 * 12 bytes a slot, rather than in the 64-byte event records: the hot
 * loop of a push or a pop touches the records once, at the ends.
 *
 * Invariants (queue_check() asserts them all):
 *
 *   1. heap[0..len) is a min-heap of arity ARITY ordered by (time, seq).
 *      Sequence numbers are unique, so the order is total: ties between
 *      equal times go to the lower seq, i.e. to the earlier push.
 *   2. For every i < len, meta[heap[i].slot].heap_pos == i, and
 *      ev[heap[i].slot] carries the same time and seq as heap[i].
 *   3. A slot is pending iff its heap_pos != POS_NONE; exactly
 *      len + lane_live slots are pending.
 *   4. Free slots form a chain through next_free starting at free_head and
 *      ending at POS_NONE.  pending + free + retired == cap.
 *   5. Every slot's gen is >= 1.  An id carries the gen its slot had at
 *      push; gen is bumped whenever the slot leaves the heap, so an id is
 *      valid exactly while its event is pending, and no id is ever 0.
 *   6. Every seq in the heap is < next_seq; next_seq only grows.
 *
 * A slot whose gen has reached UINT32_MAX cannot be bumped again without
 * wrapping, and a wrapped gen would bring an old id back to life.  Such a
 * slot is retired instead of freed: it stays allocated and unused for
 * good.  With a LIFO free list one slot really can be reused 2^32 times
 * in a long run (a single timer re-armed forever: ~2^32 events is minutes
 * of host time), so this is not academic; the cost is one idle slot per
 * 4 billion reuses.
 *
 * Lanes.  Most events of a run are pushed with one of a few fixed delays
 * (a disk's fsync, a timer's period, "right now"), and events pushed with
 * the same delay from a clock that only moves forward come due in the
 * order they were pushed.  Such events skip the heap: each of up to
 * N_LANES lanes is a FIFO ring of entries that share one delay, sorted by
 * construction, and the earliest event of the queue is the least of the
 * heap's root and the lanes' heads - the same (time, seq) order, at O(1)
 * for the lane's push and pop.  A lane is claimed for a delay the second
 * time that delay misses (see lane_for()), so delays that never repeat
 * (sampled latencies) stay in the heap and leave the lanes to the ones
 * that do.  Nothing but speed depends on which events take a lane: the
 * order is the same total order either way.
 *
 *   7. An event in lane l has heap_pos == POS_LANE + l; its lane entry is
 *      live iff that holds and ev[slot].seq equals the entry's seq.
 *      Cancelling or re-keying a lane event only makes its entry stale
 *      (it moves to the heap if re-keyed); stale entries are skipped when
 *      they reach the head.  Every non-empty lane's head is live, its
 *      live entries are in (time, seq) order, and busy has bit l set iff
 *      lane l is non-empty.
 *
 * Pointers returned by sim_queue_get() and sim_queue_peek() point into
 * the slab, which moves when it grows: they are good until the next push
 * and until that event leaves the queue.
 */
#include "sim_queue.h"

#include <string.h>

/* Children per heap node.  Four halves the depth; a pop then compares
 * four siblings (adjacent in memory) per level instead of two.  On W1
 * (N=5, C=100, 0.2 s) the whole run executes 3% fewer instructions with
 * 4 than with 2 (callgrind); wall-clock differences were inside this
 * machine's noise.  The code is written for any arity. */
#define ARITY 4

/* heap_pos of a slot that is not pending; also ends the free list. */
#define POS_NONE UINT32_MAX
/* Lanes, and heap_pos of an event in lane l: POS_LANE + l. */
#define N_LANES 8
#define POS_LANE (UINT32_MAX - 16)
/* Recent delays that found no lane: a delay seen here again claims one. */
#define N_MISSES 4
/* Slots of the delay -> lane index (see lane_for()). */
#define HINT_BITS 5
#define MEMO_NONE UINT32_MAX
#define GEN_FIRST 1u
#define GEN_LAST UINT32_MAX
/* First slab size: enough for a small test, grown by doubling after. */
#define CAP_FIRST 16u

/* utime is the event's time with its sign bit flipped: unsigned order on
 * utime is signed order on time, so (utime, seq) compares as one
 * unsigned 128-bit number - a compare-with-borrow pair instead of two
 * data-dependent branches. */
typedef struct HeapEntry {
    uint64_t utime;
    uint64_t seq;
    uint32_t slot;
} HeapEntry;

static inline uint64_t time_key(SimTime t)
{
    return (uint64_t)t ^ ((uint64_t)1 << 63);
}

static inline HeapEntry entry_make(SimTime t, uint64_t seq, uint32_t slot)
{
    return (HeapEntry){ .utime = time_key(t), .seq = seq, .slot = slot };
}

typedef struct SlotMeta {
    uint32_t heap_pos;  /* index into heap, or POS_NONE */
    uint32_t gen;       /* the high half of this slot's ids */
    uint32_t next_free; /* while free: next free slot or POS_NONE */
} SlotMeta;

/* A FIFO ring of entries pushed with one delay.  head and tail count
 * entries ever taken and added (free-running, wrap harmlessly); cap is 0
 * or a power of two. */
typedef struct Lane {
    HeapEntry *buf;
    uint32_t cap;
    uint32_t head;
    uint32_t tail;
    uint32_t live;       /* entries not stale */
    uint64_t delay;      /* utime at push minus the queue's now_utime */
    uint64_t last_utime; /* of the newest entry */
} Lane;

struct SimQueue {
    HeapEntry *heap; /* cap entries, len used */
    SimEvent *ev;    /* cap event records */
    SlotMeta *meta;  /* cap */
    uint32_t len;    /* entries in the heap */
    uint32_t lane_live; /* live entries in all lanes */
    uint32_t busy;      /* bit l: lane l is not empty */
    uint32_t n_claimed; /* lanes [0, n_claimed) have a delay */
    uint64_t now_utime; /* utime of the last event taken */
    uint64_t misses[N_MISSES];
    uint32_t next_miss;
    uint8_t hint[1u << HINT_BITS]; /* by hash of a delay: its lane + 1, or 0 */
    /* The source of the earliest event as last found (see earliest()),
     * or MEMO_NONE: found by peek, used by the take that follows. */
    uint32_t memo;
    /* While memo is set: the least key among the sources other than the
     * memo's (all ones if none), so a take can often keep the memo. */
    unsigned __int128 runner;
    HeapEntry first[N_LANES]; /* copy of each busy lane's head entry */
    Lane lanes[N_LANES];
    uint32_t cap;
    uint32_t free_head; /* first free slot or POS_NONE */
    uint32_t n_retired;
    uint64_t next_seq;
    gboolean visiting; /* inside sim_queue_visit: the heap is in pieces */
};

/* ---- ids --------------------------------------------------------------- */

static SimEventId id_make(uint32_t gen, uint32_t slot)
{
    return ((uint64_t)gen << 32) | slot;
}

static uint32_t id_slot(SimEventId id)
{
    return (uint32_t)(id & UINT32_MAX);
}

/* The slot of a pending event, or POS_NONE.  Accepts any 64-bit value:
 * stale, zero and made-up ids all come back POS_NONE. */
static uint32_t slot_lookup(const SimQueue *q, SimEventId id)
{
    uint32_t i = id_slot(id);
    if (i >= q->cap)
        return POS_NONE;
    const SlotMeta *m = &q->meta[i];
    if (m->gen != (uint32_t)(id >> 32) || m->heap_pos == POS_NONE)
        return POS_NONE;
    return i;
}

/* ---- slab -------------------------------------------------------------- */

/* Doubles all three arrays together: the heap never holds more entries
 * than there are slots, so one capacity serves them all. */
static void slab_grow(SimQueue *q)
{
    uint32_t old_cap = q->cap;
    uint32_t new_cap = old_cap ? old_cap * 2 : CAP_FIRST;
    /* Slot indices must stay below POS_NONE.  2^31 slots would be 160 GiB
     * of queue: reaching this is a runaway, not a load. */
    g_assert(old_cap < (1u << 31));
    q->heap = g_renew(HeapEntry, q->heap, new_cap);
    q->ev = g_renew(SimEvent, q->ev, new_cap);
    q->meta = g_renew(SlotMeta, q->meta, new_cap);
    /* Chain the new slots so the lowest index is handed out first: the
     * slab then fills from the bottom, like a fresh array. */
    for (uint32_t i = new_cap; i-- > old_cap;) {
        memset(&q->ev[i], 0, sizeof(q->ev[i]));
        q->meta[i] = (SlotMeta){ .heap_pos = POS_NONE, .gen = GEN_FIRST, .next_free = q->free_head };
        q->free_head = i;
    }
    q->cap = new_cap;
}

static uint32_t slot_alloc(SimQueue *q)
{
    if (q->free_head == POS_NONE)
        slab_grow(q);
    uint32_t i = q->free_head;
    g_assert(q->meta[i].heap_pos == POS_NONE);
    q->free_head = q->meta[i].next_free;
    return i;
}

/* Called once the slot's entry has left the heap.  Bumping gen here is
 * what makes every copy of this event's id stale. */
static void slot_release(SimQueue *q, uint32_t i)
{
    SlotMeta *m = &q->meta[i];
    m->heap_pos = POS_NONE;
    if (m->gen == GEN_LAST) {
        q->n_retired++;
        return;
    }
    m->gen++;
    /* LIFO: the slot just released is the one most likely in cache. */
    m->next_free = q->free_head;
    q->free_head = i;
}

/* ---- heap -------------------------------------------------------------- */

static inline unsigned __int128 entry_key(const HeapEntry *e)
{
    return ((unsigned __int128)e->utime << 64) | e->seq;
}

static inline gboolean entry_less(const HeapEntry *a, const HeapEntry *b)
{
    return entry_key(a) < entry_key(b);
}

/* Writes e at pos and tells its slot where it now lives.  Every move in
 * the heap goes through here, which keeps invariant 2. */
static inline void heap_put(SimQueue *q, uint32_t pos, HeapEntry e)
{
    q->heap[pos] = e;
    q->meta[e.slot].heap_pos = pos;
}

/* Places e in the hole at pos or above it.  Greater parents move down
 * into the hole, so each level costs one store, not a swap. */
static void heap_sift_up(SimQueue *q, uint32_t pos, HeapEntry e)
{
    while (pos > 0) {
        uint32_t parent = (pos - 1) / ARITY;
        if (!entry_less(&e, &q->heap[parent]))
            break;
        heap_put(q, pos, q->heap[parent]);
        pos = parent;
    }
    heap_put(q, pos, e);
}

/* Places e in the hole at pos or below it, pulling the least child up. */
static void heap_sift_down(SimQueue *q, uint32_t pos, HeapEntry e)
{
    uint32_t len = q->len;
    for (;;) {
        /* 64-bit: pos * ARITY may not fit 32 bits near the top of the
         * index range. */
        uint64_t first = (uint64_t)pos * ARITY + 1;
        if (first >= len)
            break;
        uint32_t end = (uint32_t)MIN(first + ARITY, (uint64_t)len);
        uint32_t best = (uint32_t)first;
        for (uint32_t c = best + 1; c < end; c++)
            if (entry_less(&q->heap[c], &q->heap[best]))
                best = c;
        if (!entry_less(&q->heap[best], &e))
            break;
        heap_put(q, pos, q->heap[best]);
        pos = best;
    }
    heap_put(q, pos, e);
}

/* Removes the root.  Bottom-up (Floyd): the hole at the root sinks to a
 * leaf along the lesser children, one comparison a level instead of two,
 * then the last entry fills it and rises - rarely far, since it came from
 * the bottom.  Pop is the queue's most frequent operation. */
static void heap_pop_root(SimQueue *q)
{
    g_assert(q->len > 0);
    uint32_t len = --q->len;
    if (len == 0)
        return;
    HeapEntry last = q->heap[len];
    HeapEntry *h = q->heap;
    uint32_t pos = 0;
    for (;;) {
        uint64_t first = (uint64_t)pos * ARITY + 1;
        if (first >= len)
            break;
        uint32_t best = (uint32_t)first;
        if (first + ARITY <= len) {
            /* All children present (the usual case): a fixed-length loop
             * the compiler unrolls. */
            for (uint32_t c = 1; c < ARITY; c++)
                if (entry_less(&h[first + c], &h[best]))
                    best = (uint32_t)first + c;
        } else {
            for (uint32_t c = best + 1; c < len; c++)
                if (entry_less(&h[c], &h[best]))
                    best = c;
        }
        heap_put(q, pos, h[best]);
        pos = best;
    }
    heap_sift_up(q, pos, last);
}

/* Places e in the hole at pos, up or down as its key demands.  Used when
 * an entry lands in the middle of the heap: cancel, reschedule, requeue. */
static void heap_fix(SimQueue *q, uint32_t pos, HeapEntry e)
{
    if (pos > 0 && entry_less(&e, &q->heap[(pos - 1) / ARITY]))
        heap_sift_up(q, pos, e);
    else
        heap_sift_down(q, pos, e);
}

/* Takes the entry at pos out of the heap; the last entry fills the hole. */
static void heap_remove(SimQueue *q, uint32_t pos)
{
    g_assert(pos < q->len);
    q->len--;
    if (pos < q->len)
        heap_fix(q, pos, q->heap[q->len]);
}

/* Floyd's bottom-up construction, O(n): sift down every inner node,
 * last first.  Used after a visit has rewritten times in place. */
static void heap_build(SimQueue *q)
{
    for (uint32_t i = 0; i < q->len; i++)
        q->meta[q->heap[i].slot].heap_pos = i;
    if (q->len < 2)
        return;
    for (uint32_t i = (q->len - 2) / ARITY + 1; i-- > 0;)
        heap_sift_down(q, i, q->heap[i]);
}

/* ---- lanes ------------------------------------------------------------ */

static inline gboolean in_lane(uint32_t heap_pos)
{
    return heap_pos >= POS_LANE && heap_pos < POS_LANE + N_LANES;
}

static inline const HeapEntry *lane_head(const Lane *l)
{
    return &l->buf[l->head & (l->cap - 1)];
}

static gboolean lane_entry_live(const SimQueue *q, uint32_t lane, const HeapEntry *e)
{
    return q->meta[e->slot].heap_pos == POS_LANE + lane && q->ev[e->slot].seq == e->seq;
}

/* Drops every stale entry of lane l, keeping the live ones in order:
 * O(entries), run when stale ones outnumber the live (see lane_left()). */
static void lane_compact(SimQueue *q, uint32_t l)
{
    Lane *lane = &q->lanes[l];
    uint32_t w = lane->head;
    for (uint32_t k = lane->head; k != lane->tail; k++) {
        HeapEntry e = lane->buf[k & (lane->cap - 1)];
        if (lane_entry_live(q, l, &e))
            lane->buf[w++ & (lane->cap - 1)] = e;
    }
    lane->tail = w;
}

/* Skips stale entries at the head of lane l, keeping invariant 7. */
static inline void lane_settle(SimQueue *q, uint32_t l)
{
    Lane *lane = &q->lanes[l];
    while (lane->head != lane->tail && !lane_entry_live(q, l, lane_head(lane)))
        lane->head++;
    if (lane->head == lane->tail)
        q->busy &= ~(1u << l);
    else
        q->first[l] = *lane_head(lane);
}

static void lane_append(SimQueue *q, uint32_t l, HeapEntry e)
{
    Lane *lane = &q->lanes[l];
    uint32_t n = lane->tail - lane->head;
    if (n == lane->cap) {
        /* Unroll the ring into a buffer twice its size. */
        uint32_t new_cap = lane->cap ? lane->cap * 2 : CAP_FIRST;
        g_assert(new_cap > lane->cap);
        HeapEntry *buf = g_new(HeapEntry, new_cap);
        for (uint32_t k = 0; k < n; k++)
            buf[k] = lane->buf[(lane->head + k) & (lane->cap - 1)];
        g_free(lane->buf);
        lane->buf = buf;
        lane->cap = new_cap;
        lane->head = 0;
        lane->tail = n;
    }
    if (n == 0)
        q->first[l] = e;
    lane->buf[lane->tail++ & (lane->cap - 1)] = e;
    lane->last_utime = e.utime;
    lane->live++;
    q->meta[e.slot].heap_pos = POS_LANE + l;
    q->busy |= 1u << l;
    q->lane_live++;
}

/* The lane an event due at utime should join, or -1 for the heap.  A
 * lane takes only entries no earlier than its newest, so it stays sorted
 * whatever the caller does; with a clock that never goes back, equal
 * delays always qualify. */
static int lane_for(SimQueue *q, uint64_t utime)
{
    uint64_t delay = utime - q->now_utime;
    /* The index maps a delay's hash to the lane last claimed for it.  Two
     * delays may share a slot; the loser then finds no lane, claims
     * another and takes the slot (its old lane drains and is reused):
     * only speed depends on it. */
    uint8_t *hint = &q->hint[(delay * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - HINT_BITS)];
    if (*hint) {
        Lane *lane = &q->lanes[*hint - 1];
        if (lane->delay == delay)
            return lane->head == lane->tail || lane->last_utime <= utime ? *hint - 1 : -1;
    }
    gboolean seen = FALSE;
    for (uint32_t k = 0; k < N_MISSES; k++)
        seen |= q->misses[k] == delay;
    if (!seen) {
        q->misses[q->next_miss++ % N_MISSES] = delay;
        return -1;
    }
    /* A repeated delay: give it a fresh lane, else an empty one. */
    uint32_t l = q->n_claimed;
    if (l < N_LANES)
        q->n_claimed++;
    else if (q->busy == (1u << N_LANES) - 1)
        return -1;
    else
        l = (uint32_t)__builtin_ctz(~q->busy);
    q->lanes[l].delay = delay;
    *hint = (uint8_t)(l + 1);
    return (int)l;
}

/* Where the earliest pending event is: its entry and its source (a lane
 * index, or N_LANES for the heap); NULL if the queue is empty.  The scan
 * over the sources is memoised with the runner-up's key (the least head
 * of the other sources): a push that brings a new head, or a take whose
 * source's next head still beats the runner-up, updates the memo instead
 * of dropping it, so most takes skip the scan (W1: 5% fewer instructions
 * for the whole run).  Cancels and re-keys drop it.  q is logically
 * const: the memo is a cache. */
static inline const HeapEntry *earliest(const SimQueue *cq, uint32_t *src)
{
    SimQueue *q = (SimQueue *)cq;
    if (q->memo != MEMO_NONE) {
        *src = q->memo;
        return q->memo == N_LANES ? &q->heap[0] : &q->first[q->memo];
    }
    const HeapEntry *best = q->len ? &q->heap[0] : NULL;
    unsigned __int128 runner = ~(unsigned __int128)0;
    uint32_t where = N_LANES;
    for (uint32_t b = q->busy; b; b &= b - 1) {
        uint32_t l = (uint32_t)__builtin_ctz(b);
        if (!best || entry_less(&q->first[l], best)) {
            if (best)
                runner = entry_key(best);
            best = &q->first[l];
            where = l;
        } else if (entry_key(&q->first[l]) < runner) {
            runner = entry_key(&q->first[l]);
        }
    }
    if (best) {
        q->memo = where;
        q->runner = runner;
    }
    *src = where;
    return best;
}

/* Source src's head is now e (pushed, or come up after a take): keeps
 * the memo and its runner-up exact, or drops them. */
static inline void memo_head_changed(SimQueue *q, uint32_t src, const HeapEntry *e)
{
    if (q->memo == MEMO_NONE)
        return;
    unsigned __int128 k = entry_key(e);
    if (src == q->memo) {
        if (k >= q->runner)
            q->memo = MEMO_NONE;
        return;
    }
    const HeapEntry *best = q->memo == N_LANES ? &q->heap[0] : &q->first[q->memo];
    if (k < entry_key(best)) {
        q->runner = entry_key(best);
        q->memo = src;
    } else if (k < q->runner) {
        q->runner = k;
    }
}

/* Lane l lost a live entry that stays behind as a stale one (cancelled,
 * or moved to the heap).  Stale entries in the middle of a lane wait
 * until the head passes them; a lane with a long delay whose events are
 * cancelled as fast as they come (a timeout re-armed by cancel and push)
 * would pile them up for the whole delay, so past twice the live ones
 * (plus a little) the lane is compacted: memory stays proportional to
 * what is pending, as with the heap, at O(1) amortised. */
static void lane_left(SimQueue *q, uint32_t l)
{
    Lane *lane = &q->lanes[l];
    lane->live--;
    q->lane_live--;
    lane_settle(q, l);
    if (lane->tail - lane->head > 2 * lane->live + 32)
        lane_compact(q, l);
}

/* Moves every live lane entry to the end of the heap array and empties
 * the lanes; the caller rebuilds the heap. */
static void lanes_to_heap(SimQueue *q)
{
    for (uint32_t l = 0; l < q->n_claimed; l++) {
        Lane *lane = &q->lanes[l];
        for (; lane->head != lane->tail; lane->head++) {
            const HeapEntry *e = lane_head(lane);
            if (lane_entry_live(q, l, e)) {
                q->heap[q->len] = *e;
                q->meta[e->slot].heap_pos = q->len++;
            }
        }
        lane->live = 0;
    }
    q->busy = 0;
    q->lane_live = 0;
}

/* Gives pending slot i the key (t, seq) and restores the order.  An event
 * in a lane moves to the heap: its lane entry goes stale. */
static void slot_rekey(SimQueue *q, uint32_t i, SimTime t, uint64_t seq)
{
    uint32_t pos = q->meta[i].heap_pos;
    q->memo = MEMO_NONE;
    q->ev[i].time = t;
    q->ev[i].seq = seq;
    if (in_lane(pos)) {
        q->meta[i].heap_pos = POS_NONE;
        lane_left(q, pos - POS_LANE);
        q->len++;
        heap_sift_up(q, q->len - 1, entry_make(t, seq, i));
        return;
    }
    heap_fix(q, pos, entry_make(t, seq, i));
}

/* Asserts invariants 1-6 in O(cap).  Run where the cost is linear anyway
 * (after a visit, before a free), so every test that builds a queue ends
 * by validating it. */
static void queue_check(const SimQueue *q)
{
    g_assert(q->len <= q->cap);
    for (uint32_t i = 0; i < q->len; i++) {
        const HeapEntry *e = &q->heap[i];
        g_assert(e->slot < q->cap);
        g_assert(q->meta[e->slot].heap_pos == i);
        g_assert(time_key(q->ev[e->slot].time) == e->utime && q->ev[e->slot].seq == e->seq);
        g_assert(e->seq < q->next_seq);
        if (i > 0)
            g_assert(!entry_less(e, &q->heap[(i - 1) / ARITY]));
    }
    uint32_t n_live = 0;
    g_assert(q->n_claimed <= N_LANES);
    for (uint32_t l = 0; l < N_LANES; l++) {
        const Lane *lane = &q->lanes[l];
        g_assert(l < q->n_claimed || lane->head == lane->tail);
        g_assert(lane->tail - lane->head <= lane->cap);
        g_assert(!!(q->busy & (1u << l)) == (lane->head != lane->tail));
        g_assert(lane->head == lane->tail || lane_entry_live(q, l, lane_head(lane)));
        const HeapEntry *prev = NULL;
        uint32_t n_lane = 0;
        for (uint32_t k = lane->head; k != lane->tail; k++) {
            const HeapEntry *e = &lane->buf[k & (lane->cap - 1)];
            g_assert(e->slot < q->cap);
            if (!lane_entry_live(q, l, e))
                continue;
            g_assert(time_key(q->ev[e->slot].time) == e->utime);
            g_assert(!prev || entry_less(prev, e));
            prev = e;
            n_lane++;
        }
        g_assert(n_lane == lane->live);
        n_live += n_lane;
    }
    g_assert(n_live == q->lane_live);
    for (uint32_t b = q->busy; b; b &= b - 1) {
        uint32_t l = (uint32_t)__builtin_ctz(b);
        g_assert(entry_key(&q->first[l]) == entry_key(lane_head(&q->lanes[l])));
        g_assert(q->first[l].slot == lane_head(&q->lanes[l])->slot);
    }
    if (q->memo != MEMO_NONE) {
        /* The memo names the least of the heap's root and the heads. */
        g_assert(q->memo == N_LANES ? q->len > 0 : !!(q->busy & (1u << q->memo)));
        const HeapEntry *m = q->memo == N_LANES ? &q->heap[0] : &q->first[q->memo];
        g_assert(!q->len || !entry_less(&q->heap[0], m));
        for (uint32_t b = q->busy; b; b &= b - 1)
            g_assert(!entry_less(&q->first[__builtin_ctz(b)], m));
        /* ... and the runner-up bounds every other source's head. */
        g_assert(q->memo == N_LANES || !q->len || entry_key(&q->heap[0]) >= q->runner);
        for (uint32_t b = q->busy; b; b &= b - 1)
            g_assert(__builtin_ctz(b) == (int)q->memo || entry_key(&q->first[__builtin_ctz(b)]) >= q->runner);
    }
    uint32_t n_pending = 0, n_free = 0;
    for (uint32_t i = 0; i < q->cap; i++) {
        g_assert(q->meta[i].gen >= GEN_FIRST);
        uint32_t pos = q->meta[i].heap_pos;
        g_assert(pos == POS_NONE || pos < q->len || in_lane(pos));
        n_pending += pos != POS_NONE;
    }
    g_assert(n_pending == q->len + q->lane_live);
    for (uint32_t i = q->free_head; i != POS_NONE; i = q->meta[i].next_free) {
        g_assert(i < q->cap && q->meta[i].heap_pos == POS_NONE);
        n_free++;
        g_assert(n_free <= q->cap); /* no cycle */
    }
    g_assert(n_pending + n_free + q->n_retired == q->cap);
}

/* ---- API --------------------------------------------------------------- */

SimQueue *sim_queue_new(void)
{
    SimQueue *q = g_new0(SimQueue, 1);
    q->free_head = POS_NONE;
    q->next_seq = 1;
    q->memo = MEMO_NONE;
    return q;
}

void sim_queue_free(SimQueue *q)
{
    if (!q)
        return;
    g_assert(!q->visiting);
    queue_check(q);
    for (uint32_t l = 0; l < N_LANES; l++)
        g_free(q->lanes[l].buf);
    g_free(q->heap);
    g_free(q->ev);
    g_free(q->meta);
    g_free(q);
}

SimEventId sim_queue_push(SimQueue *q, const SimEvent *ev)
{
    g_assert(!q->visiting);
    g_assert(ev);
    /* Copy first: ev may point into our own slab (a peeked event pushed
     * again), which slot_alloc() may move. */
    SimEvent copy = *ev;
    uint32_t i = slot_alloc(q);
    copy.seq = q->next_seq++;
    q->ev[i] = copy;
    HeapEntry e = entry_make(copy.time, copy.seq, i);
    int l = lane_for(q, e.utime);
    if (l >= 0) {
        gboolean was_empty = !(q->busy & (1u << l));
        lane_append(q, (uint32_t)l, e);
        if (was_empty)
            memo_head_changed(q, (uint32_t)l, &e);
    } else {
        q->len++;
        heap_sift_up(q, q->len - 1, e);
        if (q->heap[0].slot == i)
            memo_head_changed(q, N_LANES, &e);
    }
    return id_make(q->meta[i].gen, i);
}

gboolean sim_queue_pop(SimQueue *q, SimEvent *out)
{
    g_assert(!q->visiting);
    g_assert(out);
    if (sim_queue_len(q) == 0) {
        *out = (SimEvent){ 0 };
        return FALSE;
    }
    *out = *sim_queue_take(q);
    return TRUE;
}

const SimEvent *sim_queue_take(SimQueue *q)
{
    g_assert(!q->visiting);
    uint32_t src;
    const HeapEntry *first = earliest(q, &src);
    g_assert(first);
    HeapEntry top = *first;
    const SimEvent *ev = &q->ev[top.slot];
    /* A mismatch means someone wrote ev->time or ev->seq through
     * sim_queue_get() instead of calling sim_queue_reschedule(): the heap
     * never saw the change and the order is already wrong. */
    g_assert(time_key(ev->time) == top.utime && ev->seq == top.seq);
    if (src == N_LANES) {
        heap_pop_root(q);
        if (q->len)
            memo_head_changed(q, src, &q->heap[0]);
        else
            q->memo = MEMO_NONE;
    } else {
        q->lanes[src].head++;
        q->lanes[src].live--;
        q->lane_live--;
        q->meta[top.slot].heap_pos = POS_NONE;
        lane_settle(q, src);
        if (q->busy & (1u << src))
            memo_head_changed(q, src, &q->first[src]);
        else
            q->memo = MEMO_NONE;
    }
    q->now_utime = top.utime;
    slot_release(q, top.slot);
    return ev;
}

const SimEvent *sim_queue_peek(const SimQueue *q)
{
    g_assert(!q->visiting);
    uint32_t src;
    const HeapEntry *e = earliest(q, &src);
    return e ? &q->ev[e->slot] : NULL;
}

SimEventId sim_queue_peek_id(const SimQueue *q)
{
    g_assert(!q->visiting);
    uint32_t src;
    const HeapEntry *e = earliest(q, &src);
    return e ? id_make(q->meta[e->slot].gen, e->slot) : SIM_EVENT_NONE;
}

gboolean sim_queue_requeue(SimQueue *q, SimEventId id, SimTime t)
{
    g_assert(!q->visiting);
    uint32_t i = slot_lookup(q, id);
    if (i == POS_NONE)
        return FALSE;
    slot_rekey(q, i, t, q->next_seq++);
    return TRUE;
}

gboolean sim_queue_cancel(SimQueue *q, SimEventId id)
{
    g_assert(!q->visiting);
    uint32_t i = slot_lookup(q, id);
    if (i == POS_NONE)
        return FALSE;
    uint32_t pos = q->meta[i].heap_pos;
    q->memo = MEMO_NONE;
    if (in_lane(pos)) {
        slot_release(q, i);
        lane_left(q, pos - POS_LANE);
    } else {
        heap_remove(q, pos);
        slot_release(q, i);
    }
    return TRUE;
}

SimEvent *sim_queue_get(SimQueue *q, SimEventId id)
{
    uint32_t i = slot_lookup(q, id);
    return i == POS_NONE ? NULL : &q->ev[i];
}

gboolean sim_queue_is_pending(const SimQueue *q, SimEventId id)
{
    return slot_lookup(q, id) != POS_NONE;
}

gboolean sim_queue_reschedule(SimQueue *q, SimEventId id, SimTime t)
{
    g_assert(!q->visiting);
    uint32_t i = slot_lookup(q, id);
    if (i == POS_NONE)
        return FALSE;
    slot_rekey(q, i, t, q->ev[i].seq);
    return TRUE;
}

size_t sim_queue_len(const SimQueue *q)
{
    return (size_t)q->len + q->lane_live;
}

size_t sim_queue_entries(const SimQueue *q)
{
    size_t n = q->len;
    for (uint32_t l = 0; l < N_LANES; l++)
        n += q->lanes[l].tail - q->lanes[l].head;
    return n;
}

size_t sim_queue_capacity(const SimQueue *q)
{
    return q->cap;
}

uint64_t sim_queue_next_seq(const SimQueue *q)
{
    return q->next_seq;
}

/* One pass over the heap array: each event is shown to fn; cancelled ones
 * are released on the spot and survivors are packed to the front with
 * their possibly new time; then the heap is rebuilt in O(n).  The order
 * of calls is the heap array's, which depends only on the history of
 * operations, so it is as deterministic as everything else.  fn must not
 * call back into the queue: until the rebuild the heap is not a heap. */
void sim_queue_visit(SimQueue *q, SimQueueVisitFn fn, void *user)
{
    g_assert(!q->visiting);
    g_assert(fn);
    q->memo = MEMO_NONE;
    lanes_to_heap(q);
    q->visiting = TRUE;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < q->len; i++) {
        HeapEntry e = q->heap[i];
        SimEvent *ev = &q->ev[e.slot];
        gboolean cancel = fn(ev, id_make(q->meta[e.slot].gen, e.slot), user);
        g_assert(ev->seq == e.seq); /* fn may change the time, not the seq */
        if (cancel) {
            slot_release(q, e.slot);
            continue;
        }
        e.utime = time_key(ev->time);
        q->heap[kept++] = e;
    }
    q->len = kept;
    heap_build(q);
    q->visiting = FALSE;
    queue_check(q);
}
