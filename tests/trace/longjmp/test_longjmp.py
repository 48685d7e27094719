"""Hooked calls left by longjmp and siglongjmp (out of one and of three nested calls,
from a callback and from a signal handler): the program behaves the same, every
abandoned call is recorded "unwound" with no exception, the calls made inside them
before the jump are their children, and the calls after it nest as if they had
returned; the tree stays consistent (check_run: every parent exists, children lists
agree with parents)."""

import impulse_test as it
from impulse_test import args, call_id, child_ids, parent_ids

CASE = "longjmp"
VARIANTS = ("def", "O0", "now")
LOOPS = 1000


def status(rec):
    return rec["payload"]["status"]


def check(variant):
    argv = [it.program(CASE, "longjmp_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    rid = call_id(recs.root())
    counts = dict(recs.counts())
    want = {"jmp_call": 13 + LOOPS, "jmp_leaf": 10 + LOOPS}
    if counts != want:
        raise AssertionError("counts %s, expected %s" % (counts, want))

    # 1. Abandoned to main.
    left = recs.one("jmp_call", x=5)
    if status(left) != "unwound":
        raise AssertionError("jmp_call(5) left by longjmp: status %r, expected \"unwound\""
                             % status(left))
    inner = recs.one("jmp_leaf", x=5)
    if parent_ids(inner) != [rid, call_id(left)] or status(inner) != "success":
        raise AssertionError("jmp_leaf(5) inside the abandoned call: %s parents %s"
                             % (it.describe(inner), parent_ids(inner)))
    for x in (1, 7):
        leaf = recs.one("jmp_leaf", x=x)
        if parent_ids(leaf) != [rid] or status(leaf) != "success":
            raise AssertionError("jmp_leaf(%d) after longjmp: parents %s (expected only the "
                                 "root), status %s" % (x, parent_ids(leaf), status(leaf)))
        it.assert_value(2 * x, it.output(leaf), "jmp_leaf(%d)" % x)
    call2 = recs.one("jmp_call", x=2)
    leaf2 = recs.one("jmp_leaf", x=2)
    if parent_ids(call2) != [rid] or status(call2) != "success":
        raise AssertionError("jmp_call(2): %s parents %s" % (it.describe(call2), parent_ids(call2)))
    if parent_ids(leaf2) != [rid, call_id(call2)] or child_ids(call2) != [call_id(leaf2)]:
        raise AssertionError("jmp_leaf(2) should be jmp_call(2)'s only child")
    it.assert_value(5, it.output(call2), "jmp_call(2)")

    # 2. An inner call abandoned to a setjmp inside an outer hooked call.
    outer = recs.one("jmp_call", x=3)
    inner4 = recs.one("jmp_call", x=4)
    leaf30 = recs.one("jmp_leaf", x=30)
    if status(outer) != "success" or parent_ids(outer) != [rid]:
        raise AssertionError("outer jmp_call(3): %s parents %s"
                             % (it.describe(outer), parent_ids(outer)))
    it.assert_value(64, it.output(outer), "jmp_call(3)")
    if status(inner4) != "unwound" or parent_ids(inner4) != [rid, call_id(outer)]:
        raise AssertionError("inner jmp_call(4): status %r parents %s; expected unwound, "
                             "[root, jmp_call(3)]" % (status(inner4), parent_ids(inner4)))
    if parent_ids(leaf30) != [rid, call_id(outer)]:
        raise AssertionError("jmp_leaf(30), after the inner longjmp: parents %s, expected "
                             "[root, jmp_call(3)]" % parent_ids(leaf30))
    if call_id(leaf30) not in child_ids(outer):
        raise AssertionError("jmp_leaf(30) missing from jmp_call(3)'s children %s"
                             % child_ids(outer))

    # 3. Many abandoned calls: none stays on the stack.
    by_x = {}
    for r in recs.calls():
        by_x.setdefault((it.fn_name(r), args(r).get("x")), []).append(r)
    for i in range(LOOPS):
        cs, leaves = by_x.get(("jmp_call", 100 + i), []), by_x.get(("jmp_leaf", 100 + i), [])
        if len(cs) != 1 or len(leaves) != 1:
            raise AssertionError("loop %d: %d jmp_call and %d jmp_leaf records"
                                 % (i, len(cs), len(leaves)))
        c, leaf = cs[0], leaves[0]
        if status(c) != "unwound" or parent_ids(c) != [rid]:
            raise AssertionError("loop %d: %s parents %s" % (i, it.describe(c), parent_ids(c)))
        if parent_ids(leaf) != [rid, call_id(c)]:
            raise AssertionError("loop %d: jmp_leaf parents %s" % (i, parent_ids(leaf)))
    for rec in recs.calls():
        if args(rec).get("x") is None:
            raise AssertionError("%s: x not captured" % it.describe(rec))

    check_jumps_out(recs, rid)


# jumps_out(): (function, x): (status, output, parents below the root, children)
JUMPS_OUT = {
    ("jmp_call", 40): ("unwound", None, [], []),
    ("jmp_call", 50): ("unwound", None, [], [("jmp_call", 51)]),
    ("jmp_call", 51): ("unwound", None, [("jmp_call", 50)], [("jmp_call", 52)]),
    ("jmp_call", 52): ("unwound", None, [("jmp_call", 50), ("jmp_call", 51)], [("jmp_leaf", 53)]),
    ("jmp_leaf", 53): ("success", 106,
                       [("jmp_call", 50), ("jmp_call", 51), ("jmp_call", 52)], []),
    ("jmp_call", 60): ("unwound", None, [], [("jmp_call", 61)]),
    ("jmp_call", 61): ("unwound", None, [("jmp_call", 60)], [("jmp_call", 62)]),
    ("jmp_call", 62): ("unwound", None, [("jmp_call", 60), ("jmp_call", 61)], [("jmp_leaf", 63)]),
    ("jmp_leaf", 63): ("success", 126,
                       [("jmp_call", 60), ("jmp_call", 61), ("jmp_call", 62)], []),
    ("jmp_call", 70): ("unwound", None, [], [("jmp_leaf", 71)]),
    ("jmp_leaf", 71): ("success", 142, [("jmp_call", 70)], []),
    ("jmp_call", 80): ("success", 161, [], [("jmp_leaf", 80)]),
    ("jmp_leaf", 80): ("success", 160, [("jmp_call", 80)], []),
    ("jmp_leaf", 81): ("success", 162, [], []),
}


def check_jumps_out(recs, rid):
    def one(key):
        return recs.one(key[0], x=key[1])

    for key, (st, out, parents, children) in JUMPS_OUT.items():
        r = one(key)
        what = "%s(%d)" % key
        if (status(r), r["payload"]["exception"]) != (st, None):
            raise AssertionError("%s: status %r exception %r, expected %r, null"
                                 % (what, status(r), r["payload"]["exception"], st))
        it.assert_value(out, it.output(r), what + " output")
        want = [rid] + [call_id(one(k)) for k in parents]
        if parent_ids(r) != want:
            raise AssertionError("%s: parents %s, expected %s (%s)"
                                 % (what, parent_ids(r), want, parents))
        want = [call_id(one(k)) for k in children]
        if child_ids(r) != want:
            raise AssertionError("%s: children %s, expected %s (%s)"
                                 % (what, child_ids(r), want, children))


def _variant(v):
    return lambda: check(v)


LEAVES = {"return": 7, "exit": 4, "_exit": 5, "quick": 6}


def check_leave(how):
    """Issue 12 point 11: jmp_call, left by siglongjmp out of a SIGSEGV handler
    (its callback faulted) with no hooked call after it, ends "unwound" when the
    program then leaves by `how` (main's return, exit, _exit, quick_exit), with the
    same exit status and output as untraced."""
    argv = [it.program(CASE, "leave_main"), how]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if run_.returncode != LEAVES[how]:
        raise AssertionError("exit status %d, expected %d" % (run_.returncode, LEAVES[how]))
    if run_.stdout != ("back from the fault, leaving by %s\n" % how).encode():
        raise AssertionError("program output %r" % run_.stdout)
    left = recs.one("jmp_call", x=1)
    if status(left) != "unwound" or parent_ids(left) != [call_id(recs.root())]:
        raise AssertionError("jmp_call(1) left by siglongjmp, then %s: status %r, expected "
                             "\"unwound\"" % (how, status(left)))
    if dict(recs.counts()) != {"jmp_call": 1}:
        raise AssertionError("counts %s" % dict(recs.counts()))


def test_exit_inside_hooked_call_incomplete():
    """A hooked call whose callback calls exit(3) is still running when the process
    ends: "incomplete", not "unwound" (the exit call's stack pointer is below it)."""
    argv = [it.program(CASE, "leave_main"), "inside"]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if run_.returncode != 3 or run_.stdout != b"calling exit inside jmp_call\n":
        raise AssertionError("status %d, output %r" % (run_.returncode, run_.stdout))
    running = recs.one("jmp_call", x=1)
    if status(running) != "incomplete":
        raise AssertionError("jmp_call(1) calling exit: status %r, expected \"incomplete\""
                             % status(running))


def _leave(how):
    return lambda: check_leave(how)


def tests():
    return [("longjmp_" + v, _variant(v)) for v in VARIANTS] + \
        [("leave_after_siglongjmp_" + h, _leave(h)) for h in LEAVES]
