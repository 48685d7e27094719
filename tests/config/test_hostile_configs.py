"""Hostile hooks.conf files: a seeded generator mutates every config case
(byte flips, insertions of NULs, invalid UTF-8 and syntax characters, cut and
duplicated lines) and adds hand-made extremes (a 1 MB line, a 100 MB number,
includes nested past the limit and in a cycle, 10000 hooks, a 64 KB identifier,
deep struct nesting). Each goes through cfgdump (the parser and resolver the
tracer runs before main): it must end with status 0 or 1 within the time limit,
never by a signal, and each refusal must be one line "FILE:LINE:COL: message"
naming a real position. Deterministic: the seed is fixed, so a failure is
reproduced by running the test again (the failing input is kept and named)."""

import os
import random
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
SEED = 20261124
MUTANTS_PER_CASE = 3
ERROR_LINE = re.compile(rb"^([^:\n]+):(\d+):(\d+): [^\n]+\n$")


def _cfgdump():
    build = os.environ.get("IMPULSE_BUILD", "/work/main/build")
    exe = os.path.join(build, "tests", "cfgdump")
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built" % exe)
    return exe


def _seeds():
    out = []
    for name in sorted(os.listdir(CASES)):
        path = os.path.join(CASES, name, "hooks.conf")
        if os.path.exists(path):
            with open(path, "rb") as f:
                out.append((name, f.read()))
    return out


SPICE = [b"\0", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"{", b"}", b"[", b"]", b"(", b")",
         b";", b",", b"=", b"\"", b"#", b"*", b"...", b"\n", b"\r", b"\t", b"struct ",
         b"[tracer]\n", b"include \"x.conf\"\n", b"99999999999999999999999999", b"-1",
         b"[len=", b"[thread t]\n", b"enum e { A = ", b"typedef ", b"unsigned long long long "]


def _mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(5)
        pos = rng.randint(0, len(data))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos:pos] = rng.choice(SPICE)
        elif op == 2 and data:
            del data[pos:pos + rng.randint(1, 16)]
        elif op == 3:
            lines = bytes(data).split(b"\n")
            if lines:
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i] * rng.randint(2, 50))
                data = bytearray(b"\n".join(lines))
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def _extremes():
    hooks = b"".join(b"int f%d(int a, const char *s);\n" % i for i in range(10000))
    nest = b"struct s0 { int v; };\n" + b"".join(
        b"struct s%d { struct s%d in; int v; };\n" % (i, i - 1) for i in range(1, 200))
    return [
        ("long_line", b"[tracer]\nsession_id = " + b"x" * (1 << 20) + b"\n", {}),
        ("long_name", b"int " + b"n" * 65536 + b"(int a);\n", {}),
        ("huge_number", b"[tracer]\nmax_string = " + b"9" * 100000 + b"\n", {}),
        ("huge_array", b"int f(char a[" + b"9" * 5000 + b"]);\n", {}),
        ("nul_bytes", b"int f(int a);\n\0\0\0int g(int\0 b);\n", {}),
        ("invalid_utf8", b"int f(int a); # \xff\xfe\n\xc3\x28 int g(void);\n", {}),
        ("ten_thousand_hooks", hooks, {}),
        ("deep_structs", nest + b"int f(struct s199 *p);\n", {}),
        ("deep_includes", b"include \"i1.conf\"\n",
         dict(("i%d.conf" % i, b"include \"i%d.conf\"\n" % (i + 1)) for i in range(1, 40))),
        ("include_cycle", b"include \"a.conf\"\n",
         {"a.conf": b"include \"b.conf\"\n", "b.conf": b"include \"a.conf\"\n"}),
        ("only_brackets", b"[" * 100000, {}),
        ("only_braces", b"struct s " + b"{" * 100000, {}),
        ("redact_patterns", b"[tracer]\nredact_pattern = " + b"\"*a*\", " * 70 + b"\"x\"\n", {}),
    ]


def _run(folder, exe):
    try:
        # 240 s: the parser appends with one realloc per element, which under
        # AddressSanitizer (every realloc moves) makes 10000 hooks take ~50 s.
        r = subprocess.run([exe, "hooks.conf"], cwd=folder, capture_output=True, timeout=240)
    except subprocess.TimeoutExpired:
        return "timed out"
    if r.returncode == 0:
        return None
    if r.returncode != 1:
        return "exited %d (signal %d?)\n%s" % (r.returncode, -r.returncode,
                                                r.stderr.decode("utf-8", "replace")[-2000:])
    m = ERROR_LINE.match(r.stdout)
    if not m:
        return "refused without one FILE:LINE:COL line: %r" % r.stdout[:500]
    name, line = m.group(1).decode(), int(m.group(2))
    path = os.path.join(folder, name)
    if os.path.exists(path):
        with open(path, "rb") as f:
            nlines = f.read().count(b"\n") + 1
        if not 1 <= line <= nlines:
            return "error at line %d of a %d-line %s: %r" % (line, nlines, name, r.stdout)
    return "error"


def test_hostile_configs():
    exe = _cfgdump()
    rng = random.Random(SEED)
    inputs = []
    for name, data in _seeds():
        for i in range(MUTANTS_PER_CASE):
            inputs.append(("%s.%d" % (name, i), _mutate(rng, data), {}))
    inputs += _extremes()
    work = tempfile.mkdtemp(prefix="impulse-hostile-conf-")
    failures, refused = [], 0
    try:
        for name, data, extra in inputs:
            folder = os.path.join(work, name)
            os.mkdir(folder)
            with open(os.path.join(folder, "hooks.conf"), "wb") as f:
                f.write(data)
            for fname, content in extra.items():
                with open(os.path.join(folder, fname), "wb") as f:
                    f.write(content)
            why = _run(folder, exe)
            if why == "error":
                refused += 1
            elif why:
                keep = os.path.join(tempfile.gettempdir(), "impulse-hostile-failed-" + name)
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(folder, keep)
                failures.append("%s (kept in %s): %s" % (name, keep, why))
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        raise AssertionError("%d of %d inputs failed:\n%s" % (len(failures), len(inputs),
                                                             "\n".join(failures[:20])))
    # The generator must produce mostly refusals, or it tests little.
    if refused < len(inputs) // 2:
        raise AssertionError("only %d of %d inputs were refused" % (refused, len(inputs)))
