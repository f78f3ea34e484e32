"""Helpers shared by the compare scripts: the cached generated input and running hotspot."""
import os
import re
import subprocess
import sys
import time


def generate(build, work, communes, incidents):
    """Runs hotspot-datagen once per (size, generator binary); returns the data dir."""
    datagen = os.path.join(build, "bin", "hotspot-datagen")
    if not os.access(datagen, os.X_OK):
        sys.exit(f"missing {datagen}: build it with `cmake --build {build} --target hotspot-datagen`")
    data = os.path.join(work, f"data-{communes}c-{incidents}i")
    st = os.stat(datagen)
    stamp_text = f"{communes} {incidents} {st.st_size} {st.st_mtime_ns}\n"
    stamp = os.path.join(data, ".stamp")
    if os.path.exists(stamp) and open(stamp).read() == stamp_text:
        return data
    print(f"generating {incidents:,} incidents and {communes:,} communes into {data} ...", flush=True)
    subprocess.run([datagen, "--out", data, "--communes", str(communes), "--incidents", str(incidents),
                    "--no-bad-rows"], check=True, stdout=subprocess.DEVNULL)
    with open(stamp, "w") as f:
        f.write(stamp_text)
    return data


def run_hotspot(cmd):
    """Runs one hotspot command; returns (wall seconds, {step: seconds}, stdout)."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    m = re.search(r"^time\s+[\d.]+s \((.*)\)$", r.stdout, re.M)
    steps = {k: float(v) for k, v in re.findall(r"([a-z][a-z ]*?) ([\d.]+)s", m.group(1))} if m else {}
    return wall, steps, r.stdout
