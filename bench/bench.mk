# bench/: benchmarks against an untraced run, uftrace and ltrace (method: bench/README.md).
#
#   make bench                       # defaults: ~4-6 minutes
#   BENCH_N=500000 BENCH_REPEAT=3 make bench
#
# `bench` installs the Debian packages it needs (deps), builds everything it can (all),
# builds its own programs into $(BUILD)/bench/ and runs bench/bench.py, which prints a
# table and writes $(BUILD)/bench/results.json. A libimpulse that is missing or does
# not build or work gives "n/a" rows, never a failed build; nor does a missed target.

BENCH_DIR := $(BUILD)/bench
BENCH_PROGS := $(BENCH_DIR)/libwork.so $(BENCH_DIR)/driver \
               $(BENCH_DIR)/libstart.so $(BENCH_DIR)/startup $(BENCH_DIR)/runner

# libwork: no loop-idiom recognition, so work_len stays a loop and calls nothing.
$(BENCH_DIR)/libwork.o $(BENCH_DIR)/libstart.o: CFLAGS_EXTRA += -fPIC -fno-tree-loop-distribute-patterns

$(BENCH_DIR)/lib%.so: $(BENCH_DIR)/lib%.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -o $@ $< $(LDFLAGS_SAN)

# The programs find their library beside them ($ORIGIN) and call it through the PLT.
$(BENCH_DIR)/driver: $(BENCH_DIR)/driver.o $(BENCH_DIR)/libwork.so
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< -L$(BENCH_DIR) -lwork -Wl,-rpath,'$$ORIGIN' -lpthread $(LDFLAGS_SAN)

$(BENCH_DIR)/startup: $(BENCH_DIR)/startup.o $(BENCH_DIR)/libstart.so
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< -L$(BENCH_DIR) -lstart -Wl,-rpath,'$$ORIGIN' $(LDFLAGS_SAN)

# runner: forks and measures each run (bench.py says why not from Python).
$(BENCH_DIR)/runner: $(BENCH_DIR)/runner.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< $(LDFLAGS_SAN)

.PHONY: bench-progs
bench-progs: $(BENCH_PROGS)

# deps first (it installs the compiler and the peers), then `all`, whose failure only
# turns the libimpulse rows into n/a, then the bench programs, then the run.
bench:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all || \
	    echo "bench: 'make all' failed; libimpulse rows will be n/a if $(LIBIMPULSE) is missing or broken"
	$(Q)$(MAKE) --no-print-directory bench-progs
	$(Q)/usr/bin/python3 bench/bench.py --bench-dir $(BENCH_DIR) --libimpulse $(LIBIMPULSE) \
	    --conf-dir bench
	$(Q)$(MAKE) --no-print-directory bench-binary-readers-run
	$(Q)$(MAKE) --no-print-directory bench-soak-run
	$(Q)$(MAKE) --no-print-directory bench-tools-run
	$(Q)$(MAKE) --no-print-directory bench-fork-run

# The soak (bench/soak.py): 4 threads at full speed for SOAK_SECONDS (default 60) with
# the file logger, lossless then on_full = drop; fails when the lossless run drops or
# its memory grows. `make bench-soak` runs it alone.
BENCH_PROGS += $(BENCH_DIR)/soak
bench-progs: $(BENCH_DIR)/soak
$(BENCH_DIR)/soak: $(BENCH_DIR)/soak.o $(BENCH_DIR)/libwork.so
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< -L$(BENCH_DIR) -lwork -Wl,-rpath,'$$ORIGIN' -lpthread $(LDFLAGS_SAN)

.PHONY: bench-soak bench-soak-run
bench-soak-run:
	$(Q)/usr/bin/python3 bench/soak.py --bench-dir $(BENCH_DIR) --libimpulse $(LIBIMPULSE) \
	    --conf bench/work.conf
bench-soak: all bench-progs
	$(Q)$(MAKE) --no-print-directory bench-soak-run

# Fork latency with 4 threads calling a hooked function, untraced and traced
# (bench/fork_latency.py; issue 11). `make bench-fork` runs it alone.
BENCH_PROGS += $(BENCH_DIR)/fork_latency
bench-progs: $(BENCH_DIR)/fork_latency
$(BENCH_DIR)/fork_latency: $(BENCH_DIR)/fork_latency.o $(BENCH_DIR)/libwork.so
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< -L$(BENCH_DIR) -lwork -Wl,-rpath,'$$ORIGIN' -lpthread $(LDFLAGS_SAN)

.PHONY: bench-fork bench-fork-run
bench-fork-run:
	$(Q)/usr/bin/python3 bench/fork_latency.py --bench-dir $(BENCH_DIR) --libimpulse $(LIBIMPULSE) \
	    --conf bench/work.conf
bench-fork: all bench-progs
	$(Q)$(MAKE) --no-print-directory bench-fork-run

include bench/fuzz/fuzz.mk
# make bench-mongo-baseline: the Mongo test server's own insert rate (issue 4's reference).
include bench/mongo/mongo.mk

# make bench-reader: the record reader (tools/reader/reader.c) on a 10-million-record file of
# `driver add` records written under libimpulse, against jq counting the same
# (bench/reader.py; READER_RECORDS=N for another size, READER_DIR for the file's place).
$(BENCH_DIR)/reader_bench.o: CFLAGS_EXTRA += $(READER_CFLAGS)
$(BENCH_DIR)/reader_bench: $(BENCH_DIR)/reader_bench.o $(READER_OBJS) $(CONFIG_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< $(READER_OBJS) $(READER_LIBS) $(LDFLAGS_SAN)
BENCH_PROGS += $(BENCH_DIR)/reader_bench
bench-progs: $(BENCH_DIR)/reader_bench

.PHONY: bench-reader
bench-reader: all bench-progs
	$(Q)/usr/bin/python3 bench/reader.py --bench-dir $(BENCH_DIR) --libimpulse $(LIBIMPULSE) \
	    --conf bench/work.conf
# make bench-tools: impulse stats (and impulse tree, when there is one) on a
# 10-million-record file of `driver add` records, made once into
# $(BENCH_DIR)/tools-records (TOOLS_RECORDS=N for another size, TOOLS_DIR elsewhere):
# seconds, records/s, peak RSS, against jq counting records per function
# (bench/tools.py; TOOLS_JQ_RECORDS=all gives jq the whole file).
.PHONY: bench-tools bench-tools-run
bench-tools-run:
	$(Q)/usr/bin/python3 bench/tools.py --bench-dir $(BENCH_DIR) --libimpulse $(LIBIMPULSE) \
	    --conf bench/work.conf
bench-tools: all bench-progs
	$(Q)$(MAKE) --no-print-directory bench-tools-run
# impulse tree / tail on a large record file (bench/tree_bench.py): time, records/s,
# peak RSS, against jq. TREE_BENCH_N records (default 1,000,000).
.PHONY: bench-tree
bench-tree:
	$(Q)$(MAKE) --no-print-directory all bench-progs
	$(Q)/usr/bin/python3 bench/tree_bench.py $(BUILD)

# make bench-x87: the trampoline's x87 return probe on this CPU (bench/x87_probe.c):
# fxam on an empty x87 stack, fnstsw alone, fxam with a value held, ns per op.
# BENCH_X87_N iterations per loop (default 2,000,000).
$(BENCH_DIR)/x87_probe: $(BENCH_DIR)/x87_probe.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< $(LDFLAGS_SAN)

.PHONY: bench-x87
bench-x87: $(BENCH_DIR)/x87_probe
	$(Q)$(BENCH_DIR)/x87_probe $(BENCH_X87_N)

# make bench-binary-readers: impulse cat and impulse stats on BINARY_READERS_N records
# (default 10,000,000: 4 threads x 2.5 M calls) written with format = binary, and the
# lossless check in both formats (bench/binary_readers.py); n/a rows while this
# libimpulse has no format = binary.
.PHONY: bench-binary-readers bench-binary-readers-run
bench-binary-readers-run:
	$(Q)/usr/bin/python3 bench/binary_readers.py --bench-dir $(BENCH_DIR) --libimpulse $(LIBIMPULSE) \
	    --conf bench/work.conf
bench-binary-readers: all bench-progs
	$(Q)$(MAKE) --no-print-directory bench-binary-readers-run
