"""The manual pages and doc/ say the same thing: every setting the configuration
accepts (the setters table of config/settings.c) and every IMPULSE_* variable
libimpulse reads (the string literals in preload/ and config/) is documented in both
doc/hooks.conf.5 and doc/hooks.conf.md; every subcommand `impulse --help` lists has a
section in both doc/impulse.1 and doc/impulse.md; and the "Defaults" block, written
as `key = value` lines in both pages, is the same in both and is what libimpulse
really does when a setting is absent (cfgdump of the block equals cfgdump of an
empty configuration). A new setting or variable fails here until both pages have it.
"""

import glob
import os
import re
import subprocess
import tempfile

import impulse_test as it

DOC = os.path.join(it.REPO, "doc")
MAN5 = os.path.join(DOC, "hooks.conf.5")
MD5 = os.path.join(DOC, "hooks.conf.md")
MAN1 = os.path.join(DOC, "impulse.1")
MD1 = os.path.join(DOC, "impulse.md")
TOOL = os.path.join(it.BUILD, "impulse")
CFGDUMP = os.path.join(it.BUILD, "tests", "cfgdump")


def _read(path):
    with open(path) as f:
        return f.read()


def _man_text(path):
    """The page's source with groff's escapes for '-' and '"' undone."""
    return _read(path).replace("\\-", "-").replace("\\(dq", '"')


def _setting_keys():
    src = _read(os.path.join(it.REPO, "config", "settings.c"))
    keys = re.findall(r'\{\s*"([a-z_]+)",\s*set_[a-z_]+\s*\}', src)
    if len(keys) < 20:
        raise AssertionError("config/settings.c's setters table gave only %s" % keys)
    return keys


def _env_vars():
    names = set()
    for part in ("preload", "config"):
        for path in glob.glob(os.path.join(it.REPO, part, "**", "*.[ch]"), recursive=True):
            names.update(re.findall(r'"(IMPULSE_[A-Z_]+)"', _read(path)))
    if len(names) < 20:
        raise AssertionError("preload/ and config/ read only %s" % sorted(names))
    return sorted(names)


def _defaults(text, where):
    """The `key = value` lines of the page's Defaults block, comments cut."""
    if where.endswith(".5"):
        body = text.split(".SS Defaults", 1)[1].split(".nf\n", 1)[1].split("\n.fi", 1)[0]
    else:
        body = text.split("## Settings and their defaults\n", 1)[1].split("\n#", 1)[0]
        body = "\n".join(l[4:] for l in body.splitlines() if l.startswith("    "))
    out = {}
    for line in body.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("."):
            continue
        key, _, value = line.partition("=")
        if not _:
            raise AssertionError("%s: Defaults line '%s' is not 'key = value'" % (where, line))
        out[key.strip()] = value.strip()
    if not out:
        raise AssertionError("%s has no Defaults block" % where)
    return out


def test_every_setting_in_both_pages():
    man, md = _man_text(MAN5), _read(MD5)
    for key in _setting_keys():
        if not re.search(r"^\.B %s$" % key, man, re.M):
            raise AssertionError("doc/hooks.conf.5 has no '.TP/.B %s' entry under SETTINGS" % key)
        if not re.search(r"^ +%s = " % key, md, re.M):
            raise AssertionError("doc/hooks.conf.md's [tracer] example does not show '%s = …'" % key)


def test_every_environment_variable_in_both_pages():
    man = _man_text(MAN5).split("\n.SH ENVIRONMENT", 1)[1].split("\n.SH ", 1)[0]
    md = _read(MD5)
    for name in _env_vars():
        if not re.search(r"\b%s\b" % name, man):
            raise AssertionError("libimpulse reads %s; hooks.conf(5)'s ENVIRONMENT does not say it" % name)
        if not re.search(r"^\|.*`%s`" % name, md, re.M):
            raise AssertionError("libimpulse reads %s; doc/hooks.conf.md's variable table does not say it"
                                 % name)


def test_every_subcommand_in_both_pages():
    out = subprocess.run([TOOL, "--help"], capture_output=True, timeout=30, check=True).stdout.decode()
    body = out.split("commands:", 1)[1].split("\n\n", 1)[0]
    cmds = [line.split()[0] for line in body.splitlines() if line.strip()]
    if len(cmds) < 7:
        raise AssertionError("impulse --help lists only %s" % cmds)
    man, md = _man_text(MAN1), _read(MD1)
    for cmd in cmds:
        if not re.search(r'^\.SS "impulse %s\b' % cmd, man, re.M):
            raise AssertionError("doc/impulse.1 has no section for 'impulse %s'" % cmd)
        if not re.search(r"^##+ .*`impulse %s`" % cmd, md, re.M):
            raise AssertionError("doc/impulse.md has no heading for `impulse %s`" % cmd)


def test_defaults_agree_and_are_real():
    man = _defaults(_man_text(MAN5), MAN5)
    md = _defaults(_read(MD5), MD5)
    if man != md:
        raise AssertionError("the Defaults blocks differ: hooks.conf.5 %s, hooks.conf.md %s"
                             % (sorted(set(man.items()) ^ set(md.items())), ""))
    unknown = set(man) - set(_setting_keys())
    if unknown:
        raise AssertionError("the Defaults block names settings that do not exist: %s" % sorted(unknown))
    if not os.path.exists(CFGDUMP):
        it.skip("%s is not built (make tests-build)" % CFGDUMP)
    tmp = tempfile.mkdtemp(prefix="impulse-defaults-")
    try:
        def dump(text):
            path = os.path.join(tmp, "hooks.conf")
            with open(path, "w") as f:
                f.write(text)
            p = subprocess.run([CFGDUMP, path], capture_output=True, timeout=30)
            if p.returncode != 0:
                raise AssertionError("cfgdump refused:\n%s\n%s" % (text, p.stdout.decode() + p.stderr.decode()))
            return p.stdout.decode()
        block = "[tracer]\n" + "".join("%s = %s\n" % kv for kv in man.items())
        # logger = mongo makes cfgdump show the mongo_* values too, in both dumps.
        for extra in ("", "[tracer]\nlogger = mongo\n"):
            with_block = dump(block + extra)
            empty = dump(extra)
            if with_block != empty:
                raise AssertionError("the documented defaults are not libimpulse's:\n--- documented\n%s"
                                     "--- real\n%s" % (with_block, empty))
        # and every default cfgdump shows is written in the block
        for line in dump("[tracer]\nlogger = mongo\n").splitlines():
            key, sep, value = line.partition(" = ")
            if sep and key in _setting_keys() and value != "(null)" and key != "logger" and key not in man:
                raise AssertionError("the Defaults block does not give %s (default %s)" % (key, value))
    finally:
        subprocess.run(["rm", "-rf", tmp], check=False)
