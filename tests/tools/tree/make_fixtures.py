#!/usr/bin/python3
"""make_fixtures.py — regenerates tests/tools/tree/fixtures/*.json: the records of real
test programs under libimpulse, checked in so that the golden outputs (ids, times)
stay exact. Run once after `make tests-build-all`, then regenerate the goldens:

    IMPULSE_BUILD=$PWD/build /usr/bin/python3 tests/tools/tree/make_fixtures.py
    IMPULSE_BUILD=$PWD/build /usr/bin/python3 tests/tools/tree/test_tree.py --regen

Each fixture is the concatenation of the run's record files, oldest first (a process
tree's files together, as `impulse tree DIR` reads them).
"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
import impulse_test as it  # noqa: E402

FIXTURES = os.path.join(HERE, "fixtures")

RUNS = {
    # name: (case, program, args, extra hooks.conf text)
    "nested": ("nested", "nested_main", [], ""),
    "threads": ("threads", "threads_main", [], ""),
    "procs": ("procs", "procs_main", ["fork_inside"], ""),
    "crash": ("crash", "crash_main", ["segv"], ""),
    "api": ("api", "api_main", [], ""),           # trace logs (impulse_log*)
    "capture": ("capture", "capture_main", [], ""),  # errors, every kind of value
}


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    for name, (case, prog, args, extra) in RUNS.items():
        tmp = tempfile.mkdtemp(prefix="impulse-fixture-")
        env = {"API_RESULTS": os.path.join(tmp, "results")}
        r = it.run_traced([it.program(case, prog)] + args, it.conf(case) + extra, env=env,
                          timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            with open(os.path.join(FIXTURES, name + ".json"), "wb") as out:
                for f in sorted(r.log_files()):
                    with open(f, "rb") as src:
                        shutil.copyfileobj(src, out)
            print("%s: exit %d, %d files" % (name, r.returncode, len(r.log_files())))
        finally:
            r.cleanup()


if __name__ == "__main__":
    main()
