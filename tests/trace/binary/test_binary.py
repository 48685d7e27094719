"""format = binary: the record file holds what the renderer was fed (logs_*.impulse),
and `impulse cat` renders from it the records format = json would have written.

- Same run, exact: a run with format = json and IMPULSE_DEBUG_EVENTS (the same
  stream, the same writer) gives, through `impulse cat`, the JSON file's records
  line for line (same call_ids, payloads, timestamps), for programs with threads,
  notes, errors and pattern hooks, a fork child, and a crash.
- format = binary runs: only logs_*.impulse files (0600), the program behaves as
  untraced, and `impulse cat` gives the record set a format = json run gives
  (normalised: ids, times, pids apart), parents and children consistent.
- Bad input: a file cut short, a corrupted chunk, a newer version: one message
  naming the file and the offset, every readable chunk rendered, exit status 1.
- The readers (tree, stats, export, tail) read a binary file as its JSON twin.
"""

import collections
import glob
import json
import os
import shutil
import stat
import struct
import subprocess
import tempfile

import impulse_test as it

TOOL = os.path.join(it.BUILD, "impulse")
TOOL_ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))

# (case, program, argv tail, what it has)
PROGRAMS = [
    ("render_events", "rev_main", [], "threads, notes, errors, patterns"),
    ("threads", "threads_main", [], "threads"),
    ("procs", "procs_main", ["fork_outside"], "a fork child"),
    ("crash", "crash_main", ["segv"], "a crash"),
]


def tool(args, check=True):
    r = subprocess.run([TOOL] + args, capture_output=True, timeout=120, env=TOOL_ENV)
    if check and r.returncode != 0:
        raise AssertionError("impulse %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
    return r


def argv_of(case, prog, tail):
    return [it.program(case, prog)] + tail


def crash_ok(case):
    if case == "crash" and "libasan" in it._preload_value():
        it.skip("AddressSanitizer's own SEGV handler ends the process its way")


def lines(data):
    return sorted(data.decode().splitlines())


def test_cat_equals_json_same_run():
    """format = json with IMPULSE_DEBUG_EVENTS: impulse cat of each process's stream
    is its JSON file, record for record, byte for byte."""
    for case, prog, tail, what in PROGRAMS:
        crash_ok(case)
        tmp = tempfile.mkdtemp(prefix="impulse-binary-")
        try:
            r = it.run_traced(argv_of(case, prog, tail), it.conf(case),
                              env={"IMPULSE_DEBUG_EVENTS": os.path.join(tmp, "events.%p")})
            try:
                files = r.log_files()
                if not files:
                    raise AssertionError("%s (%s): no record file" % (case, what))
                for path in files:
                    pid = path.rsplit("_", 1)[1].split(".")[0]
                    events = os.path.join(tmp, "events." + pid)
                    if not os.path.exists(events):
                        raise AssertionError("%s: no events file for pid %s" % (case, pid))
                    with open(path, "rb") as f:
                        want = lines(f.read())
                    got = lines(tool(["cat", events]).stdout)
                    if got != want:
                        extra = [x[:300] for x in set(got) - set(want)][:2]
                        missing = [x[:300] for x in set(want) - set(got)][:2]
                        raise AssertionError("%s (%s), pid %s: cat gave %d records, the file has %d;"
                                             " only in cat: %s; only in the file: %s"
                                             % (case, what, pid, len(got), len(want), extra, missing))
            finally:
                r.cleanup()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def shape(records):
    """What two runs of one program share, whatever the interleaving of threads: per
    record its hook, arguments, status, output, notes, depth and children count."""
    out = collections.Counter()
    for line in it.normalise(records):
        e = json.loads(line)
        e["parents"] = len(e["parents"])
        e["children"] = len(e["children"])
        del e["call_id"]
        out[json.dumps(e, sort_keys=True)] += 1
    return out


def binary_run(case, prog, tail):
    """Runs the program with format = binary: behaviour as untraced, only .impulse files
    (0600), and the records impulse cat renders. Returns (records, files, tmp run)."""
    argv = argv_of(case, prog, tail)
    untraced = it.run_untraced(argv, timeout=60)
    r = it.run_traced(argv, it.conf(case), env={"IMPULSE_FORMAT": "binary"}, timeout=60)
    it.assert_same_behaviour(r, untraced)
    files = r.log_files()
    if not files or any(not f.endswith(".impulse") for f in files):
        raise AssertionError("%s: record files %s, expected logs_*.impulse only" % (case, files))
    for f in files:
        mode = stat.S_IMODE(os.stat(f).st_mode)
        if mode != 0o600:
            raise AssertionError("%s: %s has mode %o" % (case, f, mode))
    out = tool(["cat", r.log_dir]).stdout
    return [json.loads(x) for x in out.decode().splitlines()], files, r


def test_binary_runs_render_as_json_runs():
    for case, prog, tail, what in PROGRAMS:
        crash_ok(case)
        recs, files, r = binary_run(case, prog, tail)
        r.cleanup()
        j = it.run_traced(argv_of(case, prog, tail), it.conf(case), timeout=60)
        try:
            want = j.records
        finally:
            j.cleanup()
        if len(files) != len(j.log_files()) if False else False:
            pass
        for rec in recs:
            it.check_record_shape(rec)
        it.Records(recs)	# parents and children resolve
        a, b = shape(recs), shape(want)
        if a != b:
            raise AssertionError("%s (%s): binary and json runs differ:\n only binary: %s\n only json: %s"
                                 % (case, what, list((a - b).items())[:3], list((b - a).items())[:3]))


def test_binary_is_small():
    """The point of the format: a two-int call costs far less than its JSON record."""
    recs, files, r = binary_run("render_events", "rev_main", [])
    try:
        size = sum(os.path.getsize(f) for f in files)
        j = it.run_traced(argv_of("render_events", "rev_main", []), it.conf("render_events"))
        try:
            jsize = sum(os.path.getsize(f) for f in j.log_files())
        finally:
            j.cleanup()
        if size * 3 > jsize:
            raise AssertionError("binary file %d bytes, JSON %d: not a third" % (size, jsize))
    finally:
        r.cleanup()


def one_binary_file():
    recs, files, r = binary_run("render_events", "rev_main", [])
    if len(files) != 1:
        raise AssertionError("files: %s" % files)
    with open(files[0], "rb") as f:
        data = f.read()
    return recs, data, r


def records_of(path):
    r = tool(["cat", path], check=False)
    return r, [json.loads(x) for x in r.stdout.decode().splitlines()]


def chunk_offsets(data):
    """(offset, type, len) of each record of a binary file (event_file.h)."""
    out, pos = [], 16
    while pos + 8 <= len(data):
        typ, n = struct.unpack_from("<II", data, pos)
        out.append((pos, typ, n))
        pos += 8 + ((n + 7) & ~7)
    return out


def test_bad_input():
    recs, data, r = one_binary_file()
    tmp = tempfile.mkdtemp(prefix="impulse-binary-bad-")
    try:
        whole = {it.call_id(x) for x in recs}
        recs_by_id = {it.call_id(x): x for x in recs}
        offs = chunk_offsets(data)
        chunks = [o for o in offs if o[1] == 8]
        if not chunks:
            raise AssertionError("no chunk in %s" % offs)
        # Cut in the middle of the last chunk: every record of earlier chunks is there,
        # calls in flight "incomplete", a message with the offset, status 1.
        last = chunks[-1]
        cut = os.path.join(tmp, "logs_cut.impulse")
        with open(cut, "wb") as f:
            f.write(data[:last[0] + 8 + last[2] // 2])
        res, got = records_of(cut)
        err = res.stderr.decode()
        if res.returncode != 1 or cut not in err or "offset %d" % last[0] not in err or "cut short" not in err:
            raise AssertionError("cut file: exit %d, stderr %r" % (res.returncode, err))
        if len(err.strip().splitlines()) != 1:
            raise AssertionError("cut file: more than one message: %r" % err)
        ids = {it.call_id(x) for x in got}
        if not ids <= whole | ids or not got:
            raise AssertionError("cut file: no records")
        for x in got:
            it.check_record_shape(x)
            if x["payload"]["status"] not in ("incomplete", recs_by_id.get(it.call_id(x), x)["payload"]["status"]):
                raise AssertionError("cut file: %s" % it.describe(x))
        if not any(x["payload"]["status"] == "incomplete" for x in got):
            raise AssertionError("cut file: nothing incomplete (the root at least is)")
        # A corrupted chunk: skipped with its offset, the chunks after it still read.
        if len(chunks) >= 3:
            bad = bytearray(data)
            pos, _, n = chunks[1]
            for i in range(pos + 8, pos + 8 + n):
                bad[i] = 0x0f	# no such item
            corrupt = os.path.join(tmp, "logs_corrupt.impulse")
            with open(corrupt, "wb") as f:
                f.write(bytes(bad))
            res, got = records_of(corrupt)
            err = res.stderr.decode()
            if res.returncode != 1 or "offset %d" % pos not in err or corrupt not in err:
                raise AssertionError("corrupt chunk: exit %d, stderr %r" % (res.returncode, err))
            if not got:
                raise AssertionError("corrupt chunk: nothing rendered after it")
        # A newer version: said, nothing guessed.
        newer = os.path.join(tmp, "logs_newer.impulse")
        with open(newer, "wb") as f:
            f.write(data[:8] + struct.pack("<I", 99) + data[12:])
        res, got = records_of(newer)
        err = res.stderr.decode()
        if res.returncode == 0 or "version 99" not in err or newer not in err or got:
            raise AssertionError("newer version: exit %d, stderr %r, %d records" % (res.returncode, err, len(got)))
        # The whole file: status 0, no message.
        res, got = records_of(r.log_files()[0])
        if res.returncode != 0 or res.stderr or len(got) != len(recs):
            raise AssertionError("whole file: exit %d, stderr %r" % (res.returncode, res.stderr))
    finally:
        r.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def same_run_pair():
    """One run of rev_main with format = json and its event stream: (json file, the
    stream under a logs_*.impulse name, in directories of their own, tmp)."""
    tmp = tempfile.mkdtemp(prefix="impulse-binary-readers-")
    r = it.run_traced(argv_of("render_events", "rev_main", []), it.conf("render_events"),
                      env={"IMPULSE_DEBUG_EVENTS": os.path.join(tmp, "events.%p")})
    try:
        (path,) = r.log_files()
        name = os.path.basename(path)
        os.mkdir(os.path.join(tmp, "j"))
        os.mkdir(os.path.join(tmp, "b"))
        jpath = os.path.join(tmp, "j", name)
        bpath = os.path.join(tmp, "b", name[:-len(".json")] + ".impulse")
        shutil.copy(path, jpath)
        (events,) = glob.glob(os.path.join(tmp, "events.*"))
        shutil.copy(events, bpath)
        return jpath, bpath, tmp
    finally:
        r.cleanup()


def test_readers_take_binary_files():
    jpath, bpath, tmp = same_run_pair()
    try:
        for args in (["tree"], ["stats"], ["stats", "--format", "json"], ["export", "--format", "chrome"],
                     ["export", "--format", "otlp"], ["tail", "-n", "100"]):
            a = tool(args + [jpath], check=False)
            b = tool(args + [bpath], check=False)
            if a.returncode != 0 or b.returncode != 0:
                raise AssertionError("impulse %s: exit %d (json), %d (binary): %s"
                                     % (" ".join(args), a.returncode, b.returncode, b.stderr.decode()))
            ao = a.stdout.replace(jpath.encode(), b"FILE")
            bo = b.stdout.replace(bpath.encode(), b"FILE")
            if ao != bo:
                raise AssertionError("impulse %s differs on the binary file:\n json: %r\n bin:  %r"
                                     % (" ".join(args), ao[:500], bo[:500]))
        # A directory holding both reads both.
        shutil.copy(jpath, os.path.join(tmp, "b"))
        both = tool(["stats", "--format", "json", os.path.join(tmp, "b")])
        one = tool(["stats", "--format", "json", jpath])
        if json.dumps(json.loads(both.stdout)) == json.dumps(json.loads(one.stdout)):
            raise AssertionError("stats on a directory of a JSON and a binary file counted one")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cat_dir(d):
    out = tool(["cat", d]).stdout
    return [json.loads(x) for x in out.decode().splitlines()]


def test_exec_lineage():
    """An exec'd image is traced into its own binary file; its root names the first
    image's root, as with JSON."""
    prog = it.program("exec", "exec_main")
    r = it.run_traced([prog, "execl"], it.conf("exec"), env={"IMPULSE_LOG_DIR": None, "IMPULSE_FORMAT": "binary"})
    try:
        d = os.path.join(r.workdir, ".impulselogs")
        files = sorted(glob.glob(os.path.join(d, "logs_*")))
        if len(files) != 2 or any(not f.endswith(".impulse") for f in files):
            raise AssertionError("files: %s" % files)
        every = cat_dir(d)
        it.check_process_tree(every, 2)
        roots = {x["payload"]["arguments"]["argv"][-1]: x for x in it.Records(every).roots()}
        first, second = roots["execl"], roots["second"]
        if it.root_parent(second) != (it.call_id(first), os.path.basename(prog), it.module_of(first)):
            raise AssertionError("second image's root parent %s, first root %s"
                                 % (it.root_parent(second), it.call_id(first)))
    finally:
        r.cleanup()


def test_on_full_drop():
    """on_full = drop with a small buffer: what is not dropped is in the file, what is
    dropped is counted in the root, and together they are every call."""
    argv = [it.program("overload", "overload_main"), "leaf", "20000", "4"]
    r = it.run_traced(argv, it.conf("overload"), env={"IMPULSE_FORMAT": "binary", "IMPULSE_ON_FULL": "drop",
                                                      "IMPULSE_BUFFER_SIZE": "4K"}, timeout=100)
    try:
        if r.returncode != 0:
            raise AssertionError("overload_main: %d %s" % (r.returncode, r.stderr.decode()[-500:]))
        recs = it.Records(cat_dir(r.log_dir))
        dropped = recs.root()["payload"]["arguments"]["dropped"]["total"]
        calls = len(recs.calls())
        if calls + dropped != 4 * 20000 or calls == 0:
            raise AssertionError("%d records + %d dropped, expected %d calls" % (calls, dropped, 4 * 20000))
    finally:
        r.cleanup()


HOSTILE_SECRETS = [b"abc123secret", b"hunter2secret"]	# the parameters redact names


def test_redaction():
    """redact (parameters) works at capture: the secrets never reach the binary file
    and cat shows "[redacted]". A redact_pattern not ending in '*' ("hunter2secret")
    masks the text it matched, which a binary file cannot hold: with one, a binary
    run writes JSON and says so once (test_redact_pattern_binary_equals_json has the
    others)."""
    prog = it.program("hostile", "hostile_main")
    conf = "[tracer]\nredact = s, buf\n" + it.conf("hostile").replace("[tracer]\n", "")
    r = it.run_traced([prog, "redact"], conf, env={"IMPULSE_FORMAT": "binary"})
    try:
        files = r.log_files()
        if not files or not all(f.endswith(".impulse") for f in files):
            raise AssertionError("files: %s" % files)
        for f in files:
            with open(f, "rb") as fh:
                data = fh.read()
            for s in HOSTILE_SECRETS:
                if s in data:
                    raise AssertionError("%r is in %s" % (s, f))
        recs = it.Records(cat_dir(r.log_dir))
        if it.args(recs.one("hs_strlen"))["s"] != "[redacted]":
            raise AssertionError("hs_strlen.s: %r" % it.args(recs.one("hs_strlen"))["s"])
    finally:
        r.cleanup()
    conf = ('[tracer]\nredact_pattern = "Authorization: *", "hunter2secret"\n'
            + it.conf("hostile").replace("[tracer]\n", ""))
    r = it.run_traced([prog, "redact"], conf, env={"IMPULSE_FORMAT": "binary"})
    try:
        files = r.log_files()
        if not any(f.endswith(".json") for f in files) or any(f.endswith(".impulse") for f in files):
            raise AssertionError("with redact_pattern: files %s, expected JSON" % files)
        said = [x for x in r.diagnostics() if "format = binary with a redact_pattern" in x]
        if len(said) != 1:
            raise AssertionError("diagnostics: %s" % r.diagnostics())
    finally:
        r.cleanup()


# What the patterns below must hide, wherever the program puts it (hostile_main redact,
# its argv included).
PATTERN_SECRETS = [b"abc123secret", b"hunter2secret", b"sk-XYZsecret987", b"XYZsecret987",
                   b"FMTsecret42", b"JSONsecret55", b"dXNlcjpwYXNz", b"ARGVsecret13"]
PATTERN_CONF = '[tracer]\nredact_pattern = "Authorization: *", "*password=*", "sk-*"\n'


def redact_pair(argv, conf, secrets, mask=None):
    """argv run with conf in format = json, then in format = binary: the binary run
    behaves as untraced, writes .impulse files only, none of secrets is in any raw
    file of its log directory, and cat gives the json run's records (ids and times
    set aside). Returns the records cat gave."""
    untraced = it.run_untraced(argv)
    j = it.run_traced(argv, conf)
    try:
        want = j.records
    finally:
        j.cleanup()
    r = it.run_traced(argv, conf, env={"IMPULSE_FORMAT": "binary"})
    try:
        it.assert_same_behaviour(r, untraced, mask=mask)
        files = r.log_files()
        if not files or any(not f.endswith(".impulse") for f in files):
            raise AssertionError("record files %s, expected logs_*.impulse only" % files)
        for root, _, fs in os.walk(r.log_dir):
            for f in fs:
                path = os.path.join(root, f)
                with open(path, "rb") as fh:
                    data = fh.read()
                for s in secrets:
                    if s in data:
                        i = data.index(s)
                        raise AssertionError("%r is in %s: ...%r..." % (s, path, data[max(0, i - 40):i + 40]))
        got = cat_dir(r.log_dir)
    finally:
        r.cleanup()
    a, b = shape(got), shape(want)
    if a != b:
        raise AssertionError("binary and json runs differ:\n only binary: %s\n only json: %s"
                             % (list((a - b).items())[:3], list((b - a).items())[:3]))
    # shape() leaves the root's argv and trace_logs to normalise: compared here
    gr, wr = it.Records(got).root()["payload"], it.Records(want).root()["payload"]
    ga, wa = [e["payload"] for e in gr["trace_logs"]], [e["payload"] for e in wr["trace_logs"]]
    if ga != wa:
        raise AssertionError("trace_logs: binary %r, json %r" % (ga, wa))
    ga, wa = gr["arguments"].get("argv"), wr["arguments"].get("argv")
    if ga != wa:
        raise AssertionError("argv: binary %r, json %r" % (ga, wa))
    return got


def test_redact_pattern_binary_equals_json():
    """redact_pattern with format = binary: the strings the patterns name (a string
    argument, a buffer shown as text, impulse_log and impulse_logf text, a JSON note,
    the program's argv, a returned string) are masked before any byte is written, so
    no secret is in any raw file of the log directory, and `impulse cat` gives the
    records a format = json run gives, the same masks included."""
    prog = it.program("hostile", "hostile_main")
    conf = PATTERN_CONF + it.conf("hostile").replace("[tracer]\n", "")
    got = redact_pair([prog, "redact", "sk-ARGVsecret13"], conf, PATTERN_SECRETS)
    recs = it.Records(got)
    if it.args(recs.one("hs_strlen"))["s"] != "Authorization: [redacted]":
        raise AssertionError("hs_strlen.s: %r" % it.args(recs.one("hs_strlen"))["s"])
    if it.args(recs.one("hs_send"))["buf"] != "POST user=bob&password=[redacted]\nX-Other: fine":
        raise AssertionError("hs_send.buf: %r" % it.args(recs.one("hs_send"))["buf"])
    logs = [e["payload"] for e in recs.root()["payload"]["trace_logs"]]
    if logs != ["api_key=sk-[redacted]", "token sk-[redacted]",
                {"token": "sk-[redacted]", "n": ["Authorization: [redacted]"]}]:
        raise AssertionError("trace_logs: %r" % logs)
    # an output: abi_ret_str returns "returned"
    prog = it.program("abi", "abi_main", "def")
    conf = '[tracer]\nredact_pattern = "retu*"\n' + it.conf("abi").replace("[tracer]\n", "")
    got = redact_pair([prog], conf, [b"returned", b"rned"], mask=it.mask_addresses)
    outs = [r["payload"]["output"] for r in got if r["payload"]["function"]["name"] == "abi_ret_str"]
    if sorted(map(str, outs)) != sorted(["None", "retu[redacted]"]):
        raise AssertionError("abi_ret_str outputs: %r" % outs)


BR_SECRETS = [b"ARGsecret11", b"TWOLINEsecret3", b"OUTPARAMsecret9", b"RETURNEDsecret7",
              b"NOTEsecret5", b"ESCsecret", b"ESCLINEsecret6", b"QUOTEsecret4"]


def test_redact_pattern_binary_everywhere():
    """redact_pattern with format = binary over every place a record shows a string
    (tests/trace/binary/br_main.c): string arguments (a secret on the second line of
    one), an [out] parameter, a returned string, impulse_log text, and a JSON note
    whose keys and strings carry escapes (\\u00e9, \\n, \\"): no secret in any raw
    file, and cat gives the json run's records."""
    conf = PATTERN_CONF + it.conf("binary").replace("[tracer]\n", "")
    got = redact_pair([it.program("binary", "br_main")], conf, BR_SECRETS)
    recs = it.Records(got)
    puts = sorted(it.args(r)["value"] for r in recs.calls() if it.fn_name(r) == "br_put")
    if puts != ["X-A: 1\nAuthorization: [redacted]\nX-B: 2", "sk-[redacted]"]:
        raise AssertionError("br_put values: %r" % puts)
    if it.args(recs.one("br_fill"))["buf"] != "user=bob password=[redacted]":
        raise AssertionError("br_fill.buf: %r" % it.args(recs.one("br_fill"))["buf"])
    toks = sorted(r["payload"]["output"] for r in recs.calls() if it.fn_name(r) == "br_token")
    if toks != ["Authorization: [redacted]", "none"]:
        raise AssertionError("br_token outputs: %r" % toks)
    logs = [e["payload"] for e in recs.root()["payload"]["trace_logs"]]
    if logs != ["note sk-[redacted]",
                {"k\u00e9y": "caf\u00e9 sk-[redacted]", "multi": "a\nAuthorization: [redacted]\nb",
                 "q": "\"sk-[redacted]"}]:
        raise AssertionError("trace_logs: %r" % logs)
