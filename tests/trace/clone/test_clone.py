"""Children made without fork() (raw clone, clone(), _Fork, a syscall instruction),
none of which runs the pthread_atfork handlers: each makes many ring buffers' worth
of hooked calls (CHILD_CALLS with a 64K buffer). A child with a copy of our memory
is traced like a fork child (its own file, every call recorded); one libimpulse
cannot see start is left untraced; a CLONE_VM child's calls are counted under the
"raw clone" thread of its parent's root, never recorded into the parent's buffer.
Never a hang (the runs have a timeout), and the program behaves as untraced."""

import impulse_test as it

CASE = "clone"
CHILD_CALLS = 20000
PARENT_CALLS = 3000
TIMEOUT = 60


def _run(mode):
    argv = [it.program(CASE, "clone_main"), mode]
    untraced = it.run_untraced(argv, timeout=TIMEOUT)
    run = it.run_traced(argv, it.conf(CASE), timeout=TIMEOUT)
    it.assert_same_behaviour(run, untraced, what="%s: " % mode)
    if b"child status 74" not in untraced.stdout:
        raise AssertionError("%s: untraced run: %r" % (mode, untraced.stdout))
    return run


def _xs(recs):
    return [it.args(r)["x"] for r in recs.calls("cl_leaf")]


def _check_forklike(mode):
    run = _run(mode)
    try:
        recs, per = it.check_process_tree(run.records, 2)
        parent = [r for r in per.values() if _xs(r) == [-10, -20]]
        child = [r for r in per.values() if _xs(r) != [-10, -20]]
        if len(parent) != 1 or len(child) != 1:
            raise AssertionError("%s: images' calls %s" % (mode, [_xs(r)[:5] for r in per.values()]))
        parent, child = parent[0], child[0]
        got = _xs(child)
        if got != list(range(CHILD_CALLS)):
            raise AssertionError("%s: the child recorded %d calls (%s…), made %d"
                                 % (mode, len(got), got[:5], CHILD_CALLS))
        if any(it.output(r) != it.args(r)["x"] + 1 for r in child.calls("cl_leaf")):
            raise AssertionError("%s: a child record's output is wrong" % mode)
        for image in (parent, child):
            dropped = image.root()["payload"]["arguments"]["dropped"]
            if dropped["total"] != 0:
                raise AssertionError("%s: dropped %s" % (mode, dropped))
        # Cloned outside any hooked call: the child's root names the parent's root.
        # check_process_tree's images have their roots' links taken off: the originals.
        croot = [r for r in recs.roots() if it.module_of(r) == it.module_of(child.root())][0]
        proot = parent.root()
        if it.root_parent(croot) != (it.call_id(proot), it.fn_name(proot), it.module_of(proot)):
            raise AssertionError("%s: child root's parent %s" % (mode, it.root_parent(croot)))
        if croot["payload"]["output"] != 74:
            raise AssertionError("%s: child root output %r" % (mode, croot["payload"]["output"]))
    finally:
        run.cleanup()


def test_raw_syscall_clone():
    """syscall(SYS_clone, SIGCHLD, 0, ...): traced as a fork child, lossless."""
    _check_forklike("syscall")


def test_clone_fn():
    """clone(fn, stack, SIGCHLD, arg): the child runs fn on its own stack, traced,
    and ends when fn returns (libimpulse's logger thread must not keep it alive)."""
    _check_forklike("clone")


def test_Fork():
    """glibc's _Fork(), which runs no atfork handler."""
    _check_forklike("_Fork")


def test_inline_syscall_clone():
    """A clone made by a syscall instruction: libimpulse does not see the child
    start, and its first full buffer must not wait for a logger it does not have."""
    run = _run("inline")
    try:
        recs = it.Records(run.records)
        recs.check_all(exit_status=0)
        if _xs(recs) != [-10, -20]:
            raise AssertionError("inline: parent calls %s" % _xs(recs)[:10])
    finally:
        run.cleanup()


def _check_vm(mode, parent_calls):
    run = _run(mode)
    try:
        recs = it.Records(run.records)
        recs.check_all(exit_status=0)
        want = [-10] + [1000000 + i for i in range(parent_calls)] + [-20]
        if _xs(recs) != want:
            raise AssertionError("%s: parent recorded %d calls, made %d"
                                 % (mode, len(_xs(recs)), len(want)))
        dropped = recs.root()["payload"]["arguments"]["dropped"]
        want_drop = {"total": CHILD_CALLS, "threads": [
            {"thread_id": 0, "thread_name": "raw clone", "total": CHILD_CALLS,
             "hooks": {"cl_leaf": CHILD_CALLS}}]}
        if dropped != want_drop:
            raise AssertionError("%s: dropped %s" % (mode, dropped))
    finally:
        run.cleanup()


def test_clone_vm():
    """clone(fn, stack, CLONE_VM | SIGCHLD): the child shares our memory and the
    parent thread's thread-local data while the parent goes on calling; every child
    call counted, every parent call recorded."""
    _check_vm("vm", PARENT_CALLS)


def test_clone_vm_vfork():
    """CLONE_VM | CLONE_VFORK: the parent waits until the child ends."""
    _check_vm("vmvfork", 0)


def test_fork_and_raw_clone_race():
    """fork() on one thread and syscall(SYS_clone) on another, at once, 40 times
    each: each thread's prepare handler holds and lets go of the logger for its own
    fork (was one flag for the process), no hang, every parent call recorded."""
    run = _run_plain("race")
    try:
        recs = [r for r in run.records
                if r["payload"]["trace_module"]["thread_id"] != "root"
                and r["payload"]["process"]["pid"] == _main_pid(run)]
        got = sorted(it.args(r)["x"] for r in recs)
        want = sorted([-10, -20] + [2000 + i for i in range(40)] + [3000 + i for i in range(40)])
        if got != want:
            raise AssertionError("race: parent calls %s" % got[:20])
    finally:
        run.cleanup()


def _run_plain(mode):
    argv = [it.program(CASE, "clone_main"), mode]
    untraced = it.run_untraced(argv, timeout=TIMEOUT)
    run = it.run_traced(argv, it.conf(CASE), timeout=TIMEOUT)
    it.assert_same_behaviour(run, untraced, what="%s: " % mode)
    return run


def _main_pid(run):
    """The pid of the image whose root names no parent (the program itself)."""
    roots = [r for r in run.records if r["payload"]["trace_module"]["thread_id"] == "root"
             and not r["payload"]["stack_trace"]["parents"]]
    if len(roots) != 1:
        raise AssertionError("%d unlinked roots" % len(roots))
    return roots[0]["payload"]["process"]["pid"]
