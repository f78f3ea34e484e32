"""The scaling simulator of benchmarks/python/dask_scaling.py against closed forms: list scheduling
of equal tasks takes ceil(K / W) task lengths, the broadcast takes ceil(log3 W) replication rounds,
results queue on the driver's link, and the fitted task model recovers a + b x size exactly."""
import importlib.util
import math
import os

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("dask_scaling",
                                               os.path.join(ROOT, "benchmarks", "python", "dask_scaling.py"))
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)


def test_list_scheduling_without_network():
    net = ds.Network(0.0, math.inf, 0.0)
    for k, w in [(64, 1), (64, 2), (64, 7), (64, 64), (10, 64), (1, 3)]:
        assert ds.simulate_part([0.5] * k, [0] * k, 0, w, net) == pytest.approx(0.5 * math.ceil(k / w))
    # In task order onto the first free worker: 3, 1, 1, 1 on two workers -> 3 | 1 + 1 + 1.
    assert ds.simulate_part([3.0, 1.0, 1.0, 1.0], [0] * 4, 0, 2, net) == pytest.approx(3.0)
    assert ds.simulate_part([1.0, 1.0, 1.0, 3.0], [0] * 4, 0, 2, net) == pytest.approx(4.0)


def test_network_model():
    net = ds.Network(0.001, 1e6, 0.002)  # 1 ms a message, 1 MB/s, 2 ms a task
    # Broadcast of 1 MB: to one worker, then rounds of two copies from each holder.
    for w, rounds in [(1, 0), (2, 1), (3, 1), (4, 2), (9, 2), (10, 3), (64, 4)]:
        assert net.broadcast(1e6, w) == pytest.approx(1.001 + rounds * 2.001)
    # One worker, two tasks of 1 s with 0.5 MB results: the second result waits for the first.
    t = ds.simulate_part([1.0, 1.0], [5e5, 5e5], 0, 1, net)
    start = 0.001  # the empty scatter message
    assert t == pytest.approx(start + 2 * 1.002 + 0.501)
    # Two workers (one replication round): both finish together, the results queue on the link.
    t = ds.simulate_part([1.0, 1.0], [5e5, 5e5], 0, 2, net)
    assert t == pytest.approx(0.002 + 1.002 + 2 * 0.501)


def test_fit_recovers_the_task_model():
    a, b = 0.02, 1e-5
    runs = []
    for sizes in ([1000] * 8 + [1001] * 8, [8000, 8002, 8001, 8001]):
        runs.append([{"part": "assign", "sizes": sizes, "durations": [a + b * z for z in sizes],
                      "result_bytes": [8 * z for z in sizes], "scattered_bytes": 0, "seconds": 0}])
    (m,) = ds.fit(runs)
    assert m["a"] == pytest.approx(a) and m["b"] == pytest.approx(b)
    assert m["total"] == 16008 and m["bytes_per_item"] == pytest.approx(8)
    # tiles auto on W workers: 2W tasks of near-equal size, each a + b x size.
    d, nb, _ = ds.tasks_at(runs[0][0], m, 4, weak=False, auto=True)
    assert len(d) == 8 and sum(d) == pytest.approx(8 * a + b * 16008)
    # Weak scaling: W times the items; Knox: the same lanes, each W times longer.
    d, _, _ = ds.tasks_at(runs[0][0], m, 4, weak=True, auto=True)
    assert len(d) == 8 and sum(d) == pytest.approx(8 * a + b * 4 * 16008)
    knox = dict(runs[0][0], part="knox_lanes")
    d, _, _ = ds.tasks_at(knox, m, 4, weak=True, auto=True)
    assert len(d) == 4 and sum(d) == pytest.approx(4 * (4 * a) + 4 * b * 16008)
