"""Records as BSON documents (record_bson.c, for the Mongo logger) against the JSON
records of the same run, field by field.

Programs of other trace cases (capture: buffers, out-parameters, structs, varargs,
errors; api: notes, JSON notes, sessions; threads: children and parents across
threads; longjmp: unwound calls; abi: every integer width, floats and doubles) run
once with IMPULSE_DEBUG_BSON_FILE, an internal, undocumented variable with which
libimpulse also writes every record as a BSON document to a file. The documents are
read with a BSON reader written here (not libbson) and must hold, in the same order,
the same records as the JSON lines: the same keys in the same order, and each value
the same, where BSON's types replace JSON's text:

  - timestamps.start/end and trace_logs timestamps: UTC datetimes (the millisecond
    of the JSON text); start_ns/end_ns: int64; start_to_end_seconds: a double;
  - integers: int64, or Decimal128 above INT64_MAX; doubles: doubles, NaN and
    infinities included (JSON: "nan", "inf", "-inf");
  - buffers that are not text: {"binary": BinData subtype 0} for {"base64"|"hex": …};
  - metadata and JSON notes: documents as libbson reads the JSON (int32 when it fits).

Also: libimpulse.so does not link libbson, and without the variable no BSON file
appears.
"""

import base64
import datetime
import json
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile

import impulse_test as it


# ---------------------------------------------------------------- a BSON reader

class Date(int):
    """A BSON UTC datetime: milliseconds since the epoch."""


class Int32(int):
    pass


class Decimal(int):
    """A Decimal128 holding an integer."""


class Binary(bytes):
    pass


class Doc(list):
    """A BSON document: its (key, value) pairs in order."""


def _cstring(data, pos):
    end = data.index(b"\0", pos)
    return data[pos:end].decode("utf-8"), end + 1


def _decimal128(raw):
    low, high = struct.unpack("<QQ", raw)
    if (high >> 61) & 3 == 3:
        raise AssertionError("Decimal128 with a special or large form: %r" % raw)
    exponent = ((high >> 49) & 0x3FFF) - 6176
    coefficient = ((high & 0x1FFFFFFFFFFFF) << 64) | low
    if exponent != 0:
        raise AssertionError("Decimal128 %d E%d is not an integer as written" % (coefficient, exponent))
    return Decimal(-coefficient if high >> 63 else coefficient)


def read_document(data, pos=0, array=False):
    """(value, end): the document at data[pos:] as a list of (key, value) pairs, or
    a list of values for an array (whose keys must be "0", "1", …)."""
    (size,) = struct.unpack_from("<i", data, pos)
    end = pos + size
    if size < 5 or end > len(data) or data[end - 1] != 0:
        raise AssertionError("bad BSON document at %d (size %d)" % (pos, size))
    pos += 4
    items = []
    while pos < end - 1:
        t = data[pos]
        key, pos = _cstring(data, pos + 1)
        if t == 0x01:
            (v,) = struct.unpack_from("<d", data, pos)
            pos += 8
        elif t == 0x02:
            (n,) = struct.unpack_from("<i", data, pos)
            raw = data[pos + 4:pos + 4 + n]
            if raw[-1:] != b"\0":
                raise AssertionError("BSON string %r not NUL-terminated" % key)
            v = raw[:-1].decode("utf-8")	# strict: BSON strings must be UTF-8
            pos += 4 + n
        elif t in (0x03, 0x04):
            v, pos = read_document(data, pos, t == 0x04)
        elif t == 0x05:
            (n,) = struct.unpack_from("<i", data, pos)
            if data[pos + 4] != 0:
                raise AssertionError("binary %r has subtype %d, not 0" % (key, data[pos + 4]))
            v = Binary(data[pos + 5:pos + 5 + n])
            pos += 5 + n
        elif t == 0x08:
            v = data[pos] == 1
            pos += 1
        elif t == 0x09:
            v = Date(struct.unpack_from("<q", data, pos)[0])
            pos += 8
        elif t == 0x0A:
            v = None
        elif t == 0x10:
            v = Int32(struct.unpack_from("<i", data, pos)[0])
            pos += 4
        elif t == 0x12:
            v = struct.unpack_from("<q", data, pos)[0]
            pos += 8
        elif t == 0x13:
            v = _decimal128(data[pos:pos + 16])
            pos += 16
        else:
            raise AssertionError("BSON type 0x%02x (key %r) not expected in a record" % (t, key))
        items.append((key, v))
    if pos != end - 1:
        raise AssertionError("BSON document overruns its size")
    if array:
        keys = [k for k, _ in items]
        if keys != [str(i) for i in range(len(items))]:
            raise AssertionError("BSON array keys %s" % keys[:10])
        return [v for _, v in items], end
    return Doc(items), end


def read_documents(path):
    with open(path, "rb") as f:
        data = f.read()
    docs, pos = [], 0
    while pos < len(data):
        doc, pos = read_document(data, pos)
        docs.append(doc)
    return docs


# ---------------------------------------------------------------- comparing

_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})Z$")
_JSON_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _ms_of(text):
    m = _RFC3339.match(text)
    if not m:
        raise ValueError(text)
    y, mo, d, h, mi, s, us = (int(g) for g in m.groups())
    t = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1000 + us // 1000


def _mismatch(path, j, b, why=""):
    raise AssertionError("%s: JSON %r, BSON %r%s" % (path, j, b, (" (" + why + ")") if why else ""))


def compare(j, b, path, stats):
    """j: a JSON value of the record; b: the BSON value at the same place."""
    if isinstance(b, Date):
        if not isinstance(j, str) or not _RFC3339.match(j) or _ms_of(j) != int(b):
            _mismatch(path, j, int(b), "BSON datetime, in ms")
        stats["dates"] += 1
    elif isinstance(b, Binary):
        _mismatch(path, j, b, "binary outside a buffer object")
    elif isinstance(b, bool):
        if j is not b:
            _mismatch(path, j, b)
    elif isinstance(b, Decimal):
        if type(j) is not int or j != int(b) or j <= 2**63 - 1:
            _mismatch(path, j, int(b), "Decimal128 only above INT64_MAX")
        stats["decimal128"] += 1
    elif isinstance(b, int):
        if type(j) is not int or j != int(b):
            _mismatch(path, j, b)
        stats["int32" if isinstance(b, Int32) else "int64"] += 1
    elif isinstance(b, float):
        if isinstance(j, str) and j in _JSON_FLOATS:
            want = _JSON_FLOATS[j]
            if not (math.isnan(b) if math.isnan(want) else b == want):
                _mismatch(path, j, b)
            stats["nan_inf"] += 1
        elif type(j) in (int, float):
            if path.endswith(".start_to_end_seconds"):
                if abs(b - j) > 1e-12:
                    _mismatch(path, j, b)
            elif float(j) != b:
                _mismatch(path, j, b)
            stats["doubles"] += 1
        else:
            _mismatch(path, j, b)
    elif isinstance(b, str):
        if j != b:
            _mismatch(path, j, b)
    elif b is None:
        if j is not None:
            _mismatch(path, j, b)
    elif isinstance(b, list) and not isinstance(b, Doc):
        if not isinstance(j, list):
            _mismatch(path, j, b, "BSON array")
        if len(j) != len(b):
            _mismatch(path, len(j), len(b), "array lengths")
        for i, (jv, bv) in enumerate(zip(j, b)):
            compare(jv, bv, "%s[%d]" % (path, i), stats)
    elif isinstance(b, Doc):
        if not isinstance(j, dict):
            _mismatch(path, j, b)
        bkeys = [k for k, _ in b]
        jkeys = list(j)
        bd = dict(b)
        if "binary" in bd and ("base64" in j or "hex" in j):
            enc = "base64" if "base64" in j else "hex"
            raw = base64.b64decode(j[enc]) if enc == "base64" else bytes.fromhex(j[enc])
            if not isinstance(bd["binary"], Binary) or bytes(bd["binary"]) != raw:
                _mismatch(path + ".binary", j[enc], bd["binary"])
            jkeys = ["binary" if k == enc else k for k in jkeys]
            j = {("binary" if k == enc else k): v for k, v in j.items()}
            j["binary"] = bd["binary"] = None
            stats["binary"] += 1
        if jkeys != bkeys:
            _mismatch(path, jkeys, bkeys, "keys and their order")
        for k in jkeys:
            compare(j[k], bd[k], path + "." + k, stats)
    else:
        _mismatch(path, j, b, "unexpected BSON value")


def check_types(doc):
    """The types the issue asks for, on the fields that always exist."""
    d = dict(doc)
    ts = dict(dict(d["payload"])["timestamps"])
    for k in ("start", "end"):
        if not isinstance(ts[k], Date):
            raise AssertionError("timestamps.%s is %r, not a BSON datetime" % (k, ts[k]))
    for k in ("start_ns", "end_ns"):
        if type(ts[k]) is not int:
            raise AssertionError("timestamps.%s is %r, not an int64" % (k, ts[k]))
        if ts[k] // 1000000 != int(ts[k.replace("_ns", "")]):
            raise AssertionError("timestamps.%s %d and its datetime %d disagree"
                                 % (k, ts[k], int(ts[k.replace("_ns", "")])))


# ---------------------------------------------------------------- runs

def pid_of_log(path):
    return int(re.match(r"^logs_.+_(\d+)\.json$", os.path.basename(path)).group(1))


def run_both(argv, conf_text, env=None):
    """Runs argv traced with the BSON debug file; returns ({pid: (json records, BSON docs)})."""
    tmp = tempfile.mkdtemp(prefix="impulse-bson-")
    try:
        full_env = dict(env or {})
        full_env["IMPULSE_DEBUG_BSON_FILE"] = os.path.join(tmp, "records_%p.bson")
        run = it.run_traced(argv, conf_text, env=full_env)
        try:
            if run.returncode < 0:
                raise AssertionError("%s killed by signal %d\n%s"
                                     % (argv, -run.returncode, run.stderr.decode(errors="replace")))
            out = {}
            for path in run.log_files():
                pid = pid_of_log(path)
                with open(path, encoding="utf-8") as f:
                    recs = [json.loads(line) for line in f]
                bpath = os.path.join(tmp, "records_%d.bson" % pid)
                if not os.path.exists(bpath):
                    raise AssertionError("no BSON file for pid %d: %s\nstderr: %s"
                                         % (pid, os.listdir(tmp), run.stderr.decode(errors="replace")))
                out[pid] = (recs, read_documents(bpath))
            if not out:
                raise AssertionError("no records\nstderr: %s" % run.stderr.decode(errors="replace"))
            return out
        finally:
            run.cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_case(argv, conf_text, env=None, want=()):
    from collections import Counter
    stats = Counter()
    for pid, (recs, docs) in run_both(argv, conf_text, env).items():
        if len(recs) != len(docs):
            raise AssertionError("pid %d: %d JSON records, %d BSON documents" % (pid, len(recs), len(docs)))
        for i, (rec, doc) in enumerate(zip(recs, docs)):
            where = "record %d (%s)" % (i, rec["payload"]["function"]["name"])
            check_types(doc)
            compare(rec, doc, where, stats)
            stats["records"] += 1
    for k in want:
        if not stats[k]:
            raise AssertionError("no %s compared in this run: %s" % (k, dict(stats)))
    print(dict(stats))


def test_capture():
    check_case([it.program("capture", "capture_main")], it.conf("capture"),
               want=("binary", "dates", "int64", "records"))


def test_api():
    tmp = tempfile.mkdtemp(prefix="impulse-bson-api-")
    try:
        check_case([it.program("api", "api_main")], it.conf("api"),
                   env={"API_RESULTS": os.path.join(tmp, "results")}, want=("int32",))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_threads():
    check_case([it.program("threads", "threads_main")], it.conf("threads"))


def test_longjmp():
    check_case([it.program("longjmp", "longjmp_main")], it.conf("longjmp"))


def test_cxx():
    """Calls left by C++ exceptions and a thread cancellation: "exception" texts."""
    check_case([it.program("cxx", "cxx_main")], it.conf("cxx"))


def test_abi():
    check_case([it.program("abi", "abi_main")], it.conf("abi"), want=("doubles",))


def test_libbson_not_linked():
    """The file logger pays nothing: libimpulse.so does not need libbson."""
    out = subprocess.run(["readelf", "-d", it.LIBIMPULSE], capture_output=True, text=True).stdout
    if "libbson" in out:
        raise AssertionError("libimpulse.so links libbson:\n" + out)


def test_no_bson_file_by_default():
    """Without the variable, a traced run does not load libbson."""
    run = it.run_traced(["/bin/sh", "-c", "grep -c libbson /proc/$$/maps || true"], "int puts(const char *s);\n")
    try:
        if run.stdout.strip() != b"0":
            raise AssertionError("libbson mapped in a traced process without BSON: %r" % run.stdout)
    finally:
        run.cleanup()
