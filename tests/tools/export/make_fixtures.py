#!/usr/bin/python3
"""make_fixtures.py — writes the record files that tests/tools/export's golden tests
export (fixtures/*.json), from real runs of the test programs under libimpulse.
Run once after `make tests-build-all`; the files are checked in, so their times and
ids are fixed and the exports stable:

    /usr/bin/python3 tests/tools/export/make_fixtures.py

  api.json     api_main: trace logs (text, a JSON value, invalid JSON) in calls and
               in the root
  nested.json  nested_main with an [error] rule on b_inner: nesting nine deep across
               two libraries, two calls with status "error"
  crash.json   crash_main thread-segv: a second thread dies in cr_outer -> cr_inner;
               calls "crashed" on two threads, the root "crashed"
  procs.json   procs_main spawn 2 (system()): three process images (procs_main,
               /bin/sh, procs_main leaf 7), each root linked to the call that started
               it, one trace id

The absolute build directory in the records is replaced by "build", so that the
fixtures do not name this machine's checkout.

    /usr/bin/python3 tests/tools/export/make_fixtures.py --golden

writes expected/<fixture>.<format>.json, the golden outputs, from the fixtures with
the impulse built now: read them through before checking them in."""

import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("IMPULSE_BUILD", os.path.join(REPO, "build"))
TRACE = os.path.join(REPO, "tests", "trace")


def conf(case, edit=None):
    with open(os.path.join(TRACE, case, "hooks.conf")) as f:
        text = f.read()
    return edit(text) if edit else text


def traced(case, prog, args, conf_text):
    """The records of one traced run, all its files, oldest first, as text."""
    work = tempfile.mkdtemp(prefix="impulse-fixture-")
    with open(os.path.join(work, "hooks.conf"), "w") as f:
        f.write(conf_text)
    env = dict(os.environ, LD_PRELOAD=os.path.join(BUILD, "libimpulse.so"),
               IMPULSE_CONFIG=os.path.join(work, "hooks.conf"),
               IMPULSE_LOG_DIR=os.path.join(work, "logs"))
    argv = [os.path.join(BUILD, "tests", "trace", case, "def", prog)] + args
    subprocess.run(argv, env=env, cwd=work, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)
    text = ""
    for path in sorted(glob.glob(os.path.join(work, "logs", "logs_*.json"))):
        with open(path) as f:
            text += f.read()
    subprocess.run(["rm", "-rf", work])
    if not text:
        sys.exit("no records from %s" % argv)
    return text.replace(os.path.abspath(BUILD), "build")


def golden():
    out = os.path.join(HERE, "expected")
    os.makedirs(out, exist_ok=True)
    for name in ("api", "nested", "crash", "procs"):
        for fmt in ("chrome", "otlp"):
            text = subprocess.run([os.path.join(BUILD, "impulse"), "export", "--format", fmt,
                                   os.path.join(HERE, "fixtures", name + ".json")],
                                  check=True, capture_output=True).stdout
            with open(os.path.join(out, "%s.%s.json" % (name, fmt)), "wb") as f:
                f.write(text)
            print("expected/%s.%s.json: %d bytes" % (name, fmt, len(text)))


def main():
    if sys.argv[1:] == ["--golden"]:
        golden()
        return
    out = os.path.join(HERE, "fixtures")
    os.makedirs(out, exist_ok=True)
    fixtures = {
        "api": traced("api", "api_main", [], conf("api")),
        "nested": traced("nested", "nested_main", [], conf(
            "nested", lambda t: t.replace("int b_inner(int x, int k);",
                                          "int b_inner(int x, int k) [error=ret > 20];"))),
        "crash": traced("crash", "crash_main", ["thread-segv"], conf("crash")),
        "procs": traced("procs", "procs_main", ["spawn", "2"], conf("procs")),
    }
    for name, text in fixtures.items():
        with open(os.path.join(out, name + ".json"), "w") as f:
            f.write(text)
        print("%s.json: %d records" % (name, text.count("\n")))


if __name__ == "__main__":
    main()
