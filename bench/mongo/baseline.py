#!/usr/bin/python3
"""baseline.py — the test server's own insert rate, the reference of issue 4's target
("the Mongo logger sustains at least 90% of the test server's own insert rate measured
by a plain libmongoc bulk-insert client in the same run").

Starts tests/lib/mongo_server.py, then for each batch size runs mongo_bulk
(tests/mongo/mongo_bulk.c: a libmongoc client pool, unordered bulk inserts) with N
documents shaped like a libimpulse record (bench/mongo/record.json: one record of a
`make demo` run, with BSON dates and int64 nanoseconds as the Mongo logger writes them,
about 1.3 KB of BSON, a distinct payload.call_id each) into a fresh collection that
has the logger's indexes (payload.call_id unique and three others). Prints one line per
batch size and writes the figures as JSON.

    /usr/bin/python3 bench/mongo/baseline.py --mongo-bulk build/tests/mongo/mongo_bulk
        [--n 10000] [--batches 100,1000] [--repeat 1] [--json FILE]

measure() is the same measurement for a benchmark that has a server of its own (the
logger's, so that both figures come from the same run). No target is checked here.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "lib"))

from mongo_server import MongoServer, client  # noqa: E402  (path set above)

RECORD = os.path.join(HERE, "record.json")
DB = "impulse_bench"
_RESULT = re.compile(r"^inserted=(\d+) .* docs=(\d+) seconds=(\S+) docs_per_s=(\S+)$", re.M)
_SIZE = re.compile(r"^doc_bytes=(\d+)$", re.M)


def measure(mongo_bulk, uri, coll, n, batch, record=RECORD):
    """Inserts n record-shaped documents into a new collection coll (dropped after) in
    unordered bulks of batch; returns {"docs_per_s", "seconds", "doc_bytes"}. Raises
    RuntimeError if any document was not inserted."""
    argv = [mongo_bulk, uri, DB, coll, str(n), str(batch), "--record", record, "--index",
            "--tag", coll]
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    m = _RESULT.search(p.stdout)
    if p.returncode != 0 or not m or int(m.group(1)) != n:
        raise RuntimeError("mongo_bulk failed (exit %d):\n%s%s"
                           % (p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    c = client(uri)
    try:
        c[DB][coll].drop()
    finally:
        c.close()
    return {"docs_per_s": float(m.group(4)), "seconds": float(m.group(3)),
            "doc_bytes": int(_SIZE.search(p.stdout).group(1))}


def main():
    ap = argparse.ArgumentParser(description="the Mongo test server's own insert rate")
    ap.add_argument("--mongo-bulk", required=True, help="the mongo_bulk program")
    ap.add_argument("--n", type=int, default=10000, help="documents per measurement")
    ap.add_argument("--batches", default="100,1000", help="batch sizes, comma-separated")
    ap.add_argument("--repeat", type=int, default=1, help="measurements per batch size")
    ap.add_argument("--json", help="write the figures here")
    opts = ap.parse_args()

    rows = []
    with MongoServer() as srv:
        for batch in [int(b) for b in opts.batches.split(",")]:
            runs = [measure(opts.mongo_bulk, srv.uri, "b%d_%d" % (batch, r), opts.n, batch)
                    for r in range(opts.repeat)]
            rate = statistics.median(r["docs_per_s"] for r in runs)
            rows.append({"batch": batch, "docs": opts.n, "repeat": opts.repeat,
                         "doc_bytes": runs[0]["doc_bytes"], "docs_per_s": rate,
                         "runs": [r["docs_per_s"] for r in runs]})
            print("mongo baseline: %d documents of %d bytes, unordered bulks of %d: %.0f docs/s"
                  % (opts.n, runs[0]["doc_bytes"], batch, rate), flush=True)
    if opts.json:
        os.makedirs(os.path.dirname(os.path.abspath(opts.json)), exist_ok=True)
        with open(opts.json, "w") as f:
            json.dump({"mongo_baseline": rows}, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
