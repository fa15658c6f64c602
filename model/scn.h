/* scn.h - the scenario language: a .zks file, its includes and the
 * command line's --set overrides, parsed into a typed, checked script.
 *
 * A scenario is line oriented (`#` starts a comment outside double
 * quotes).  It has four kinds of lines, in any order:
 *
 *   parameters   KEY = VALUE               (table: scn_param_table())
 *   variables    let NAME = VALUE          ($NAME / ${NAME} later; $$ is '$')
 *   declarations include "PATH", group, latency, link, quorum.group,
 *                quorum.weight, observer, workload, client, clients
 *   actions      at TIME ... / after TIME ... (plus bare `expect` and `wait`)
 *
 * The parser stops at the first error and reports it as one GError
 * (domain SCN_ERROR) whose message is `FILE:LINE:COLUMN: what is wrong`
 * (columns are 1-based byte offsets of the offending token), or
 * `--set KEY=VALUE: what is wrong` for an override.  One clear error is
 * worth more than ten where the last nine are echoes of the first.
 *
 * Order of evaluation:
 *   1. The files are read top to bottom, includes inline.  A variable is
 *      expanded textually when a line is read (after its comment is cut,
 *      inside quotes too: $$ is a '$'), so it must be defined by an
 *      earlier `let`; its value is one token with quotes removed, and is
 *      not expanded again.  A `--set NAME=VALUE` for a let-variable
 *      replaces the value of every `let NAME`.
 *   2. A parameter set twice takes the later value (an include followed
 *      by overrides is the normal use).  Then every --set for a parameter
 *      is applied, in command-line order.
 *   3. The whole script is checked against the final parameters: server
 *      names against `servers` (so `--set servers=7` enables s6 and s7),
 *      names of clients, groups and workloads, quorum, observers, pause
 *      and resume pairs, times against `duration`.  Clients and workloads
 *      may be declared anywhere; a group must be defined above its first
 *      use.
 *
 * Times.  `at T` is T after the start of the run.  `after T` is T after
 * the previous action; when that chain goes back to a `wait`, the time
 * is only known at run time (the wait's end), and the action keeps the
 * offset (ScnWhen SCN_WHEN_WAIT) until an `at` anchors the chain to the
 * start again.  A bare `expect` or `wait` line means `after 0`;
 * `expect at end` is checked when the run stops.  An `at` time earlier
 * than the previous action's earliest possible time is an error, as is
 * any action after `end`.  The script is sequential: the executor runs
 * an action at its time or, when a wait ran late, as soon as the
 * previous action has run.
 *
 * What the checker resolves, so the executor does not have to: every
 * target (ScnTarget) names a server id, a client index or a group index
 * (lists are duplicate-free, in first-mention order); clients have their
 * final server list, timeout and workload; workloads have every field
 * filled with its default.  `leader` stays symbolic (SCN_TARGET_LEADER):
 * it is whoever leads when the action runs.  A group named in a list
 * stays one SCN_TARGET_GROUP (scn_targets_expand flattens a list), so a
 * big group named on many lines costs one target per mention, not one
 * per member: memory stays proportional to the text.
 *
 * Grammar (one line each; [x] optional, A|B alternatives, X... repeated;
 * SERVERS are sN, group names or leader where the action allows it):
 *
 *   KEY = VALUE                       KEY=VALUE also works; see scn_param_table
 *   let NAME = VALUE                  include "PATH"
 *   group NAME = sN...                latency GROUP GROUP = DIST
 *   link A B [latency=DIST] [loss=P]  observer sN
 *   quorum.group ID = sN...           quorum.weight sN = W
 *   workload NAME kind=KIND [key=value...]     (keys per kind: ScnWorkload)
 *   client NAME [servers=all|S,S...] [timeout=D] [workload=W] [start=yes|no]
 *   clients PREFIX1..PREFIXN [same options]
 *
 *   at T ACTION  |  after T ACTION  |  expect CHECK  |  expect at end CHECK
 *   ACTION:
 *     start all|SERVERS...            crash all|SERVERS...|leader
 *     restart all|SERVERS...|leader   pause S|leader [for D]    resume S|leader
 *     partition X... | X... [| ...]   partition oneway X... -> X...
 *     isolate S|leader   heal   end   link A B [latency=DIST] [loss=P]
 *     slowdisk S factor=F [extra=D] [for D]
 *     clock S drift=PPM | clock S jump=[+-]D
 *     drop|break TYPE FROM -> TO [once|times=N|for D]
 *     delay TYPE FROM -> TO D [once|times=N|for D]
 *     wait until CHECK within D       expect CHECK
 *     CLIENT: create [-s] [-e] [-c] PATH [DATA] | get [-s] [-w] PATH
 *           | set [-s] [-v V] PATH DATA | delete [-v V] PATH | deleteall PATH
 *           | ls [-s] [-w] [-R] PATH | stat [-w] PATH | sync PATH
 *           | addWatch [-m PERSISTENT|PERSISTENT_RECURSIVE] PATH
 *           | removewatches [-c|-d|-a] PATH | close | connect
 *   CHECK: see SCN_COND_LIST.  OP is one of == != < <= > >= (only == and
 *   != where a value is not a number).
 *
 * Limits (the parser is meant to be fuzzed): files <= SCN_FILE_MAX bytes,
 * all text read and all text after expansion <= SCN_TOTAL_MAX bytes,
 * lines <= SCN_LINE_MAX bytes before and after expansion, includes
 * nested <= SCN_INCLUDE_DEPTH_MAX deep and <= SCN_INCLUDES_MAX in all,
 * clients <= SCN_CLIENTS_MAX, every time <= SCN_TIME_LIMIT.  Only
 * regular files are read (no FIFOs or devices), so a load never blocks.
 */
#ifndef SCN_H
#define SCN_H

#include "sim_rng.h"
#include "sim_time.h"
#include "zk_proto.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ------------------------------------------------------------- */

#define SCN_SERVERS_MAX 255
#define SCN_CLIENTS_MAX 100000
#define SCN_INCLUDE_DEPTH_MAX 16
#define SCN_INCLUDES_MAX 1000
#define SCN_LINE_MAX 65536
#define SCN_FILE_MAX (16 * 1024 * 1024)
/* All the text of one load: files with their includes, and every line
 * again after variable expansion (so a long variable used on many lines
 * cannot multiply the work); also the size limit of scn_load_string. */
#define SCN_TOTAL_MAX (64 * 1024 * 1024)
/* Every time and duration in a script, and every absolute action time. */
#define SCN_TIME_LIMIT ((SimTime)1000000 * SIM_S)

/* ---- errors ------------------------------------------------------------- */

#define SCN_ERROR (scn_error_quark())
GQuark scn_error_quark(void);

typedef enum {
    SCN_ERROR_READ,   /* a file cannot be read (missing, not a regular file) */
    SCN_ERROR_SYNTAX, /* a line is malformed or a value is out of range */
    SCN_ERROR_SET,    /* a --set override is malformed or unknown */
    SCN_ERROR_CHECK,  /* the parsed script contradicts itself */
    SCN_ERROR_LIMIT,  /* a size limit above was hit */
} ScnErrorCode;

/* Where something was written.  file is owned by the script; line is 0
 * for a --set override (file is then "--set KEY=VALUE").  seq numbers the
 * lines in reading order across includes. */
typedef struct ScnPos {
    const char *file;
    guint line;
    guint col;
    guint seq;
} ScnPos;

/* ---- parameters --------------------------------------------------------- */

typedef enum {
    SCN_QUORUM_MAJORITY,
    SCN_QUORUM_HIERARCHICAL, /* `QuorumHierarchical`: quorum.group / quorum.weight */
} ScnQuorumKind;

typedef enum {
    SCN_PLACEMENT_SHUFFLE,    /* each client shuffles its connect string */
    SCN_PLACEMENT_ROUNDROBIN, /* client k starts at server ((k-1) mod n)+1 */
} ScnPlacement;

typedef enum {
    SCN_DISK_SERIAL,     /* one fsync at a time per server */
    SCN_DISK_CONCURRENT, /* fsyncs overlap */
} ScnDiskMode;

/* One field per parameter, defaults filled in (scn_params_init).  The
 * names are the parameter names in snake case; SimTime fields are ns. */
typedef struct ScnParams {
    int64_t servers;
    int64_t observers;
    SimTime tick_time;
    int64_t init_limit;
    int64_t sync_limit;
    SimTime finalize_wait;
    SimTime min_notification_interval;
    SimTime max_notification_interval;
    SimTime cnx_timeout;
    SimTime observer_election_delay;
    int64_t snap_count;
    int64_t commit_log_count;
    double snapshot_size_factor;
    SimTime min_session_timeout; /* 0 = 2 * tickTime: scn_params_session_timeout_min */
    SimTime max_session_timeout; /* 0 = 20 * tickTime: scn_params_session_timeout_max */
    ScnQuorumKind quorum;
    struct {
        SimDist latency;
        double loss;
        uint64_t bandwidth_bytes_per_s; /* 0 = infinite */
        SimTime nic_per_msg;
        SimTime break_detect;
        gboolean trace_messages;
    } net;
    struct {
        SimDist fsync;
        ScnDiskMode mode;
        uint64_t bandwidth_bytes_per_s; /* 0 = infinite */
    } disk;
    struct {
        SimTime request;
        SimTime message;
        SimTime send;
    } cpu;
    struct {
        int64_t header_bytes;
    } msg;
    struct {
        SimTime timeout;
        /* NULL-terminated names ("all", or servers and groups); each
         * client's resolved list is in ScnClient.servers. */
        const char *const *connect_string;
        ScnPlacement placement;
    } client;
    SimTime duration;
    uint64_t seed;
    uint64_t max_events; /* 0 = unlimited */
    struct {
        SimTime interval;
    } metrics;
} ScnParams;

#define SCN_PARAM_TYPE_LIST(X)                                                                     \
    X(INT, "int")                                                                                  \
    X(UINT, "uint")                                                                                \
    X(FLOAT, "float")                                                                              \
    X(BOOL, "bool")                                                                                \
    X(DURATION, "duration")                                                                        \
    X(DIST, "dist")                                                                                \
    X(ENUM, "enum")                                                                                \
    X(BPS, "bytes-per-second")                                                                     \
    X(LIST, "list")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_PARAM_##id,
    SCN_PARAM_TYPE_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnParamType;

/* One row of the parameter table.  The default is whatever default_text
 * means when parsed, so the documentation cannot disagree with the code. */
typedef struct ScnParamInfo {
    const char *name;
    ScnParamType type;
    const char *default_text;
    const char *doc;             /* one line, for the README and --help-params */
    size_t offset;               /* of the field in ScnParams */
    int64_t min, max;            /* INT and DURATION */
    uint64_t umax;               /* UINT and BPS (their minimum is 0) */
    double fmin, fmax;           /* FLOAT */
    const char *const *choices;  /* ENUM: NULL-terminated; index = enum value */
} ScnParamInfo;

/* The table, in documentation order; *n receives its length. */
const ScnParamInfo *scn_param_table(size_t *n);
const ScnParamInfo *scn_param_find(const char *name);
const char *scn_param_type_name(ScnParamType t);
/* Appends the accepted range ("1..255", "0..1", ">= 0", "majority|hierarchical"). */
void scn_param_format_range(const ScnParamInfo *info, GString *out);
/* Appends the canonical text of the parameter's value in p. */
void scn_param_format_value(const ScnParams *p, const ScnParamInfo *info, GString *out);

/* Fills every field with its default. */
void scn_params_init(ScnParams *p);
/* ZooKeeper's session timeout bounds with 0 resolved
 * (`QuorumPeerConfig`: min = 2 * tickTime, max = 20 * tickTime). */
SimTime scn_params_session_timeout_min(const ScnParams *p);
SimTime scn_params_session_timeout_max(const ScnParams *p);

/* ---- vocabularies ------------------------------------------------------- */

/* Quorum packet types (`Leader.PROPOSAL`... in ZooKeeper) plus the
 * election's NOTIFICATION, as named in message filters. */
#define SCN_PACKET_LIST(X)                                                                         \
    X(NOTIFICATION, "NOTIFICATION")                                                                \
    X(REQUEST, "REQUEST")                                                                          \
    X(PROPOSAL, "PROPOSAL")                                                                        \
    X(ACK, "ACK")                                                                                  \
    X(COMMIT, "COMMIT")                                                                            \
    X(PING, "PING")                                                                                \
    X(REVALIDATE, "REVALIDATE")                                                                    \
    X(SYNC, "SYNC")                                                                                \
    X(INFORM, "INFORM")                                                                            \
    X(NEWLEADER, "NEWLEADER")                                                                      \
    X(FOLLOWERINFO, "FOLLOWERINFO")                                                                \
    X(UPTODATE, "UPTODATE")                                                                        \
    X(DIFF, "DIFF")                                                                                \
    X(TRUNC, "TRUNC")                                                                              \
    X(SNAP, "SNAP")                                                                                \
    X(OBSERVERINFO, "OBSERVERINFO")                                                                \
    X(LEADERINFO, "LEADERINFO")                                                                    \
    X(ACKEPOCH, "ACKEPOCH")                                                                        \
    X(ANY, "*")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_PACKET_##id,
    SCN_PACKET_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnPacket;

/* Server states (`QuorumPeer.ServerState`). */
#define SCN_ROLE_LIST(X)                                                                           \
    X(LOOKING, "LOOKING")                                                                          \
    X(FOLLOWING, "FOLLOWING")                                                                      \
    X(LEADING, "LEADING")                                                                          \
    X(OBSERVING, "OBSERVING")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_ROLE_##id,
    SCN_ROLE_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnRole;

/* How a leader synchronises a learner (`LearnerHandler.syncFollower`). */
#define SCN_SYNC_LIST(X)                                                                           \
    X(DIFF, "DIFF")                                                                                \
    X(SNAP, "SNAP")                                                                                \
    X(TRUNC, "TRUNC")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_SYNC_##id,
    SCN_SYNC_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnSyncMode;

/* Comparison operators of conditions. */
#define SCN_CMP_LIST(X)                                                                            \
    X(EQ, "==")                                                                                    \
    X(NE, "!=")                                                                                    \
    X(LT, "<")                                                                                     \
    X(LE, "<=")                                                                                    \
    X(GT, ">")                                                                                     \
    X(GE, ">=")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_CMP_##id,
    SCN_CMP_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnCmp;

const char *scn_packet_name(ScnPacket t);
const char *scn_role_name(ScnRole r);
const char *scn_sync_name(ScnSyncMode m);
const char *scn_cmp_name(ScnCmp c);
/* TRUE if `a OP b` holds. */
gboolean scn_cmp_holds(ScnCmp c, int64_t a, int64_t b);

/* ---- targets ------------------------------------------------------------ */

typedef enum {
    SCN_TARGET_SERVER, /* index = server id, 1-based (s1 is 1) */
    SCN_TARGET_LEADER, /* whoever leads when the action runs */
    SCN_TARGET_CLIENT, /* index into ScnScript.clients */
    SCN_TARGET_GROUP,  /* index into ScnScript.groups (scn_targets_expand) */
    SCN_TARGET_ANY,    /* `*` in message filters */
} ScnTargetKind;

typedef struct ScnTarget {
    ScnTargetKind kind;
    guint index;
    const char *name; /* as written ("s3", "leader", "c7", "dc1", "*") */
    ScnPos pos;
} ScnTarget;

typedef struct ScnTargets {
    const ScnTarget *v;
    guint n;
} ScnTargets;

/* ---- declarations ------------------------------------------------------- */

/* `group NAME = s1 s2 s3`: a named set of servers (a data centre). */
typedef struct ScnGroup {
    const char *name;
    ScnTargets members; /* servers only */
    ScnPos pos;
} ScnGroup;

/* `latency G1 G2 = DIST`: one-way latency between the groups, both
 * directions (G1 == G2: within the group). */
typedef struct ScnGroupLatency {
    ScnTarget a, b; /* SCN_TARGET_GROUP */
    SimDist latency;
    ScnPos pos;
} ScnGroupLatency;

/* `link A B [latency=DIST] [loss=FLOAT]`: both directions; also the
 * payload of the `link` action. */
typedef struct ScnLink {
    ScnTarget a, b; /* servers or clients (the action also allows leader) */
    gboolean has_latency;
    SimDist latency;
    gboolean has_loss;
    double loss;
    ScnPos pos;
} ScnLink;

/* `quorum.group ID = s1 s2 s3` (`QuorumHierarchical`). */
typedef struct ScnQuorumGroup {
    int64_t id;
    ScnTargets members;
    ScnPos pos;
} ScnQuorumGroup;

/* `quorum.weight sN = W`; a server in a group without a weight line has
 * weight 1 (ZooKeeper's default). */
typedef struct ScnQuorumWeight {
    ScnTarget server;
    int64_t weight;
    ScnPos pos;
} ScnQuorumWeight;

#define SCN_WORKLOAD_KIND_LIST(X)                                                                  \
    X(SCRIPT, "script")                                                                            \
    X(MIXED, "mixed")                                                                              \
    X(REGISTRY, "registry")                                                                        \
    X(CONFIG, "config")                                                                            \
    X(NAMING, "naming")                                                                            \
    X(LOCK, "lock")                                                                                \
    X(MEMBERSHIP, "membership")                                                                    \
    X(BALANCE, "balance")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_WORKLOAD_##id,
    SCN_WORKLOAD_KIND_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnWorkloadKind;

const char *scn_workload_kind_name(ScnWorkloadKind k);

typedef enum {
    SCN_KEYS_UNIFORM,
    SCN_KEYS_ZIPF,
} ScnKeyDist;

/* `workload NAME kind=KIND key=value...`.  Every field holds its final
 * value; only those of the kind mean anything:
 *   script      none (the client does only what the script says)
 *   mixed       reads (0.5), size_bytes (100), keys (1000), key_dist
 *               (uniform) and zipf_s, then either rate_per_s > 0 (open
 *               loop, Poisson) or outstanding (closed loop, default 1),
 *               ops (0 = until the run ends)
 *   the others  period (1s), size_bytes (100), path ("/" KIND), count (1),
 *               hold (1s) */
typedef struct ScnWorkload {
    const char *name;
    ScnWorkloadKind kind;
    double reads;
    int64_t size_bytes;
    int64_t keys;
    ScnKeyDist key_dist;
    double zipf_s;
    double rate_per_s;
    int64_t outstanding;
    int64_t ops;
    SimTime period;
    const char *path;
    int64_t count;
    SimTime hold;
    ScnPos pos;
} ScnWorkload;

/* `client NAME [servers=LIST|all] [timeout=D] [workload=W] [start=yes|no]`;
 * `clients c1..c100 ...` declares one ScnClient per name. */
typedef struct ScnClient {
    const char *name;
    gboolean all_servers; /* servers=all: every server, the empty list below */
    ScnTargets servers;   /* servers and groups, when !all_servers */
    SimTime timeout;      /* session timeout the client asks for */
    int workload;         /* index into ScnScript.workloads, or -1 */
    gboolean start;       /* connect at time 0; FALSE: waits for `connect` */
    ScnPos pos;
} ScnClient;

/* ---- conditions (wait until / expect) ------------------------------------ */

/* Every condition may be waited for and expected. */
#define SCN_COND_LIST(X)                                                                           \
    X(LEADER, "leader")               /* some server is an established leader */                  \
    X(LEADER_IS, "leader ==")         /* leader OP sN (OP: == or !=) */                            \
    X(LEADER_IN, "leader in")         /* leader in s4 s5 */                                        \
    X(ROLE, "role")                   /* role sN OP ROLE */                                        \
    X(ELECTION_TOOK, "election took") /* the last completed election, OP DURATION */               \
    X(ELECTIONS, "elections")         /* completed elections OP N */                               \
    X(COMMITS, "commits")             /* committed txns OP N */                                    \
    X(EPOCH, "epoch")                 /* the current epoch OP N */                                 \
    X(CONNECTED, "connected")         /* connected CLIENT */                                       \
    X(ALL_CONNECTED, "all connected") /* every started client is connected */                      \
    X(QUIET, "quiet")                 /* no election running */                                    \
    X(WATCH, "watch")                 /* watch CLIENT EVENT PATH: that event arrived */            \
    X(NO_WATCH, "no watch")           /* no watch CLIENT PATH: no event for PATH */                \
    X(NO_VIOLATION, "no violation")   /* no invariant broken so far */                             \
    X(SAW, "saw")                     /* CLIENT saw ERROR (at any time) */                         \
    X(RESULT, "result")               /* CLIENT result ERROR (its last operation) */               \
    X(VALUE, "value")                 /* value CLIENT PATH OP "DATA" (its last read) */            \
    X(SYNC_MODE, "sync")              /* sync sN OP DIFF|SNAP|TRUNC */                             \
    X(HAS, "has")                     /* server sN has PATH */                                     \
    X(LACKS, "lacks")                 /* server sN lacks PATH */

typedef enum {
#define SCN_X_ENUM(id, name) SCN_COND_##id,
    SCN_COND_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnCondKind;

typedef struct ScnCond {
    ScnCondKind kind;
    ScnCmp cmp;         /* numeric and equality conditions; EQ otherwise */
    ScnTarget who;      /* the server or client named; name NULL if none */
    ScnTargets servers; /* LEADER_IN */
    int64_t n;          /* ELECTIONS, COMMITS, EPOCH */
    SimTime took;       /* ELECTION_TOOK */
    ScnRole role;       /* ROLE */
    ScnSyncMode sync;   /* SYNC_MODE */
    ZkEventType event;  /* WATCH */
    ZkErr error;        /* SAW, RESULT */
    const char *path;   /* WATCH, NO_WATCH, VALUE, HAS, LACKS */
    const char *data;   /* VALUE */
} ScnCond;

const char *scn_cond_name(ScnCondKind k);

/* ---- client operations (zkCli.sh vocabulary) ----------------------------- */

/* The verbs of zkCli.sh, one list with the client library's ZkCliVerb. */
#define SCN_OP_LIST(X) ZK_CLI_VERB_LIST(X)

typedef enum {
#define SCN_X_ENUM(id, name) SCN_OP_##id,
    SCN_OP_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnOpKind;

/* `CLIENT: OP [options] PATH [DATA]`. */
typedef struct ScnClientOp {
    ScnTarget client;
    ScnOpKind op;
    const char *path;       /* NULL for close and connect */
    const char *data;       /* create (NULL: no data), set */
    gboolean sequential;    /* create -s */
    gboolean ephemeral;     /* create -e */
    gboolean container;     /* create -c */
    gboolean stat;          /* get -s, set -s, ls -s */
    gboolean watch;         /* get -w, ls -w, stat -w */
    gboolean recursive;     /* ls -R */
    int32_t version;        /* set -v, delete -v; -1 = any */
    ZkWatcherMode mode;     /* addWatch -m; default PERSISTENT_RECURSIVE, as zkCli */
    ZkWatcherType watcher;  /* removewatches -c|-d|-a; default ANY */
} ScnClientOp;

const char *scn_op_name(ScnOpKind op);

/* ---- actions ------------------------------------------------------------- */

#define SCN_ACTION_LIST(X)                                                                         \
    X(START, "start")                                                                              \
    X(CRASH, "crash")                                                                              \
    X(RESTART, "restart")                                                                          \
    X(PAUSE, "pause")                                                                              \
    X(RESUME, "resume")                                                                            \
    X(PARTITION, "partition")                                                                      \
    X(ISOLATE, "isolate")                                                                          \
    X(HEAL, "heal")                                                                                \
    X(LINK, "link")                                                                                \
    X(SLOWDISK, "slowdisk")                                                                        \
    X(CLOCK, "clock")                                                                              \
    X(DROP, "drop")                                                                                \
    X(DELAY, "delay")                                                                              \
    X(BREAK, "break")                                                                              \
    X(CLIENT_OP, "client operation")                                                               \
    X(WAIT, "wait")                                                                                \
    X(EXPECT, "expect")                                                                            \
    X(END, "end")

typedef enum {
#define SCN_X_ENUM(id, name) SCN_ACTION_##id,
    SCN_ACTION_LIST(SCN_X_ENUM)
#undef SCN_X_ENUM
} ScnActionKind;

const char *scn_action_name(ScnActionKind k);

typedef enum {
    SCN_WHEN_START, /* time is from the start of the run */
    SCN_WHEN_WAIT,  /* time is from the end of the most recent wait */
    SCN_WHEN_END,   /* `expect at end`: checked when the run stops */
} ScnWhen;

/* How long a message filter lasts. */
typedef enum {
    SCN_LIMIT_FOREVER,
    SCN_LIMIT_TIMES, /* `once` is times=1 */
    SCN_LIMIT_FOR,
} ScnLimitKind;

/* drop / delay / break TYPE FROM -> TO [DURATION] [once|times=N|for D] */
typedef struct ScnFilter {
    ScnPacket packet;
    ScnTarget from, to; /* server, leader or any */
    SimTime delay;      /* DELAY */
    ScnLimitKind limit;
    int64_t times;      /* SCN_LIMIT_TIMES */
    SimTime for_time;   /* SCN_LIMIT_FOR */
} ScnFilter;

typedef struct ScnAction {
    ScnActionKind kind;
    ScnWhen when;
    SimTime time; /* see ScnWhen; unused for SCN_WHEN_END */
    ScnPos pos;   /* the action keyword (or the client name) */
    union {
        /* START, CRASH, RESTART (start: all or servers; the others also leader) */
        struct {
            gboolean all;
            ScnTargets targets;
        } servers;
        /* PAUSE (has_for: resumes by itself after for_time), RESUME, ISOLATE */
        struct {
            ScnTarget server;
            gboolean has_for;
            SimTime for_time;
        } one;
        /* PARTITION: n_sides >= 1; one side is cut from everybody else.
         * oneway: exactly 2 sides, messages from sides[0] to sides[1] lost. */
        struct {
            gboolean oneway;
            const ScnTargets *sides;
            guint n_sides;
        } partition;
        ScnLink link; /* LINK */
        /* SLOWDISK: fsync time * factor + extra, for for_time or forever */
        struct {
            ScnTarget server;
            double factor;
            SimTime extra;
            gboolean has_for;
            SimTime for_time;
        } slowdisk;
        /* CLOCK: drift (ppm) or a jump (signed) */
        struct {
            ScnTarget server;
            gboolean is_jump;
            double drift_ppm;
            SimTime jump;
        } clock;
        ScnFilter filter;  /* DROP, DELAY, BREAK */
        ScnClientOp op;    /* CLIENT_OP */
        struct {
            ScnCond cond;
            SimTime within;
        } wait;            /* WAIT */
        ScnCond expect;    /* EXPECT */
        /* HEAL and END have no payload */
    } u;
} ScnAction;

/* ---- the script ----------------------------------------------------------- */

typedef struct ScnScriptPriv ScnScriptPriv;

/* Read-only for callers; every pointer is owned by the script. */
typedef struct ScnScript {
    ScnParams params;
    const ScnGroup *groups;
    guint n_groups;
    const ScnGroupLatency *latencies;
    guint n_latencies;
    const ScnLink *links;
    guint n_links;
    const ScnQuorumGroup *quorum_groups;
    guint n_quorum_groups;
    const ScnQuorumWeight *quorum_weights;
    guint n_quorum_weights;
    const ScnTarget *observers; /* `observer sN` lines */
    guint n_observers;
    const ScnWorkload *workloads;
    guint n_workloads;
    const ScnClient *clients;
    guint n_clients;
    const ScnAction *actions; /* in file order */
    guint n_actions;
    ScnScriptPriv *priv;
} ScnScript;

/* Loads path (its includes are relative to its directory) and applies
 * sets, a NULL-terminated list of "KEY=VALUE" (may be NULL).  Returns
 * NULL and sets err on the first error. */
ScnScript *scn_load(const char *path, const char *const *sets, GError **err);
/* The same for text in memory; name is used in messages and includes are
 * relative to its directory.  For tests and the fuzzer. */
ScnScript *scn_load_string(const char *name, const char *text, const char *const *sets, GError **err);
void scn_script_free(ScnScript *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScnScript, scn_script_free)

/* TRUE if server id (1-based) is an observer: one of the last
 * `observers` servers or named by an `observer` line. */
gboolean scn_script_is_observer(const ScnScript *s, guint id);
/* Number of voting servers (servers minus observers, > 0 after a load). */
guint scn_script_voters(const ScnScript *s);
/* Appends the targets of l to out (a GArray of ScnTarget), each group
 * replaced by its servers, dropping repeats; the first mention keeps its
 * place and an expanded server the position of its group's mention. */
void scn_targets_expand(const ScnScript *s, const ScnTargets *l, GArray *out);

/* Appends the canonical text of s: every parameter, declaration and
 * action on its own explicit line with every field explicit, variables
 * expanded, includes inlined, runs of alike clients as `clients` ranges.
 * scn_load_string of it gives a script equal to s (scn_script_equal),
 * which is how fuzzer reproducers are written.  (The canonical text of a
 * script read from files within the limits may in principle exceed
 * SCN_TOTAL_MAX, e.g. a 16 MiB file of lines that each expand a long
 * variable; such a text does not load back.) */
void scn_script_format(const ScnScript *s, GString *out);
/* Structural equality, ignoring source positions and spelling. */
gboolean scn_script_equal(const ScnScript *a, const ScnScript *b);

#endif
