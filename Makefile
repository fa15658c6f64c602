# zksim - deterministic simulator of Apache ZooKeeper ensembles.
# Plain make: `make` builds ./zksim, `make test` runs every test,
# `make sanitize` runs them under ASan+UBSan, `make bench` prints figures.

PACKAGES := libglib2.0-dev libcunit1-dev gnuplot-nox pkg-config
PKGS     := glib-2.0 cunit

CC       ?= cc
# Link-time optimisation lets the hot path inline the small accessors it
# calls across files (sim_now, zk_txn_zxid, sim_node_is_up, ...): about 5%
# less time on W1 (make bench).  `make sanitize` builds with -O1 instead.
# Small memsets and memcpys of known size (zeroing a result record,
# copying an event) as plain stores rather than `rep stos`/`rep movs`,
# whose start-up cost dominates below a few hundred bytes on some x86
# cores: W1 runs 10 to 13% faster on this project's AMD EPYC (make bench;
# the bare-C reference has no such instructions).  GCC on x86-64 only:
# where the compiler does not take the flags, they are left out.
STRINGOP := -mmemset-strategy=unrolled_loop:256:noalign,libcall:-1:noalign \
            -mmemcpy-strategy=unrolled_loop:256:noalign,libcall:-1:noalign
STRINGOP_OK := $(shell $(CC) $(STRINGOP) -x c -c -o /dev/null /dev/null 2>/dev/null && echo yes)
OPT      ?= -O3 -flto=auto $(if $(STRINGOP_OK),$(STRINGOP))
# Profile-guided optimisation (GCC): the objects are compiled twice, once
# instrumented, trained on a few seconds of typical runs
# (tests/bench/pgo-train.sh: W1 at several sizes, the mixed workload with
# faults, JSONL tracing, fuzz seeds with elections and crashes), then
# optimised with the counts: hot paths laid out straight, cold code moved
# away, inlining where calls are frequent.  5 to 8% less wall time on W1
# (make bench, and README "Benchmarks"); outputs are the same bytes
# (the optimiser keeps the program's meaning; tests/run_all.sh checks
# every scenario's outcome).  Any change to a source retrains, about 20 s
# more per build; PGO=0 builds without it.
PGO_OK := $(shell $(CC) -fprofile-use -fprofile-prefix-path=/ -x c -c -o /dev/null /dev/null 2>/dev/null && echo yes)
PGO ?= $(if $(PGO_OK),1,0)
# Recursive (=) on purpose: pkg-config runs when a recipe needs the flags,
# i.e. after the `deps` prerequisite has installed it.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(CFLAGS) $(WARN) $(EXTRA_CFLAGS) $(PGO_USE) -Isim -Imodel $(PKG_CFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS) -lm $(EXTRA_LDFLAGS)

BUILD    ?= build
BIN      ?= zksim
# The profile's files are named after the object paths below the build
# directory (-fprofile-prefix-path), so the instrumented objects in
# $(BUILD)/pgo-gen and the final ones in $(BUILD) find the same counts.
PGO_DATA  = $(abspath $(BUILD))/pgo-data
PGO_STAMP = $(if $(filter 1,$(PGO)),$(BUILD)/pgo-data/trained)
# GCC warns, with no option but -w to silence it, where a function the
# instrumented build had inlined early has no counts of its own: not a
# fault, so the final compile is quiet (-w).  Warnings are still errors:
# the instrumented build compiles every source first, with the same -O3
# and -Werror.
PGO_USE   = $(if $(filter 1,$(PGO)),-fprofile-use -fprofile-dir=$(PGO_DATA) -fprofile-prefix-path=$(abspath $(BUILD)) \
              -fprofile-partial-training -w)
SIM_SRC   := $(wildcard sim/*.c)
MODEL_SRC := $(filter-out model/cli_main.c,$(wildcard model/*.c))
TEST_SRC  := $(wildcard tests/*.c)
SIM_OBJ   := $(SIM_SRC:%.c=$(BUILD)/%.o)
MODEL_OBJ := $(MODEL_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps demo test sanitize test-san bench clean lint fuzz-parser

all: $(BIN)

deps:
	@sh tests/deps.sh $(PACKAGES)

$(BUILD)/%.o: %.c $(PGO_STAMP) | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The training: an instrumented build of zksim and the W1 driver in
# $(BUILD)/pgo-gen, run on tests/bench/pgo-train.sh; redone whenever a
# source, a header or the training changes.
$(BUILD)/pgo-data/trained: $(SIM_SRC) $(MODEL_SRC) model/cli_main.c $(wildcard sim/*.h model/*.h) \
                          tests/bench/bench_zksim.c tests/bench/pgo-train.sh | deps
	rm -rf $(PGO_DATA)
	$(MAKE) --no-print-directory PGO=0 BUILD=$(BUILD)/pgo-gen BIN=$(BUILD)/pgo-gen/zksim \
	  EXTRA_CFLAGS="-fprofile-generate -fprofile-update=single -fprofile-dir=$(PGO_DATA) -fprofile-prefix-path=$(abspath $(BUILD)/pgo-gen)" \
	  EXTRA_LDFLAGS="-fprofile-generate" $(BUILD)/pgo-gen/zksim $(BUILD)/pgo-gen/bench_zksim
	sh tests/bench/pgo-train.sh $(BUILD)/pgo-gen
	@touch $@

$(BUILD)/libsim.a: $(SIM_OBJ)
	ar rcs $@ $^

$(BUILD)/libzk.a: $(MODEL_OBJ)
	ar rcs $@ $^

$(BIN): $(BUILD)/model/cli_main.o $(BUILD)/libzk.a $(BUILD)/libsim.a
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

$(BUILD)/run_tests: $(TEST_OBJ) $(BUILD)/libzk.a $(BUILD)/libsim.a
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

demo: $(BIN)
	./$(BIN) run scenarios/default.zks --out results/default --check-determinism

# The benchmark programs are built (not run) too, so an API change that
# breaks them fails here rather than at the next `make bench`.
test: $(BIN) $(BUILD)/run_tests $(BUILD)/bench_engine $(BUILD)/bench_zksim $(BUILD)/bare_w1 lint
	@sh tests/run_all.sh $(BUILD)/run_tests ./$(BIN)

# Determinism rule: no host clock, libc randomness or threads in the model.
lint:
	@sh tests/lint.sh

sanitize:
	$(MAKE) BUILD=build-san BIN=build-san/zksim OPT=-O1 PGO=0 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DSIM_POOL_DISABLE" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" test-san

test-san: $(BIN) $(BUILD)/run_tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh tests/run_all.sh $(BUILD)/run_tests ./$(BIN)

$(BUILD)/bench_engine: tests/bench/bench_engine.c $(BUILD)/libsim.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

$(BUILD)/bench_zksim: tests/bench/bench_zksim.c $(BUILD)/libzk.a $(BUILD)/libsim.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

$(BUILD)/bare_w1: tests/bench/bare_w1.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -o $@ $<

# Benchmarks print figures; they never run inside `make test`.
bench: $(BIN) $(BUILD)/bench_engine $(BUILD)/bench_zksim $(BUILD)/bare_w1
	@sh tests/bench/bench.sh $(BUILD)

clean:
	rm -rf build build-san zksim

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Fuzzing the scenario parser with libFuzzer for a bounded time
# (FUZZ_SECONDS, default 60).  Needs clang and its runtime.
FUZZ_SECONDS ?= 60
FUZZ_PKGS := clang libclang-rt-14-dev
$(BUILD)/fuzz_scn: tests/fuzz/fuzz_scn.c $(wildcard model/scn_*.c) sim/sim_time.c sim/sim_rng.c | deps
	@sh tests/deps.sh $(FUZZ_PKGS)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isim -Imodel $(PKG_CFLAGS) \
	  -o $@ $^ $(shell pkg-config --libs glib-2.0) -lm

fuzz-parser: $(BUILD)/fuzz_scn
	@mkdir -p $(BUILD)/fuzz-corpus
	@cp scenarios/*.zks tests/scn/*.zks $(BUILD)/fuzz-corpus/ 2>/dev/null || true
	cd $(BUILD) && ./fuzz_scn -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
	  -print_final_stats=1 fuzz-corpus
include mk/plots.mk
include mk/fuzz.mk
