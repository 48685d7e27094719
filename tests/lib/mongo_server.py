#!/usr/bin/python3
"""mongo_server — a MongoDB wire-protocol server for the tests, and the helpers the
tests use to start it and to read what it holds.

MongoDB itself cannot be installed here (shared/mongo-test-server.md), so the server is
Debian's mockupdb (the wire protocol: OP_QUERY and OP_MSG in, OP_REPLY and OP_MSG out)
with mongomock as the query engine. It answers the handshake and the server-level
commands itself and hands the data commands to mongomock. It presents itself as a
standalone MongoDB 4.4 (wire version 9) without sessions, so clients send no lsid,
do not retry writes and use polling (not streaming) monitoring. Data lives in memory
only: a stopped server loses everything.

    /usr/bin/python3 tests/lib/mongo_server.py [--port N]

binds 127.0.0.1 (port 0: a free one), prints "mongo_server ready port=N" on stdout
and serves until SIGTERM or SIGINT. In a test:

    with MongoServer() as srv:          # srv.port, srv.uri
        ... srv.stop(); srv.restart()   # restart: a new, empty server on the same port
        docs = read_all(srv.uri, "db", "coll")

Where mockupdb and mongomock fall short of MongoDB, and what is done here:
- a unique index is checked by scanning the whole collection on every insert (O(n)
  per document), so unique indexes are enforced here with a hash set per index and
  mongomock holds them as plain indexes;
- its cursors copy their remaining results on every next(), so results are taken
  from them in one call (_cursor_list);
- mockupdb renders every request and reply as JSON for a log that is off, so its
  classes get a short repr here (_short_reprs);
- the garbage collector's full passes over the stored documents slow inserts down as
  the collection grows, so the server runs with it off (serve);
- writes and cursors are commands on the wire but methods in mongomock: insert,
  update and delete are applied one statement at a time (so that an unordered bulk
  goes on after a failed statement and reports each one), and find and aggregate
  results are kept in a cursor table for getMore.
Python 3 standard library and Debian's mockupdb, mongomock and pymongo only; those
three are imported where used, so that a test module importing this one loads even
where they are missing (its tests then fail, not the whole run's collection).
"""

import argparse
import datetime
import gc
import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))

# Reported in the handshake. libmongoc 1.23 needs wire version >= 6; pymongo 3.11
# supports up to 9. No logicalSessionTimeoutMinutes (no sessions) and no
# topologyVersion (no streaming hello, which mockupdb could not serve).
WIRE_VERSION = 9
SERVER_VERSION = "4.4.0"
MAX_BSON_SIZE = 16 * 1024 * 1024
MAX_MESSAGE_SIZE = 48000000
MAX_WRITE_BATCH = 100000
DEFAULT_FIRST_BATCH = 101
# A reply batch holds at most this many bytes of documents, as MongoDB's do, so that
# the reply to a getMore of 50,000 documents fits in one message.
BATCH_BYTES = 16 * 1024 * 1024

# Error codes, as MongoDB numbers them.
E_INTERNAL = 1
E_BAD_VALUE = 2
E_NAMESPACE_NOT_FOUND = 26
E_CURSOR_NOT_FOUND = 43
E_COMMAND_NOT_FOUND = 59
E_INDEX_OPTIONS_CONFLICT = 85
E_DUPLICATE_KEY = 11000

READY_PREFIX = "mongo_server ready port="


# ------------------------------------------------------------------ the server

class _Unique:
    """One unique index: its key fields and the set of key values present."""

    def __init__(self, fields, sparse):
        self.fields = fields            # [dotted field name]
        self.sparse = sparse
        self.values = set()             # key() of every indexed document

    def key(self, doc):
        """The document's key as hashable bytes (BSON, so types count), or None for a
        sparse index and a document without any of the fields."""
        import bson
        from mongomock import helpers
        vals = []
        present = False
        for f in self.fields:
            try:
                vals.append(helpers.get_value_by_dot(doc, f))
                present = True
            except KeyError:
                vals.append(None)
        if self.sparse and not present:
            return None
        return bson.BSON.encode({"k": vals})


class Backend:
    """The commands, on a mongomock client. Called with mockupdb's server lock held,
    so one command at a time (mongomock is not thread-safe)."""

    def __init__(self):
        import mongomock
        self.client = mongomock.MongoClient()
        self.uniques = {}               # (db, coll) -> {index name: _Unique}
        self.cursors = {}               # id -> (namespace, remaining documents)
        self.next_cursor = itertools.count(1000)
        self.connection_ids = itertools.count(1)

    # ---- dispatch

    def handle(self, request):
        """mockupdb responder for every request; returns True (always handled)."""
        from mockupdb import OP_MSG_FLAGS, OP_QUERY, OpMsg
        try:
            if not request.is_command:
                # Legacy OP_QUERY on a collection, OP_INSERT, …: libmongoc 1.23 sends
                # none of these to a wire version 9 server.
                if request.opcode == OP_QUERY:   # the only one that expects a reply
                    request.fail("legacy opcode not supported by the test server")
                return True
            doc = request.doc
            if "$query" in doc:              # OP_QUERY with read preference
                doc = doc["$query"]
            name = next(iter(doc))
            db = request.namespace or "admin"
            if isinstance(request, OpMsg):
                db = doc.get("$db", db)
            method = getattr(self, "cmd_" + name.lower(), None)
            if method is None:
                reply = _error(E_COMMAND_NOT_FOUND, "no such command: '%s'" % name,
                               "CommandNotFound")
            else:
                reply = method(db, doc)
        except Exception as e:   # noqa: whatever mongomock raises, the client gets a reply
            traceback.print_exc()
            reply = _error(E_INTERNAL, "test server: %s: %s" % (type(e).__name__, e),
                           "InternalError")
        # w:0 writes over OP_MSG set moreToCome: the client reads no reply.
        if isinstance(request, OpMsg) and (request.flags or 0) & OP_MSG_FLAGS["moreToCome"]:
            return True
        request.replies(reply)
        return True

    def coll(self, db, name):
        return self.client[db][name]

    # ---- handshake and server-level commands

    def cmd_ismaster(self, db, doc):
        return {
            "ismaster": True,
            "isWritablePrimary": True,
            "helloOk": True,
            "maxBsonObjectSize": MAX_BSON_SIZE,
            "maxMessageSizeBytes": MAX_MESSAGE_SIZE,
            "maxWriteBatchSize": MAX_WRITE_BATCH,
            "localTime": datetime.datetime.utcnow(),
            "connectionId": next(self.connection_ids),
            "minWireVersion": 0,
            "maxWireVersion": WIRE_VERSION,
            "readOnly": False,
            "ok": 1,
        }

    cmd_hello = cmd_ismaster

    def cmd_ping(self, db, doc):
        return {"ok": 1}

    def cmd_buildinfo(self, db, doc):
        return {"version": SERVER_VERSION, "versionArray": [4, 4, 0, 0], "bits": 64,
                "maxBsonObjectSize": MAX_BSON_SIZE, "gitVersion": "mockupdb+mongomock",
                "ok": 1}

    def cmd_endsessions(self, db, doc):
        return {"ok": 1}

    def cmd_getlasterror(self, db, doc):
        return {"err": None, "n": 0, "ok": 1}

    def cmd_listdatabases(self, db, doc):
        names = self.client.list_database_names()
        return {"databases": [{"name": n, "sizeOnDisk": 0, "empty": False} for n in names],
                "totalSize": 0, "ok": 1}

    def cmd_listcollections(self, db, doc):
        names = self.client[db].list_collection_names()
        batch = [{"name": n, "type": "collection", "options": {}} for n in names]
        return self._cursor_reply(db + ".$cmd.listCollections", batch, doc.get("cursor"))

    def cmd_dropdatabase(self, db, doc):
        self.client.drop_database(db)
        for key in [k for k in self.uniques if k[0] == db]:
            del self.uniques[key]
        return {"dropped": db, "ok": 1}

    # ---- writes

    def cmd_insert(self, db, doc):
        import mongomock
        name = doc["insert"]
        c = self.coll(db, name)
        uniques = self.uniques.get((db, name), {})
        ordered = doc.get("ordered", True)
        n = 0
        errors = []
        for i, d in enumerate(doc.get("documents", [])):
            try:
                keys = self._check_uniques(db, name, uniques, d)
                c.insert_one(d)
            except mongomock.DuplicateKeyError:
                errors.append(_write_error(i, E_DUPLICATE_KEY, "E11000 duplicate key error "
                                           "collection: %s.%s index: _id_ dup key: { _id: %r }"
                                           % (db, name, d.get("_id"))))
            except _DuplicateKey as e:
                errors.append(_write_error(i, E_DUPLICATE_KEY, str(e)))
            except Exception as e:   # noqa: bad document: a write error, as MongoDB does
                errors.append(_write_error(i, E_BAD_VALUE, "%s: %s" % (type(e).__name__, e)))
            else:
                for u, k in keys:
                    u.values.add(k)
                n += 1
                continue
            if ordered:
                break
        return _write_reply(n, errors)

    def _check_uniques(self, db, name, uniques, d):
        """[(index, key)] to record once d is inserted; raises _DuplicateKey."""
        keys = []
        for index_name, u in uniques.items():
            k = u.key(d)
            if k is None:
                continue
            if k in u.values:
                raise _DuplicateKey("E11000 duplicate key error collection: %s.%s index: %s "
                                    "dup key: %s" % (db, name, index_name, _dup_key(u, d)))
            keys.append((u, k))
        return keys

    def cmd_delete(self, db, doc):
        name = doc["delete"]
        c = self.coll(db, name)
        n = 0
        for st in doc.get("deletes", []):
            q = st.get("q", {})
            if st.get("limit", 0) == 1:
                n += c.delete_one(q).deleted_count
            else:
                n += c.delete_many(q).deleted_count
        self._rebuild_uniques(db, name)
        return _write_reply(n, [])

    def cmd_update(self, db, doc):
        name = doc["update"]
        c = self.coll(db, name)
        n = modified = 0
        upserted = []
        errors = []
        for i, st in enumerate(doc.get("updates", [])):
            q, u = st.get("q", {}), st.get("u", {})
            upsert = bool(st.get("upsert", False))
            try:
                if isinstance(u, list):
                    raise ValueError("pipeline updates are not supported by the test server")
                if any(k.startswith("$") for k in u):
                    fn = c.update_many if st.get("multi") else c.update_one
                    r = fn(q, u, upsert=upsert)
                else:
                    r = c.replace_one(q, u, upsert=upsert)
            except Exception as e:   # noqa: a failed statement is a write error
                errors.append(_write_error(i, E_BAD_VALUE, "%s: %s" % (type(e).__name__, e)))
                if doc.get("ordered", True):
                    break
                continue
            n += r.matched_count
            modified += r.modified_count
            if r.upserted_id is not None:
                n += 1
                upserted.append({"index": i, "_id": r.upserted_id})
        self._rebuild_uniques(db, name)
        reply = _write_reply(n, errors)
        reply["nModified"] = modified
        if upserted:
            reply["upserted"] = upserted
        return reply

    def cmd_drop(self, db, doc):
        name = doc["drop"]
        if name not in self.client[db].list_collection_names():
            return _error(E_NAMESPACE_NOT_FOUND, "ns not found", "NamespaceNotFound")
        nidx = len(self.coll(db, name).index_information())
        self.client[db].drop_collection(name)
        self.uniques.pop((db, name), None)
        return {"ns": "%s.%s" % (db, name), "nIndexesWas": nidx, "ok": 1}

    # ---- indexes

    def cmd_createindexes(self, db, doc):
        name = doc["createIndexes"]
        c = self.coll(db, name)
        existed = name in self.client[db].list_collection_names()
        before = len(c.index_information()) if existed else 0
        uniques = self.uniques.setdefault((db, name), {})
        for spec in doc.get("indexes", []):
            key = list(spec["key"].items())
            iname = spec.get("name") or "_".join("%s_%s" % kv for kv in key)
            unique = bool(spec.get("unique", False))
            sparse = bool(spec.get("sparse", False))
            current = c.index_information().get(iname)
            if current is not None:
                if [tuple(x) for x in current["key"]] != [tuple(x) for x in key] \
                        or (iname in uniques) != unique:
                    return _error(E_INDEX_OPTIONS_CONFLICT, "Index with name: %s already "
                                  "exists with different options" % iname,
                                  "IndexOptionsConflict")
                continue
            if unique:
                u = _Unique([k for k, _ in key], sparse)
                for d in c.find({}):
                    k = u.key(d)
                    if k is None:
                        continue
                    if k in u.values:
                        return _error(E_DUPLICATE_KEY, "E11000 duplicate key error collection:"
                                      " %s.%s index: %s dup key: %s"
                                      % (db, name, iname, _dup_key(u, d)), "DuplicateKey")
                    u.values.add(k)
            # mongomock holds every index as a plain one: unique ones are checked here.
            c.create_index(key, name=iname, sparse=sparse)
            if unique:
                uniques[iname] = u
        after = len(c.index_information())
        return {"createdCollectionAutomatically": not existed, "numIndexesBefore": before,
                "numIndexesAfter": after, "ok": 1}

    def cmd_listindexes(self, db, doc):
        name = doc["listIndexes"]
        if name not in self.client[db].list_collection_names():
            return _error(E_NAMESPACE_NOT_FOUND, "ns does not exist: %s.%s" % (db, name),
                          "NamespaceNotFound")
        uniques = self.uniques.get((db, name), {})
        batch = []
        for iname, info in self.coll(db, name).index_information().items():
            spec = {"v": 2, "key": _ordered(info["key"]), "name": iname}
            if iname in uniques:
                spec["unique"] = True
            if info.get("sparse"):
                spec["sparse"] = True
            batch.append(spec)
        return self._cursor_reply("%s.%s" % (db, name), batch, doc.get("cursor"))

    def _rebuild_uniques(self, db, name):
        """After a delete or update: the key sets again, from what the collection holds."""
        for u in self.uniques.get((db, name), {}).values():
            u.values = {k for k in (u.key(d) for d in self.coll(db, name).find({}))
                        if k is not None}

    # ---- reads

    def cmd_find(self, db, doc):
        name = doc["find"]
        c = self.coll(db, name)
        sort = doc.get("sort")
        limit = int(doc.get("limit", 0) or 0)
        cur = c.find(doc.get("filter", {}), projection=doc.get("projection"),
                      skip=int(doc.get("skip", 0) or 0), limit=abs(limit),
                      sort=list(sort.items()) if sort else None)
        single = doc.get("singleBatch", False) or limit < 0
        return self._cursor_reply("%s.%s" % (db, name), _cursor_list(cur),
                                  {"batchSize": doc.get("batchSize")}, single)

    def cmd_getmore(self, db, doc):
        cid = int(doc["getMore"])
        if cid not in self.cursors:
            return _error(E_CURSOR_NOT_FOUND, "cursor id %d not found" % cid, "CursorNotFound")
        ns, rest = self.cursors.pop(cid)
        batch, rest = _take_batch(rest, doc.get("batchSize"))
        if rest:
            self.cursors[cid] = (ns, rest)
        else:
            cid = 0
        return {"cursor": {"id": _int64(cid), "ns": ns, "nextBatch": batch}, "ok": 1}

    def cmd_killcursors(self, db, doc):
        killed = []
        for cid in doc.get("cursors", []):
            if self.cursors.pop(int(cid), None) is not None:
                killed.append(cid)
        return {"cursorsKilled": killed, "cursorsNotFound": [], "cursorsAlive": [],
                "cursorsUnknown": [], "ok": 1}

    def cmd_count(self, db, doc):
        c = self.coll(db, doc["count"])
        kw = {}
        if doc.get("skip"):
            kw["skip"] = int(doc["skip"])
        if doc.get("limit"):
            kw["limit"] = abs(int(doc["limit"]))
        return {"n": c.count_documents(doc.get("query") or {}, **kw), "ok": 1}

    def cmd_aggregate(self, db, doc):
        c = self.coll(db, doc["aggregate"])
        result = list(c.aggregate(list(doc.get("pipeline", []))))
        return self._cursor_reply("%s.%s" % (db, doc["aggregate"]), result, doc.get("cursor"))

    def cmd_distinct(self, db, doc):
        c = self.coll(db, doc["distinct"])
        return {"values": c.distinct(doc["key"], doc.get("query") or {}), "ok": 1}

    def _cursor_reply(self, ns, docs, cursor_opts, single=False):
        size = (cursor_opts or {}).get("batchSize")
        batch, rest = _take_batch(docs, DEFAULT_FIRST_BATCH if size is None else size)
        cid = 0
        if rest and not single:
            cid = next(self.next_cursor)
            self.cursors[cid] = (ns, rest)
        return {"cursor": {"id": _int64(cid), "ns": ns, "firstBatch": batch}, "ok": 1}


class _DuplicateKey(Exception):
    pass


def _cursor_list(cur):
    """The documents of a mongomock cursor. Its __next__ copies the list of remaining
    results on every call (so list(cursor) is quadratic: seconds for 50,000 documents);
    _compute_results() gives the list in one call."""
    compute = getattr(cur, "_compute_results", None)
    if compute is None:
        return list(cur)
    return list(compute(with_limit_and_skip=True))


def _take_batch(docs, size):
    """(batch, rest): at most size documents (None or 0: no limit) and, as MongoDB
    does, at most BATCH_BYTES of them (always at least one)."""
    import bson
    n = min(int(size), len(docs)) if size else len(docs)
    # One encoding of the candidate batch (a C call), halved until it fits.
    while n > 1 and len(bson.BSON.encode({"b": docs[:n]})) > BATCH_BYTES:
        n //= 2
    return docs[:n], docs[n:]


def _int64(v):
    from bson.int64 import Int64
    return Int64(v)


def _ordered(pairs):
    from collections import OrderedDict
    return OrderedDict((k, v) for k, v in pairs)


def _dup_key(u, d):
    """The duplicated key as MongoDB's message shows it: { payload.call_id: "x-1" }."""
    from bson import json_util
    from mongomock import helpers
    parts = []
    for f in u.fields:
        try:
            parts.append("%s: %s" % (f, json_util.dumps(helpers.get_value_by_dot(d, f))))
        except KeyError:
            parts.append("%s: null" % f)
    return "{ %s }" % ", ".join(parts)


def _error(code, msg, code_name):
    return {"ok": 0, "errmsg": msg, "code": code, "codeName": code_name}


def _write_error(index, code, msg):
    return {"index": index, "code": code, "errmsg": msg}


def _write_reply(n, errors):
    reply = {"n": n, "ok": 1}
    if errors:
        reply["writeErrors"] = errors
    return reply


def _short_reprs():
    """mockupdb renders every request and every reply as JSON for its log, whether or
    not the log is on (the "%r" in MockupDB._server_loop and Request._replies); for a
    bulk insert of 1,000 documents or a reply of 10,000 that costs more than serving
    them. Its requests and replies get a short repr instead (this process only)."""
    import mockupdb

    def short(self):
        docs = getattr(self, "_docs", None) or []
        what = next(iter(docs[0]), "") if len(docs) == 1 and docs[0] else "%d docs" % len(docs)
        return "%s(%s)" % (type(self).__name__, what)

    for obj in vars(mockupdb).values():
        if isinstance(obj, type) and issubclass(obj, (mockupdb.Request, mockupdb.Reply)):
            obj.__repr__ = short
            obj.__str__ = short


def serve(port):
    """Runs the server on 127.0.0.1:port until SIGTERM or SIGINT."""
    from mockupdb import MockupDB
    _short_reprs()
    # The stored documents are millions of tracked objects that every full collection
    # would walk: with the collector on, the insert rate falls as the collection grows
    # (50,000 documents: 8,000/s instead of 14,000/s). The server makes almost no
    # reference cycles, and lives for one test.
    gc.disable()
    # mockupdb binds "localhost" as AF_INET only, i.e. 127.0.0.1. request_timeout
    # only bounds MockupDB.receives(), which is not used: the responder answers all.
    server = MockupDB(port=port, request_timeout=int(1e6))
    backend = Backend()
    server.autoresponds(backend.handle)
    bound = server.run()

    def bye(signum, frame):
        # Exit at once: the kernel closes every connection, as when mongod dies.
        # (MockupDB.stop() would join each connection's thread for up to 10 s.)
        os._exit(0)

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)
    print(READY_PREFIX + str(bound), flush=True)
    while True:
        signal.pause()


# ------------------------------------------------------------------ the test API

class MongoServer:
    """The server above in a child process.

        with MongoServer() as srv:
            srv.port, srv.uri
            srv.stop()          # the server dies; its connections are reset
            srv.restart()       # a new, empty server on the same port

    port: None for a free port. The child's stderr goes to a file (srv.log()), shown
    when it fails to start."""

    START_TIMEOUT = 30.0

    def __init__(self, port=None, db_timeout_ms=2000):
        self.port = port
        self.db_timeout_ms = db_timeout_ms
        self.proc = None
        self._logdir = tempfile.mkdtemp(prefix="impulse-mongo-")
        self._logpath = os.path.join(self._logdir, "mongo_server.log")

    @property
    def uri(self):
        return self.uri_with()

    def uri_with(self, **options):
        """The URI with serverSelectionTimeoutMS and any further options."""
        opts = {"serverSelectionTimeoutMS": self.db_timeout_ms}
        opts.update(options)
        return "mongodb://127.0.0.1:%d/?%s" % (
            self.port, "&".join("%s=%s" % kv for kv in opts.items()))

    def start(self):
        if self.proc is not None:
            raise RuntimeError("mongo_server already running (pid %d)" % self.proc.pid)
        argv = ["/usr/bin/python3", os.path.join(HERE, "mongo_server.py"),
                "--port", str(self.port or 0)]
        log = open(self._logpath, "ab")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        env.pop("LD_PRELOAD", None)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log, env=env)
        finally:
            log.close()
        line = self._read_ready_line()
        if not line.startswith(READY_PREFIX):
            self._kill()
            raise AssertionError("mongo_server did not start (got %r); its stderr:\n%s"
                                 % (line, self.log()))
        self.port = int(line[len(READY_PREFIX):])
        return self

    def _read_ready_line(self):
        box = []
        t = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()),
                             daemon=True)
        t.start()
        t.join(self.START_TIMEOUT)
        if not box:
            return "(nothing within %.0f s)" % self.START_TIMEOUT
        return box[0].decode("utf-8", "replace").strip()

    def stop(self):
        """Ends the server (SIGTERM; SIGKILL after 5 s) and waits for it."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self._kill()
        self.proc.stdout.close()
        self.proc = None

    def _kill(self):
        self.proc.kill()
        self.proc.wait()

    def restart(self):
        """stop(), then a new server on the same port (its data is gone)."""
        self.stop()
        # The port was ours a moment ago; mockupdb binds with SO_REUSEADDR, so only a
        # racing process could take it. Retry briefly rather than fail on a fluke.
        deadline = time.monotonic() + 10
        while True:
            try:
                return self.start()
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def is_running(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self._logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        try:
            os.unlink(self._logpath)
            os.rmdir(self._logdir)
        except OSError:
            pass
        return False


def client(uri, **kwargs):
    """A pymongo client for uri (the tests' independent reader and writer)."""
    import pymongo
    return pymongo.MongoClient(uri, connect=True, **kwargs)


def read_all(uri, db, coll, sort=None, filter=None):
    """Every document of db.coll, read with pymongo, in insertion order unless sort
    ([(field, 1 or -1)]) is given. int64 values come back as bson.int64.Int64 and
    BSON dates as naive datetimes in UTC."""
    c = client(uri)
    try:
        cur = c[db][coll].find(filter or {})
        if sort:
            cur = cur.sort(sort)
        return list(cur)
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser(description="MongoDB wire-protocol test server")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    opts = ap.parse_args()
    serve(opts.port)


if __name__ == "__main__":
    sys.exit(main())
