"""The manual page (doc/impulse.1): groff formats it without a warning, it has a
section for every subcommand `impulse --help` lists, and each subcommand's long
options appear in it."""

import os
import re
import subprocess

import impulse_test as it

MAN = os.path.join(it.REPO, "doc", "impulse.1")
TOOL = os.path.join(it.BUILD, "impulse")


def _subcommands():
    out = subprocess.run([TOOL, "--help"], capture_output=True, timeout=30, check=True).stdout.decode()
    body = out.split("commands:", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in body.splitlines() if line.strip()]


def test_groff_clean():
    p = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True, timeout=60)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("groff -man -ww: status %d\n%s" % (p.returncode, p.stderr.decode()))
    text = subprocess.run(["groff", "-man", "-Tutf8", MAN], capture_output=True, timeout=60,
                          check=True).stdout.decode()
    for part in ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"):
        if not re.search(r"^(\x1b\[[0-9;]*m|.\x08)*" + part[0], text, re.M) or part not in re.sub(r".\x08", "", text):
            raise AssertionError("the formatted page has no %s section" % part)


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
