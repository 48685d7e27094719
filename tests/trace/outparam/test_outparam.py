"""Out-parameters of failed calls are not shown as filled (issue 12, point 10), in the
-O2 PIE and -O0 builds, with the shipped prototypes:

- fstatat on a missing path (ENOENT) and waitpid with no child (ECHILD) leave their
  [out] parameter untouched (the program pre-filled it with a pattern): the record
  shows {"not_filled": "0x…"}, never the pattern;
- a successful fstatat and waitpid: the record holds exactly what the program got;
- nanosleep's rem is [out=always] (filled on EINTR): after an EINVAL it is recorded
  as the memory holds it."""

import impulse_test as it

CASE = "outparam"
VARIANTS = ("def", "O0")


def out_lines(stdout):
    lines = {}
    for line in stdout.decode().splitlines():
        if line.startswith("OUT "):
            f = line.split()
            lines[f[1]] = f[2:]
    return lines


def not_filled(v, what):
    if not (isinstance(v, dict) and list(v) == ["not_filled"]
            and str(v["not_filled"]).startswith("0x")):
        raise AssertionError("%s recorded as %r, expected {\"not_filled\": \"0x…\"}" % (what, v))


def check(variant):
    argv = [it.program(CASE, "outparam_main", variant)]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, it.conf(CASE))
    try:
        it.assert_same_behaviour(run_, untraced)
        recs = it.Records(run_.records)
        # The fork child (for the successful waitpid) has its own root, under the
        # parent's: every record well formed, two roots.
        for r in recs:
            it.check_record_shape(r)
        if len(recs.roots()) != 2:
            raise AssertionError("%d root records, expected 2" % len(recs.roots()))
    finally:
        run_.cleanup()
    out = out_lines(run_.stdout)
    main_pid = [r for r in recs.roots() if it.output(r) == 0][0]["payload"]["process"]["pid"]
    stats = recs.calls("fstatat")
    waits = [r for r in recs.calls("waitpid") if r["payload"]["process"]["pid"] == main_pid]
    sleeps = recs.calls("nanosleep")
    if (len(stats), len(waits), len(sleeps)) != (2, 2, 1):
        raise AssertionError("%d fstatat, %d waitpid, %d nanosleep records, expected 2, 2, 1"
                             % (len(stats), len(waits), len(sleeps)))

    missing, ok = stats
    if out["fstatat_missing"] != ["-1", "2"] or it.output(missing) != -1 \
            or missing["payload"]["exception"] != "ENOENT: No such file or directory":
        raise AssertionError("fstatat on a missing path: %r, recorded %r %r"
                             % (out["fstatat_missing"], it.output(missing),
                                missing["payload"]["exception"]))
    not_filled(it.args(missing)["statbuf"], "fstatat ENOENT's statbuf")

    r, dev, ino, mode, size, nlink = out["fstatat_ok"]
    st = it.args(ok)["statbuf"]
    want = {"st_dev": int(dev), "st_ino": int(ino), "st_mode": "0" + mode,
            "st_size": int(size), "st_nlink": int(nlink)}
    got = {k: st.get(k) for k in want} if isinstance(st, dict) else st
    if r != "0" or it.output(ok) != 0 or got != want:
        raise AssertionError("successful fstatat: statbuf %r, the program saw %r" % (got, want))

    none, child = waits
    r, err, status = out["waitpid_none"]
    if (r, err, status) != ("-1", "10", "12345") or it.output(none) != -1 \
            or none["payload"]["exception"] != "ECHILD: No child processes":
        raise AssertionError("waitpid with no child: %r, recorded %r %r"
                             % (out["waitpid_none"], it.output(none), none["payload"]["exception"]))
    not_filled(it.args(none)["wstatus"], "waitpid ECHILD's wstatus")
    same, status = out["waitpid_ok"]
    if same != "1" or it.args(child)["wstatus"] != int(status) or int(status) != 7 << 8:
        raise AssertionError("successful waitpid: wstatus %r, the program saw %s"
                             % (it.args(child)["wstatus"], status))

    r, err, sec, nsec = out["nanosleep_einval"]
    rem = it.args(sleeps[0])["rem"]
    if (r, err) != ("-1", "22") or rem != {"tv_sec": int(sec), "tv_nsec": int(nsec)}:
        raise AssertionError("nanosleep EINVAL: rem [out=always] recorded as %r, memory "
                             "held %s %s" % (rem, sec, nsec))


def _variant(v):
    return lambda: check(v)


def tests():
    return [("outparam_" + v, _variant(v)) for v in VARIANTS]
