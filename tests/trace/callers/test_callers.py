"""callers: the record's function.caller when the return address does not name the
caller (issue 12, point 9). A call through a data pointer (an address-taken stub) is
named by its return address; after a tail call that address is the caller's caller:

- cl_tail, hooked, ends in `jmp *ptr` to cl_leaf: the return address is libimpulse's
  trampoline; the caller is cl_tail's library (libctail.so), never libimpulse.so;
- a destructor ld.so runs at dlclose ends in `jmp *ptr` to cl_leaf: the return
  address is in ld.so, which calls no stub itself; the caller is unknown (null),
  never ld-linux;
- calls the program makes through a pointer or the PLT name the program;
- dlopen of a bare name or of "$ORIGIN/…" finds what it finds untraced: glibc resolves
  them against the object that called dlopen, which must stay the program.

The tail calls are checked in the disassembly first (objdump), so the test cannot pass
on a build where the compiler made ordinary calls of them."""

import os
import re
import subprocess

import impulse_test as it
from impulse_test import args, call_id, fn_name, parent_ids

CASE = "callers"
VARIANTS = ("def", "now")


def ends_in_tail_jump(lib, fn):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", lib], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(r"<%s>:\n((?:.*\n)*?)\n" % fn, out)
    return bool(m) and re.search(r"\bjmp\s+\*%r", m.group(1)) is not None


def check(variant, how):
    """how: the name the program gives dlopen: "path" (absolute), "bare" (found on
    the program's $ORIGIN run path: glibc searches the caller's, and the caller must
    stay the program, not libimpulse's wrapper) or "origin" ("$ORIGIN/libcdtor.so")."""
    if how != "path" and it.sanitizer_runtime() == "AddressSanitizer":
        it.skip("AddressSanitizer's own dlopen interceptor calls dlopen from libasan, so the "
                "program fails to find %s names untraced too" % how)
    argv = [it.program(CASE, "callers_main", variant)]
    libdir = os.path.dirname(argv[0])
    for lib, fn in (("libctail.so", "cl_tail"), ("libcdtor.so", "cl_dtor")):
        if not ends_in_tail_jump(os.path.join(libdir, lib), fn):
            raise AssertionError("%s: %s does not end in a tail jump: the test would prove nothing"
                                 % (lib, fn))
    if how == "path":
        argv.append(os.path.join(libdir, "libcdtor.so"))
    elif how == "origin":
        argv.append("$ORIGIN/libcdtor.so")
    run_, recs = it.check_run(argv, it.conf(CASE))
    prog = it.realpath(argv[0])
    oracle = [(fn, dict(a), ret) for fn, a, ret in it.oracle_lines(run_.stdout)]
    got = [(fn_name(r), args(r), it.output(r)) for r in recs.calls()]
    for line in oracle:
        if line not in got:
            raise AssertionError("the program's call %s is not recorded: %s" % (line, got))
    rid = call_id(recs.root())
    caller = lambda r: r["payload"]["function"]["caller"]

    direct = recs.one("cl_leaf", x=2)
    if it.realpath(caller(direct)) != prog:
        raise AssertionError("%s: caller %r, expected the program" % (it.describe(direct), caller(direct)))
    tail = recs.one("cl_tail", x=3)
    if it.realpath(caller(tail)) != prog:
        raise AssertionError("%s: caller %r, expected the program" % (it.describe(tail), caller(tail)))

    from_tail = recs.one("cl_leaf", x=4)
    if parent_ids(from_tail) != [rid, call_id(tail)]:
        raise AssertionError("%s: parents %s, expected cl_tail's" % (it.describe(from_tail), parent_ids(from_tail)))
    if os.path.basename(caller(from_tail) or "") != "libctail.so" or it.output(from_tail) != 41:
        raise AssertionError("%s: caller %r, expected libctail.so (the tail-calling hook's library)"
                             % (it.describe(from_tail), caller(from_tail)))

    from_dtor = recs.one("cl_leaf", x=7)
    if caller(from_dtor) is not None or it.output(from_dtor) != 71:
        raise AssertionError("%s: caller %r, expected null (a tail call from code ld.so ran)"
                             % (it.describe(from_dtor), caller(from_dtor)))

    for r in recs.calls():
        c = caller(r) or ""
        if "libimpulse" in c or "ld-linux" in c:
            raise AssertionError("%s names %s as its caller" % (it.describe(r), c))
    if len(recs.calls()) != 4:
        raise AssertionError("records: %s" % [it.describe(r) for r in recs.calls()])


def tests():
    return [("callers_%s_%s" % (v, how), (lambda v=v, how=how: check(v, how)))
            for v in VARIANTS for how in ("path", "bare", "origin")]
