#!/usr/bin/python3
"""make_fixture.py — writes tests/tools/stats/fixture/: the record files the golden
tests of `impulse stats` read. Run once (after `make tests-build-all`); the files are
checked in, so that the expected output (real durations, ids, times) never changes.

    IMPULSE_BUILD=$PWD/build /usr/bin/python3 tests/tools/stats/make_fixture.py

Four real traced runs, each under libimpulse with its own session:
  - examples/demo_app with examples/hooks.conf (session demo_session_1): nesting,
    a worker thread whose call's parent runs on another thread, two libraries;
  - tests/trace/nested's nested_main, twice (plain, then `many 40`), with an
    [error=ret > 20] rule on b_inner (session stats_nested): errors, recursion;
  - tests/trace/crash's crash_main segv (session stats_crash): a crashed root and
    crashed calls.
"""

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
import impulse_test as it  # noqa: E402

OUT = os.path.join(HERE, "fixture")

NESTED_CONF = """# nested's hooks, with an error rule so that some calls fail
[tracer]
session_id = stats_nested

[thread outer]
int a_outer(int x);
int a_many(int n);
int a_recurse(int depth);

[thread inner]
int b_inner(int x, int k) [error=ret > 20];
int b_bounce(int depth);
"""


def run(argv, conf_text, session=None, expect=0):
    env = {"IMPULSE_SESSION_ID": session} if session else None
    r = it.run_traced(argv, conf_text, env=env)
    try:
        if r.returncode != expect:
            raise SystemExit("%s exited %d: %s" % (argv, r.returncode, r.stderr.decode()))
        for path in r.log_files():
            shutil.copy(path, os.path.join(OUT, os.path.basename(path)))
    finally:
        r.cleanup()


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    with open(os.path.join(it.REPO, "examples", "hooks.conf")) as f:
        run([os.path.join(it.BUILD, "examples", "demo_app")], f.read())
    nested = it.program("nested", "nested_main")
    run([nested], NESTED_CONF)
    run([nested, "many", "40"], NESTED_CONF)
    run([it.program("crash", "crash_main"), "segv"], it.conf("crash"), session="stats_crash",
        expect=-11)
    print("\n".join(sorted(os.listdir(OUT))))


if __name__ == "__main__":
    main()
