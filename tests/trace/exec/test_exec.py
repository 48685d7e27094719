"""exec: the replaced image's records, root included, are written before the exec;
the new image is traced into its own file."""

import glob
import json
import os

import impulse_test as it

CASE = "exec"


def check(how):
    prog = it.program(CASE, "exec_main")
    argv = [prog, how]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, it.conf(CASE), env={"IMPULSE_LOG_DIR": None})
    try:
        if (run_.proc.returncode, run_.proc.stdout) != (untraced.returncode, untraced.stdout):
            raise AssertionError("traced %r, untraced %r" % ((run_.proc.returncode, run_.proc.stdout),
                                                             (untraced.returncode, untraced.stdout)))
        files = sorted(glob.glob(os.path.join(run_.workdir, ".impulselogs", "logs_*.json")))
        images = []
        every = []
        for f in files:
            with open(f) as fh:
                recs = [json.loads(line) for line in fh]
            every += recs
            images.append(sorted((r["payload"]["function"]["name"], r["payload"]["arguments"].get("x"),
                                  r["payload"]["output"]) for r in recs))
        name = os.path.basename(prog)
        want = sorted([sorted([("ex_leaf", 1, 3), (name, None, None)]),
                       sorted([("ex_leaf", 2, 6), (name, None, 7)])])
        if sorted(images) != want:
            raise AssertionError("records per file %s, expected %s" % (images, want))
        # The second image's root names the first image's root (execl/execve ran in
        # main, outside any hooked call) and shares its trace id.
        _, per = it.check_process_tree(every, 2)
        roots = {r["payload"]["arguments"]["argv"][-1]: r for r in it.Records(every).roots()}
        first, second = roots[how], roots["second"]
        if it.root_parent(second) != (it.call_id(first), name, it.module_of(first)):
            raise AssertionError("second image's root parent %s, expected the first root %s"
                                 % (it.root_parent(second), it.call_id(first)))
        if it.root_parent(first) is not None:
            raise AssertionError("first image's root has a parent: %s" % (it.root_parent(first),))
    finally:
        run_.cleanup()


def tests():
    return [("exec_" + how, (lambda how=how: lambda: check(how))()) for how in ("execl", "execve")]
