"""The Mongo logger (logger = mongo | both), against tests/lib/mongo_server.py:
every record lands and equals the file logger's; an outage in the middle of a run
loses nothing and duplicates nothing; an unreachable server leaves the program's
behaviour unchanged and its records in a spill file that `impulse push` uploads
once; a URI's password shows nowhere."""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import impulse_test as it

sys.path.insert(0, os.path.join(it.REPO, "tests", "lib"))
from mongo_server import MongoServer, read_all  # noqa: E402
from mongo_records import compare, expected_document  # noqa: E402

CASE = "mongo"
IMPULSE = os.path.join(it.BUILD, "impulse")
DB, COLL = "impulse", "records"


def uri_of(port, user=None):
    cred = "%s@" % user if user else ""
    return "mongodb://%s127.0.0.1:%d/" % (cred, port)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def mongo_env(uri, logger="both", **extra):
    env = {"IMPULSE_LOGGER": logger, "IMPULSE_MONGO_URI": uri,
           "IMPULSE_MONGO_DATABASE": DB, "IMPULSE_MONGO_COLLECTION": COLL}
    env.update(extra)
    return env


def file_records(log_dir, prefix="logs_"):
    recs = []
    for path in sorted(glob.glob(os.path.join(log_dir, prefix + "*.json"))):
        with open(path) as f:
            recs += [json.loads(line) for line in f if line.strip()]
    return recs


def ids(recs):
    return [r["payload"]["call_id"] for r in recs]


def our_lines_removed(stderr):
    return b"".join(line for line in stderr.splitlines(True) if not line.startswith(b"libimpulse["))


def stored(uri):
    docs = {}
    for doc in read_all(uri, DB, COLL):
        doc.pop("_id")
        cid = doc["payload"]["call_id"]
        if cid in docs:
            raise AssertionError("call_id %s stored twice" % cid)
        docs[cid] = doc
    return docs


def diag_text(log_dir):
    """libimpulse's messages (its .diag files in log_dir), as bytes."""
    out = b""
    for path in sorted(glob.glob(os.path.join(log_dir, "logs_*.diag"))):
        with open(path, "rb") as f:
            out += f.read()
    return out


def test_every_record_lands():
    """(a), (e): logger = both on four threads; MongoDB holds each file record,
    field by field; the output is unchanged and stderr too (libmongoc silenced)."""
    argv = [it.program("threads", "threads_main")]
    untraced = it.run_untraced(argv)
    with MongoServer() as srv:
        uri = uri_of(srv.port)
        run = it.run_traced(argv, it.conf("threads"), env=mongo_env(uri))
        try:
            it.assert_same_behaviour(run, untraced, compare_stderr=True)
            recs = file_records(run.log_dir)
            docs = stored(uri)
            if len(recs) != len(docs) or len(recs) < 100:
                raise AssertionError("%d file records, %d documents" % (len(recs), len(docs)))
            for rec in recs:
                cid = rec["payload"]["call_id"]
                if cid not in docs:
                    raise AssertionError("record %s not in MongoDB" % cid)
                compare(expected_document(rec), docs[cid], cid)
            if glob.glob(os.path.join(run.log_dir, "spill_*")):
                raise AssertionError("a spill file is left: %s" % os.listdir(run.log_dir))
            names = {ix["name"] for ix in _client(uri)[DB][COLL].list_indexes()}
            want = {"payload.call_id_1", "payload.trace_module.session_id_1",
                    "payload.trace_module.thread_id_1", "payload.timestamps.start_1"}
            if not want <= names:
                raise AssertionError("indexes %s, expected %s" % (sorted(names), sorted(want)))
        finally:
            run.cleanup()


def _client(uri):
    import pymongo
    return pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000)


def test_outage():
    """(b): the server dies in the middle of a run and another starts on its port:
    every record is in the new server, the old one, or the spill file, once."""
    n, us = 400, 10000
    argv = [it.program(CASE, "mongo_main"), str(n), str(us)]
    workdir = tempfile.mkdtemp(prefix="impulse-mongo-")
    log_dir = os.path.join(workdir, "logs")
    conf = os.path.join(workdir, "hooks.conf")
    shutil.copy(os.path.join(it.TRACE_SRC, CASE, "hooks.conf"), conf)
    try:
        with MongoServer() as srv:
            uri = uri_of(srv.port)
            env = it._base_env(mongo_env(uri))
            env.update({"LD_PRELOAD": it._preload_value(), "IMPULSE_CONFIG": conf,
                        "IMPULSE_LOG_DIR": log_dir})
            proc = subprocess.Popen(argv, env=env, cwd=workdir, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            time.sleep(1.2)
            # Frozen, the logger cannot deliver between the count and the stop.
            proc.send_signal(signal.SIGSTOP)
            time.sleep(0.3)
            old = set(stored(uri))
            srv.stop()
            proc.send_signal(signal.SIGCONT)
            time.sleep(1.5)
            srv.restart()
            out, err = proc.communicate(timeout=60)
            if proc.returncode != 0 or out != b"mongo_main: %d calls\nmongo_main: done\n" % n:
                raise AssertionError("exit %d, stdout %r, stderr %r" % (proc.returncode, out, err))
            new = stored(uri)
        recs = file_records(log_dir)
        spilled = file_records(log_dir, "spill_")
        if len(recs) != n + 1:
            raise AssertionError("%d file records, expected %d" % (len(recs), n + 1))
        if not old or len(old) >= len(recs):
            raise AssertionError("the old server held %d of %d records: no outage in the middle"
                                 % (len(old), len(recs)))
        said = diag_text(log_dir)
        if err or b"stopped answering" not in said:
            raise AssertionError("no outage message in the .diag file: %r (stderr %r)" % (said, err))
        missing = set(ids(recs)) - old - set(new) - set(ids(spilled))
        if missing:
            raise AssertionError("%d records lost (e.g. %s); old %d, new %d, spill %d; stderr %r"
                                 % (len(missing), sorted(missing)[:3], len(old), len(new),
                                    len(spilled), err))
        if len(ids(spilled)) != len(set(ids(spilled))):
            raise AssertionError("the spill file holds a record twice")
        if not set(new) - old:
            raise AssertionError("nothing reached the new server: %r" % err)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_unreachable_then_push():
    """(c), (d): nobody listens at the URI (which has a password): the program runs
    as untraced, one message at start, records in a spill file; `impulse push` then
    uploads them all, a second push adds nothing; the password shows nowhere."""
    password = "pw-Zq81xT"
    argv = [it.program("threads", "threads_main")]
    untraced = it.run_untraced(argv)
    uri = uri_of(closed_port(), "app:" + password)
    run = it.run_traced(argv, it.conf("threads"), env=mongo_env(uri, logger="mongo"))
    try:
        it.assert_same_behaviour(run, untraced, mask=it.mask_addresses)
        if it.mask_addresses(our_lines_removed(run.stderr)) != it.mask_addresses(untraced.stderr):
            raise AssertionError("stderr changed: %r" % run.stderr)
        ours = [l for l in diag_text(run.log_dir).splitlines() if l.startswith(b"libimpulse[")]
        starts = [l for l in ours if b"cannot reach MongoDB" in l and b"mongo_uri" in l]
        if len(starts) != 1 or b"app:***@" not in starts[0]:
            raise AssertionError("start messages: %r" % ours)
        if (password.encode() in run.stderr or password.encode() in run.stdout
                or password.encode() in diag_text(run.log_dir)):
            raise AssertionError("the password is shown: %r" % run.stderr)
        spills = glob.glob(os.path.join(run.log_dir, "spill_*.json"))
        if len(spills) != 1 or glob.glob(os.path.join(run.log_dir, "logs_*.json")):
            raise AssertionError("log dir: %s" % os.listdir(run.log_dir))
        st = os.stat(spills[0])
        if st.st_mode & 0o777 != 0o600 or os.stat(run.log_dir).st_mode & 0o777 != 0o700:
            raise AssertionError("modes %o %o" % (st.st_mode, os.stat(run.log_dir).st_mode))
        if spills[0].encode() not in b"".join(ours):
            raise AssertionError("the exit message does not name the spill file: %r" % ours)
        with open(spills[0], "rb") as f:
            data = f.read()
        if password.encode() in data:
            raise AssertionError("the password is in the records")
        recs = [json.loads(l) for l in data.splitlines()]
        roots = [r for r in recs if r["payload"]["trace_module"]["thread_id"] == "root"]
        if len(recs) < 10 or len(roots) != 1:
            raise AssertionError("%d records, %d roots in the spill file" % (len(recs), len(roots)))
        with MongoServer() as srv:
            live = uri_of(srv.port)
            for attempt, want in ((1, "%d inserted, 0 already present" % len(recs)),
                                  (2, "0 inserted, %d already present" % len(recs))):
                p = subprocess.run([IMPULSE, "push", "--mongo", live, "--database", DB,
                                    "--collection", COLL, spills[0]], capture_output=True,
                                   text=True, timeout=60, cwd=run.workdir)
                if p.returncode != 0 or want not in p.stdout + p.stderr:
                    raise AssertionError("push %d: exit %d: %s%s" % (attempt, p.returncode,
                                                                     p.stdout, p.stderr))
            if sorted(stored(live)) != sorted(ids(recs)):
                raise AssertionError("pushed records differ from the spill file")
    finally:
        run.cleanup()


def test_libmongoc_not_linked():
    out = subprocess.run(["readelf", "-d", it.LIBIMPULSE], capture_output=True, text=True).stdout
    if "libmongoc" in out or "libbson" in out:
        raise AssertionError("libimpulse.so links the driver:\n" + out)
