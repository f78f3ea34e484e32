#!/usr/bin/python3
"""Kill-safety: `hotspot aggregate` killed with SIGKILL at random moments never damages the previous
output, and the next run removes the temporary files that killed runs left behind.

Usage: test_kill.py HOTSPOT_BINARY REPO_ROOT [ROUNDS]   (default 50 rounds; seeded, so repeatable)
"""
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 50
SAMPLE = os.path.join(ROOT, "data", "sample")


def main():
    tmp = tempfile.mkdtemp(prefix="hotspot-kill-")
    out = os.path.join(tmp, "out.gpkg")
    args = [HOTSPOT, "aggregate", "--communes", f"{SAMPLE}/communes.gpkg", "--zones", f"{SAMPLE}/zones.geojson",
            "--incidents", f"{SAMPLE}/incidents.csv", "--population-field", "population", "--out", out]
    rng = random.Random(20240101)
    failures = []

    def valid(path):
        return subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", path],
                              capture_output=True).returncode == 0

    try:
        t0 = time.monotonic()
        subprocess.run(args, check=True, capture_output=True)
        full = time.monotonic() - t0
        killed = completed = 0
        for r in range(ROUNDS):
            before = hashlib.sha256(open(out, "rb").read()).hexdigest()
            p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, full * 1.1))
            p.kill()
            rc = p.wait()
            after = hashlib.sha256(open(out, "rb").read()).hexdigest()
            # The output must be the previous file, byte for byte, or a complete new one (the kill
            # came after the rename); validity is checked either way.
            if rc == 0 or after != before:
                completed += 1
            else:
                killed += 1
            if not valid(out):
                failures.append(f"round {r}: output fails validate_gpkg")
            temps = [f for f in os.listdir(tmp) if ".tmp-" in f]
            if len(temps) > 1:
                failures.append(f"round {r}: stale temporary files not cleaned: {temps}")
        subprocess.run(args, check=True, capture_output=True)
        temps = [f for f in os.listdir(tmp) if ".tmp-" in f]
        if temps:
            failures.append(f"temporary files left after a complete run: {temps}")
        print(f"{ROUNDS} rounds: {killed} killed before the output was replaced, {completed} after")
    finally:
        shutil.rmtree(tmp)
    for f in failures:
        print("FAIL", f)
    print(f"{ROUNDS - len(failures) if len(failures) <= ROUNDS else 0} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
