# bench/mongo/: the Mongo test server's own insert rate, the reference of issue 4's
# target (the Mongo logger sustains at least 90% of it). Included from bench/bench.mk.
#
#   make bench-mongo-baseline                          # ~5 s
#   BENCH_MONGO_N=50000 BENCH_MONGO_REPEAT=3 make bench-mongo-baseline
#
# Starts tests/lib/mongo_server.py, runs tests/mongo/mongo_bulk (MONGO_BULK, built by
# tests/mongo/mongo.mk) with record-shaped documents in bulks of 100 and of 1000, prints
# docs/s and writes $(BENCH_DIR)/mongo_baseline.json. Method: bench/mongo/baseline.py.

BENCH_MONGO_N ?= 10000
BENCH_MONGO_REPEAT ?= 1
BENCH_MONGO_BATCHES ?= 100,1000

.PHONY: bench-mongo-baseline
bench-mongo-baseline:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory -s $(MONGO_BULK)
	$(Q)/usr/bin/python3 bench/mongo/baseline.py --mongo-bulk $(MONGO_BULK) \
	    --n $(BENCH_MONGO_N) --repeat $(BENCH_MONGO_REPEAT) --batches $(BENCH_MONGO_BATCHES) \
	    --json $(BENCH_DIR)/mongo_baseline.json

# make bench-mongo: the Mongo logger itself against the same server, in the same run
# (bench/mongo/logger.py): records/s delivered vs mongo_bulk's rate, and the traced
# thread's cost per call with logger = mongo vs file. About 15 s with the defaults.
BENCH_MONGO_LOGGER_N ?= 10000
BENCH_MONGO_LOGGER_REPEAT ?= 3

.PHONY: bench-mongo
bench-mongo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory -s $(MONGO_BULK) $(LIBIMPULSE) $(BENCH_DIR)/driver
	$(Q)/usr/bin/python3 bench/mongo/logger.py --mongo-bulk $(MONGO_BULK) --driver $(BENCH_DIR)/driver \
	    --lib $(abspath $(LIBIMPULSE)) --n $(BENCH_MONGO_LOGGER_N) --repeat $(BENCH_MONGO_LOGGER_REPEAT) \
	    --json $(BENCH_DIR)/mongo_logger.json
