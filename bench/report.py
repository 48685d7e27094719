"""report.py: bench.py's figures: per-call summaries, the targets of issues 2 and 14 and
the printed table. Pure functions of the measurements; never fails on a missed target."""

import statistics

# Targets from issue 2 (the benchmark section).
TARGET_ADDED_NS = {"add": 40.0, "len": 50.0}
# Issue 3: capturing a struct by value or a 256-byte buffer costs at most this many
# times the two-int call's added cost, measured in the same run.
TARGET_CAPTURE_X_ADD = 2.0
# Issue 14: whole process against uftrace -A/-R, wall and CPU, per record format (it
# replaces issue 2's single 0.5x for the file logger, which is now format = json), and
# the on-disk size of a two-int call in the binary format.
TARGET_VS_UFTRACE = {"impulse-binary": 0.5, "impulse-file": 1.5}
TARGET_BINARY_BYTES = {"add": 64.0}
TARGET_RECORDS_PER_S = 3_000_000
TARGET_MEM_MIB = 16.0
TARGET_STARTUP_MS = 5.0

CASES = {
    "add": {"label": "work_add(int, int)", "fn": "work_add",
            "uftrace": ["-A", "work_add@arg1/i32,arg2/i32", "-R", "work_add@retval/i32"]},
    "len": {"label": "work_len(char *32)", "fn": "work_len",
            "uftrace": ["-A", "work_len@arg1/s", "-R", "work_len@retval"]},
    # hot_only: measured on the traced thread only (the capture's cost), no peers.
    # ring_bytes: an event's size rounded up (the struct's 16 bytes, the buffer's 256
    # and their blob headers), so that the prefaulted part of the ring covers them.
    "pair": {"label": "work_pair(struct16)", "fn": "work_pair", "hot_only": True, "ring_bytes": 200},
    "buf": {"label": "work_buf(void*256,n)", "fn": "work_buf", "hot_only": True, "ring_bytes": 400},
}


def added_target(mode, threads, by_key):
    """The added-cost target of a case: fixed for add/len, 2x add's measured cost for
    the capture cases (None when add was not measured)."""
    if not CASES[mode].get("hot_only"):
        return TARGET_ADDED_NS[mode]
    add = by_key.get(("add", threads, "hot-prefault"), {}).get("added_thread_cpu_ns")
    return None if add is None else TARGET_CAPTURE_X_ADD * add

VARIANTS = {
    "untraced": "untraced (absolute)",
    "impulse-none": "libimpulse logger=none",
    "impulse-file": "libimpulse format=json, file",
    "impulse-binary": "libimpulse format=binary, file",
    "uftrace": "uftrace record -A/-R",
    "ltrace": "ltrace -e FN -o FILE",
}

# The hot-path rows: driver's own thread CPU/wall around its call loop (DRIVER_THREAD_CPU=1),
# logger=none with a 1 GiB ring that holds every event, so the thread never waits.
HOT_VARIANTS = {
    "hot-prefault": "ring prefaulted",
    "hot-fresh": "fresh ring (page faults)",
}



def median(values):
    return statistics.median(values) if values else None


def summarise(rows):
    """Per-call figures: median of paired (traced - untraced) differences / calls."""
    by_key = {(r["case"], r["threads"], r["tracer"]): r for r in rows}
    for row in rows:
        pairs = row["pairs"]
        row["runs"] = len(pairs)
        if row["tracer"] in HOT_VARIANTS:
            summarise_hot(row)
            continue
        if row["problem"] or not pairs:
            row["wall_ns_per_call"] = row["cpu_ns_per_call"] = None
            continue
        calls = max(row["calls"], 1)
        if row["tracer"] == "untraced":
            row["wall_ns_per_call"] = median([p["base"]["wall_ns"] for p in pairs]) / calls
            row["cpu_ns_per_call"] = median([p["base"]["cpu_ns"] for p in pairs]) / calls
            row["untraced_wall_ms"] = median([p["base"]["wall_ns"] for p in pairs]) / 1e6
            row["untraced_cpu_ms"] = median([p["base"]["cpu_ns"] for p in pairs]) / 1e6
            continue
        summarise_extras(row, pairs, calls)
        row["wall_ns_per_call"] = median([p["traced"]["wall_ns"] - p["base"]["wall_ns"] for p in pairs]) / calls
        row["cpu_ns_per_call"] = median([p["traced"]["cpu_ns"] - p["base"]["cpu_ns"] for p in pairs]) / calls
        row["x_untraced_wall"] = median([p["traced"]["wall_ns"] / max(p["base"]["wall_ns"], 1) for p in pairs])
        row["x_untraced_cpu"] = median([p["traced"]["cpu_ns"] / max(p["base"]["cpu_ns"], 1) for p in pairs])
        logs = [p.get("logger", {}) for p in pairs]
        rates = [lg["records"] / lg["logger_s"] for lg in logs if lg.get("logger_s")]
        if row["tracer"] == "impulse-none":
            row["records_per_s"] = median(rates)
        if row["tracer"] in ("impulse-file", "impulse-binary"):
            row["records_per_s"] = median(rates)
            row["records_per_s_whole_process"] = median(
                [(row["calls"] + 1) / (p["traced"]["wall_ns"] / 1e9) for p in pairs])
            row["dropped"] = max([lg.get("dropped", 0) for lg in logs], default=None) if any(
                "dropped" in lg for lg in logs) else None
            sizes = [lg["bytes"] / lg["records"] for lg in logs if lg.get("bytes") and lg.get("records")]
            row["bytes_per_record"] = median(sizes)
    for row in rows:
        if row["tracer"] == "impulse-file":
            none = by_key.get((row["case"], row["threads"], "impulse-none"), {})
            if row.get("records_per_s") and none.get("records_per_s"):
                # logger ns per record: file - none = what writing adds to building
                row["write_ns_per_record"] = 1e9 / row["records_per_s"] - 1e9 / none["records_per_s"]
    for row in rows:
        if row["tracer"].startswith("impulse"):
            peer = by_key.get((row["case"], row["threads"], "uftrace"))
            if peer and peer.get("wall_ns_per_call") and row.get("wall_ns_per_call") is not None:
                row["vs_uftrace_wall"] = row["wall_ns_per_call"] / peer["wall_ns_per_call"]
                if peer.get("cpu_ns_per_call"):
                    row["vs_uftrace_cpu"] = row["cpu_ns_per_call"] / peer["cpu_ns_per_call"]
    return by_key


def summarise_extras(row, pairs, calls):
    """What every traced whole-process row also gives: the traced thread's own added
    CPU and wall per call (the driver's loop clocks, traced - untraced), bytes written
    per call (records on disk, or a peer's trace files) and peak RSS of the traced run."""
    for kind in ("cpu", "wall"):
        key = f"thread_{kind}_ns"
        row[f"added_thread_{kind}_ns"] = median([p["traced"][key] - p["base"][key] for p in pairs
                                                 if key in p["traced"] and key in p["base"]])
    sizes = [p["traced"]["disk_bytes"] for p in pairs if p["traced"].get("disk_bytes") is not None]
    row["disk_bytes_per_call"] = median(sizes) / calls if sizes else None
    row["peak_rss_mib"] = median([p["traced"]["maxrss_kib"] for p in pairs]) / 1024


def row_target(row):
    """(limit, verdict) of issue 14's whole-process target for a row: both its wall and
    CPU ratios to uftrace must be within the limit; (None, "") for rows without one."""
    limit = TARGET_VS_UFTRACE.get(row.get("tracer"))
    if limit is None:
        return None, ""
    wall, cpu = row.get("vs_uftrace_wall"), row.get("vs_uftrace_cpu")
    if wall is None or cpu is None:
        return limit, "n/a"
    return limit, "met" if wall <= limit and cpu <= limit else "missed"


def summarise_hot(row):
    """Thread figures of a hot-path row: medians of the untraced and traced runs' own
    per-call thread CPU and wall, and the added cost = median of paired differences."""
    pairs = [p for p in row["pairs"] if "thread_cpu_ns" in p["traced"]]
    row["runs"] = len(pairs)
    keys = ("thread_cpu_ns", "thread_wall_ns", "thread_minflt")
    if row["problem"] or not pairs:
        for key in keys:
            row[f"untraced_{key}"] = row[f"traced_{key}"] = None
        row["added_thread_cpu_ns"] = row["added_thread_wall_ns"] = None
        return
    for key in keys:
        row[f"untraced_{key}"] = median([p["base"][key] for p in pairs if p["base"].get(key) is not None])
        row[f"traced_{key}"] = median([p["traced"][key] for p in pairs if p["traced"].get(key) is not None])
    for kind in ("cpu", "wall"):
        row[f"added_thread_{kind}_ns"] = median(
            [p["traced"][f"thread_{kind}_ns"] - p["base"][f"thread_{kind}_ns"] for p in pairs])
    logs = [p.get("logger", {}) for p in pairs]
    row["dropped"] = max([lg.get("dropped", 0) for lg in logs], default=None) if any(
        "dropped" in lg for lg in logs) else None


def verdict(value, target, at_most=True):
    if value is None:
        return "n/a"
    return "PASS" if (value <= target if at_most else value >= target) else "MISS"


def targets(by_key, cfg, memory, startup):
    out = []

    def add(name, value, target, unit, at_most=True):
        out.append({"target": name, "value": value, "limit": target, "unit": unit,
                    "at_most": at_most, "result": verdict(value, target, at_most)})

    for mode in CASES:
        for threads in cfg["threads"]:
            row = by_key.get((mode, threads, "hot-prefault"), {})
            goal = added_target(mode, threads, by_key)
            name = f"added on traced thread, {CASES[mode]['label']}, {threads} thr, CPU"
            if CASES[mode].get("hot_only"):
                name += f" (<= {TARGET_CAPTURE_X_ADD:.0f}x work_add)"
            add(name, row.get("added_thread_cpu_ns"), goal, "ns/call")
    for variant, limit in TARGET_VS_UFTRACE.items():
        fmt_name = "binary" if variant == "impulse-binary" else "json"
        for mode in CASES:
            if CASES[mode].get("hot_only"):
                continue
            for threads in cfg["threads"]:
                row = by_key.get((mode, threads, variant), {})
                for kind in ("wall", "cpu"):
                    add(f"format={fmt_name} vs uftrace, {CASES[mode]['label']}, {threads} thr, {kind}",
                        row.get(f"vs_uftrace_{kind}"), limit, "x uftrace")
    for mode, limit in TARGET_BINARY_BYTES.items():
        for threads in cfg["threads"]:
            row = by_key.get((mode, threads, "impulse-binary"), {})
            add(f"format=binary bytes on disk, {CASES[mode]['label']}, {threads} thr",
                row.get("disk_bytes_per_call"), limit, "bytes/call")
    for mode in CASES:
        if CASES[mode].get("hot_only"):
            continue
        for threads in cfg["threads"]:
            row = by_key.get((mode, threads, "impulse-file"), {})
            add(f"logger throughput, {CASES[mode]['label']}, {threads} thr",
                row.get("records_per_s"), TARGET_RECORDS_PER_S, "records/s", at_most=False)
    for row in memory.get("rows", []):
        if row["tracer"] == "impulse-file":
            add(f"memory added, {memory['threads']} threads, file logger",
                row.get("added_mib"), TARGET_MEM_MIB, "MiB")
    if not memory.get("rows"):
        add(f"memory added, {memory['threads']} threads, file logger", None, TARGET_MEM_MIB, "MiB")
    for row in startup.get("rows", []):
        add(f"start-up added, {row['hooks']}", row.get("added_ms"), TARGET_STARTUP_MS, "ms")
    if not startup.get("rows"):
        add("start-up added, 100 hooks", None, TARGET_STARTUP_MS, "ms")
    return out


def print_hot(cfg, by_key, imp):
    print("Hot path: added cost on the traced thread (driver's own clock around its call loop, "
          f"{cfg['hot_n']:,} calls per thread,")
    print(f"  logger=none, IMPULSE_BUFFER_SIZE=1G so every event fits and the thread never waits; "
          f"median of {cfg['hot_repeat']} paired runs)")
    head = (f"{'function':<20} {'thr':>3}  {'libimpulse ring':<25} {'untraced CPU':>12} {'traced CPU':>11}"
            f" {'added CPU':>10} {'added wall':>11} {'faults/call':>11} {'target':>9}")
    print(head)
    print("-" * len(head))
    for mode in CASES:
        for threads in cfg["threads"]:
            for variant, label in HOT_VARIANTS.items():
                row = by_key.get((mode, threads, variant))
                if row is None or row.get("problem") or row.get("added_thread_cpu_ns") is None:
                    why = row["problem"] if row and row.get("problem") else f"libimpulse {imp['status']}"
                    print(f"{CASES[mode]['label']:<20} {threads:>3}  {label:<25} n/a ({why})")
                    continue
                goal = added_target(mode, threads, by_key)
                mark = verdict(row["added_thread_cpu_ns"], goal) if variant == "hot-prefault" and goal else ""
                print(f"{CASES[mode]['label']:<20} {threads:>3}  {label:<25} "
                      f"{fmt(row['untraced_thread_cpu_ns']):>12} {fmt(row['traced_thread_cpu_ns']):>11} "
                      f"{fmt(row['added_thread_cpu_ns']):>10} {fmt(row['added_thread_wall_ns']):>11} "
                      f"{fmt(row['traced_thread_minflt'], '.4f'):>11} "
                      f"{(mark + ' ' + format(goal, '.0f')) if mark else '':>9}")
                if variant == "hot-prefault" and CASES[mode].get("hot_only"):
                    base = by_key.get(("add", threads, "hot-prefault"), {}).get("added_thread_cpu_ns")
                    if base:
                        print(f"{'':<20} {'':>3}  {'= x work_add':<25} "
                              f"{row['added_thread_cpu_ns'] / base:>12.2f}")
        print()
    print("  ns per call of the calling thread: CPU = CLOCK_THREAD_CPUTIME_ID, wall = CLOCK_MONOTONIC, "
          "read around the loop;\n  added = median of paired (traced - untraced). ring prefaulted: "
          "the part of each ring the calls write is populated\n  (MADV_POPULATE_WRITE) before the clock "
          "starts, as a reused ring is; fresh ring: each new 4 KiB page of the\n  ring costs a page "
          "fault on first write (faults/call = minor faults of the thread / calls), shown for\n  "
          "comparison. The target applies to the prefaulted row, CPU. Wall with more threads than CPUs "
          "includes waiting for a CPU.")
    print()


def fmt(value, spec=",.1f", missing="n/a"):
    return missing if value is None else format(value, spec)


def print_report(meta, rows, by_key, memory, startup, goals):
    cfg = meta["settings"]
    imp = meta["libimpulse"]
    print()
    print(f"libimpulse benchmark: {meta['machine']['cpu']}, {meta['machine']['cpus']} CPUs, "
          f"kernel {meta['machine']['kernel']}")
    print(f"  {cfg['n']:,} calls per thread ({cfg['ltrace_n']:,} under ltrace), median of "
          f"{cfg['repeat']} paired runs ({cfg['ltrace_repeat']} for ltrace); "
          f"per call = (traced - untraced) / (calls x threads)")
    print(f"  libimpulse: {imp['status']}" + (f" ({imp['reason']})" if imp["reason"] else ""))
    binary = meta.get("binary", {})
    print(f"  format=binary: {binary.get('status', 'unknown')}"
          + (f" ({binary['reason']}" + (f": {binary['detail']}" if binary.get("detail") else "") + ")"
             if binary.get("reason") else ""))
    print(f"  peers: {meta['peers'].get('uftrace') or 'uftrace missing'}, "
          f"{meta['peers'].get('ltrace') or 'ltrace missing'}")
    print()
    head = (f"{'function':<20} {'thr':>3}  {'tracer':<31} {'wall ns':>9} {'CPU ns':>9}"
            f" {'x untraced':>13} {'x uftrace':>10} {'thread ns':>9} {'bytes':>7} {'RSS MiB':>7}"
            f"  {'target':<12}")
    print("Whole process (runner: fork to reap; CPU = all threads), per call; records to tmpfs, lossless:")
    print(head)
    print("-" * len(head))
    for mode in CASES:
        if CASES[mode].get("hot_only"):
            continue
        for threads in cfg["threads"]:
            for variant in VARIANTS:
                row = by_key.get((mode, threads, variant))
                if row is None:
                    if variant == "impulse-binary" and imp["status"] == "ok":
                        binary = meta.get("binary", {})
                        row = {"problem": binary.get("reason") or f"format=binary {binary.get('status')}"}
                    elif variant.startswith("impulse"):
                        row = {"problem": f"libimpulse {imp['status']}"}
                    else:
                        continue
                label = f"{CASES[mode]['label']:<20} {threads:>3}  {VARIANTS[variant]:<31}"
                if row.get("problem") or row.get("wall_ns_per_call") is None:
                    why = row.get("problem") or "no run counted"
                    print(f"{label} n/a ({why})")
                    continue
                limit, met = row_target(row)
                big = ",.0f" if max(row["wall_ns_per_call"], row["cpu_ns_per_call"]) >= 1e4 else ",.1f"
                cells = [fmt(row["wall_ns_per_call"], big), fmt(row["cpu_ns_per_call"], big),
                         f"({row['untraced_wall_ms']:.0f} ms)" if variant == "untraced" else
                         f"{row['x_untraced_wall']:.1f}/{row['x_untraced_cpu']:.1f}",
                         f"{fmt(row.get('vs_uftrace_wall'), '.2f', '')}/"
                         f"{fmt(row.get('vs_uftrace_cpu'), '.2f', '')}"
                         if row.get("vs_uftrace_wall") is not None else "",
                         fmt(row.get("added_thread_cpu_ns"), ",.1f", "") if variant != "untraced"
                         else fmt(row.get("untraced_thread_cpu_ns"), ",.1f", ""),
                         fmt(row.get("disk_bytes_per_call"), ",.1f", ""),
                         fmt(row.get("peak_rss_mib"), ",.1f", ""),
                         f"<= {limit}x: {met}" if limit is not None else ""]
                size_limit = TARGET_BINARY_BYTES.get(mode) if variant == "impulse-binary" else None
                if size_limit is not None:
                    size = row.get("disk_bytes_per_call")
                    cells[7] += f"; <= {size_limit:.0f} B: " + (
                        "n/a" if size is None else "met" if size <= size_limit else "missed")
                print(f"{label} {cells[0]:>9} {cells[1]:>9} {cells[2]:>13} {cells[3]:>10} "
                      f"{cells[4]:>9} {cells[5]:>7} {cells[6]:>7}  {cells[7]}".rstrip())
        print()
    print("  wall ns, CPU ns: (traced - untraced) whole-process time / calls (untraced: its own time / calls,\n"
          "  whole run in brackets); x untraced: traced / untraced, wall/CPU; x uftrace: per-call cost /\n"
          "  uftrace's, wall/CPU; thread ns: the traced thread's own CPU per call added (driver's clocks\n"
          "  around its loop, DRIVER_THREAD_CPU=1; untraced: absolute), which includes waiting for a full\n"
          "  ring in these lossless runs; bytes: written per call (records, or uftrace's/ltrace's trace\n"
          "  files); RSS MiB: peak RSS of the traced run (uftrace: the recorder's own, the largest of its\n"
          "  reaped children). target: issue 14's, both wall and CPU ratios. ltrace runs 1 thread only.\n"
          "  logger=none: records built and discarded; once a thread's 1 MiB ring is full the thread waits,\n"
          "  so this row measures the logger, not the traced thread (that is the hot-path table below)")
    for row in rows:
        for note in ([row["problem"]] if row.get("problem") else []) + row.get("notes", []):
            print(f"  note: {row['function']}, {row['threads']} thr, {row['tracer']}: {note}")
    print()
    print_hot(cfg, by_key, imp)
    print("Checks and logger figures (libimpulse, file logger; binary: records counted by impulse cat):")
    any_check = False
    for mode, threads, variant in [(m, t, v) for m in CASES for t in cfg["threads"]
                                   for v in ("impulse-file", "impulse-binary")]:
        row = by_key.get((mode, threads, variant))
        if not row or row.get("problem") or "log_lines" not in row:
            continue
        any_check = True
        ok = "OK" if row["log_lines"] == row["log_lines_expected"] else "WRONG"
        name = "binary" if variant == "impulse-binary" else "json"
        print(f"  {CASES[mode]['label']:<20} {threads:>2} thr, {name:<6}: records {row['log_lines']:,} "
              f"(expected {row['log_lines_expected']:,}: {ok}); "
              f"{fmt(row.get('records_per_s'), ',.0f')} records/s of logger time, "
              f"{fmt(by_key.get((mode, threads, 'impulse-none'), {}).get('records_per_s'), ',.0f')}"
              f" with logger=none (writing adds {fmt(row.get('write_ns_per_record'), ',.0f')} ns/record), "
              f"{fmt(row.get('records_per_s_whole_process'), ',.0f')} records/s whole process; "
              f"{fmt(row.get('disk_bytes_per_call'), ',.0f')} bytes/call on disk; dropped "
              f"{fmt(row.get('dropped'), ',d')}")
    if not any_check:
        print("  n/a")
    print()
    print(f"Memory, {memory['threads']} threads x {memory['calls_per_thread']:,} calls "
          f"(peak RSS traced - untraced, median):")
    for row in memory.get("rows", []):
        print(f"  {row['tracer']:<15} {fmt(row.get('added_mib'), '.1f')} MiB"
              + (f"  ({row['problem']})" if row["problem"] else ""))
    if memory.get("problem"):
        print(f"  n/a ({memory['problem']})")
    print()
    print(f"Start-up, trivial program, median of {startup['runs']} paired runs "
          f"(untraced {fmt(startup.get('untraced_ms'), '.2f')} ms):")
    for row in startup.get("rows", []):
        extra = f"  ({row['problem']})" if row["problem"] else ""
        if row.get("stderr_first_run"):
            extra += f"  stderr: {row['stderr_first_run']}"
        print(f"  {row['hooks']:<22} +{fmt(row.get('added_ms'), '.2f')} ms{extra}")
    if startup.get("problem"):
        print(f"  n/a ({startup['problem']})")
    print()
    print("Targets (issues 2 and 14); a MISS is reported, never fatal:")
    for goal in goals:
        sign = "<=" if goal["at_most"] else ">="
        spec = {"x uftrace": ",.2f", "ms": ",.2f", "MiB": ",.1f", "records/s": ",.0f"}.get(goal["unit"], ",.1f")
        value = fmt(goal["value"], spec)
        print(f"  {goal['result']:<4}  {goal['target']:<62} {value:>14} {goal['unit']:<9} "
              f"({sign} {goal['limit']:,})")
