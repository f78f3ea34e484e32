#!/usr/bin/python3
"""Slow test (ctest label `slow`, not in `make test`; run with `make slow-test`): 10 million
incidents and 2,000 communes through `hotspot validate` and `hotspot aggregate`. Every row is
accounted for, and peak memory stays within the budget the README states.

Usage: test_ten_million.py HOTSPOT_BINARY DATAGEN_BINARY
"""
import os
import resource
import shutil
import subprocess
import sys
import tempfile

HOTSPOT, DATAGEN = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
N = 10_000_000
# README "Memory": validate ~95 MB per million incidents, aggregate ~150 MB per million plus at
# most 256 MiB of SQLite page cache. The budget leaves 25 % for noise.
BUDGET_GB = {"validate": 1.2, "aggregate": 2.2}


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
    finally:
        shutil.rmtree(tmp)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
