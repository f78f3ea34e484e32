"""hotspot.dask: every layer of a run on a Dask cluster equals `hotspot run`'s; tiles have one
owner per point; ranges computed apart join into exactly the whole; workers with another version
are refused; a worker killed mid-run (during the Knox lanes, during the KDE windows) changes
nothing; a lost scheduler leaves the previous output; --tiles takes per-part counts.

Runs on real LocalClusters of worker processes on 127.0.0.1: ctest python.dask runs the quick
ones (-m "not slow": 4 tiles, two per-part mixes, a worker killed during the KDE windows),
python.dask_slow (label slow) the rest: 1 and 16 tiles, one worker with per-part tile counts, the
summary against hotspot run --json, --configs, a worker killed during Knox and the scheduler lost
mid-run."""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import hotspot
import hotspot.dask as hd
from hotspot import _hotspot
from conftest import cli_path, cli_run, digest, golden, sample_config

ENV = dict(os.environ)


# ---- tiles and ranges ----------------------------------------------------------------------------

@pytest.mark.parametrize("n_tiles", [1, 2, 3, 4, 7, 16])
def test_kd_tiles_one_owner_half_open(n_tiles):
    rng = np.random.default_rng(5)
    # A dense town in a sparse province, with duplicated points on cut values.
    x = np.concatenate([rng.normal(0, 100, 3000), rng.uniform(-1e4, 1e4, 1000), np.full(50, 7.0)])
    y = np.concatenate([rng.normal(0, 100, 3000), rng.uniform(-1e4, 1e4, 1000), np.full(50, 7.0)])
    order, bounds, boxes = hd.kd_tiles(x, y, n_tiles)
    assert len(boxes) == n_tiles and len(bounds) == n_tiles + 1
    assert np.array_equal(np.sort(order), np.arange(len(x)))  # every point, exactly once
    for k in range(n_tiles):
        own = order[bounds[k]:bounds[k + 1]]
        assert np.all(np.diff(own) > 0)
        x0, y0, x1, y1 = boxes[k]
        assert np.all((x[own] >= x0) & (x[own] < x1) & (y[own] >= y0) & (y[own] < y1))
        # Half-open boxes: no point of another tile lies in this one.
        inside = (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
        assert inside.sum() == len(own)
    if n_tiles in (2, 4, 16):  # counts, not areas: near-equal tiles (duplicates aside)
        sizes = np.diff(bounds)
        assert sizes.max() - sizes.min() <= 60


def test_ranges_cover_in_order():
    for n, parts in [(10, 3), (3, 10), (0, 4), (1000, 16)]:
        r = hd.ranges(n, parts)
        assert r[0][0] == 0 and r[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(r, r[1:]))


# ---- the engine's range entry points -------------------------------------------------------------

def _csr_with_self(w):
    """Binary weights with each unit in its own row (the Gi* weights) and row-standardised ones."""
    n = w.n
    rows = [np.sort(np.append(w.index[w.offset[i]:w.offset[i + 1]], i)) for i in range(n)]
    goff = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    gidx = np.concatenate(rows).astype(np.int32)
    card = np.diff(w.offset)
    lw = np.repeat(1.0 / np.maximum(card, 1), card)
    return (goff, gidx, np.ones(len(gidx))), (w.offset, w.index, lw)


def test_local_ranges_join_into_the_whole():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 5000, (400, 2))
    w = hotspot.weights(xy, "knn:6")
    values = rng.poisson(4, 400).astype(float)
    gw, lw = _csr_with_self(w)
    whole_g, whole_l = _hotspot.dask_local_pvalues(values, gw, lw, 199, 77, 0, 400, 2)
    parts = [_hotspot.dask_local_pvalues(values, gw, lw, 199, 77, a, b, 1) for a, b in hd.ranges(400, 7)]
    assert np.array_equal(np.concatenate([p[0] for p in parts]), whole_g, equal_nan=True)
    assert np.array_equal(np.concatenate([p[1] for p in parts]), whole_l, equal_nan=True)
    # ... and the whole equals the public API's (hs.gi_star runs the unsplit engine path).
    gi = hotspot.gi_star(values, w, permutations=199, seed=77)
    assert np.array_equal(gi["GiPValue"], whole_g, equal_nan=True)


def test_knox_lanes_join_into_the_whole():
    rng = np.random.default_rng(4)
    n = 2000
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    t = (1_700_000_000 + rng.integers(0, 90 * 86400, n)).astype(np.int64)
    sb, tb = [0.0, 50.0, 100.0, 200.0], [0.0, 3.0, 7.0, 14.0]
    whole, pairs = _hotspot.dask_knox_lanes(x, y, t, sb, tb, 39, 11, 0, 40, 2, 0)
    joined = [_hotspot.dask_knox_lanes(x, y, t, sb, tb, 39, 11, a, b, 1, 0) for a, b in hd.ranges(40, 6)]
    assert np.array_equal(np.concatenate([c for c, _ in joined]), whole)
    assert all(p == pairs for _, p in joined)
    # A tiny budget forces several passes per range: the same counts.
    small, _ = _hotspot.dask_knox_lanes(x, y, t, sb, tb, 39, 11, 0, 40, 1, 4 * n * 8)
    assert np.array_equal(small, whole)
    ref = hotspot.knox(x, y, t.astype("datetime64[s]"), space_bands=sb, time_bands=tb, permutations=39, seed=11)
    assert np.array_equal(np.asarray(ref["observed"]), whole[:9])


# ---- whole runs equal hotspot run ----------------------------------------------------------------

def _check_equal(out):
    got, want = digest(out), golden()
    bad = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
    assert not bad, f"layers that differ from hotspot run: {bad}"


@pytest.mark.parametrize("tiles", [4, pytest.param(1, marks=pytest.mark.slow),
                                   pytest.param(16, marks=pytest.mark.slow)])
def test_sample_run_equal_two_workers(two_workers, tmp_path, tiles):
    config, out = sample_config(tmp_path)
    details = {}
    s = hd.run(config, two_workers, tiles=tiles, details=details)
    assert s["status"] == "ok" and details["exit_code"] == 0
    assert details["tasks"]["assign"] == tiles and details["tasks"]["near_repeat"] == tiles
    assert details["tasks"]["local"] >= 2  # two local analyses, a range of units each at least
    _check_equal(out)


# Each part cut differently from the others, and the mirror: the parts cut finely in one are cut
# coarsely in the other (the sample has one clusters analysis, two local ones, a kde of 2 x 4 blocks).
MIXED = {"kde": 16, "clusters": 1, "assign": 4, "local": 3, "near_repeat": 5, "emerging": 7}
MIRROR = {"kde": 1, "clusters": 16, "assign": 7, "local": 5, "near_repeat": 3, "emerging": 4}


@pytest.mark.parametrize("tiles", [MIXED, MIRROR], ids=["mixed", "mirror"])
def test_sample_run_equal_per_part_tiles(two_workers, tmp_path, tiles):
    config, out = sample_config(tmp_path)
    details = {}
    s = hd.run(config, two_workers, tiles=tiles, details=details)
    assert s["status"] == "ok" and details["exit_code"] == 0
    want = {"assign": tiles["assign"], "near_repeat": tiles["near_repeat"], "clusters": tiles["clusters"],
            "emerging": tiles["emerging"], "kde": min(tiles["kde"], 8),
            "local": 2 * tiles["local"]}  # communes (22 units) and the hex grid: a range each per task
    assert {k: details["tasks"][k] for k in want} == want
    _check_equal(out)


@pytest.mark.slow
def test_sample_run_equal_one_worker_varied_tiles(one_worker, tmp_path):
    config, out = sample_config(tmp_path)
    hd.run(config, one_worker, tiles={"assign": 3, "local": 5, "near_repeat": 7})
    _check_equal(out)


@pytest.mark.slow
def test_summary_equals_hotspot_run(one_worker, tmp_path):
    config, out = sample_config(tmp_path)
    s = hd.run(config, one_worker, tiles="auto")
    p = subprocess.run([cli_path(), "run", "--json", "--config", config], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    ref = json.loads(p.stdout)
    for key in ("status", "exit_code", "counts", "work_crs", "bandwidths_m", "scales_m", "layers", "warnings"):
        assert s[key] == ref[key], key
    for name, a in ref["analyses"].items():
        assert s["analyses"][name]["counts"] == a["counts"] and s["analyses"][name]["parameters"] == a["parameters"]


# ---- the command line ----------------------------------------------------------------------------

def _module(*args, env=None):
    return subprocess.run([sys.executable, "-m", "hotspot.dask", *map(str, args)], capture_output=True,
                          text=True, env=env or ENV, timeout=300)


@pytest.mark.slow
def test_cli_configs_fan_out_one_exit_code(tmp_path):
    outs, goods = [], []
    for name in ("good", "good2"):  # two runs at once on the driver, sharing the workers
        os.mkdir(tmp_path / name)  # the output keeps the name demo.gpkg: the QGIS project names it
        cfg, out = sample_config(tmp_path / name, f"{name}.json")
        goods.append(cfg), outs.append(out)
    bad, _ = sample_config(tmp_path, "bad.json", "bad.gpkg",
                           edit=lambda c: c["analyses"].__setitem__(2, dict(c["analyses"][2], cell_size=-5)))
    # Per-part task counts through the command line, for both runs (each layer compared below).
    p = _module("--configs", goods[0], bad, goods[1], "--local-workers", 2, "--json",
                "--tiles", "3,kde=16,clusters=5,near_repeat=2")
    assert p.returncode == 2, p.stderr
    docs = json.loads(p.stdout)
    assert [d["exit_code"] for d in docs] == [0, 2, 0]
    assert docs[0]["status"] == "ok" and "cell_size" in docs[1]["message"]
    assert "analyses[2].cell_size" in p.stderr
    for out in outs:
        _check_equal(out)
    assert not os.path.exists(os.path.join(tmp_path, "bad.gpkg"))


def test_cli_usage_errors_exit_2(tmp_path):
    assert _module("--config", "x.json").returncode == 2  # neither --scheduler nor --local-workers
    p = _module("--config", os.path.join(tmp_path, "none.json"), "--local-workers", 1, "--tiles", "0")
    assert p.returncode == 2 and "--tiles" in p.stderr
    # Refused before any cluster starts (a LocalCluster would take seconds; these return at once).
    p = _module("--config", os.path.join(tmp_path, "none.json"), "--local-workers", 1, "--tiles", "kde=8,knox=2")
    assert p.returncode == 2 and "unknown part 'knox'" in p.stderr and "near_repeat" in p.stderr, p.stderr
    p = _module("--config", os.path.join(tmp_path, "none.json"), "--local-workers", 1, "--tiles", "kde=8,clusters=x")
    assert p.returncode == 2 and "'clusters=x'" in p.stderr, p.stderr


def test_parse_tiles_forms():
    every = {p: "auto" for p in hd.PARTS}
    assert hd.parse_tiles("auto") == "auto" and hd.parse_tiles("8") == 8
    assert hd.parse_tiles("kde=16,clusters=4") == dict(every, kde=16, clusters=4)
    assert hd.parse_tiles(" kde = 16 , local=auto") == dict(every, kde=16)
    assert hd.parse_tiles("8,kde=32") == dict({p: 8 for p in hd.PARTS}, kde=32)
    assert hd.parse_tiles("near_repeat=auto,default=2") == dict({p: 2 for p in hd.PARTS}, near_repeat="auto")
    assert hd.parse_tiles(",".join(f"{p}={k + 1}" for k, p in enumerate(hd.PARTS))) == {
        p: k + 1 for k, p in enumerate(hd.PARTS)}
    for bad, says in [("0", "1..100000"), ("100001", "1..100000"), ("kde=-1", "'kde=-1'"), ("kde=1.5", "'kde=1.5'"),
                      ("kde=1_000", "'kde=1_000'"), ("kde=", "'kde='"), ("kde=auto8", "'kde=auto8'"),
                      ("foo=3", "unknown part 'foo'"), ("KDE=3", "unknown part 'KDE'"),
                      ("hdbscan=2", "hdbscan is not split"), ("kde=3,kde=4", "kde is given twice"),
                      ("8,default=3", "default is given twice"), ("kde=3,,local=2", "an empty item"),
                      ("=5", "names no part"), ("", "1..100000")]:
        with pytest.raises(hotspot.UsageError, match=re.escape(says)):
            hd.parse_tiles(bad)
    # What parse_tiles gives, run() takes (and checks again).
    assert hd._run._tiles_arg(hd.parse_tiles("kde=16")) == dict(every, kde=16)


def test_cli_passes_per_part_tiles_to_the_runs(monkeypatch, capsys):
    import hotspot.dask.__main__ as cli
    seen = {}

    class Fake:
        def close(self):
            seen["closed"] = True

    def run_many(configs, client, **kwargs):
        seen.update(configs=configs, tiles=kwargs["tiles"])
        return [{"config": c, "exit_code": 0, "summary": {}, "text": "", "warnings": []} for c in configs]

    monkeypatch.setattr(cli, "_client", lambda args: (Fake(), None))
    monkeypatch.setattr(hd, "run_many", run_many)
    assert cli.main(["--config", "a.json", "--scheduler", "tcp://x:1", "--tiles", "kde=16,clusters=4", "--quiet"]) == 0
    assert seen["tiles"] == dict({p: "auto" for p in hd.PARTS}, kde=16, clusters=4) and seen["closed"]
    assert cli.main(["--configs", "a.json", "b.json", "--scheduler", "tcp://x:1", "--tiles", "3", "--quiet"]) == 0
    assert seen["tiles"] == 3 and seen["configs"] == ["a.json", "b.json"]


# ---- faults --------------------------------------------------------------------------------------

def test_workers_with_another_version_are_refused(two_workers, tmp_path):
    addrs = sorted(two_workers.scheduler_info()["workers"])

    def fake_version():
        import hotspot as h
        h.__version__ = "0.0.0-other"

    def no_module():
        import sys as s
        s.modules["hotspot"] = None  # `import hotspot` now raises ImportError here

    import cloudpickle
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this file
    try:
        two_workers.run(fake_version, workers=[addrs[0]])
        with pytest.raises(hd.WorkerVersionError) as e:
            hd.check_workers(two_workers)
        assert addrs[0] in str(e.value) and "0.0.0-other" in str(e.value) and addrs[1] not in str(e.value)
        two_workers.run(no_module, workers=[addrs[1]])
        with pytest.raises(hd.WorkerVersionError) as e:
            hd.check_workers(two_workers)
        assert addrs[1] in str(e.value) and "cannot import hotspot" in str(e.value)
        assert hd.exit_code_of(e.value) == 2
        # Checked at the first distributed part when the cluster was still starting (StartingClient):
        # the same refusal ends the run, nothing written, exit 2 (not an analysis that failed).
        config, out = sample_config(tmp_path)
        with pytest.raises(hd.WorkerVersionError, match="cannot import hotspot") as e:
            hd.run(config, _starting((two_workers, None)))
        assert hd.exit_code_of(e.value) == 2 and not os.path.exists(out)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        two_workers.restart()  # fresh worker processes for the next tests
    assert len(hd.check_workers(two_workers)) == 2


def _starting(result=None, error=None):
    """A StartingClient whose start has ended with `result` (client, cluster) or `error`."""
    from concurrent.futures import Future
    f = Future()
    if error is not None:
        f.set_exception(error)
    else:
        f.set_result(result)
    return hd._run.StartingClient(f)


def test_a_cluster_that_did_not_start_ends_the_run_with_exit_4(tmp_path):
    # python -m hotspot.dask --local-workers starts its cluster while the engine loads the inputs
    # (StartingClient): a start that failed ends the run at the first distributed part, with
    # nothing written, exit 4, and the reason.
    config, out = sample_config(tmp_path)
    starting = _starting(error=OSError("no free port on 127.0.0.1"))
    with pytest.raises(hotspot.IoError, match="cannot start the local Dask cluster: no free port") as e:
        hd.run(config, starting)
    assert hd.exit_code_of(e.value) == 4
    assert not os.path.exists(out) and not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    starting.close()  # nothing started: nothing to close


def test_cluster_still_starting_the_driver_assigns_and_the_rest_is_distributed(two_workers, tmp_path,
                                                                                monkeypatch):
    # The first part (assign) is reached before the LocalCluster has started: the driver's engine
    # assigns the incidents itself; the cluster "starts" only then, and every later part runs on it.
    from concurrent.futures import Future
    start = Future()
    declined = []
    original = hd._run._Hooks.assign

    def assign(self, *args):
        got = original(self, *args)
        declined.append(got is None)
        start.set_result((two_workers, None))  # the cluster is up for the next parts
        return got

    monkeypatch.setattr(hd._run._Hooks, "assign", assign)
    config, out = sample_config(tmp_path)
    details = {}
    s = hd.run(config, hd._run.StartingClient(start), details=details)
    assert declined == [True] and s["status"] == "ok" and details["exit_code"] == 0
    assert "assign" not in details["tasks"] and details["tasks"]["local"] >= 2 and details["tasks"]["kde"] >= 1
    _check_equal(out)


def test_cli_local_workers_equal_hotspot_run(tmp_path):
    config, out = sample_config(tmp_path)
    p = _module("--config", config, "--local-workers", 1, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["status"] == "ok"
    _check_equal(out)


def _heavy(config):
    """More near-repeat permutations, so that tasks are still running when a process is killed."""
    for a in config["analyses"]:
        if a["type"] == "near_repeat":
            a["permutations"] = 999


def _wait_for_task(client, prefix, timeout=120):
    end = time.time() + timeout
    while time.time() < end:
        for addr, keys in client.processing().items():
            if any(str(k).startswith(prefix) for k in keys):
                return addr
        time.sleep(0.02)
    raise AssertionError(f"no {prefix} task ran within {timeout} s")


@pytest.mark.slow
def test_worker_killed_mid_run_changes_nothing(tmp_path):
    from distributed import Client, LocalCluster
    os.mkdir(tmp_path / "ref")  # the same output name: the QGIS project names the file
    ref_cfg, ref_out = sample_config(tmp_path / "ref", edit=_heavy)
    cli_run(ref_cfg)
    config, out = sample_config(tmp_path, edit=_heavy)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        result = {}

        def go():
            try:
                result["summary"] = hd.run(config, client, tiles=16)
            except Exception as e:  # noqa: BLE001 - reported below
                result["error"] = e
        th = threading.Thread(target=go)
        th.start()
        victim = _wait_for_task(client, "knox_range")
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        th.join(timeout=300)
        assert not th.is_alive()
        assert "error" not in result, result.get("error")
        assert victim not in client.scheduler_info()["workers"]  # it died holding a task
    assert digest(out) == digest(ref_out)


def _fine_kde(config):
    """The sample's kde alone at 20 m: 845 x 613 cells, 4 x 10 blocks, so that its windows keep
    both workers busy for a while (at 50 m the sample has 8 blocks, done in milliseconds)."""
    kde = dict(next(a for a in config["analyses"] if a["type"] == "kde"), cell_size=20)
    config["analyses"] = [kde]
    config.pop("briefings", None)


def _kill_if_kde_running(marker, dask_worker=None):
    """Run on a worker's event loop (client.run): SIGKILL to its own process when its state
    machine has a kde_window task executing (in the worker's thread, the GIL released); the
    task's key goes to `marker` first. Else None."""
    import os as _os
    import signal as _signal
    running = [str(ts.key) for ts in dask_worker.state.executing if str(ts.key).startswith("kde_window")]
    if not running:
        return None
    with open(marker, "w") as f:
        f.write(running[0])
    _os.kill(_os.getpid(), _signal.SIGKILL)


def test_worker_killed_during_kde_windows_changes_nothing(two_workers, tmp_path):
    """SIGKILL to a worker process of a LocalCluster while it executes a KDE window task: Dask
    computes the window again (on the other worker or the nanny's new one) and every layer equals
    hotspot run's. The kill is decided inside the worker, on its event loop, while a kde_window
    task is executing there, so the task is running, not merely assigned, when the process dies.

    Nothing waits for the nanny's new worker: the run finishes on the other one, and no later test
    of this module needs two. (A LocalCluster closes a nanny whose worker's name is missing from
    the scheduler when a lost-worker timer fires, distributed.deploy.lost-worker-timeout, 15 s
    after any removal; the timer of the previous test's client.restart() can fire while the
    killed worker is restarting, and then the cluster keeps one worker.)"""
    import cloudpickle
    os.mkdir(tmp_path / "ref")  # the same output name: the QGIS project names the file
    ref_cfg, ref_out = sample_config(tmp_path / "ref", edit=_fine_kde)
    cli_run(ref_cfg)
    config, out = sample_config(tmp_path, edit=_fine_kde)
    marker = str(tmp_path / "killed")
    client = two_workers
    client.wait_for_workers(2, timeout=60)
    victim = sorted(client.scheduler_info()["workers"])[0]
    pid = client.run(os.getpid, workers=[victim])[victim]
    result, details = {}, {}

    def go():
        try:
            result["summary"] = hd.run(config, client, tiles={"kde": 40}, details=details)
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = e
    th = threading.Thread(target=go)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this file
    try:
        th.start()
        while not os.path.exists(marker) and th.is_alive():
            try:
                client.run(_kill_if_kde_running, marker, workers=[victim])
            except Exception:  # noqa: BLE001 - the worker died answering: the marker says why
                break
            time.sleep(0.002)
        th.join(timeout=300)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert not th.is_alive()
    assert os.path.exists(marker), "the run ended before a kde_window task was seen executing on the worker"
    with open(marker) as f:
        assert f.read().startswith("kde_window")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # that worker process is gone
    assert "error" not in result, result.get("error")
    assert details["tasks"]["kde"] == 40  # one window per block
    assert digest(out) == digest(ref_out)


@pytest.mark.slow
def test_scheduler_lost_leaves_previous_output_and_exits_4(tmp_path):
    config, out = sample_config(tmp_path, edit=_heavy)
    cli_run(config)  # the previous output
    with open(out, "rb") as f:
        before = hashlib.sha256(f.read()).hexdigest()
    sched_file = os.path.join(tmp_path, "scheduler.json")
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", "0", "--no-dashboard", "--scheduler-file", sched_file],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        end = time.time() + 60
        while not os.path.exists(sched_file) and time.time() < end:
            time.sleep(0.1)
        with open(sched_file) as f:
            address = json.load(f)["address"]
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                   "--no-dashboard", "--no-nanny"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        from distributed import Client
        env = dict(ENV, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="3s")
        with Client(address) as watch:
            watch.wait_for_workers(1, timeout=60)
            driver = subprocess.Popen([sys.executable, "-m", "hotspot.dask", "--config", config, "--scheduler",
                                       address, "--tiles", "16"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env)
            _wait_for_task(watch, "knox_range")
            sched.kill()
        _, err = driver.communicate(timeout=180)
        assert driver.returncode == 4, err
        assert "Dask cluster failed" in err
    finally:
        for p in (sched, worker):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    with open(out, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == before
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".demo.gpkg") or f.endswith(".tmp")]
