"""A program that closes every descriptor and reuses the numbers: the tracer never
writes into the program's files, and still delivers every record (its log file is
in a descriptor table of its own, which the program's closes do not reach)."""

import os
import tempfile

import impulse_test as it

CASE = "closefds"


def test_close_every_fd():
    out = tempfile.mkdtemp(prefix="impulse-closefds-")
    try:
        path = os.path.join(out, "program.txt")
        argv = [it.program(CASE, "closefds_main"), path]
        run_, recs = it.check_run(argv, it.conf(CASE))
        with open(path) as f:
            text = f.read()
        if text != "program data\n" * 20:
            raise AssertionError("the program's file holds something else: %r" % text[:300])
        n = dict(recs.counts()).get("cf_leaf")
        if n != 20001:
            raise AssertionError("cf_leaf records: %s, expected 20001" % n)
    finally:
        import shutil
        shutil.rmtree(out, ignore_errors=True)
