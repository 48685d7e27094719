"""The layout's rules, checked from the source and from the objects.

preload/ and tools/ are cut into parts, one folder each; a part's README.md says
what it owns and, on its "May use:" line, which other parts it may use.
doc/layout.md draws the same arrows in a table. These tests fail when

- a file includes a header of a part its own part may not use, or another part's
  *_internal.h, or a part's header by its bare name (it must say "part/name.h");
- an object calls or reads a symbol defined by a part its own part may not use
  (the objects of the build: what the compiler really linked, not what the
  includes suggest);
- the arrows of the parts' READMEs and doc/layout.md's table differ, or an arrow
  closes a circle between parts.

Headers of preload/arch/<machine>/ are included by bare name ("arch.h") so that a
port swaps the folder; config/ is a library every part may use.
"""

import os
import re
import subprocess

import impulse_test as it

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOTS = ("preload", "tools")
SOURCE = re.compile(r"\.(c|h|S)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
MAY_USE = re.compile(r"^May use:\s*(.*)$", re.M)
CALLS_UP = re.compile(r"^Calls up by name:\s*(.*)$", re.M)


def parts_of(root):
    """{part: set of parts it may use} from <root>/<part>/README.md."""
    base = os.path.join(ROOT, root)
    parts = {}
    for name in sorted(os.listdir(base)):
        readme = os.path.join(base, name, "README.md")
        if not os.path.isfile(readme):
            continue
        with open(readme) as f:
            m = MAY_USE.search(f.read())
        if not m:
            raise AssertionError("%s has no 'May use:' line" % os.path.relpath(readme, ROOT))
        uses = {u.strip() for u in m.group(1).split(",") if u.strip()}
        uses.discard("nothing")
        parts[name] = uses
    return parts


def calls_up(root, part):
    """The symbols a part's README lets it call up by name (arch's entry stubs)."""
    readme = os.path.join(ROOT, root, part, "README.md")
    with open(readme) as f:
        m = CALLS_UP.search(f.read())
    return {s.strip() for s in m.group(1).split(",") if s.strip()} if m else set()


def files_of(root, part):
    for dirpath, _, names in os.walk(os.path.join(ROOT, root, part)):
        for n in sorted(names):
            if SOURCE.search(n):
                yield os.path.join(dirpath, n)


def bare_headers(root, parts):
    """{header name: part} for the headers of every part but arch."""
    found = {}
    for part in parts:
        if part == "arch":
            continue
        for path in files_of(root, part):
            if path.endswith(".h"):
                found[os.path.basename(path)] = part
    return found


def arch_headers(root):
    names = set()
    for path in files_of(root, "arch"):
        if path.endswith(".h"):
            names.add(os.path.basename(path))
    return names


def include_violations(root):
    parts = parts_of(root)
    if not parts:
        return []
    bare = bare_headers(root, parts)
    arch = arch_headers(root) if "arch" in parts else set()
    bad = []
    for part in parts:
        for path in files_of(root, part):
            rel = os.path.relpath(path, ROOT)
            with open(path) as f:
                text = f.read()
            for name in INCLUDE.findall(text):
                first = name.split("/")[0]
                if "/" in name and first in parts:
                    target = first
                elif name in arch:
                    target = "arch"
                elif name in bare and os.path.dirname(path) != os.path.join(ROOT, root, bare[name]):
                    bad.append('%s includes "%s" by its bare name: write "%s/%s"'
                               % (rel, name, bare[name], name))
                    continue
                elif name in bare:
                    bad.append('%s includes "%s": write "%s/%s"' % (rel, name, bare[name], name))
                    continue
                else:
                    continue	# config/, include/, tests' own headers: libraries
                if target == part:
                    continue
                if target not in parts[part]:
                    bad.append("%s (%s) includes %s: %s may not use %s (may use: %s)"
                               % (rel, part, name, part, target,
                                  ", ".join(sorted(parts[part])) or "nothing"))
                elif name.endswith("_internal.h"):
                    bad.append("%s includes %s, internal to %s" % (rel, name, target))
    return bad


def test_preload_includes():
    bad = include_violations("preload")
    if bad:
        raise AssertionError("includes across parts that preload/*/README.md does not allow:\n  "
                             + "\n  ".join(bad))


def test_tools_includes():
    if not parts_of("tools"):
        it.skip("tools/ has no parts with a README.md yet")
    bad = include_violations("tools")
    if bad:
        raise AssertionError("includes across parts that tools/*/README.md does not allow:\n  "
                             + "\n  ".join(bad))


def nm(path, *flags):
    out = subprocess.run(["nm", *flags, path], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2:
            rows.append((f[-2], f[-1]))
    return rows


def symbol_violations(root):
    parts = parts_of(root)
    build = os.environ.get("IMPULSE_BUILD", os.path.join(ROOT, "build"))
    objs = {}
    for part in parts:
        d = os.path.join(build, root, part)
        found = []
        for dirpath, _, names in os.walk(d):
            found += [os.path.join(dirpath, n) for n in sorted(names) if n.endswith(".o")]
        # Only objects whose source still exists (a build dir can keep old ones).
        objs[part] = [o for o in found
                      if any(os.path.exists(os.path.join(ROOT, os.path.relpath(o, build))[:-2] + ext)
                             for ext in (".c", ".S"))]
    if not any(objs.values()):
        it.skip("no objects under %s/%s: build first (make all)" % (build, root))
    owner = {}
    for part, paths in objs.items():
        for o in paths:
            for kind, sym in nm(o, "--defined-only", "-g"):
                owner.setdefault(sym, (part, os.path.relpath(o, build)))
    bad = []
    for part, paths in objs.items():
        up = calls_up(root, part)
        for o in paths:
            for kind, sym in nm(o, "-u"):
                if sym not in owner or sym in up:
                    continue	# libc, Jansson, config/; an entry point called by name
                target, where = owner[sym]
                if target != part and target not in parts[part]:
                    bad.append("%s (%s) uses %s from %s: %s may not use %s"
                               % (os.path.relpath(o, build), part, sym, where, part, target))
    return bad


def test_preload_symbols():
    bad = symbol_violations("preload")
    if bad:
        raise AssertionError("symbols used across parts that preload/*/README.md does not allow:\n  "
                             + "\n  ".join(bad))


def test_tools_symbols():
    if not parts_of("tools"):
        it.skip("tools/ has no parts with a README.md yet")
    bad = symbol_violations("tools")
    if bad:
        raise AssertionError("symbols used across parts that tools/*/README.md does not allow:\n  "
                             + "\n  ".join(bad))


def circle(parts):
    """A list of parts that reach each other through their arrows, or None."""
    state = {}
    stack = []

    def visit(p):
        state[p] = 1
        stack.append(p)
        for q in sorted(parts.get(p, ())):
            if q not in parts:
                continue
            if state.get(q) == 1:
                return stack[stack.index(q):] + [q]
            if q not in state:
                found = visit(q)
                if found:
                    return found
        stack.pop()
        state[p] = 2
        return None

    for p in sorted(parts):
        if p not in state:
            found = visit(p)
            if found:
                return found
    return None


def test_no_circle_of_parts():
    for root in ROOTS:
        parts = parts_of(root)
        unknown = {(p, u) for p, uses in parts.items() for u in uses if u not in parts}
        if unknown:
            raise AssertionError("%s: 'May use:' names parts that do not exist: %r" % (root, sorted(unknown)))
        found = circle(parts)
        if found:
            raise AssertionError("%s: the parts' arrows close a circle: %s" % (root, " -> ".join(found)))


TABLE_ROW = re.compile(r"^\|\s*`([a-z_0-9]+)/([a-z_0-9]+)/`\s*\|\s*([^|]*)\|", re.M)


def test_layout_page_agrees():
    """doc/layout.md's table of arrows is the READMEs' arrows, part for part."""
    with open(os.path.join(ROOT, "doc", "layout.md")) as f:
        page = f.read()
    drawn = {}
    for root, part, uses in TABLE_ROW.findall(page):
        u = {x.strip().strip("`").rstrip("/") for x in uses.split(",") if x.strip()}
        u.discard("nothing")
        drawn[(root, part)] = u
    want = {(root, p): uses for root in ROOTS for p, uses in parts_of(root).items()}
    if drawn != want:
        lines = []
        for key in sorted(set(drawn) | set(want)):
            if drawn.get(key) != want.get(key):
                lines.append("%s/%s/: doc/layout.md says %s, its README.md says %s"
                             % (key[0], key[1], sorted(drawn.get(key, [])) if key in drawn else "nothing (no row)",
                                sorted(want.get(key, [])) if key in want else "nothing (no README)"))
        raise AssertionError("doc/layout.md and the parts' READMEs disagree:\n  " + "\n  ".join(lines))


def test_libimpulse_links_libc_and_jansson_only():
    """libmongoc and libbson are opened with dlopen by the Mongo logger when it starts:
    a program traced to files loads neither (preload/logger/mongoc_api.c)."""
    build = os.environ.get("IMPULSE_BUILD", os.path.join(ROOT, "build"))
    so = os.path.join(build, "libimpulse.so")
    if not os.path.exists(so):
        it.skip("%s is not built" % so)
    out = subprocess.run(["readelf", "-d", so], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    allowed = re.compile(r"^(libc\.so\.6|libjansson\.so\.4|ld-linux-x86-64\.so\.2|"
                         r"lib(asan|ubsan|tsan)\.so\.\d+|libstdc\+\+\.so\.6|libm\.so\.6|libgcc_s\.so\.1)$")
    extra = [n for n in needed if not allowed.match(n)]
    if extra or "libjansson.so.4" not in needed or "libc.so.6" not in needed:
        raise AssertionError("libimpulse.so needs %s; only libc and Jansson (and a sanitizer's "
                             "runtime in a SAN build) are allowed" % needed)
