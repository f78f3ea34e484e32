#!/usr/bin/python3
"""hotspot.dask against `hotspot run` on the 1M-incident full-run benchmark: equality of every layer
and the overhead, with 1 and 2 local workers.

    /usr/bin/python3 benchmarks/python/dask_overhead.py [--build build] [--work /tmp/hotspot-bench]
        [--communes 2000] [--incidents 1000000] [--workers 1 2] [--tiles auto|N|PART=N,...] [--repeat N]

The input is hotspot-datagen's (benchmarks/compare/common.py generate), the configuration that of
benchmarks/compare/full_run_vs_peers.py (every analysis). Each run is one process, timed from the
outside: `hotspot run --config C --quiet`, then `python -m hotspot.dask --config C --local-workers N
--quiet` (its time includes starting the LocalCluster). Every layer of each distributed output is
compared with `hotspot run`'s (tests/golden/layer_digest.py); a difference exits 1. --repeat N
alternates hotspot run and the distributed runs N times and prints the medians and each round's
ratio: one run of `hotspot run` varies by seconds on a shared machine (mostly its writes). --tiles takes
what `python -m hotspot.dask --tiles` takes: auto, N for every part, or per part
(kde=64,clusters=7; the parts not named auto, or N with a bare N or default=N); a bad value exits
2 before anything runs. ctest runs it as slow.dask_national, slow.dask_national_tiles_N and
slow.dask_national_tiles_mixed (label slow). Timings are from one run on a shared machine: the load average
is printed with them.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "compare"))
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
from common import generate  # noqa: E402
from layer_digest import digest  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default="/tmp/hotspot-bench")
    p.add_argument("--communes", type=int, default=2000)
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--tiles", default="auto",
                   help="tasks per part, as python -m hotspot.dask --tiles: auto, N or PART=N,... (default: auto)")
    p.add_argument("--repeat", type=int, default=1,
                   help="rounds of hotspot run then each distributed run, alternated; with more than one, "
                        "the medians and each round's ratio (default: 1)")
    a = p.parse_args()
    if a.repeat < 1:
        p.error(f"--repeat: must be >= 1 (got {a.repeat})")
    build = os.path.abspath(a.build)
    sys.path.insert(0, os.path.join(build, "python"))
    from hotspot import UsageError
    from hotspot.dask import parse_tiles
    try:  # refused here, before the data is generated and hotspot run is timed
        parse_tiles(a.tiles)
    except UsageError as e:
        p.error(str(e))
    hotspot = os.path.join(build, "bin", "hotspot")
    data = os.path.abspath(generate(build, a.work, a.communes, a.incidents))
    work = os.path.join(os.path.abspath(a.work), "dask")
    os.makedirs(work, exist_ok=True)
    sys.path.insert(0, os.path.join(ROOT, "benchmarks", "compare"))
    from full_run_vs_peers import write_config
    ns = argparse.Namespace(communes_permutations=999, grid_permutations=999, incidents=a.incidents,
                            communes=a.communes, threads=0)
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))

    def timed(cmd):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        return time.perf_counter() - t0

    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{a.incidents:,} incidents, {a.communes:,} communes; load average {load} on {os.cpu_count()} cores",
          flush=True)
    # Each output in its own directory under the same file name: the QGIS project inside names the
    # file, so outputs named apart differ in qgis_projects.
    def paths(name):
        os.makedirs(os.path.join(work, name), exist_ok=True)
        return os.path.join(work, name, "run.json"), os.path.join(work, name, "national.gpkg")

    ref_cfg, ref_out = paths("ref")
    write_config(ref_cfg, data, ref_out, ns)
    configs = {}
    for n in a.workers:
        configs[n] = paths(f"dask{n}")
        write_config(configs[n][0], data, configs[n][1], ns)
    # Rounds of hotspot run then each distributed run, so that a change in the machine's load (or
    # in how long the writes take: seconds, from one run to the next) hits both sides alike.
    base_runs, dask_runs = [], {n: [] for n in a.workers}
    for r in range(a.repeat):
        base_runs.append(timed([hotspot, "run", "--config", ref_cfg, "--quiet"]))
        print(f"hotspot run: {base_runs[-1]:.1f} s", flush=True)
        for n in a.workers:
            s = timed([sys.executable, "-m", "hotspot.dask", "--config", configs[n][0], "--local-workers", str(n),
                       "--tiles", a.tiles, "--quiet"])
            dask_runs[n].append(s)
            print(f"hotspot.dask, {n} local worker(s), --tiles {a.tiles}: {s:.1f} s = {s / base_runs[-1]:.2f} x "
                  f"hotspot run", flush=True)
    want = digest(ref_out)
    bad_any = False
    for n in a.workers:
        got = digest(configs[n][1])
        bad = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
        bad_any |= bool(bad)
        line = f"hotspot.dask, {n} local worker(s): layers " + ("identical" if not bad else f"DIFFER: {bad}")
        if a.repeat > 1:
            med_b, med_d = statistics.median(base_runs), statistics.median(dask_runs[n])
            rounds = ", ".join(f"{d / b:.2f}" for b, d in zip(base_runs, dask_runs[n]))
            line += (f"; medians of {a.repeat} rounds: hotspot run {med_b:.1f} s, hotspot.dask {med_d:.1f} s = "
                     f"{med_d / med_b:.2f} x (each round: {rounds})")
        print(line, flush=True)
    print("load average at the end: " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    sys.exit(1 if bad_any else 0)


if __name__ == "__main__":
    main()
