# mk/plots.mk - the README's reference figures and the Slurm test.
# Included by the Makefile (`include mk/plots.mk`, after its own rules:
# it uses $(BIN)).
#
#   make plots        regenerates docs/figures/ from bundled scenarios:
#     election-spacetime.png/.svg    the first election of
#                                    scenarios/election-picture.zks
#     reelection-spacetime.png/.svg  its leader crash and second election
#     throughput-failures.png/.svg   throughput over time with faults
#                                    marked (needs $(PLOT_FAILURES))
#     write-latency-vs-servers.png/.svg, throughput-vs-servers.png/.svg
#                                    a sweep over 3, 5, 7, 9, 13 servers
#                                    (needs $(PLOT_LATENCY))
#     A figure whose scenario does not exist yet is skipped with a note.
#   make test-slurm   runs a sweep plan as a Slurm job array on a
#                     throw-away single-node Slurm and checks that the
#                     merged sweep.csv is the local sweep's, byte for
#                     byte (slow; installs slurm-wlm and munge as root if
#                     missing; skips, saying why, where Slurm cannot run).

FIGURES       ?= docs/figures
PLOTS_OUT     ?= results/plots
PLOT_ELECTION ?= scenarios/election-picture.zks
PLOT_FAILURES ?= scenarios/throughput-failures.zks
PLOT_LATENCY  ?= scenarios/write-latency-vs-servers.zks
PLOT_SERVERS  ?= 3,5,7,9,13
PLOT_SEEDS    ?= 5

.PHONY: plots plots-election plots-failures plots-latency test-slurm

plots: plots-election plots-failures plots-latency
	@echo "plots: figures in $(FIGURES)/:" && ls $(FIGURES)

plots-election: $(BIN)
	@mkdir -p $(FIGURES)
	./$(BIN) run $(PLOT_ELECTION) --out $(PLOTS_OUT)/election --quiet
	./$(BIN) plot $(PLOTS_OUT)/election --to 310ms --quiet
	cp $(PLOTS_OUT)/election/plots/spacetime.png $(FIGURES)/election-spacetime.png
	cp $(PLOTS_OUT)/election/plots/spacetime.svg $(FIGURES)/election-spacetime.svg
	./$(BIN) plot $(PLOTS_OUT)/election --from 999ms --to 1210ms --quiet
	cp $(PLOTS_OUT)/election/plots/spacetime.png $(FIGURES)/reelection-spacetime.png
	cp $(PLOTS_OUT)/election/plots/spacetime.svg $(FIGURES)/reelection-spacetime.svg

plots-failures: $(BIN)
	@mkdir -p $(FIGURES)
	@if [ ! -f $(PLOT_FAILURES) ]; then \
	    echo "plots: skipped throughput during failures: $(PLOT_FAILURES) does not exist yet"; \
	else \
	    ./$(BIN) run $(PLOT_FAILURES) --out $(PLOTS_OUT)/failures --quiet --trace jsonl && \
	    ./$(BIN) plot $(PLOTS_OUT)/failures --quiet && \
	    cp $(PLOTS_OUT)/failures/plots/throughput.png $(FIGURES)/throughput-failures.png && \
	    cp $(PLOTS_OUT)/failures/plots/throughput.svg $(FIGURES)/throughput-failures.svg; \
	fi

plots-latency: $(BIN)
	@mkdir -p $(FIGURES)
	@if [ ! -f $(PLOT_LATENCY) ]; then \
	    echo "plots: skipped write latency against servers: $(PLOT_LATENCY) does not exist yet"; \
	else \
	    ./$(BIN) sweep $(PLOT_LATENCY) --vary servers=$(PLOT_SERVERS) --seeds $(PLOT_SEEDS) \
	        --out $(PLOTS_OUT)/latency --quiet && \
	    for f in write-latency-vs-servers throughput-vs-servers; do \
	        if [ -f $(PLOTS_OUT)/latency/plots/$$f.png ]; then \
	            cp $(PLOTS_OUT)/latency/plots/$$f.png $(PLOTS_OUT)/latency/plots/$$f.svg $(FIGURES)/; \
	        else \
	            echo "plots: no $$f (the scenario has no client operations?)"; \
	        fi; \
	    done; \
	fi

test-slurm: $(BIN)
	@sh tests/slurm/test-slurm.sh ./$(BIN)
