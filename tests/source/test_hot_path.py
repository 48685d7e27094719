"""The hot path's rules, checked from the source: the files a hooked call runs
through include no stdio, no allocator, no locks, no Jansson and no libmongoc, so
"no malloc, no lock, no formatting on the hot path" holds by construction."""

import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PRELOAD = os.path.join(ROOT, "preload")
HOT_FILES = ["hot/hot_path.c", "hot/capture.c", "arch/x86_64/trampoline.S", "arch/x86_64/safe_copy.S"]
SEARCH = [PRELOAD, os.path.join(PRELOAD, "arch", "x86_64"), os.path.join(ROOT, "config")]
FORBIDDEN = {"stdio.h", "stdlib.h", "pthread.h", "jansson.h", "mongoc.h", "bson.h",
             "malloc.h", "syslog.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def local_path(name):
    for d in SEARCH:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def includes(path, seen):
    """Every header path reaches, with the chain that reaches it."""
    found = []
    with open(path) as f:
        text = f.read()
    for kind, name in INCLUDE.findall(text):
        found.append((name, path))
        if kind == '"':
            p = local_path(name)
            if p and p not in seen:
                seen.add(p)
                found += includes(p, seen)
    return found


def test_hot_path_includes():
    bad = []
    for rel in HOT_FILES:
        path = os.path.join(PRELOAD, rel)
        for name, via in includes(path, {path}):
            if name in FORBIDDEN:
                bad.append("%s includes <%s> (via %s)" % (rel, name, os.path.relpath(via, ROOT)))
    if bad:
        raise AssertionError("hot-path files reach forbidden headers:\n  " + "\n  ".join(bad))


def test_hot_path_calls():
    """hot_path.c and capture.c call nothing that allocates, locks, formats or writes."""
    for name in ("hot/hot_path.c", "hot/capture.c"):
        with open(os.path.join(PRELOAD, name)) as f:
            text = f.read()
        for fn in ("malloc", "calloc", "realloc", "free", "printf", "snprintf", "write",
                   "pthread_mutex_lock", "diag_error", "diag_note", "json_"):
            if re.search(r"\b%s\s*\(" % re.escape(fn), text):
                raise AssertionError("%s calls %s()" % (name, fn))
