"""mongo_records.py — what a file record looks like once the Mongo logger (or impulse
push) has stored it, and a field-by-field comparison with native types, for the
tests that read documents back with pymongo."""

import datetime


def as_date(ns):
    """A BSON date (milliseconds) as pymongo returns it, from nanoseconds."""
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ns // 1000000)


def expected_document(record):
    """A file record as stored: timestamps.start/end as BSON dates (ms) that say the
    same time as the text and the int64 nanoseconds. Changes record in place."""
    ts = record["payload"]["timestamps"]
    for key in ("start", "end"):
        if ts.get(key) is not None:
            text = datetime.datetime.strptime(ts[key], "%Y-%m-%dT%H:%M:%S.%fZ")
            ts[key] = as_date(ts[key + "_ns"])
            if text.replace(microsecond=text.microsecond // 1000 * 1000) != ts[key]:
                raise AssertionError("%s: text %s vs %s_ns" % (key, text, key))
    return record


def _kind(v):
    """bson's Int64 is an int; a bool is not."""
    return "bool" if isinstance(v, bool) else "int" if isinstance(v, int) else type(v).__name__


def compare(want, got, where):
    """Field by field, native types included, naming the first path that differs."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(want) != set(got):
            raise AssertionError("%s: keys %s, stored %s" % (
                where, sorted(want), sorted(got) if isinstance(got, dict) else got))
        for k in want:
            compare(want[k], got[k], "%s.%s" % (where, k))
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            raise AssertionError("%s: %r, stored %r" % (where, want, got))
        for i, (w, g) in enumerate(zip(want, got)):
            compare(w, g, "%s[%d]" % (where, i))
    elif _kind(want) != _kind(got) or want != got:
        raise AssertionError("%s: %r (%s), stored %r (%s)" % (
            where, want, type(want).__name__, got, type(got).__name__))
