"""Shared fixtures of the Python module's tests: the CLI binary the equality tests compare with,
the repository root, and inputs written once per session. ctest sets HOTSPOT_CLI, HOTSPOT_ROOT and
PYTHONPATH (the build tree's module); see python/CMakeLists.txt."""
import os
import subprocess

import numpy as np
import pytest

ROOT = os.environ.get("HOTSPOT_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
GOLDEN = os.path.join(ROOT, "tests", "golden")


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("HOTSPOT_CLI", os.path.join(ROOT, "build", "bin", "hotspot"))
    if not os.path.exists(path):
        pytest.fail(f"the hotspot CLI is not built ({path}); ctest sets HOTSPOT_CLI")

    def run(*args):
        p = subprocess.run([path, *map(str, args)], capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        return p.stdout
    run.path = path
    return run


def write_xy_csv(path, x, y, t=None):
    """Incidents as the CLI reads them; repr() round-trips every double exactly."""
    with open(path, "w") as f:
        f.write("id,x,y" + (",time" if t is not None else "") + "\n")
        for i in range(len(x)):
            row = f"{i},{float(x[i])!r},{float(y[i])!r}"
            if t is not None:
                row += "," + str(np.datetime64(int(t[i]), "s")) + "Z"
            f.write(row + "\n")


def read_golden_xy(name):
    a = np.loadtxt(os.path.join(GOLDEN, name), delimiter=",", skiprows=1)
    return np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1])
