"""make install: into a DESTDIR, the installed impulse finds the installed library
(../lib) and the shipped prototype files (../share/libimpulse/protos) on its own, and
traces the demo exactly as the build tree does; the manual page is there."""

import glob
import json
import os
import shutil
import subprocess
import tempfile

import impulse_test as it


def test_install_layout_runs():
    if "libasan" in it._preload_value():
        it.skip("a sanitizer build's library needs its runtime preloaded first")
    dest = tempfile.mkdtemp(prefix="impulse-install-")
    try:
        subprocess.run(["make", "-s", "-C", it.REPO, "install", "DESTDIR=" + dest, "PREFIX=/opt/imp",
                        "BUILD=" + it.BUILD], check=True, capture_output=True, timeout=600)
        root = os.path.join(dest, "opt", "imp")
        for rel in ("bin/impulse", "lib/libimpulse.so", "share/libimpulse/protos/libc.conf",
                    "include/impulse.h", "share/man/man1/impulse.1"):
            if not os.path.isfile(os.path.join(root, rel)):
                raise AssertionError("make install did not install %s" % rel)
        logs = os.path.join(dest, "logs")
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_") and k != "LD_PRELOAD"}
        demo = os.path.join(it.BUILD, "examples", "demo_app")
        p = subprocess.run([os.path.join(root, "bin", "impulse"), "run", "-c",
                            os.path.join(it.REPO, "examples", "hooks.conf"), "-o", logs, "--", demo],
                           env=env, cwd=dest, capture_output=True, timeout=60)
        untraced = subprocess.run([demo], cwd=dest, capture_output=True, timeout=60)
        if (p.returncode, p.stdout) != (untraced.returncode, untraced.stdout):
            raise AssertionError("installed impulse changed the demo: %s" % p.stderr.decode())
        recs = [json.loads(line) for f in glob.glob(os.path.join(logs, "logs_*.json")) for line in open(f)]
        lib = {r["payload"]["function"]["name"]: r for r in recs}
        if "pipeline_run" not in lib or "demo_app" not in lib:
            raise AssertionError("installed run recorded %s" % sorted(lib))
        # strlen is a bare name in examples/hooks.conf: its prototype comes from the
        # installed protos/libc.conf, so its argument is recorded by name.
        if lib["strlen"]["payload"]["function"]["args"] != ["s"]:
            raise AssertionError("strlen without its shipped prototype: %s" % lib["strlen"]["payload"]["function"])
    finally:
        shutil.rmtree(dest, ignore_errors=True)
