"""Fixtures of the hotspot.dask tests: real LocalClusters of worker processes on 127.0.0.1, the
sample configuration rewritten to a temporary output, and layer digests (tests/golden)."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.environ.get("HOTSPOT_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
SAMPLE = os.path.join(ROOT, "data", "sample")
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
from layer_digest import digest  # noqa: E402,F401 (the tests import it from here)

GOLDEN = os.path.join(ROOT, "tests", "golden", "run_sample", "layer_digests.json")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: minutes on a loaded machine; ctest python.dask_slow (label slow)")


def cli_path():
    path = os.environ.get("HOTSPOT_CLI", os.path.join(ROOT, "build", "bin", "hotspot"))
    if not os.path.exists(path):
        pytest.fail(f"the hotspot CLI is not built ({path}); ctest sets HOTSPOT_CLI")
    return path


def sample_config(directory, name="run.json", out="demo.gpkg", edit=None):
    """data/sample/run.json with absolute inputs and its output in `directory`, as
    tests/cli/test_run_unchanged.py rewrites it (no quick-look)."""
    with open(os.path.join(SAMPLE, "run.json")) as f:
        config = json.load(f)
    for k in ("communes", "zones", "incidents", "roads"):
        if k in config["inputs"]:
            config["inputs"][k]["path"] = os.path.join(SAMPLE, config["inputs"][k]["path"])
    config["output"]["path"] = os.path.join(str(directory), out)
    config["output"]["quicklook"] = False
    if edit:
        edit(config)
    path = os.path.join(str(directory), name)
    with open(path, "w") as f:
        json.dump(config, f)
    return path, config["output"]["path"]


def golden():
    with open(GOLDEN) as f:
        return json.load(f)


def cli_run(config):
    subprocess.run([cli_path(), "run", "--quiet", "--config", config], check=True, stdout=subprocess.DEVNULL)


def _cluster(n):
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=":0")
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def two_workers():
    yield from _cluster(2)


@pytest.fixture(scope="module")
def one_worker():
    yield from _cluster(1)
