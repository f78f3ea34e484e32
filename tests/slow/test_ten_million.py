#!/usr/bin/python3
"""Slow test (ctest label `slow`, not in `make test`; run with `make slow-test`): 10 million
incidents and 2,000 communes through `hotspot validate`, `hotspot aggregate` and a full
`hotspot run` with every analysis. Every row is accounted for, and peak memory stays within the
budget the README states: for the full run, 1.2 GB per million incidents beyond the KDE raster
(issue 17), the raster counted at 8 bytes a cell (its float32 values plus the float32 mask
and edge-correction rows it is made with).

Usage: test_ten_million.py HOTSPOT_BINARY DATAGEN_BINARY
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HOTSPOT, DATAGEN = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
N = 10_000_000
# README "Memory": validate ~95 MB per million incidents, aggregate ~150 MB per million plus at
# most 256 MiB of SQLite page cache. The budget leaves 25 % for noise.
BUDGET_GB = {"validate": 1.2, "aggregate": 2.2}
RUN_GB_PER_MILLION = 1.2


def full_run_config(tmp):
    """Every analysis, as benchmarks/compare/full_run_vs_peers.py runs them on 1M incidents. The
    near-repeat keeps the benchmark's bands but only the last quarter's incidents (its date
    filter): the pairs within 20 m and 28 days grow with the square of the density, and the full
    year would take tens of minutes without testing memory any further (Knox streams its pairs)."""
    return {
        "title": "slow test: 10,000,000 incidents, 2,000 communes",
        "inputs": {"communes": {"path": f"{tmp}/communes.gpkg", "population_field": "population"},
                   "zones": {"path": f"{tmp}/zones.geojson"},
                   "incidents": {"path": f"{tmp}/incidents.csv", "utc_offset": "+07:00"}},
        "work_crs": "EPSG:9210",
        "output": {"path": f"{tmp}/run.gpkg", "quicklook": False},
        "analyses": [
            {"type": "aggregate", "zone_buffer_m": 1000},
            {"type": "profiles"},
            {"type": "kde", "cell_size": 50, "bandwidth": 500, "mask": "communes", "edge_correction": True,
             "top_percent": 20},
            {"type": "clusters", "method": "dbscan", "eps": 30, "min_points": 20},
            {"type": "local", "units": "communes", "weights": "queen", "permutations": 999},
            {"type": "local", "units": "grid", "grid": "hex:500", "weights": "queen", "permutations": 999},
            {"type": "emerging", "grid": "hex:1000", "time_step": "1w"},
            {"type": "near_repeat", "space_bands": [0, 5, 10, 20], "time_bands": [0, 7, 14, 28],
             "permutations": 99, "from": "2024-10-01"},
        ],
    }


def raster_gb(gpkg):
    """The KDE raster's size at 8 bytes a cell, from the GeoPackage's tile matrix."""
    con = sqlite3.connect(gpkg)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_tile_matrix'").fetchone():
            return 0.0  # no raster in the file: the budget is then the incidents' alone
        w, h = con.execute("SELECT max(tile_width * matrix_width), max(tile_height * matrix_height) "
                           "FROM gpkg_tile_matrix").fetchone()
    finally:
        con.close()
    return (w or 0) * (h or 0) * 8 / 1e9


def peak_rss_gb(args):
    """Runs one command in a child and returns its exit code, stdout and peak RSS (GB)."""
    pid = os.fork()
    if pid == 0:
        out = os.open(os.path.join(tempfile.gettempdir(), f"hotspot-slow-{os.getpid()}.out"), os.O_CREAT | os.O_WRONLY)
        os.dup2(out, 1)
        os.execv(args[0], args)
    _, status, usage = os.wait4(pid, 0)
    path = os.path.join(tempfile.gettempdir(), f"hotspot-slow-{pid}.out")
    text = open(path).read()
    os.remove(path)
    return os.waitstatus_to_exitcode(status), text, usage.ru_maxrss / 1e6  # ru_maxrss is in KiB


def main():
    tmp = tempfile.mkdtemp(prefix="hotspot-slow-")
    failures = []
    try:
        subprocess.run([DATAGEN, "--out", tmp, "--communes", "2000", "--incidents", str(N)], check=True,
                       capture_output=True)
        common = ["--communes", f"{tmp}/communes.gpkg", "--zones", f"{tmp}/zones.geojson",
                  "--incidents", f"{tmp}/incidents.csv", "--population-field", "population"]
        for cmd, extra in (("validate", []), ("aggregate", ["--out", f"{tmp}/out.gpkg"])):
            rc, text, gb = peak_rss_gb([HOTSPOT, cmd, *common, *extra])
            print(f"{cmd}: exit {rc}, peak RSS {gb:.2f} GB (budget {BUDGET_GB[cmd]} GB)")
            print(text)
            if rc != 0:
                failures.append(f"{cmd} exited {rc}")
            if f"read {N} = accepted {N} + rejected 0" not in text:
                failures.append(f"{cmd}: rows not accounted for")
            if gb > BUDGET_GB[cmd]:
                failures.append(f"{cmd}: peak RSS {gb:.2f} GB over the budget of {BUDGET_GB[cmd]} GB")
        config = os.path.join(tmp, "run.json")
        with open(config, "w") as f:
            json.dump(full_run_config(tmp), f)
        rc, text, gb = peak_rss_gb([HOTSPOT, "run", "--config", config, "--json", "--quiet"])
        print(f"run: exit {rc}, peak RSS {gb:.2f} GB")
        if rc != 0:
            failures.append(f"run exited {rc}: {text[-2000:]}")
        else:
            summary = json.loads(text)
            print(json.dumps(summary.get("timings_s", {}), indent=1))
            rows = summary["counts"]
            if rows.get("read") != N or rows.get("accepted", 0) + rows.get("rejected", 0) != N:
                failures.append(f"run: rows not accounted for: {rows}")
            budget = RUN_GB_PER_MILLION * N / 1e6 + raster_gb(f"{tmp}/run.gpkg")
            print(f"run: budget {budget:.2f} GB (1.2 GB per million incidents + the raster)")
            if gb > budget:
                failures.append(f"run: peak RSS {gb:.2f} GB over the budget of {budget:.2f} GB")
    finally:
        shutil.rmtree(tmp)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
