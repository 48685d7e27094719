"""Every refusal of a configuration file says why (issue 12, point 13): a directory
and a file over 16 MiB were "Input/output error". libimpulse (the program then runs
untraced, its output and status unchanged), `impulse check` (status 2) and the tools
reading settings (`impulse stats -c`) give the reason. A file of exactly 16 MiB is
read (its blank lines parse in linear time: this test would time out otherwise)."""

import os
import shutil
import subprocess
import tempfile

import impulse_test as it

IMPULSE = os.path.join(it.BUILD, "impulse")
LIMIT = 16 << 20


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_")}
    env["LC_ALL"] = "C"
    return env


def _said_by_libimpulse(conf, workdir):
    """What libimpulse said about conf, running /bin/true under it: stderr, plus any
    diagnostics file it left beside the records."""
    argv = ["/bin/true"]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, "", env={"IMPULSE_CONFIG": conf})
    try:
        it.assert_same_behaviour(run_, untraced)
        # said in the .diag file beside the records (never on the program's stderr,
        # which assert_same_behaviour compared with the untraced run's)
        said = "\n".join(run_.diagnostics())
        if run_.records:
            raise AssertionError("a refused configuration wrote %d records" % len(run_.records))
        return said
    finally:
        run_.cleanup()


def _check_refused(conf, reason):
    said = _said_by_libimpulse(conf, os.path.dirname(conf))
    if reason not in said or "Input/output error" in said:
        raise AssertionError("libimpulse said %r, expected the reason %r" % (said, reason))
    p = subprocess.run([IMPULSE, "check", "-c", conf, "/bin/true"], capture_output=True,
                       env=_env(), timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 2 or reason not in err or "Input/output error" in err:
        raise AssertionError("impulse check: status %d, stderr %r; expected 2 and %r"
                             % (p.returncode, err, reason))
    p = subprocess.run([IMPULSE, "stats", "-c", conf], capture_output=True, env=_env(),
                       cwd=os.path.dirname(conf), timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    if reason not in err:
        raise AssertionError("impulse stats -c: stderr %r; expected %r" % (err, reason))


def test_config_is_a_directory():
    d = tempfile.mkdtemp(prefix="impulse-cfgdir-")
    try:
        conf = os.path.join(d, "hooks.conf")
        os.mkdir(conf)
        _check_refused(conf, "hooks.conf: is a directory, not a regular file: refused")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_config_over_16_mib():
    d = tempfile.mkdtemp(prefix="impulse-cfgbig-")
    try:
        conf = os.path.join(d, "hooks.conf")
        with open(conf, "w") as f:
            f.write("\n" * (LIMIT + 1))
        _check_refused(conf, "hooks.conf: larger than the 16 MiB a configuration file may have")
        # One byte less is read, and found to declare nothing.
        with open(conf, "w") as f:
            f.write("\n" * LIMIT)
        p = subprocess.run([IMPULSE, "check", "-c", conf, "/bin/true"], capture_output=True,
                           env=_env(), timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != 2 or "declares no hooks" not in err:
            raise AssertionError("16 MiB of blank lines: status %d, stderr %r"
                                 % (p.returncode, err))
    finally:
        shutil.rmtree(d, ignore_errors=True)
