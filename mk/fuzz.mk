# mk/fuzz.mk - `make fuzz-power`: how fast the fuzzer finds each planted
# bug.  Included by the Makefile (`include mk/fuzz.mk`, after its own
# rules: it uses $(BIN)).
#
#   make fuzz-power   for every bug of `zksim bugs`: fuzz $(FUZZ_POWER_SCENARIO)
#                     with that bug until the first failing seed (at most
#                     $(FUZZ_POWER_SEEDS)), shrink it, and report seeds to the
#                     first failure, schedule size before and after
#                     shrinking, and seeds per second; then
#                     $(FUZZ_POWER_CLEAN) seeds of each of
#                     $(FUZZ_POWER_NO_BUG) without any bug must all pass.
#                     The table goes to stdout and $(FUZZ_POWER_OUT); the
#                     reproducers to results/fuzz-power/.  A few minutes.

FUZZ_POWER_SCENARIO ?= scenarios/fuzz-workload.zks
FUZZ_POWER_NO_BUG   ?= scenarios/fuzz-base.zks scenarios/fuzz-workload.zks
FUZZ_POWER_SEEDS    ?= 2000
FUZZ_POWER_CLEAN    ?= 1000
FUZZ_POWER_JOBS     ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_POWER_OUT      ?= results/fuzz-power.txt

.PHONY: fuzz-power fuzz-long

fuzz-power: $(BIN)
	@sh tests/fuzz/fuzz-power.sh $(if $(filter /%,$(BIN)),$(BIN),./$(BIN)) $(FUZZ_POWER_SCENARIO) \
	  "$(FUZZ_POWER_NO_BUG)" $(FUZZ_POWER_SEEDS) $(FUZZ_POWER_CLEAN) $(FUZZ_POWER_JOBS) $(FUZZ_POWER_OUT)

# make fuzz-long: a clean campaign at the default fault horizon (30 s) on
# the short base and the workload base, every invariant checked; any
# failing seed is shrunk and the target fails.  The benchmark's short
# seeds use a 600 ms horizon; the longer one reaches syncs under load
# that it never does (it found the sync-ack bug of session 4).  A few
# minutes on two cores; not part of `make test`.
FUZZ_LONG_SEEDS ?= 3000
FUZZ_LONG_JOBS  ?= $(shell nproc 2>/dev/null || echo 1)

fuzz-long: $(BIN)
	$(if $(filter /%,$(BIN)),$(BIN),./$(BIN)) fuzz tests/bench/fuzz-short.zks --seeds 1..$(FUZZ_LONG_SEEDS) \
	  -j $(FUZZ_LONG_JOBS) --quiet --out results/fuzz-long/short
	$(if $(filter /%,$(BIN)),$(BIN),./$(BIN)) fuzz scenarios/fuzz-workload.zks --seeds 1..$$(( $(FUZZ_LONG_SEEDS) / 3 )) \
	  -j $(FUZZ_LONG_JOBS) --quiet --out results/fuzz-long/workload
