"""Fixtures of the hotspot.dask operations tests (tests/dask_ops): Dask's own test fixtures
(distributed.utils_test: `client` on a cluster of worker processes, `gen_cluster` for in-process
workers), real LocalClusters of worker processes on 127.0.0.1, and the helpers of tests/dask
(sample configuration, layer digests, the CLI)."""
import importlib.util
import os
import sys

import pytest

ROOT = os.environ.get("HOTSPOT_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
# tests/dask/conftest.py under another name (this file is `conftest` here).
_spec = importlib.util.spec_from_file_location("dask_conftest", os.path.join(ROOT, "tests", "dask", "conftest.py"))
dask_conftest = importlib.util.module_from_spec(_spec)
sys.modules["dask_conftest"] = dask_conftest
_spec.loader.exec_module(dask_conftest)
cli_path, cli_run, digest, golden, sample_config = (dask_conftest.cli_path, dask_conftest.cli_run,
                                                    dask_conftest.digest, dask_conftest.golden,
                                                    dask_conftest.sample_config)

# Dask's own fixtures: `client` is a distributed.Client on `cluster_fixture` (a scheduler and two
# worker processes started by distributed.utils_test.cluster), with its `loop` and `cleanup` checks;
# `client_no_amm` the same with the Active Memory Manager stopped (it would drop broadcast copies
# that no waiting task needs, so a test could not see where the columns went).
from distributed.utils_test import (cleanup, client, client_no_amm, cluster_fixture, loop,  # noqa: E402,F401
                                    loop_in_thread)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: minutes on a loaded machine; ctest python.dask_ops_slow (label slow)")


def local_cluster(n, **kwargs):
    """A LocalCluster of n single-threaded worker processes on 127.0.0.1 and its client."""
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=":0", **kwargs)
    return cluster, Client(cluster)


@pytest.fixture(scope="module")
def three_workers():
    cluster, c = local_cluster(3)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def two_workers():
    cluster, c = local_cluster(2)
    yield c
    c.close()
    cluster.close()
