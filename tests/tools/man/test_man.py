"""The manual pages (doc/impulse.1, doc/hooks.conf.5): groff formats each without a
warning and with its sections; impulse(1) has a section for every subcommand
`impulse --help` lists, and each subcommand's long options appear in it; `make
install` puts both where man(1) finds them. That the pages agree with doc/*.md is
test_settings_doc.py's job."""

import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

MAN = os.path.join(it.REPO, "doc", "impulse.1")
MAN5 = os.path.join(it.REPO, "doc", "hooks.conf.5")
TOOL = os.path.join(it.BUILD, "impulse")


def _subcommands():
    out = subprocess.run([TOOL, "--help"], capture_output=True, timeout=30, check=True).stdout.decode()
    body = out.split("commands:", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in body.splitlines() if line.strip()]


def _groff_clean(page, parts):
    p = subprocess.run(["groff", "-man", "-ww", "-z", page], capture_output=True, timeout=60)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("groff -man -ww %s: status %d\n%s" % (page, p.returncode, p.stderr.decode()))
    text = subprocess.run(["groff", "-man", "-Tutf8", page], capture_output=True, timeout=60,
                          check=True).stdout.decode()
    for part in parts:
        if not re.search(r"^(\x1b\[[0-9;]*m|.\x08)*" + part[0], text, re.M) or part not in re.sub(r".\x08", "", text):
            raise AssertionError("the formatted page %s has no %s section" % (page, part))


def test_groff_clean():
    _groff_clean(MAN, ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"))


def test_groff_clean_hooks_conf():
    _groff_clean(MAN5, ("NAME", "SYNOPSIS", "DESCRIPTION", "SETTINGS", "Defaults", "ENVIRONMENT", "FILES",
                        "EXAMPLES", "SEE ALSO"))


def test_install_puts_both_pages():
    if "libasan" in it._preload_value():
        it.skip("a sanitizer build's library needs its runtime preloaded first")
    dest = tempfile.mkdtemp(prefix="impulse-man-install-")
    try:
        subprocess.run(["make", "-s", "-C", it.REPO, "install", "DESTDIR=" + dest, "PREFIX=/opt/imp",
                        "BUILD=" + it.BUILD], check=True, capture_output=True, timeout=600)
        for rel, src in (("share/man/man1/impulse.1", MAN), ("share/man/man5/hooks.conf.5", MAN5)):
            path = os.path.join(dest, "opt", "imp", rel)
            if not os.path.isfile(path):
                raise AssertionError("make install did not install %s" % rel)
            with open(path, "rb") as a, open(src, "rb") as b:
                if a.read() != b.read():
                    raise AssertionError("make install's %s differs from %s" % (rel, src))
            if os.stat(path).st_mode & 0o777 != 0o644:
                raise AssertionError("%s is installed mode %o, not 644" % (rel, os.stat(path).st_mode & 0o777))
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def test_every_subcommand_documented():
    with open(MAN) as f:
        page = f.read().replace("\\-", "-")
    cmds = _subcommands()
    if len(cmds) < 7:
        raise AssertionError("impulse --help lists only %s" % cmds)
    for cmd in cmds:
        if not re.search(r'^\.SS "impulse %s\b' % cmd, page, re.M):
            raise AssertionError("doc/impulse.1 has no section for 'impulse %s'" % cmd)
        usage = subprocess.run([TOOL, cmd, "--help"], capture_output=True, timeout=30).stdout.decode()
        section = page.split('.SS "impulse %s' % cmd, 1)[1].split("\n.SS ", 1)[0].split("\n.SH ", 1)[0]
        for opt in sorted(set(re.findall(r"(--[a-z][a-z-]+)", usage.split("\n\n", 1)[0]))):
            if opt not in section:
                raise AssertionError("impulse %s --help shows %s, its man page section does not" % (cmd, opt))
