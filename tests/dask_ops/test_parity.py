"""`python -m hotspot.dask` honours hotspot run's --strict, --overwrite, --if-changed and --previous
as `hotspot run` does: the same exit codes (5 for a partial run, the failing analysis' own code
with --strict, 2 for an output hotspot did not write, 0 with nothing to do), the same summary text
(but for the timings line), the same messages and, every time a file is written, every layer equal.

Each case runs both commands on the sample's inputs with cheap analyses (a local analysis and
near_repeat with few permutations, so that every hook of hotspot.dask is used); the module runs
on one LocalCluster of two worker processes (--scheduler), each output in its own directory under
the same file name (the QGIS project names the file)."""
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, cli_path, digest

SAMPLE = os.path.join(ROOT, "data", "sample")
AGGREGATE = {"type": "aggregate", "zone_buffer_m": 1000}
LOCAL = {"type": "local", "units": "communes", "weights": "queen", "permutations": 99, "seed": 3}
NEAR_REPEAT = {"type": "near_repeat", "space_bands": [0, 100, 200], "time_bands": [0, 7, 14], "permutations": 9}
# The sample spans two years: six-month steps are 4, too few for a trend (tests/cli/test_run_nightly.py).
EMERGING_4_STEPS = {"type": "emerging", "grid": "hex:1000", "time_step": "6mo"}
KDE = {"type": "kde", "cell_size": 100, "bandwidth": 400, "top_percent": 20}


def _config(directory, analyses, name="run.json"):
    """The sample's inputs (absolute paths), these analyses, the output directory/out.gpkg."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(SAMPLE, "run.json")) as f:
        c = json.load(f)
    for source in c["inputs"].values():
        if isinstance(source, dict) and "path" in source:
            source["path"] = os.path.join(SAMPLE, source["path"])
    c["output"] = {"path": os.path.join(str(directory), "out.gpkg"), "quicklook": False}
    c.pop("briefings", None)
    c["analyses"] = analyses
    path = os.path.join(str(directory), name)
    with open(path, "w") as f:
        json.dump(c, f)
    return path, c["output"]["path"]


class Pair:
    """The same arguments to `hotspot run` (in cli/) and to `python -m hotspot.dask` (in dask/)."""

    def __init__(self, tmp_path, address, analyses):
        self.address = address
        self.cfg, self.out = {}, {}
        for side in ("cli", "dask"):
            self.cfg[side], self.out[side] = _config(tmp_path / side, analyses)
        self.dirs = {side: str(tmp_path / side) for side in self.cfg}

    def run(self, *args):
        cli = subprocess.run([cli_path(), "run", "--config", self.cfg["cli"], *map(str, args)],
                             capture_output=True, text=True, timeout=300)
        dask = subprocess.run([sys.executable, "-m", "hotspot.dask", "--config", self.cfg["dask"],
                               "--scheduler", self.address, *map(str, args)],
                              capture_output=True, text=True, timeout=300)
        return cli, dask

    def text(self, p, side):
        """stdout with the side's directory and the timings line left out."""
        return re.sub(r"(?m)^time .*\n", "", p.stdout.replace(self.dirs[side], "DIR"))

    def same(self, cli, dask, code):
        assert cli.returncode == code, cli.stderr
        assert dask.returncode == code, dask.stderr
        assert self.text(cli, "cli") == self.text(dask, "dask")

    def layers_equal(self):
        a, b = digest(self.out["cli"]), digest(self.out["dask"])
        assert a == b, [t for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t)]


@pytest.fixture(scope="module")
def address(two_workers):
    return two_workers.scheduler.address


def test_partial_exits_5_and_strict_exits_with_the_failure(address, tmp_path):
    pair = Pair(tmp_path / "partial", address, [AGGREGATE, LOCAL, EMERGING_4_STEPS, NEAR_REPEAT])
    cli, dask = pair.run()
    pair.same(cli, dask, 5)
    assert "FAILED     emerging (input error, exit 3)" in dask.stdout and "partial: 1 analysis failed" in dask.stdout
    assert "emerging failed, the other analyses go on" in dask.stderr
    pair.layers_equal()  # the other analyses' layers, written as hotspot run writes them

    strict = Pair(tmp_path / "strict", address, [AGGREGATE, LOCAL, EMERGING_4_STEPS, NEAR_REPEAT])
    cli, dask = strict.run("--strict")
    strict.same(cli, dask, 3)
    assert "at least 10" in cli.stderr and "at least 10" in dask.stderr
    assert not os.path.exists(strict.out["cli"]) and not os.path.exists(strict.out["dask"])
    assert not [f for f in os.listdir(strict.dirs["dask"]) if f != "run.json"]  # no temporary left


def test_overwrite_then_if_changed(address, tmp_path):
    pair = Pair(tmp_path, address, [AGGREGATE, LOCAL, NEAR_REPEAT])
    for side in ("cli", "dask"):
        with open(pair.out[side], "w") as f:
            f.write("somebody else's file\n")
    cli, dask = pair.run()
    pair.same(cli, dask, 2)
    for p in (cli, dask):
        assert "is not a GeoPackage written by hotspot" in p.stderr and "--overwrite" in p.stderr
    for side in ("cli", "dask"):
        with open(pair.out[side]) as f:
            assert f.read() == "somebody else's file\n"

    cli, dask = pair.run("--overwrite")
    pair.same(cli, dask, 0)
    pair.layers_equal()

    # Nothing changed: nothing is run, exit 0, the file left as it was.
    before = {side: os.stat(pair.out[side]).st_mtime_ns for side in pair.out}
    cli, dask = pair.run("--if-changed")
    pair.same(cli, dask, 0)
    assert "unchanged" in dask.stdout and "nothing to do" in dask.stdout
    cli, dask = pair.run("--if-changed", "--json")
    docs = [json.loads(p.stdout) for p in (cli, dask)]
    assert docs[0]["status"] == docs[1]["status"] == "skipped"
    assert docs[0]["reason"].replace(pair.dirs["cli"], "DIR") == docs[1]["reason"].replace(pair.dirs["dask"], "DIR")
    assert {side: os.stat(pair.out[side]).st_mtime_ns for side in pair.out} == before

    # A changed configuration runs again.
    for side in ("cli", "dask"):
        with open(pair.cfg[side]) as f:
            c = json.load(f)
        c["analyses"][2]["permutations"] = 19
        with open(pair.cfg[side], "w") as f:
            json.dump(c, f)
    cli, dask = pair.run("--if-changed")
    pair.same(cli, dask, 0)
    assert "unchanged" not in dask.stdout
    pair.layers_equal()


@pytest.mark.slow
def test_previous_carries_hotspot_ids(address, tmp_path):
    prev_cfg, prev_out = _config(tmp_path / "yesterday", [KDE])
    subprocess.run([cli_path(), "run", "--config", prev_cfg, "--quiet"], check=True)
    pair = Pair(tmp_path, address, [KDE])
    cli, dask = pair.run("--previous", prev_out)
    pair.same(cli, dask, 0)
    pair.layers_equal()
    # Honoured, not ignored: without --previous every zone would be new.
    _, fresh_out = _config(tmp_path / "fresh", [KDE])
    subprocess.run([cli_path(), "run", "--config", os.path.join(tmp_path, "fresh", "run.json"), "--quiet"], check=True)
    fresh, carried = digest(fresh_out), digest(pair.out["dask"])
    assert fresh["hotspot_zones"] != carried["hotspot_zones"]


def test_previous_is_refused_with_configs(tmp_path):
    p = subprocess.run([sys.executable, "-m", "hotspot.dask", "--configs", "a.json", "b.json", "--local-workers", "1",
                        "--previous", "x.gpkg"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "--previous" in p.stderr
