#!/usr/bin/python3
"""_server.py — a MongoDB wire-protocol server for the push tests.

Debian's python3-mockupdb speaks the protocol (legacy OP_QUERY handshake, then
OP_MSG); this file answers the handshake, ping and buildInfo itself and hands the
commands a logger, `impulse push` and their tests send to python3-mongomock, an
in-memory MongoDB. createIndexes makes real mongomock indexes, so a unique index
turns a second insert of the same key into write error 11000 as mongod does.
No authentication, compression or replica set: URIs carry none of them.

    /usr/bin/python3 tests/push/_server.py        # prints "ready PORT", serves until SIGTERM

It binds 127.0.0.1 on a free port. Data lives in memory and dies with the process.
(A stand-in: the shared tests/lib/mongo_server.py replaces it.)
"""

import signal
import sys
import threading

import mockupdb
import mongomock
from pymongo.errors import BulkWriteError, OperationFailure

HELLO = {"ismaster": True, "isWritablePrimary": True, "helloOk": True,
         "minWireVersion": 0, "maxWireVersion": 8, "maxBsonObjectSize": 16 * 1024 * 1024,
         "maxMessageSizeBytes": 48000000, "maxWriteBatchSize": 100000,
         "readOnly": False, "connectionId": 1}

store = mongomock.MongoClient()


def cursor(db, coll, docs):
    return {"cursor": {"id": 0, "ns": "%s.%s" % (db, coll), "firstBatch": list(docs)}}


def cmd_insert(db, c, cmd):
    try:
        n = len(store[db][c].insert_many(cmd["documents"], ordered=cmd.get("ordered", True))
                .inserted_ids)
        return {"n": n}
    except BulkWriteError as e:
        errors = [{"index": w["index"], "code": w["code"], "errmsg": w["errmsg"]}
                  for w in e.details["writeErrors"]]
        return {"n": e.details["nInserted"], "writeErrors": errors}


def cmd_find(db, c, cmd):
    cur = store[db][c].find(cmd.get("filter") or {}, cmd.get("projection"))
    if cmd.get("sort"):
        cur = cur.sort(list(cmd["sort"].items()))
    if cmd.get("skip"):
        cur = cur.skip(cmd["skip"])
    if cmd.get("limit"):
        cur = cur.limit(abs(cmd["limit"]))
    return cursor(db, c, cur)


def cmd_aggregate(db, c, cmd):
    return cursor(db, c, store[db][c].aggregate(cmd["pipeline"]))


def cmd_count(db, c, cmd):
    return {"n": store[db][c].count_documents(cmd.get("query") or {})}


def cmd_create_indexes(db, c, cmd):
    before = len(store[db][c].index_information())
    for spec in cmd["indexes"]:
        store[db][c].create_index(list(spec["key"].items()), name=spec.get("name"),
                                  unique=spec.get("unique", False))
    after = len(store[db][c].index_information())
    return {"numIndexesBefore": before, "numIndexesAfter": after, "createdCollectionAutomatically": before == 0}


def cmd_list_indexes(db, c, cmd):
    info = store[db][c].index_information()
    return cursor(db, c, [dict(v=2, name=name, key=dict(spec["key"]),
                               **({"unique": True} if spec.get("unique") else {}))
                          for name, spec in info.items()])


def cmd_delete(db, c, cmd):
    n = sum(store[db][c].delete_many(d["q"]).deleted_count for d in cmd["deletes"])
    return {"n": n}


def cmd_drop(db, c, cmd):
    store[db].drop_collection(c)
    return {}


def cmd_distinct(db, c, cmd):
    return {"values": store[db][c].distinct(cmd["key"], cmd.get("query"))}


COMMANDS = {"insert": cmd_insert, "find": cmd_find, "aggregate": cmd_aggregate,
            "count": cmd_count, "createindexes": cmd_create_indexes,
            "listindexes": cmd_list_indexes, "delete": cmd_delete, "drop": cmd_drop,
            "distinct": cmd_distinct}
LOCAL = {"ismaster": HELLO, "hello": HELLO, "ping": {}, "endsessions": {},
         "buildinfo": {"version": "4.2.0", "versionArray": [4, 2, 0, 0]},
         "getlasterror": {"err": None, "n": 0}, "killcursors": {"cursorsKilled": []}}


def handle(request):
    """Every request comes here; mockupdb serialises them (one at a time)."""
    if not request.is_command:
        return request.command_err(code=59, errmsg="only commands are served here")
    cmd = request.doc
    name = (request.command_name or "").lower()
    if name in LOCAL:
        return request.ok(LOCAL[name])
    if name not in COMMANDS:
        return request.command_err(code=59, errmsg="no such command: '%s'" % name)
    db = cmd.get("$db") or request.namespace
    try:
        return request.ok(COMMANDS[name](db, cmd[request.command_name], cmd))
    except OperationFailure as e:
        return request.command_err(code=e.code or 2, errmsg=str(e))
    except Exception as e:  # noqa: a test server answers, it does not die
        return request.command_err(code=8, errmsg="%s: %s" % (type(e).__name__, e))


def main():
    server = mockupdb.MockupDB(request_timeout=int(1e6))
    server._address = ("127.0.0.1", 0)  # mockupdb would bind "localhost"
    server.autoresponds(handle)
    port = server.run()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready %d" % port, flush=True)
    while not stop.wait(3600):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
