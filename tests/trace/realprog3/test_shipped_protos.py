"""The shipped prototype files (config/protos/*.conf) parse, alone and all together
(as cfg_resolve loads them), and their struct declarations reproduce this machine's
layouts: a C program built here prints sizeof and offsetof of each struct glibc
defines, and cfgdump's view of the same declarations must agree field by field.
"""

import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

PROTO_DIR = os.path.join(it.REPO, "config", "protos")
CFGDUMP = os.path.join(it.BUILD, "tests", "cfgdump")

# struct name -> (C header, fields compared; padding fields of ours are skipped).
STRUCTS = {
    "timespec": ("time.h", ["tv_sec", "tv_nsec"]),
    "timeval": ("sys/time.h", ["tv_sec", "tv_usec"]),
    "stat": ("sys/stat.h", ["st_dev", "st_ino", "st_nlink", "st_mode", "st_uid", "st_gid",
                            "st_rdev", "st_size", "st_blksize", "st_blocks", "st_atim",
                            "st_mtim", "st_ctim", "__glibc_reserved"]),
    "dirent": ("dirent.h", ["d_ino", "d_off", "d_reclen", "d_type", "d_name"]),
    "tm": ("time.h", ["tm_sec", "tm_min", "tm_hour", "tm_mday", "tm_mon", "tm_year",
                      "tm_wday", "tm_yday", "tm_isdst", "tm_gmtoff", "tm_zone"]),
    "flock": ("fcntl.h", ["l_type", "l_whence", "l_start", "l_len", "l_pid"]),
    "sigaction": ("signal.h", ["sa_handler", "sa_mask", "sa_flags", "sa_restorer"]),
    "sockaddr": ("sys/socket.h", ["sa_family", "sa_data"]),
    "addrinfo": ("netdb.h", ["ai_flags", "ai_family", "ai_socktype", "ai_protocol",
                             "ai_addrlen", "ai_addr", "ai_canonname", "ai_next"]),
    "pollfd": ("poll.h", ["fd", "events", "revents"]),
    "epoll_event": ("sys/epoll.h", ["events", "data"]),
}


def cfgdump(text, name="hooks.conf"):
    if not os.access(CFGDUMP, os.X_OK):
        raise AssertionError("%s is not built (make %s)" % (CFGDUMP, CFGDUMP))
    tmp = tempfile.mkdtemp(prefix="impulse-protos-")
    try:
        with open(os.path.join(tmp, name), "w") as f:
            f.write(text)
        env = dict(os.environ, IMPULSE_PROTO_DIR=PROTO_DIR)
        r = subprocess.run([CFGDUMP, name], cwd=tmp, env=env, capture_output=True, text=True,
                           timeout=60)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if r.returncode != 0:
        raise AssertionError("cfgdump failed (%d) on:\n%s\n%s%s" % (r.returncode, text, r.stdout,
                                                                   r.stderr))
    return r.stdout


def shipped():
    return sorted(n[:-5] for n in os.listdir(PROTO_DIR) if n.endswith(".conf"))


def tests():
    out = []
    for name in shipped():
        out.append(("parses_%s" % name, lambda n=name: cfgdump("include <%s>\n" % n)))
    return out


def test_all_together():
    text = "".join("include <%s>\n" % n for n in shipped())
    dump = cfgdump(text)
    if "struct stat" not in dump:
        raise AssertionError("cfgdump shows no struct stat:\n%s" % dump[:2000])


def machine_layouts():
    """{struct: (size, {field: offset})} as gcc sees glibc's headers here."""
    headers = sorted({h for h, _ in STRUCTS.values()})
    src = ["#define _GNU_SOURCE", "#include <stdio.h>", "#include <stddef.h>"]
    src += ["#include <%s>" % h for h in headers]
    src.append("int main(void) {")
    for s, (_, fields) in STRUCTS.items():
        src.append('printf("struct %s size %%zu\\n", sizeof(struct %s));' % (s, s))
        for f in fields:
            src.append('printf("field %s %s %%zu\\n", offsetof(struct %s, %s));' % (s, f, s, f))
    src.append("return 0; }")
    tmp = tempfile.mkdtemp(prefix="impulse-layout-")
    try:
        c = os.path.join(tmp, "layout.c")
        exe = os.path.join(tmp, "layout")
        with open(c, "w") as f:
            f.write("\n".join(src) + "\n")
        subprocess.run(["gcc", "-o", exe, c], check=True, capture_output=True)
        text = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = {}
    for line in text.splitlines():
        w = line.split()
        if w[0] == "struct":
            out[w[1]] = (int(w[3]), {})
        else:
            out[w[1]][1][w[2]] = int(w[3])
    return out


def dumped_layouts(dump):
    """{struct: (size, {field: offset})} from cfgdump's "struct NAME size N" and
    "  field NAME +OFF" lines."""
    out = {}
    cur = None
    for line in dump.splitlines():
        m = re.match(r"^struct (\w+) size (\d+)", line)
        if m:
            cur = m.group(1)
            out[cur] = (int(m.group(2)), {})
            continue
        m = re.match(r"^  field (\w+) \+(\d+)", line)
        if m and cur:
            out[cur][1][m.group(1)] = int(m.group(2))
        elif not line.startswith("  "):
            cur = None
    return out


def test_struct_layouts_match_glibc():
    want = machine_layouts()
    got = dumped_layouts(cfgdump("include <libc>\n"))
    for s, (size, fields) in want.items():
        if s not in got:
            raise AssertionError("libc.conf declares no struct %s (declared: %s)"
                                 % (s, sorted(got)))
        gsize, gfields = got[s]
        if gsize != size:
            raise AssertionError("struct %s: libc.conf size %d, glibc %d" % (s, gsize, size))
        for f, off in fields.items():
            if gfields.get(f) != off:
                raise AssertionError("struct %s.%s: libc.conf offset %r, glibc %d"
                                     % (s, f, gfields.get(f), off))


# file -> (headers, whether its names are enum constants, not macros)
ENUM_SOURCES = {
    "libc": (["fcntl.h", "unistd.h", "signal.h", "dirent.h", "time.h", "sys/mman.h",
              "sys/wait.h", "sys/socket.h", "netinet/in.h", "netdb.h", "poll.h",
              "sys/epoll.h"], False),
    "sqlite3": (["sqlite3.h"], False),
    "openssl": (["openssl/ssl.h"], False),
    "curl": (["curl/curl.h"], True),
}


def dumped_enumerators(dump):
    """[(name, value)] of every enumerator in cfgdump's "enum/flags NAME" blocks."""
    out = []
    inside = False
    for line in dump.splitlines():
        if re.match(r"^(enum|flags) \w+ @", line):
            inside = True
            continue
        m = re.match(r"^  (\w+) = (-?\d+)", line)
        if inside and m:
            out.append((m.group(1), int(m.group(2))))
        elif not line.startswith("  "):
            inside = False
    return out


def header_values(headers, names, constants):
    """{name: value} for the names the headers define (macros, or every name when
    they are enum constants); None when a header is not installed."""
    src = ["#define _GNU_SOURCE", "#define CURL_DISABLE_DEPRECATION", "#include <stdio.h>"]
    src += ["#include <%s>" % h for h in headers]
    src.append("int main(void) {")
    for n in names:
        line = 'printf("%s %%lld\\n", (long long)(%s));' % (n, n)
        src.append(line if constants else "#ifdef %s\n%s\n#endif" % (n, line))
    src.append("return 0; }")
    tmp = tempfile.mkdtemp(prefix="impulse-enums-")
    try:
        c = os.path.join(tmp, "enums.c")
        exe = os.path.join(tmp, "enums")
        with open(c, "w") as f:
            f.write("\n".join(src) + "\n")
        r = subprocess.run(["gcc", "-o", exe, c], capture_output=True, text=True)
        if r.returncode != 0:
            if "No such file or directory" in r.stderr and "#include" in r.stderr:
                return None
            raise AssertionError("the header check does not build:\n%s" % r.stderr[-3000:])
        text = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {w[0]: int(w[1]) for w in (line.split() for line in text.splitlines())}


def check_enum_values(name):
    headers, constants = ENUM_SOURCES[name]
    ours = dumped_enumerators(cfgdump("include <%s>\n" % name))
    if not ours:
        raise AssertionError("%s.conf: no enumerators seen in cfgdump's output" % name)
    theirs = header_values(headers, [n for n, _ in ours], constants)
    if theirs is None:
        print("%s: headers %s not installed here; values not checked" % (name, headers))
        return
    wrong = ["%s = %d (header: %d)" % (n, v, theirs[n]) for n, v in ours
             if n in theirs and theirs[n] != v]
    if wrong:
        raise AssertionError("%s.conf values differ from the headers: %s" % (name, wrong))
    print("%s: %d of %d enumerators checked against %s" % (name, sum(n in theirs for n, _ in ours),
                                                         len(ours), headers))


def test_enum_values_libc():
    check_enum_values("libc")


def test_enum_values_sqlite3():
    check_enum_values("sqlite3")


def test_enum_values_openssl():
    check_enum_values("openssl")


def test_enum_values_curl():
    check_enum_values("curl")


def test_realprog3_bare_names_resolve():
    """Every bare name of this folder's hooks.conf files gets a shipped prototype."""
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if not name.endswith("_hooks.conf"):
            continue
        with open(os.path.join(here, name)) as f:
            dump = cfgdump(f.read(), name)
        hooks = re.findall(r"^hook (\w+) @", dump, re.M)
        if not hooks or "no prototype" in dump:
            raise AssertionError("%s: hooks %s, some without a prototype:\n%s"
                                 % (name, hooks, dump[:3000]))
