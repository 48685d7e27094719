"""Real programs not written here, traced with the shipped prototype files
(config/protos/*.conf, installed as protos/ next to libimpulse.so): each hooks.conf
in this folder names functions bare, so every argument, out-parameter, error rule
and display comes from the shipped declarations.

- sqlite3 (the shell, linked against libsqlite3.so.0) runs a script of N statements:
  one sqlite3_prepare_v2 record per statement holding its SQL text, steps that
  end each statement with SQLITE_DONE after one SQLITE_ROW per printed row, and
  column_text results equal to what the shell printed. A failing statement is an
  error record naming the result code.
- curl fetches a page from an HTTP server run by the test: curl_easy_setopt records
  hold the URL as a string, curl_easy_getinfo the response code 200 and the
  scheme "HTTP" as out-parameters, and the fwrite records of the curl binary total the page length.
- sort: the calls per function from the sort binary equal ltrace's count of the
  same run, fstat's struct stat is the file's, and fwrite_unlocked's byte total is
  sort's output.
"""

import http.server
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading

import impulse_test as it

TIMEOUT = 300
CASE = "realprog3"


def need_program(path, package):
    if not os.path.exists(path):
        raise AssertionError("%s is missing: run make deps (Debian package %s)" % (path, package))


def needed_libs(binary):
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def imported(binary):
    out = subprocess.run(["nm", "-D", "--undefined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def from_program(recs, name, program):
    """The records of name whose call was made by the program itself (not by one of
    its libraries calling through its own PLT), in start order."""
    base = os.path.basename(program)
    return [r for r in recs.calls(name)
            if os.path.basename(r["payload"]["function"]["caller"] or "") == base]


def text_of(value, what):
    """A recorded string or text buffer as str: a JSON string, or the "value" of a
    truncated/invalid one."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return value["value"]
    raise AssertionError("%s: expected text, recorded %r" % (what, value))


def address(value, what):
    if not isinstance(value, str) or not re.match(r"^0x[0-9a-fA-F]+$", value):
        raise AssertionError("%s: expected an address, recorded %r" % (what, value))
    return int(value, 16)


def need(cond, msg, rec=None):
    if not cond:
        raise AssertionError(msg + ("\n  record: %s" % it.describe(rec) if rec else ""))


# ---------------------------------------------------------------- sqlite3

SQLITE = "/usr/bin/sqlite3"


def sqlite_script():
    stmts = ["CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n INTEGER);"]
    stmts += ["INSERT INTO t(name, n) VALUES('name%02d', %d);" % (i, i * i) for i in range(12)]
    stmts += [
        "UPDATE t SET n = n + 1000 WHERE id % 3 = 0;",
        "SELECT id, name, n FROM t WHERE id <= 5 ORDER BY id;",
        "SELECT count(*), sum(n) FROM t;",
        "DELETE FROM t WHERE id > 10;",
        "SELECT name FROM t ORDER BY id DESC LIMIT 3;",
    ]
    return stmts


def check_sqlite_linked():
    need_program(SQLITE, "sqlite3")
    libs = needed_libs(SQLITE)
    need("libsqlite3.so.0" in libs,
         "%s does not link libsqlite3.so.0 dynamically (NEEDED: %s)" % (SQLITE, libs))
    missing = {"sqlite3_prepare_v2", "sqlite3_step", "sqlite3_column_text"} - imported(SQLITE)
    need(not missing, "%s does not import %s" % (SQLITE, missing))


def test_sqlite3_shell_statements():
    check_sqlite_linked()
    stmts = sqlite_script()
    tmp = tempfile.mkdtemp(prefix="impulse-sqlite-")
    try:
        db = os.path.join(tmp, "test.db")
        script = ("\n".join(stmts) + "\n").encode()
        # -init /dev/null: no ~/.sqliterc.
        argv = [SQLITE, "-init", "/dev/null", "-batch", db]
        # Each run gets a fresh database: the untraced run's file is removed first.
        untraced = it.run_untraced(argv, input=script)
        need(untraced.returncode == 0, "untraced sqlite3 failed: %r" % untraced.stderr[-500:])
        os.unlink(db)
        run = it.run_traced(argv, it.conf(CASE, "sqlite3_hooks.conf"), input=script)
        try:
            it.assert_same_behaviour(run, untraced)
            recs = it.Records(run.records)
            recs.check_all(argv=argv, exit_status=0)
        finally:
            run.cleanup()
        rows = [line.split("|") for line in untraced.stdout.decode().splitlines()]

        opens = from_program(recs, "sqlite3_open_v2", SQLITE)
        need(len(opens) == 1, "expected one sqlite3_open_v2 from the shell, found %d" % len(opens))
        a = it.args(opens[0])
        need(a["filename"] == db, "sqlite3_open_v2 filename %r, not %r" % (a["filename"], db),
             opens[0])
        need(isinstance(a["flags"], str) and "SQLITE_OPEN_READWRITE" in a["flags"].split("|"),
             "sqlite3_open_v2 flags not shown by name: %r" % (a["flags"],), opens[0])
        db_handle = address(a["ppDb"], "sqlite3_open_v2 ppDb (out)")
        need(it.output(opens[0]) == "SQLITE_OK", "sqlite3_open_v2 returned %r"
             % (it.output(opens[0]),), opens[0])

        # One prepare per statement, in order, each holding its statement's text.
        preps = from_program(recs, "sqlite3_prepare_v2", SQLITE)
        need(len(preps) == len(stmts), "%d statements, %d sqlite3_prepare_v2 records from the "
             "shell" % (len(stmts), len(preps)))
        stmt_handles = []
        for i, (r, sql) in enumerate(zip(preps, stmts)):
            a = it.args(r)
            text = text_of(a["zSql"], "prepare %d zSql" % i)
            need(text.strip() == sql, "prepare %d: zSql %r, statement %r" % (i, text, sql), r)
            need(a["nByte"] == -1, "prepare %d: nByte %r" % (i, a["nByte"]), r)
            need(address(a["db"], "prepare db") == db_handle, "prepare %d: another db" % i, r)
            need(r["payload"]["status"] == "success" and it.output(r) == "SQLITE_OK",
                 "prepare %d: status %s output %r" % (i, r["payload"]["status"], it.output(r)), r)
            stmt_handles.append(address(a["ppStmt"], "prepare %d ppStmt (out)" % i))
            tail = text_of(a["pzTail"], "prepare %d pzTail (out)" % i)
            need(tail.strip() == "", "prepare %d: pzTail %r (one statement per line)" % (i, tail), r)

        # Steps: each statement's steps come after its prepare and use its handle;
        # a SELECT gives one SQLITE_ROW per row printed, every statement ends DONE.
        steps = from_program(recs, "sqlite3_step", SQLITE)
        bounds = [p["payload"]["timestamps"]["start_ns"] for p in preps] + [float("inf")]
        want_rows = {
            14: 5,   # SELECT id, name, n … WHERE id <= 5
            15: 1,   # SELECT count(*), sum(n)
            17: 3,   # SELECT name … LIMIT 3
        }
        for i, handle in enumerate(stmt_handles):
            mine = [s for s in steps if bounds[i] <= s["payload"]["timestamps"]["start_ns"]
                    < bounds[i + 1]]
            outs = [it.output(s) for s in mine]
            expect = ["SQLITE_ROW"] * want_rows.get(i, 0) + ["SQLITE_DONE"]
            need(outs == expect, "statement %d (%s): steps %s, expected %s"
                 % (i, stmts[i], outs, expect))
            for s in mine:
                need(address(it.args(s)["pStmt"], "step pStmt") == handle,
                     "statement %d: step on another statement handle" % i, s)
                need(s["payload"]["status"] == "success", "step status %s"
                     % s["payload"]["status"], s)
        need(sum(1 for s in steps if it.output(s) == "SQLITE_ROW") == len(rows),
             "SQLITE_ROW steps differ from the %d rows printed" % len(rows))

        # column_text results, in order, are the values the shell printed.
        texts = [it.output(r) for r in from_program(recs, "sqlite3_column_text", SQLITE)]
        printed = [v for row in rows for v in row]
        need(texts == printed, "column_text outputs %s\nshell printed %s" % (texts, printed))

        fins = from_program(recs, "sqlite3_finalize", SQLITE)
        need(sorted(address(it.args(f)["pStmt"], "finalize") for f in fins)
             == sorted(stmt_handles), "finalize handles differ from the prepared ones")
        closes = from_program(recs, "sqlite3_close", SQLITE)
        need(len(closes) == 1 and it.output(closes[0]) == "SQLITE_OK", "sqlite3_close records %s"
             % [it.describe(c) for c in closes])
        lib = preps[0]["payload"]["function"]["library"] or ""
        need(os.path.basename(lib).startswith("libsqlite3.so"), "library %r" % lib)
        print("sqlite3: %d statements, %d prepare_v2 records, %d steps (%d rows), "
              "%d column_text" % (len(stmts), len(preps), len(steps), len(rows), len(texts)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_sqlite3_error_statement():
    """A statement on a missing table: prepare fails with SQLITE_ERROR, recorded as
    an error whose exception names the code; the shell goes on with the next one."""
    check_sqlite_linked()
    tmp = tempfile.mkdtemp(prefix="impulse-sqlite-")
    try:
        db = os.path.join(tmp, "test.db")
        script = b"CREATE TABLE a(x);\nSELECT * FROM missing;\nSELECT 42;\n"
        argv = [SQLITE, "-init", "/dev/null", "-batch", db]
        untraced = it.run_untraced(argv, input=script)
        os.unlink(db)
        run = it.run_traced(argv, it.conf(CASE, "sqlite3_hooks.conf"), input=script)
        try:
            it.assert_same_behaviour(run, untraced)
            recs = it.Records(run.records)
        finally:
            run.cleanup()
        preps = from_program(recs, "sqlite3_prepare_v2", SQLITE)
        need(len(preps) == 3, "3 statements, %d prepare records" % len(preps))
        bad = preps[1]
        p = bad["payload"]
        need(text_of(it.args(bad)["zSql"], "zSql").strip() == "SELECT * FROM missing;",
             "zSql %r" % (it.args(bad)["zSql"],), bad)
        need(p["status"] == "error" and p["output"] == "SQLITE_ERROR"
             and p["exception"] == "returned SQLITE_ERROR",
             "status %r output %r exception %r" % (p["status"], p["output"], p["exception"]), bad)
        for good in (preps[0], preps[2]):
            need(good["payload"]["status"] == "success" and good["payload"]["exception"] is None,
                 "a good statement is not a success", good)
        texts = [it.output(r) for r in from_program(recs, "sqlite3_column_text", SQLITE)]
        need(texts == ["42"], "column_text outputs %s" % texts)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- curl

CURL = "/usr/bin/curl"


def page_body(size):
    line = b"libimpulse realprog3 page line %06d abcdefghijklmnopqrstuvwxyz\n"
    out = bytearray()
    i = 0
    while len(out) < size:
        out += line % i
        i += 1
    return bytes(out[:size])


class PageServer:
    """An HTTP server on 127.0.0.1, a free port, in a thread of the test: GET /page
    answers 200 with the body; every path requested is remembered."""

    def __init__(self, body):
        requests = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                if self.path != "/page.txt":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def vararg(rec):
    v = it.args(rec).get("varargs")
    if not isinstance(v, list) or len(v) != 1:
        raise AssertionError("%s: expected one variadic value, recorded %r" % (it.describe(rec), v))
    return v[0]


def test_curl_fetch_local_page():
    need_program(CURL, "curl")
    # curl hangs in setlocale with the AddressSanitizer runtime preloaded, with or
    # without libimpulse (seen with Debian's gcc 12 libasan): nothing to learn there.
    if "libasan" in it._preload_value():
        it.skip("AddressSanitizer build: curl hangs in setlocale with the ASan runtime "
                "preloaded, with or without libimpulse")
    need("libcurl.so.4" in needed_libs(CURL), "curl does not link libcurl.so.4")
    body = page_body(300000)
    server = PageServer(body)
    try:
        url = "http://127.0.0.1:%d/page.txt" % server.port
        # -q: no ~/.curlrc; --noproxy: the environment's proxy settings do not apply.
        argv = [CURL, "-q", "-s", "-S", "--noproxy", "*", "-o", "page.out",
                "-w", "%{http_code}\\n", url]
        run, recs = it.check_run(argv, it.conf(CASE, "curl_hooks.conf"))
        need(run.stdout == b"200\n", "curl printed %r" % run.stdout)
        need(server.requests == ["/page.txt", "/page.txt"],
             "server requests %s (one untraced run, one traced)" % server.requests)

        setopts = from_program(recs, "curl_easy_setopt", CURL)
        by_option = {}
        for r in setopts:
            by_option.setdefault(it.args(r)["option"], []).append(r)
        need("CURLOPT_URL" in by_option, "no setopt CURLOPT_URL among options %s"
             % sorted(k for k in by_option if isinstance(k, str))[:40])
        urls = [vararg(r) for r in by_option["CURLOPT_URL"]]
        need(url in urls, "CURLOPT_URL values %s, fetched %s" % (urls, url))
        agents = [vararg(r) for r in by_option.get("CURLOPT_USERAGENT", [])]
        need(any(isinstance(a, str) and a.startswith("curl/") for a in agents),
             "CURLOPT_USERAGENT values %s" % agents)
        noprog = [vararg(r) for r in by_option.get("CURLOPT_NOPROGRESS", [])]
        need(noprog and noprog[-1] == 1, "CURLOPT_NOPROGRESS values %s (a long)" % noprog)
        for r in setopts:
            need(r["payload"]["status"] == "success" and it.output(r) == "CURLE_OK",
                 "setopt output %r" % (it.output(r),), r)

        perf = from_program(recs, "curl_easy_perform", CURL)
        need(len(perf) == 1 and it.output(perf[0]) == "CURLE_OK",
             "curl_easy_perform records %s" % [it.describe(r) for r in perf])

        infos = {}
        for r in from_program(recs, "curl_easy_getinfo", CURL):
            infos.setdefault(it.args(r)["info"], []).append(vararg(r))
        need(infos.get("CURLINFO_RESPONSE_CODE") == [200],
             "CURLINFO_RESPONSE_CODE out values %r (infos seen: %s)"
             % (infos.get("CURLINFO_RESPONSE_CODE"), sorted(map(str, infos))))
        # The tool asks for the scheme (a char ** out-parameter) while writing.
        schemes = infos.get("CURLINFO_SCHEME", [])
        need(schemes and all(c == "HTTP" for c in schemes),
             "CURLINFO_SCHEME out values %r" % schemes)

        writes = from_program(recs, "fwrite", CURL)
        total = sum(it.args(w)["size"] * it.args(w)["nmemb"] for w in writes)
        written = sum(it.args(w)["size"] * it.output(w) for w in writes)
        need(total == len(body) and written == len(body),
             "fwrite records total %d bytes (%d written), the page has %d"
             % (total, written, len(body)))
        first = text_of(it.args(writes[0])["ptr"], "fwrite ptr")
        need(body.decode().startswith(first) and len(first) > 0,
             "the first fwrite buffer %r is not the page's start" % first[:80])
        print("curl: %d setopt records, %d fwrite records totalling %d bytes (page %d), "
              "response code %s" % (len(setopts), len(writes), total, len(body),
                                    infos.get("CURLINFO_RESPONSE_CODE")))
    finally:
        server.close()


# ---------------------------------------------------------------- sort

SORT = "/usr/bin/sort"
SORT_FUNCS = ("memchr", "memcmp", "memmove", "fwrite_unlocked", "open", "fdopen", "fstat",
              "fclose", "fflush", "getenv", "sigaction", "strlen", "pthread_mutex_lock",
              "pthread_mutex_unlock")


def ltrace_counts(argv, funcs, env):
    """Calls per function made from the program itself (PLT slots of the main
    binary: ltrace's @MAIN), as `ltrace -c` counts them."""
    tmp = tempfile.mkdtemp(prefix="impulse-ltrace-")
    try:
        out = os.path.join(tmp, "ltrace.out")
        spec = "+".join(f + "@MAIN" for f in funcs)
        proc = subprocess.run(["ltrace", "-c", "-e", spec, "-o", out] + argv, env=env,
                              capture_output=True, timeout=250)
        with open(out) as f:
            text = f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    counts = {}
    for line in text.splitlines():
        m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\S+)\s*$", line)
        if m and m.group(2) != "total":
            counts[m.group(2)] = int(m.group(1))
    return proc, counts


def test_sort_counts_equal_ltrace():
    need_program(SORT, "coreutils")
    missing = set(SORT_FUNCS) - imported(SORT)
    need(not missing, "%s does not import %s: pick other functions" % (SORT, missing))
    tmp = tempfile.mkdtemp(prefix="impulse-sort-")
    try:
        path = os.path.join(tmp, "input.txt")
        with open(path, "w") as f:
            x = 12345
            for i in range(1000):
                x = (x * 1103515245 + 12345) % (1 << 31)    # a fixed pseudo-random order
                f.write("%010d line %d %s\n" % (x, i, "abc" * (x % 5)))
        # One sorting thread: the comparisons, and so the counts, are the same each run.
        argv = [SORT, "--parallel=1", path]
        env = dict(os.environ, LC_ALL="C")
        # sort asks each signal's disposition and installs its handler only where it
        # is not ignored. ltrace catches SIGINT itself, so its child starts with
        # SIGINT at SIG_DFL even when the suite runs as a background job (SIGINT
        # ignored): both runs start with it at SIG_DFL, or the oracle counts one
        # sigaction more than sort makes untraced.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        env.pop("LD_PRELOAD", None)
        lproc, want = ltrace_counts(argv, SORT_FUNCS, env)
        need(want, "ltrace counted nothing; its stderr:\n%s" % lproc.stderr[-2000:])
        run, recs = it.check_run(argv, it.conf(CASE, "sort_hooks.conf"))
        got = {f: len(from_program(recs, f, SORT)) for f in SORT_FUNCS}
        want_full = {f: want.get(f, 0) for f in SORT_FUNCS}
        need(got == want_full, "calls from sort per function: libimpulse %s, ltrace %s"
             % (got, want_full))
        need(got["memcmp"] > 1000, "too few comparisons to mean anything: %s" % got)

        # fwrite_unlocked writes sort's output: its buffers total the output.
        writes = from_program(recs, "fwrite_unlocked", SORT)
        total = sum(it.args(w)["size"] * it.args(w)["nmemb"] for w in writes)
        need(total == len(run.stdout), "fwrite_unlocked records total %d bytes, sort wrote %d"
             % (total, len(run.stdout)))

        # open/fstat of the input: flags by name, struct stat as os.stat sees it.
        op = [r for r in from_program(recs, "open", SORT) if it.args(r)["pathname"] == path]
        need(len(op) == 1, "open(%s) records: %d" % (path, len(op)))
        flags = it.args(op[0])["flags"]
        need(isinstance(flags, str) and "O_RDONLY" in flags.split("|"), "open flags %r" % flags,
             op[0])
        fd = it.output(op[0])
        st = os.stat(path)
        fs = [r for r in from_program(recs, "fstat", SORT) if it.args(r)["fd"] == fd]
        need(fs, "no fstat(%r) record" % fd)
        sb = it.args(fs[0])["statbuf"]
        need(isinstance(sb, dict), "fstat statbuf %r" % (sb,), fs[0])
        expect = {"st_size": st.st_size, "st_ino": st.st_ino, "st_nlink": st.st_nlink,
                  "st_mode": "0%o" % st.st_mode, "st_uid": st.st_uid, "st_gid": st.st_gid,
                  "st_dev": st.st_dev, "st_blksize": st.st_blksize, "st_blocks": st.st_blocks}
        for k, v in expect.items():
            need(sb.get(k) == v, "fstat statbuf.%s %r, os.stat says %r" % (k, sb.get(k), v),
                 fs[0])
        mt = sb.get("st_mtim")
        need(isinstance(mt, dict) and mt.get("tv_sec") == st.st_mtime_ns // 10**9
             and mt.get("tv_nsec") == st.st_mtime_ns % 10**9,
             "fstat statbuf.st_mtim %r, os.stat says %d ns" % (mt, st.st_mtime_ns), fs[0])

        # sigaction(signum, NULL, &old): signal numbers by name, the old action filled.
        sigs = [it.args(r)["signum"] for r in from_program(recs, "sigaction", SORT)]
        need(sigs and all(isinstance(s, str) and s.startswith("SIG") for s in sigs),
             "sigaction signums %s" % sigs)
        print("sort: counts %s equal ltrace's; fwrite_unlocked %d bytes" % (got, total))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
