#!/usr/bin/python3
"""logger.py — the Mongo logger against issue 4's targets, in one run of one server:

- delivery: `driver add N 1` traced with logger = mongo (bench/work.conf) into a fresh
  collection; records/s delivered = documents the server then holds / seconds the
  logger spent in bulk inserts (its exit note with IMPULSE_VERBOSE=1), and end to end
  = documents / the traced process's wall time. Compared with baseline.measure():
  mongo_bulk's unordered bulks of 1000 record-shaped documents into the same server
  (target: the logger's rate >= 90% of it).
- the traced thread's cost: DRIVER_THREAD_CPU=1 (thread CPU ns per call of the call
  loop) with logger = mongo and logger = file, medians of --repeat runs (target: the
  same).

    /usr/bin/python3 bench/mongo/logger.py --mongo-bulk build/tests/mongo/mongo_bulk \
        --driver build/bench/driver --lib build/libimpulse.so [--n 10000] [--repeat 3]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))

from baseline import measure  # noqa: E402
from mongo_server import MongoServer, client  # noqa: E402

DB = "impulse_bench"
_SENT = re.compile(r"mongo: (\d+) records went to MongoDB .* in ([0-9.]+) s of bulk inserts")
_CPU = re.compile(r"thread_cpu_ns_per_call=([0-9.]+)")


def traced(args, logger, uri=None, coll=None, thread_cpu=False):
    tmp = tempfile.mkdtemp(prefix="impulse-bench-mongo-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_")}
    env.update({"LD_PRELOAD": args.lib, "IMPULSE_CONFIG": os.path.join(REPO, "bench", "work.conf"),
                "IMPULSE_LOG_DIR": os.path.join(tmp, "logs"), "IMPULSE_LOGGER": logger,
                "IMPULSE_VERBOSE": "1"})
    if uri:
        env.update({"IMPULSE_MONGO_URI": uri, "IMPULSE_MONGO_DATABASE": DB,
                    "IMPULSE_MONGO_COLLECTION": coll})
    if thread_cpu:
        env["DRIVER_THREAD_CPU"] = "1"
    t0 = time.monotonic()
    p = subprocess.run([args.driver, "add", str(args.n), "1"], env=env, capture_output=True,
                       text=True, timeout=600)
    wall = time.monotonic() - t0
    shutil.rmtree(tmp, ignore_errors=True)
    if p.returncode != 0:
        raise RuntimeError("driver failed (exit %d):\n%s" % (p.returncode, p.stderr[-2000:]))
    return p, wall


def main():
    ap = argparse.ArgumentParser(description="the Mongo logger's delivery rate and hot-path cost")
    ap.add_argument("--mongo-bulk", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    res = {"n": args.n, "repeat": args.repeat}
    with MongoServer() as srv:
        uri = "mongodb://127.0.0.1:%d/" % srv.port
        base, rates, e2e, cpu = [], [], [], {"mongo": [], "file": []}
        for r in range(args.repeat):
            base.append(measure(args.mongo_bulk, uri, "baseline%d" % r, args.n, 1000)["docs_per_s"])
            coll = "logger%d" % r
            p, wall = traced(args, "mongo", uri, coll)
            m = _SENT.search(p.stderr)
            c = client(uri)
            try:
                stored = c[DB][coll].count_documents({})
                c[DB][coll].drop()
            finally:
                c.close()
            if not m or stored != args.n + 1:
                raise RuntimeError("the logger delivered %d of %d records:\n%s"
                                   % (stored, args.n + 1, p.stderr[-2000:]))
            rates.append(stored / float(m.group(2)))
            e2e.append(stored / wall)
            for logger in ("mongo", "file"):
                p, _ = traced(args, logger, uri, "cpu%d" % r, thread_cpu=True)
                cpu[logger].append(float(_CPU.search(p.stdout).group(1)))
    res.update(baseline_docs_per_s=statistics.median(base), logger_docs_per_s=statistics.median(rates),
               logger_end_to_end_docs_per_s=statistics.median(e2e),
               thread_cpu_ns_per_call_mongo=statistics.median(cpu["mongo"]),
               thread_cpu_ns_per_call_file=statistics.median(cpu["file"]))
    ratio = res["logger_docs_per_s"] / res["baseline_docs_per_s"]
    res["ratio"] = ratio
    print("mongo logger: %d records delivered at %.0f records/s in bulk inserts (%.0f/s end to end); "
          "mongo_bulk baseline %.0f docs/s: %.0f%% (target >= 90%%)"
          % (args.n + 1, res["logger_docs_per_s"], res["logger_end_to_end_docs_per_s"],
             res["baseline_docs_per_s"], 100 * ratio))
    print("traced thread: %.1f ns/call with logger = mongo, %.1f ns/call with logger = file "
          "(thread CPU, median of %d)" % (res["thread_cpu_ns_per_call_mongo"],
                                          res["thread_cpu_ns_per_call_file"], args.repeat))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
