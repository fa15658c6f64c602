/* bare_w1.c - the W1 benchmark as a bare C event loop: a binary heap of
 * events and nothing else (no engine, no model, no allocation after
 * start).  It is the yardstick `make bench` compares zksim with, written
 * for this project from the workload's definition:
 *
 *   N servers, server N leads; C clients, client k on server ((k-1) mod N)+1;
 *   every link one-way 100 us; fsync a pure 1 ms delay, any concurrency;
 *   each client keeps one write outstanding: client -> its server
 *   (-> REQUEST to the leader if a follower) -> PROPOSAL to followers,
 *   fsync at every server, ACK -> quorum commit in zxid order counting the
 *   leader after its own fsync -> COMMIT to followers -> reply from the
 *   client's server.  10 s of simulated time.
 *
 * COMMIT goes to every follower, as in ZooKeeper (each must apply the
 * write), not only to the client's server: the reference simulates the
 * same messages zksim does.  What it folds is only what W1's constants
 * allow: a PROPOSAL's arrival and its fsync are one event (a pure delay,
 * any concurrency), and nothing is applied to any state.
 *
 * Usage: bare_w1 N C [SECONDS]; prints commits, mean latency, events and
 * events per second.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define US 1000LL
#define MS 1000000LL
#define LINK (100 * US)
#define FSYNC (1 * MS)

enum { CLIENT_SEND, AT_SERVER, AT_LEADER, FOLLOWER_LOGGED, LEADER_LOGGED, ACK_AT_LEADER, COMMIT_AT_SERVER, REPLY };
/* COMMIT_AT_SERVER: a = the server, b = the proposal's ring slot. */

typedef struct {
    int64_t t;
    uint64_t seq;
    int type, a, b; /* a: client or server, b: zxid index */
} Ev;

static Ev *heap;
static size_t hn, hcap;
static uint64_t seqno;

static int less(const Ev *x, const Ev *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void push(int64_t t, int type, int a, int b)
{
    if (hn == hcap) {
        hcap = hcap ? hcap * 2 : 1024;
        heap = realloc(heap, hcap * sizeof *heap);
    }
    Ev e = { t, seqno++, type, a, b };
    size_t i = hn++;
    while (i > 0 && less(&e, &heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = e;
}

static Ev pop(void)
{
    Ev top = heap[0], last = heap[--hn];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= hn)
            break;
        if (c + 1 < hn && less(&heap[c + 1], &heap[c]))
            c++;
        if (!less(&heap[c], &last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = last;
    return top;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5, c = argc > 2 ? atoi(argv[2]) : 100;
    double secs = argc > 3 ? atof(argv[3]) : 10.0;
    int64_t end = (int64_t)(secs * 1e9);
    int leader = n, quorum = n / 2 + 1;
    /* Per proposal: client, ack count, leader logged.  Proposals are
     * committed strictly in order; a ring big enough for C outstanding. */
    size_t ring = 1;
    while (ring < (size_t)c * 4)
        ring *= 2;
    int *owner = calloc(ring, sizeof *owner), *acks = calloc(ring, sizeof *acks);
    int64_t *start = calloc((size_t)c + 1, sizeof *start);
    long next_zxid = 0, committed = 0;
    long commits = 0;
    double lat_sum = 0;
    for (int k = 1; k <= c; k++)
        push(0, CLIENT_SEND, k, 0);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    uint64_t events = 0;
    while (hn) {
        Ev e = pop();
        if (e.t > end)
            break;
        events++;
        int server_of = 0;
        switch (e.type) {
        case CLIENT_SEND:
            start[e.a] = e.t;
            push(e.t + LINK, AT_SERVER, e.a, 0);
            break;
        case AT_SERVER:
            server_of = (e.a - 1) % n + 1;
            push(server_of == leader ? e.t : e.t + LINK, AT_LEADER, e.a, 0);
            break;
        case AT_LEADER: {
            long z = next_zxid++;
            owner[z & (ring - 1)] = e.a;
            acks[z & (ring - 1)] = 0;
            for (int f = 1; f < n; f++)
                push(e.t + LINK + FSYNC, FOLLOWER_LOGGED, f, (int)(z & (ring - 1)));
            push(e.t + FSYNC, LEADER_LOGGED, leader, (int)(z & (ring - 1)));
            break;
        }
        case FOLLOWER_LOGGED:
            push(e.t + LINK, ACK_AT_LEADER, e.a, e.b);
            break;
        case LEADER_LOGGED:
        case ACK_AT_LEADER:
            acks[e.b]++;
            /* Commit in order: everything from `committed` with a quorum. */
            while (committed < next_zxid && acks[committed & (ring - 1)] >= quorum) {
                int slot = (int)(committed & (ring - 1));
                acks[slot] = -n; /* late acks must not recount */
                for (int f = 1; f < n; f++)
                    push(e.t + LINK, COMMIT_AT_SERVER, f, slot);
                /* The leader applies at once: its own client's reply
                 * leaves now. */
                int k = owner[slot];
                if ((k - 1) % n + 1 == leader)
                    push(e.t + LINK, REPLY, k, 0);
                committed++;
            }
            break;
        case COMMIT_AT_SERVER: {
            /* The ring slot is not reused before this: at most C
             * proposals are outstanding and the ring holds 4C. */
            int k = owner[e.b];
            if ((k - 1) % n + 1 == e.a)
                push(e.t + LINK, REPLY, k, 0);
            break;
        }
        case REPLY:
            commits++;
            lat_sum += (double)(e.t - start[e.a]);
            push(e.t, CLIENT_SEND, e.a, 0);
            break;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) * 1e-9;
    printf("bare-C W1 N=%d C=%d: %ld commits, mean latency %.4f ms, %llu events, %.3f s, %.0f events/s\n", n, c,
           commits, commits ? lat_sum / (double)commits / 1e6 : 0, (unsigned long long)events, wall,
           (double)events / wall);
    free(owner);
    free(acks);
    free(start);
    free(heap);
    return 0;
}
