#!/usr/bin/python3
"""Scaling of hotspot.dask: measured from 1 to 2 workers on this machine, and simulated up to 64
workers by replaying the task durations recorded with distributed.get_task_stream.

    /usr/bin/python3 benchmarks/python/dask_scaling.py [--build build] [--config data/sample/run.json]
        [--work /tmp/hotspot-scaling] [--tiles 64 8] [--latency-ms 0.5] [--task-overhead-ms 1]
        [--bandwidth-mbit 1000] [--png benchmarks/python/dask_scaling.png] [--json FILE]
        [--no-measure] [--from-json FILE]
    /usr/bin/python3 benchmarks/python/dask_scaling.py --national [--communes 2000] [--incidents 1000000] ...

The data: --config (default the sample, data/sample/run.json), or with --national the national-like
set of the overhead benchmark (benchmarks/python/dask_overhead.py, slow.dask_national):
hotspot-datagen's --incidents x --communes (generated once into --work, reused while the generator
is unchanged; benchmarks/compare/common.py generate) under the full-run configuration of
benchmarks/compare/full_run_vs_peers.py (every analysis, 999 permutations for both local ones).
At 1M incidents each recording takes minutes (Knox enumerates every close pair in each of its
tasks): run it on a quiet machine.

1. Record. Two runs of the configuration on a LocalCluster of one single-threaded worker process,
   every distributed part cut into 64 tasks (one per worker at the largest simulated cluster), then
   into 8, each inside `get_task_stream`. Each hook call of the driver (hotspot/dask/_run.py,
   _Hooks: one per distributed part of an analysis) is timed on the driver and its tasks are
   listed in submission order with their sizes (points, units or Knox lanes) and the bytes the
   call scattered. Each task's duration is its "compute" interval in the task stream; its result
   size the stream's nbytes.
2. Serial fraction. The driver's time outside the hooks is serial: it is named from the run
   summary's timings (load: read and project; write: every layer write, the commit, the quick-look;
   the analyses' parts computed on the driver: KDE's threshold and zones, the cluster merges and
   footprints, emerging's moments, trends and classes, profiles, weights, the local statistics'
   moments and FDR; the rest: configuration and input checks, the previous output).
3. Simulate W = 1, 2, 4, ..., 64 workers (one thread each). Network model, stated:
   - every message costs --latency-ms (0.5 ms) plus bytes / --bandwidth-mbit (1 Gbit/s);
   - every task costs --task-overhead-ms (1 ms: Dask's scheduler overhead per task) before it runs;
   - a part's columns are scattered to one worker (latency + bytes / bandwidth), then broadcast as
     Dask's replicate does, each holder sending to two more per round (branching factor 2):
     ceil(log3 W) rounds of latency + 2 x bytes / bandwidth;
   - tasks are list-scheduled in task order, each onto the worker that is free first;
   - results travel to the driver over its one link, in completion order (latency + nbytes /
     bandwidth each, queued behind each other).
   Two task lists: "replay", the 64 recorded tasks of each hook call as they are (what --tiles 64
   does on any W); and "tiles auto", the tasks --tiles auto makes on W workers (2 per worker, 1
   for Knox), each lasting a + b x size with a (the task's fixed cost: Knox enumerates every close
   pair in every task, a tile builds its polygon index) and b fitted on both recordings.
   Strong scaling: the recorded data, T(W) = serial + sum over parts of the simulated part time;
   speedup T(1) / T(W), with T(1) that of tiles auto on one worker for both lists (the replay's own
   T(1) repeats Knox's pair enumeration in each of its 64 tasks). Weak scaling: the data grows with W (more territory at the same density):
   the serial time x W (load, project and write are linear in the data; so are the driver's
   analyses, to first order), the scattered bytes x W, the assign and local tasks repeated W times
   (more tiles, more units), and each near_repeat task W times longer (a Knox lane counts every
   pair, and the pairs grow with the territory); efficiency T(1) / T_W(W) (ideal 1).
4. Measure. `hotspot run` (the whole command) and hotspot.dask.run with 1 and 2 local workers,
   tiles auto, on a cluster started beforehand (its start is not timed), each timed on the driver.

Writes the figures on stdout (and --json), and a PNG of both curves. The machine's load average
is printed with every measurement: on a shared machine the times are indicative only.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORKERS = [1, 2, 4, 8, 16, 32, 64]


def load_average():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def rewrite_config(config, work, name):
    """The configuration with absolute input paths and its output in work/name/."""
    with open(config) as f:
        c = json.load(f)
    base = os.path.dirname(os.path.abspath(config))
    for source in c["inputs"].values():
        if isinstance(source, dict) and "path" in source and not os.path.isabs(source["path"]):
            source["path"] = os.path.join(base, source["path"])
    if "previous" in c and c["previous"] and not os.path.isabs(c["previous"]):
        c["previous"] = os.path.join(base, c["previous"])
    directory = os.path.join(work, name)
    os.makedirs(directory, exist_ok=True)
    c["output"]["path"] = os.path.join(directory, os.path.basename(c["output"]["path"]))
    path = os.path.join(directory, "run.json")
    with open(path, "w") as f:
        json.dump(c, f)
    return path, c["output"]["path"]


# Where each task function of hotspot/dask/_parts.py and _density.py takes its range (first, last):
# the task's size is last - first (points of a tile, units, Knox lanes, emerging's cells of a tile).
# Parts not listed are replayed as recorded.
RANGE_ARGS = {"assign_tile": (4, 5), "local_range": (5, 6), "knox_range": (7, 8), "emerging_tile": (6, 7)}
# Tasks per worker thread with --tiles auto (hotspot/dask/_run.py, _auto_tasks).
AUTO_PER_WORKER = {"knox_lanes": 1}


def timed_hooks(base):
    """A _Hooks subclass that times each hook call on the driver and lists its tasks in submission
    order with the bytes it scattered. Every public method of _Hooks is a hook (the others' new
    parts included)."""
    from dask.sizeof import sizeof

    class Timed(base):
        phases = []  # one per hook call: {"part", "seconds", "keys", "scattered_bytes"}

        def _scatter(self, *objs):
            if Timed.phases:
                Timed.phases[-1]["scattered_bytes"] += sum(sizeof(o) for o in objs if o is not None)
            return super()._scatter(*objs)

        def _submit(self, fn, *args):
            f = super()._submit(fn, *args)
            if Timed.phases:
                Timed.phases[-1]["keys"].append(f.key)
                where = RANGE_ARGS.get(getattr(fn, "__name__", ""))
                Timed.phases[-1]["sizes"].append(args[where[1]] - args[where[0]] if where else None)
            return f

    def wrap(name, method):
        def hook(self, *args, **kwargs):
            Timed.phases.append({"part": name, "seconds": 0.0, "keys": [], "sizes": [], "scattered_bytes": 0})
            t0 = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                Timed.phases[-1]["seconds"] = time.perf_counter() - t0
        return hook

    for name in dir(base):
        if not name.startswith("_") and callable(getattr(base, name)):
            setattr(Timed, name, wrap(name, getattr(base, name)))
    return Timed


def record(config, tiles):
    """One run on one worker process with `tiles` tasks per part, inside get_task_stream."""
    import hotspot.dask as hd
    from hotspot.dask import _run
    from distributed import Client, LocalCluster, get_task_stream
    base = _run._Hooks
    _run._Hooks = timed_hooks(base)
    try:
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            hd.check_workers(client)
            with get_task_stream(client) as ts:
                t0 = time.perf_counter()
                summary = hd.run(config, client, tiles=tiles, check=False)
                wall = time.perf_counter() - t0
            stream = ts.data
        phases = _run._Hooks.phases
    finally:
        _run._Hooks = base
    by_key = {}
    for rec in stream:
        compute = [s for s in rec["startstops"] if s["action"] == "compute"]
        if compute:
            by_key[rec["key"]] = (sum(s["stop"] - s["start"] for s in compute), int(rec.get("nbytes", 0)))
    for p in phases:
        missing = [k for k in p["keys"] if k not in by_key]
        if missing:
            raise SystemExit(f"the task stream lacks {len(missing)} tasks of {p['part']}")
        p["durations"] = [by_key[k][0] for k in p["keys"]]
        p["result_bytes"] = [by_key[k][1] for k in p["keys"]]
        del p["keys"]
    return summary, wall, phases


LOAD = ("read polygons", "read incidents", "check and project incidents", "project polygons")


def serial_parts(summary, wall, phases):
    """The driver's serial time, named from the run summary's timings."""
    hooks = sum(p["seconds"] for p in phases)
    assign_hook = sum(p["seconds"] for p in phases if p["part"] == "assign")
    load = write = steps = 0.0
    for name, s in summary["timings_s"].items():
        if name in LOAD:
            load += s
        elif name == "assign":
            continue  # the assign hook (distributed)
        elif (name in ("write", "profiles and commit", "quick-look map", "briefings") or name.endswith(": write")
              or name.endswith(" write")):
            write += s
        else:
            steps += s
    analyses = max(0.0, steps - (hooks - assign_hook))
    serial = wall - hooks
    return {"load (read, validate, project)": load, "write (layers, commit, quick-look)": write,
            "analyses on the driver (KDE zones, cluster merges and footprints, emerging's trends and classes, profiles, weights, moments)": analyses,
            "other (checks, previous output, Python)": max(0.0, serial - load - write - analyses),
            "serial total": serial, "distributed parts (driver wall)": hooks, "run": wall}


class Network:
    def __init__(self, latency_s, bandwidth_bps, task_overhead_s):
        self.latency, self.bandwidth, self.task_overhead = latency_s, bandwidth_bps, task_overhead_s

    def message(self, nbytes):
        return self.latency + nbytes / self.bandwidth

    def broadcast(self, nbytes, workers):
        rounds = 0
        while 3 ** rounds < workers:
            rounds += 1
        return self.message(nbytes) + rounds * (self.latency + 2 * nbytes / self.bandwidth)


def simulate_part(durations, result_bytes, scattered, workers, net):
    """Time of one hook call on `workers` workers: broadcast, list scheduling in task order, the
    results queued on the driver's link."""
    start = net.broadcast(scattered, workers)
    free = [start] * workers
    done = []
    for d, nb in zip(durations, result_bytes):
        w = min(range(workers), key=lambda i: free[i])
        free[w] += net.task_overhead + d
        done.append((free[w], nb))
    link = start
    for finish, nb in sorted(done):
        link = max(link, finish) + net.message(nb)
    return link


def fit(runs):
    """Per hook call, d = a + b x size (seconds; a: the task's fixed cost, e.g. Knox's pair
    enumeration or the polygon index of a tile; b: per point, unit or lane), least squares over the
    tasks of both recordings (two tile counts, so that a and b separate); None when sizes are
    unknown."""
    import numpy as np
    fits = []
    for calls in zip(*runs):
        if len({c["part"] for c in calls}) != 1:
            raise SystemExit("the two recordings made different hook calls")
        sizes = [z for c in calls for z in c["sizes"]]
        if any(z is None for z in sizes) or len(set(sizes)) < 2:
            fits.append(None)
            continue
        d = [x for c in calls for x in c["durations"]]
        a, b = np.linalg.lstsq(np.c_[np.ones(len(sizes)), sizes], np.asarray(d), rcond=None)[0]
        b = max(float(b), 0.0)
        a = max(float(np.mean(d) - b * np.mean(sizes)) if a < 0 else float(a), 0.0)
        total = sum(calls[0]["sizes"])
        fits.append({"a": a, "b": b, "total": total,
                     "bytes_per_item": sum(calls[0]["result_bytes"]) / max(total, 1)})
    return fits


def ranges(n, parts):
    parts = max(1, min(int(parts), max(1, n)))
    return [(n * (k + 1)) // parts - (n * k) // parts for k in range(parts)]


def tasks_at(phase, model, w, weak, auto):
    """(durations, result bytes, scattered bytes) of one hook call on w workers."""
    scale = w if weak else 1
    knox = phase["part"] == "knox_lanes"
    if auto and model is not None:
        a, b, total = model["a"], model["b"], model["total"]
        if weak and knox:  # the lanes stay, each counts w times the pairs
            a, b = a * w, b * w
        elif weak:
            total *= w
        sizes = ranges(total, AUTO_PER_WORKER.get(phase["part"], 2) * w)
        return ([a + b * z for z in sizes], [model["bytes_per_item"] * z for z in sizes],
                phase["scattered_bytes"] * scale)
    d, nb = phase["durations"], phase["result_bytes"]
    if weak and knox:
        d = [x * w for x in d]
    elif weak:
        d, nb = d * w, nb * w
    return d, nb, phase["scattered_bytes"] * scale


def simulate(phases, models, serial, net, weak, auto):
    out = {}
    for w in WORKERS:
        total = serial * (w if weak else 1)
        for phase, model in zip(phases, models):
            d, nb, scattered = tasks_at(phase, model, w, weak, auto)
            total += simulate_part(d, nb, scattered, w, net)
        out[w] = total
    return out


def national_config(build, work, communes, incidents):
    """run.json of the full-run benchmark on hotspot-datagen's national-like data (as
    dask_overhead.py writes it), in work/national-config/."""
    sys.path.insert(0, os.path.join(ROOT, "benchmarks", "compare"))
    from common import generate
    from full_run_vs_peers import write_config
    data = os.path.abspath(generate(build, work, communes, incidents))
    directory = os.path.join(work, "national-config")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "run.json")
    ns = argparse.Namespace(communes_permutations=999, grid_permutations=999, incidents=incidents,
                            communes=communes, threads=0)
    write_config(path, data, os.path.join(directory, "national.gpkg"), ns)
    return path


def measure(config_path, work, build, workers):
    """`hotspot run` and hotspot.dask.run with 1 and 2 local workers (tiles auto), timed."""
    import hotspot.dask as hd
    from distributed import Client, LocalCluster
    rows = []
    cfg, _ = rewrite_config(config_path, work, "measure-cli")
    t0 = time.perf_counter()
    subprocess.run([os.path.join(build, "bin", "hotspot"), "run", "--config", cfg, "--quiet"], check=True)
    rows.append({"what": "hotspot run (whole command)", "seconds": time.perf_counter() - t0, "load": load_average()})
    for n in workers:
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            hd.check_workers(client)
            cfg, _ = rewrite_config(config_path, work, f"measure-{n}")
            t0 = time.perf_counter()
            hd.run(cfg, client)
            rows.append({"what": f"hotspot.dask.run, {n} worker(s), tiles auto", "seconds": time.perf_counter() - t0,
                         "load": load_average(), "workers": n})
    return rows


def plot(path, curves, base, serial_fraction, title):
    """curves: {label: (strong {W: s}, weak {W: s})}; base: T(1) every speedup is measured against."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.6))
    ws = WORKERS
    a.plot(ws, ws, "--", color="grey", label="ideal")
    a.plot(ws, [1 / (serial_fraction + (1 - serial_fraction) / w) for w in ws], ":", color="black",
           label=f"Amdahl, serial fraction {serial_fraction:.2f}")
    b.plot(ws, [1.0] * len(ws), "--", color="grey", label="ideal")
    for (label, (strong, weak)), color in zip(curves.items(), ("tab:blue", "tab:red", "tab:green")):
        a.plot(ws, [base / strong[w] for w in ws], "o-", color=color, label=label)
        b.plot(ws, [base / weak[w] for w in ws], "o-", color=color, label=label)
    for ax in (a, b):
        ax.set_xscale("log", base=2)
        ax.set_xticks(ws, [str(w) for w in ws])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    a.set_yscale("log", base=2)
    ticks = [0.125, 0.25, 0.5] + ws
    a.set_yticks(ticks, [f"{t:g}" for t in ticks])
    a.set_xlabel("workers")
    a.set_ylabel("speedup: T(1, tiles auto) / T(W)")
    a.set_title("strong scaling (the same data)")
    b.set_ylim(0, 1.05)
    b.set_xlabel("workers (the data grows with them)")
    b.set_ylabel("efficiency: T(1, tiles auto) / T(W)")
    b.set_title("weak scaling (serial part grows with the data)")
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--config", default=os.path.join(ROOT, "data", "sample", "run.json"))
    p.add_argument("--national", action="store_true",
                   help="record from hotspot-datagen's national-like data (--communes x --incidents) under the "
                        "full-run configuration instead of --config")
    p.add_argument("--communes", type=int, default=2000, help="with --national (default: 2000)")
    p.add_argument("--incidents", type=int, default=1_000_000, help="with --national (default: 1000000)")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "hotspot-scaling"))
    p.add_argument("--tiles", type=int, nargs=2, default=[64, 8],
                   help="tiles a part of the two recordings (the first is replayed as is)")
    p.add_argument("--latency-ms", type=float, default=0.5)
    p.add_argument("--task-overhead-ms", type=float, default=1.0)
    p.add_argument("--bandwidth-mbit", type=float, default=1000.0)
    p.add_argument("--png", help="the plot (default: benchmarks/python/dask_scaling.png, with --national "
                                 "dask_scaling_national.png)")
    p.add_argument("--json", help="write the figures here as JSON")
    p.add_argument("--no-measure", action="store_true", help="skip the 1 -> 2 worker measurement")
    p.add_argument("--from-json", help="simulate and plot from the recordings a --json run saved (no run)")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    sys.path.insert(0, os.path.join(build, "python"))
    os.environ["PYTHONPATH"] = os.path.join(build, "python") + os.pathsep + os.environ.get("PYTHONPATH", "")
    a.work = os.path.abspath(a.work)
    os.makedirs(a.work, exist_ok=True)
    if a.png is None:
        a.png = os.path.join(HERE, "dask_scaling_national.png" if a.national else "dask_scaling.png")
    if a.national and a.from_json:
        p.error("--national records a run; --from-json replays a saved one: give one of them")
    if a.national:
        if a.communes < 1 or a.incidents < 1:
            p.error("--communes and --incidents must be >= 1")
        a.config = national_config(build, a.work, a.communes, a.incidents)
        data_name = f"national-like (hotspot-datagen, {a.communes:,} communes)"
    else:
        data_name = os.path.basename(os.path.dirname(os.path.abspath(a.config)))

    print(f"load average {load_average()} on {os.cpu_count()} cores (uptime)", flush=True)
    if a.from_json:
        with open(a.from_json) as f:
            saved = json.load(f)
        parts, phases, models, measured = saved["serial"], saved["phases"], saved["models"], saved["measured"]
        incidents, record_load = saved["incidents"], saved["record_load"]
        data_name = saved.get("data", data_name)
        a.tiles = saved.get("tiles", a.tiles)  # the replay's label names the recorded task count
    else:
        runs = []
        for tiles in a.tiles:
            cfg, _ = rewrite_config(a.config, a.work, f"record-{tiles}")
            summary, wall, phases = record(cfg, tiles)
            runs.append((summary, wall, phases))
            print(f"recorded: {summary['counts']['accepted']:,} incidents, one worker, {tiles} tiles a part: "
                  f"run {wall:.2f} s; load average {load_average()}", flush=True)
        record_load = os.getloadavg()[0]
        summary, wall, phases = runs[0]
        incidents = summary["counts"]["accepted"]
        parts = serial_parts(summary, wall, phases)
        models = fit([r[2] for r in runs])
    for k, v in parts.items():
        print(f"  {k:<80} {v:8.3f} s")
    for ph, m in zip(phases, models):
        fitted = "" if m is None else f"; fitted a {m['a'] * 1e3:.2f} ms + b {m['b'] * 1e6:.3f} us x {m['total']:,}"
        print(f"  hook {ph['part']:<20} {len(ph['durations']):3d} tasks, compute {sum(ph['durations']):7.3f} s "
              f"(longest {max(ph['durations'], default=0):.3f} s), driver wall {ph['seconds']:.3f} s, "
              f"scattered {ph['scattered_bytes'] / 1e6:.2f} MB, results {sum(ph['result_bytes']) / 1e6:.2f} MB"
              + fitted)
    net = Network(a.latency_ms / 1e3, a.bandwidth_mbit * 1e6 / 8, a.task_overhead_ms / 1e3)
    serial = parts["serial total"]
    curves = {}
    for auto, label in ((False, f"replay: the {a.tiles[0]} recorded tasks a part"),
                        (True, "tiles auto: fitted a + b x size, 2 tasks a worker (Knox 1)")):
        curves[label] = (simulate(phases, models, serial, net, weak=False, auto=auto),
                         simulate(phases, models, serial, net, weak=True, auto=auto))
    # Against tiles auto's T(1): what one worker really takes (the replay's T(1) repeats Knox's
    # pair enumeration in each of its 64 tasks).
    base = curves[list(curves)[1]][0][1]
    fraction = serial / base
    print(f"serial fraction (driver time outside the distributed parts / simulated T(1), tiles auto): "
          f"{fraction:.3f}")
    print(f"speedups and efficiencies against T(1) of tiles auto, {base:.2f} s")
    for label, (strong, weak) in curves.items():
        print(f"{label}: T(1) simulated {strong[1]:.2f} s")
        print("  workers  strong T(W) s  speedup  efficiency  |  weak T(W) s  efficiency")
        for w in WORKERS:
            print(f"  {w:7d}  {strong[w]:12.3f}  {base / strong[w]:7.2f}  {base / strong[w] / w:10.2f}  |  "
                  f"{weak[w]:11.3f}  {base / weak[w]:10.3f}")
    if not a.from_json:
        measured = [] if a.no_measure else measure(a.config, a.work, build, [1, 2])
    for r in measured:
        print(f"measured: {r['what']}: {r['seconds']:.2f} s (load average {r['load']})", flush=True)
    title = (f"hotspot.dask, {data_name} "
             f"({incidents:,} incidents), task stream recorded on 1 worker at load "
             f"{record_load:.1f};\nnetwork {a.latency_ms:g} ms + bytes / {a.bandwidth_mbit:g} Mbit/s a "
             f"message, {a.task_overhead_ms:g} ms a task, broadcast by replication (branching 2)")
    plot(a.png, curves, base, fraction, title)
    print(f"plot: {a.png}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"data": data_name, "config": os.path.abspath(a.config), "tiles": a.tiles,
                       "incidents": incidents,
                       "record_load": record_load, "serial": parts,
                       "serial_fraction": fraction,
                       "curves": {k: {"strong_s": v[0], "weak_s": v[1]} for k, v in curves.items()},
                       "phases": phases, "models": models, "measured": measured, "network": vars(a)}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
