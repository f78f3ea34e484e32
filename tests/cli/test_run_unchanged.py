#!/usr/bin/python3
"""hotspot run on data/sample gives the layer contents recorded in
tests/golden/run_sample/layer_digests.json (see tests/golden/layer_digest.py for how it was made):
the engine-API refactor, and any later change that does not mean to, leaves every layer as it was.

Usage: test_run_unchanged.py HOTSPOT_BINARY REPO_ROOT [--write]
  --write   record this binary's digests as the golden file instead of checking them
"""
import json
import os
import subprocess
import sys
import tempfile

HOTSPOT, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SAMPLE = os.path.join(ROOT, "data", "sample")
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
from layer_digest import digest  # noqa: E402


def main():
    with open(os.path.join(SAMPLE, "run.json")) as f:
        config = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        for k in ("communes", "zones", "incidents", "roads"):
            if k in config["inputs"]:
                config["inputs"][k]["path"] = os.path.join(SAMPLE, config["inputs"][k]["path"])
        config["output"]["path"] = os.path.join(tmp, "demo.gpkg")
        config["output"]["quicklook"] = False
        path = os.path.join(tmp, "run.json")
        with open(path, "w") as f:
            json.dump(config, f)
        subprocess.run([HOTSPOT, "run", "--quiet", "--config", path], check=True, stdout=subprocess.DEVNULL)
        got = digest(os.path.join(tmp, "demo.gpkg"))
    golden = os.path.join(ROOT, "tests", "golden", "run_sample", "layer_digests.json")
    if sys.argv[3:] == ["--write"]:
        with open(golden, "w") as f:
            json.dump(got, f, indent=1, sort_keys=True)
            f.write("\n")
        return
    with open(golden) as f:
        want = json.load(f)
    bad = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
    for t in bad:
        print(f"{t}: expected {want.get(t)}, got {got.get(t)}")
    print(f"{len(want) - len(bad)} passed, {len(bad)} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
