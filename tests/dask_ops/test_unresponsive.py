"""A worker's event loop never stalls while the engine computes: Dask's own "Event loop was
unresponsive" log (distributed.core, INFO) stays silent during the parts hotspot.dask runs on
workers, because each engine call releases the GIL.

The worker is a real process (a LocalCluster on 127.0.0.1) whose tick limit is lowered from Dask's
3 s to 1 s (distributed.admin.tick.limit), and each engine call is grown until one call alone
takes at least 2 s, twice the limit. The same test proves it can fail: a task of the same length
that holds the GIL (a C loop that never returns to the interpreter: sum over a range) must make
the same worker log the message."""
import logging
import os
import sys
import time

import cloudpickle
import dask
import pytest

from conftest import local_cluster

LIMIT_S = 1.0
TARGET_S = 2.0
MESSAGE = "Event loop was unresponsive"


def _install_capture(dask_worker):
    """On the worker: keep distributed.core's INFO records (where the tick message is logged)."""
    from distributed.utils import DequeHandler
    handler = DequeHandler(n=1000)
    handler.setLevel(logging.INFO)
    core = logging.getLogger("distributed.core")
    core.addHandler(handler)
    if core.getEffectiveLevel() > logging.INFO:
        core.setLevel(logging.INFO)
    dask_worker._hotspot_tick_log = handler
    import distributed.core
    return distributed.core.tick_maximum_delay


def _captured(dask_worker):
    return [r.getMessage() for r in dask_worker._hotspot_tick_log.deque]


def _clear(dask_worker):
    dask_worker._hotspot_tick_log.deque.clear()


def _grow(call, n, target):
    """Calls call(n) with n grown until one call takes target seconds; returns (n, seconds)."""
    import time
    while True:
        t0 = time.perf_counter()
        call(n)
        dt = time.perf_counter() - t0
        if dt >= target:
            return n, dt
        n = int(n * min(8.0, max(1.5, 1.3 * target / max(dt, 1e-3))))


def _engine_local(target):
    """The local statistics' permutations of a range of units (the `local` part)."""
    import numpy as np
    import hotspot
    from hotspot import _hotspot

    def call(n):
        rng = np.random.default_rng(1)
        w = hotspot.weights(rng.uniform(0, 1e4, (n, 2)), "knn:8")
        card = np.diff(w.offset)
        lw = (w.offset, w.index, np.repeat(1.0 / np.maximum(card, 1), card))
        _hotspot.dask_local_pvalues(rng.poisson(5, n).astype(float), None, lw, 999, 7, 0, n, 1)
    return _grow(call, 500, target)


def _engine_knox(target):
    """Knox lanes (the `near_repeat` part): incidents grown over the same area at 999 permutations.
    (Growing the permutations instead ran into their 99,999 cap once Knox became fast.)"""
    import numpy as np
    from hotspot import _hotspot

    def call(n):
        rng = np.random.default_rng(2)
        x, y = rng.uniform(0, 4000, n), rng.uniform(0, 4000, n)
        t = (1_700_000_000 + rng.integers(0, 120 * 86400, n)).astype(np.int64)
        _hotspot.dask_knox_lanes(x, y, t, [0.0, 100.0, 200.0], [0.0, 7.0, 14.0], 999, 3, 0, 1000, 1, 0)
    return _grow(call, 4000, target)


def _engine_assign(target):
    """Point-in-polygon of a tile (the `assign` part): points grown."""
    import numpy as np
    from shapely.geometry import box
    from hotspot import _hotspot
    from hotspot._geometry import pack
    communes = pack([box(i * 100, j * 100, (i + 1) * 100, (j + 1) * 100) for j in range(30) for i in range(30)],
                    "communes")

    def call(n):
        rng = np.random.default_rng(3)
        _hotspot.dask_assign(rng.uniform(-50, 3050, n), rng.uniform(-50, 3050, n), communes, None, 1)
    return _grow(call, 50_000, target)


def _gil_held(target):
    """Pure Python that holds the GIL: builtin sum over a range never returns to the interpreter's
    loop, so no other thread of the process runs until it ends."""
    return _grow(lambda n: sum(range(n)), 1_000_000, target)


@pytest.fixture(scope="module")
def watched_worker():
    """One worker process whose tick limit is LIMIT_S, with distributed.core captured at INFO."""
    key = "DASK_DISTRIBUTED__ADMIN__TICK__LIMIT"
    before = os.environ.get(key)
    os.environ[key] = f"{LIMIT_S}s"  # read when the worker process imports distributed.core
    try:
        with dask.config.set({"distributed.admin.tick.limit": f"{LIMIT_S}s"}):
            cluster, client = local_cluster(1)
    finally:
        if before is None:
            os.environ.pop(key)
        else:
            os.environ[key] = before
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this file
    try:
        limits = client.run(_install_capture)
        assert list(limits.values()) == [LIMIT_S]
        yield client
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        client.close()
        cluster.close()


def _messages(client, want_some, wait_s=3.0):
    """The worker's captured records; when some are expected, waits for the tick that logs them."""
    end = time.time() + wait_s
    while True:
        (got,) = client.run(_captured).values()
        hits = [m for m in got if MESSAGE in m]
        if hits or not want_some or time.time() > end:
            return hits, got
        time.sleep(0.1)


def test_engine_parts_never_stall_the_event_loop_but_gil_holders_do(watched_worker):
    client = watched_worker
    client.run(_clear)
    for part in (_engine_local, _engine_knox, _engine_assign):
        n, seconds = client.submit(part, TARGET_S, pure=False).result()
        assert seconds >= TARGET_S
    hits, _ = _messages(client, want_some=False)
    assert not hits, hits
    # The control: the same length, the GIL held. Dask must notice, or the check above proves nothing.
    n, seconds = client.submit(_gil_held, TARGET_S, pure=False).result()
    assert seconds >= TARGET_S
    hits, got = _messages(client, want_some=True)
    assert [m for m in hits if "in Worker" in m], got
