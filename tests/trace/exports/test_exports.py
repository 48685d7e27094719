"""The shared object exports impulse_* only, and is linked as STYLE.md says
(immediate binding, RELRO, no executable stack)."""

import subprocess

import impulse_test as it

API = {"impulse_log", "impulse_log_json", "impulse_logf", "impulse_set_session_id",
       "impulse_flush", "impulse_context_capture", "impulse_context_attach",
       "impulse_context_release"}


def test_exported_symbols():
    out = subprocess.run(["nm", "-D", "--defined-only", it.LIBIMPULSE], capture_output=True,
                         text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1].split("@")[0]
        if kind == "A":        # version-script nodes such as IMPULSE_0.1
            continue
        names.add(name)
    stray = sorted(n for n in names if not n.startswith("impulse_"))
    if stray:
        raise AssertionError("exported besides impulse_*: %s" % stray[:40])
    if not API <= names:
        raise AssertionError("the API is not exported: missing %s" % sorted(API - names))


def test_link_hardening():
    dyn = subprocess.run(["readelf", "-dW", it.LIBIMPULSE], capture_output=True, text=True,
                         check=True).stdout
    if "BIND_NOW" not in dyn and "NOW" not in dyn:
        raise AssertionError("libimpulse.so is not linked -z now")
    phdr = subprocess.run(["readelf", "-lW", it.LIBIMPULSE], capture_output=True, text=True,
                          check=True).stdout
    if "GNU_RELRO" not in phdr:
        raise AssertionError("libimpulse.so has no RELRO segment")
    for line in phdr.splitlines():
        if "GNU_STACK" in line and "RWE" in line:
            raise AssertionError("libimpulse.so asks for an executable stack")
    if "TEXTREL" in dyn:
        raise AssertionError("libimpulse.so has text relocations")
