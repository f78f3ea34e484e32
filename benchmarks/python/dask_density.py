#!/usr/bin/python3
"""hotspot.dask's KDE windows and emerging tiles against `hotspot run` on the national-like set:
the kde and emerging analyses of the full-run benchmark alone, equality of their layers and the
times of the two steps.

    /usr/bin/python3 benchmarks/python/dask_density.py [--build build] [--work /tmp/hotspot-bench]
        [--communes 2000] [--incidents 1000000] [--workers 2] [--tiles auto]

The input is hotspot-datagen's (benchmarks/compare/common.py generate); the analyses are those of
benchmarks/compare/full_run_vs_peers.py (KDE: 50 m cells, 500 m quartic, communes mask, edge
correction, top 20 %; emerging: hex:500, 1w). `hotspot run --json` is timed from the outside; the
distributed run is hotspot.dask.run on a LocalCluster already started (worker processes with one
thread each), so the cluster's start is not counted. Step times are the summaries' own. Prints the
load average; exits 1 when a layer differs.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "benchmarks", "compare"))
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
from common import generate  # noqa: E402
from full_run_vs_peers import GRID, KDE, WORK_CRS  # noqa: E402
from layer_digest import digest  # noqa: E402


def write_config(path, data, out):
    config = {
        "title": "KDE and emerging on the national-like set",
        "inputs": {"communes": {"path": os.path.join(data, "communes.gpkg"), "population_field": "population"},
                   "incidents": {"path": os.path.join(data, "incidents.csv"), "utc_offset": "+07:00"}},
        "work_crs": WORK_CRS,
        "output": {"path": out, "quicklook": False},
        "analyses": [{"type": "kde", **KDE}, {"type": "emerging", "grid": GRID, "time_step": "1w"}],
    }
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def steps(summary):
    return {name: round(a["seconds"], 2) for name, a in summary["analyses"].items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--work", default="/tmp/hotspot-bench")
    p.add_argument("--communes", type=int, default=2000)
    p.add_argument("--incidents", type=int, default=1_000_000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--tiles", default="auto")
    a = p.parse_args()
    build = os.path.abspath(a.build)
    sys.path.insert(0, os.path.join(build, "python"))
    import hotspot.dask as hd
    from distributed import Client, LocalCluster
    data = os.path.abspath(generate(build, a.work, a.communes, a.incidents))
    work = os.path.join(os.path.abspath(a.work), "dask-density")
    os.makedirs(os.path.join(work, "ref"), exist_ok=True)
    ref_cfg, ref_out = os.path.join(work, "ref", "run.json"), os.path.join(work, "ref", "out.gpkg")
    cfg, out = os.path.join(work, "run.json"), os.path.join(work, "out.gpkg")
    write_config(ref_cfg, data, ref_out)
    write_config(cfg, data, out)
    print(f"{a.incidents:,} incidents, {a.communes:,} communes; load average "
          + " ".join(f"{v:.1f}" for v in os.getloadavg()) + f" on {os.cpu_count()} cores", flush=True)
    t0 = time.perf_counter()
    r = subprocess.run([os.path.join(build, "bin", "hotspot"), "run", "--json", "--overwrite", "--config", ref_cfg],
                       check=True, capture_output=True, text=True)
    base = time.perf_counter() - t0
    print(f"hotspot run: {base:.1f} s, steps {steps(json.loads(r.stdout))}", flush=True)
    tiles = a.tiles if a.tiles == "auto" else int(a.tiles)
    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        details = {}
        t0 = time.perf_counter()
        s = hd.run(cfg, client, tiles=tiles, details=details)
        took = time.perf_counter() - t0
    print(f"hotspot.dask.run, {a.workers} worker(s), started cluster: {took:.1f} s, steps {steps(s)}, "
          f"tasks {details['tasks']}", flush=True)
    want, got = digest(ref_out), digest(out)
    bad = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
    print("layers " + ("identical" if not bad else f"DIFFER: {bad}"))
    print("load average at the end: " + " ".join(f"{v:.1f}" for v in os.getloadavg()))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
