"""Every layer of the sample run on three worker processes (a LocalCluster on 127.0.0.1) equals
`hotspot run`'s (tests/golden/run_sample/layer_digests.json, the digest test_run_unchanged.py
checks), with 1, 4 and 16 tiles for every part and with per-part tile counts: ctest
python.dask_ops_slow (label slow)."""
import pytest

import hotspot.dask as hd
from conftest import digest, golden, sample_config


def _check_equal(out):
    got, want = digest(out), golden()
    bad = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
    assert not bad, f"layers that differ from hotspot run: {bad}"


@pytest.mark.slow  # tests/dask runs the sample on two workers with 4 tiles in every ctest run
@pytest.mark.parametrize("tiles", [
    4,
    pytest.param(1, marks=pytest.mark.slow),
    pytest.param(16, marks=pytest.mark.slow),
    pytest.param({"assign": 16, "local": 1, "near_repeat": 3}, marks=pytest.mark.slow),
    pytest.param({"assign": 1, "local": 16}, marks=pytest.mark.slow),  # near_repeat: auto, 3 (one per worker)
    pytest.param({"assign": 5, "local": 2, "near_repeat": 4, "clusters": 9, "kde": 3, "emerging": 16},
                 marks=pytest.mark.slow),  # every part its own count
])
def test_sample_run_equal_three_workers(three_workers, tmp_path, tiles):
    assert len(three_workers.scheduler_info()["workers"]) == 3
    config, out = sample_config(tmp_path)
    details = {}
    s = hd.run(config, three_workers, tiles=tiles, details=details)
    assert s["status"] == "ok" and details["exit_code"] == 0
    want = tiles if isinstance(tiles, dict) else {p: tiles for p in hd.PARTS}
    assert details["tasks"]["assign"] == want.get("assign", 6)  # auto: two per worker thread
    assert details["tasks"]["near_repeat"] == want.get("near_repeat", 3)  # auto: one per worker thread
    assert details["tasks"]["clusters"] == want.get("clusters", 6)
    assert details["tasks"]["emerging"] == want.get("emerging", 6)
    assert details["tasks"]["kde"] == min(want.get("kde", 6), 8)  # 2 x 4 blocks, one window each at most
    # Two local analyses (communes, 22 units; hex grid): a range of units each, at least.
    assert 2 <= details["tasks"]["local"] <= 2 * want.get("local", 6)
    _check_equal(out)
