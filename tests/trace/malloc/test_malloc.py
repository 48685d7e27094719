"""malloc and free hooked in a program that allocates 1,000,000 times: exactly the
program's calls are recorded with the sizes it passed, each free matches a malloc,
none of the tracer's own allocations is recorded, and the program's behaviour is
unchanged. The records are streamed: two million of them do not fit a list."""

import collections
import os

import impulse_test as it

CASE = "malloc"
TIMEOUT = 900
CALLS = 1000000
SIZES = range(1000, 1100)


def check(variant):
    argv = [it.program(CASE, "malloc_main", variant)]
    untraced = it.run_untraced(argv, timeout=120)
    run_ = it.run_traced(argv, it.conf(CASE), timeout=600)
    try:
        it.assert_same_behaviour(run_, untraced)
        if untraced.stdout.decode().split("\n")[1:3] != ["mallocs %d" % CALLS, "frees %d" % CALLS]:
            raise AssertionError("unexpected program output %r" % untraced.stdout)
        prog = it.realpath(argv[0])
        by_size = collections.Counter()
        prog_mallocs = prog_frees = 0
        malloc_out = collections.Counter()
        freed = collections.Counter()
        tracer_callers = collections.Counter()
        other = collections.Counter()
        ids = set()
        roots = []
        real = {}
        n = 0
        for rec in run_.iter_records():
            n += 1
            if n <= 2000 or n % 997 == 0:
                it.check_record_shape(rec)
            p = rec["payload"]
            cid = p["call_id"]
            if cid in ids:
                raise AssertionError("duplicate call_id %s" % cid)
            ids.add(cid)
            if p["trace_module"]["thread_id"] == "root":
                roots.append(rec)
                continue
            name = p["function"]["name"]
            caller = p["function"]["caller"] or ""
            base = os.path.basename(caller)
            if base.startswith("libimpulse") or base.startswith("libjansson"):
                tracer_callers[(name, base)] += 1
            if caller not in real:
                real[caller] = it.realpath(caller)
            from_prog = real[caller] == prog
            if name == "malloc":
                size = p["arguments"].get("size")
                if size in SIZES:
                    by_size[size] += 1
                if from_prog:
                    prog_mallocs += 1
                    if p["status"] != "success" or not isinstance(p["output"], str):
                        raise AssertionError("program malloc: %s" % it.describe(rec))
                    malloc_out[int(p["output"], 16)] += 1
            elif name == "free":
                if from_prog:
                    prog_frees += 1
                    freed[int(p["arguments"]["ptr"], 16)] += 1
            else:
                other[name] += 1
        if tracer_callers:
            raise AssertionError("records of the tracer's own calls: %s" % dict(tracer_callers))
        if other:
            raise AssertionError("records of functions not hooked: %s" % dict(other))
        if len(roots) != 1:
            raise AssertionError("%d root records" % len(roots))
        it.assert_value(0, roots[0]["payload"]["output"], "root output")
        bad = {s: by_size[s] for s in SIZES if by_size[s] != CALLS // len(SIZES)}
        if bad:
            raise AssertionError("malloc records per size (expected %d each) differ: %s"
                                 % (CALLS // len(SIZES), dict(list(bad.items())[:10])))
        if prog_mallocs != CALLS or prog_frees != CALLS:
            raise AssertionError("records of the program's own calls: %d mallocs, %d frees; "
                                 "expected %d each" % (prog_mallocs, prog_frees, CALLS))
        if malloc_out != freed:
            raise AssertionError("the pointers the program freed are not those malloc returned")
    finally:
        run_.cleanup()


def test_malloc_free_million():
    check("def")
