"""GIL release, thread independence, error mapping, interoperability with libpysal and scipy,
zero-copy inputs and the geographic-CRS refusal."""
import os
import subprocess
import threading
import time

import geopandas as gpd
import numpy as np
import pytest

import hotspot as hs
from conftest import GOLDEN, read_golden_xy

LOCAL = os.path.join(GOLDEN, "local")


def test_version_is_the_clis(cli):
    assert cli("--version").strip() == f"hotspot {hs.__version__}"


def test_a_thread_keeps_ticking_during_kde():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 20000, 6_400_000), rng.uniform(0, 20000, 6_400_000)
    # Size the call to at least half a second on this machine, whatever its speed: the time is
    # not proportional to n (the 4M-cell raster costs the same at any n), so double n until a
    # call is long enough.
    n = 100_000
    while n < len(x):
        t0 = time.perf_counter()
        hs.kde(x[:n], y[:n], cell_size=10, bandwidth=300, threads=1)
        if time.perf_counter() - t0 >= 0.5:
            break
        n *= 2
    ticks, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.01)

    th = threading.Thread(target=tick)
    th.start()
    time.sleep(0.05)
    start = time.perf_counter()
    hs.kde(x[:n], y[:n], cell_size=10, bandwidth=300, threads=1)
    end = time.perf_counter()
    stop.set()
    th.join()
    during = [t for t in ticks if start <= t <= end]
    elapsed = end - start
    assert elapsed > 0.3, elapsed
    # Held, the GIL would allow no tick at all during the call (a C++ call never yields it).
    # Released, the ticker runs every 10 ms when it gets a core: the bounds leave room for a
    # machine where other processes take most of the time.
    assert len(during) >= max(5, 0.1 * elapsed / 0.01), (len(during), elapsed)
    gaps = np.diff([start, *during, end])
    assert gaps.max() < elapsed / 2, (gaps.max(), elapsed)


def test_results_do_not_depend_on_threads():
    x, y = read_golden_xy("cluster/bei.csv")
    a, b = hs.kde(x, y, cell_size=10, threads=1), hs.kde(x, y, cell_size=10, threads=2)
    np.testing.assert_array_equal(a.values.view(np.int32), b.values.view(np.int32))
    np.testing.assert_array_equal(hs.dbscan(x, y, eps=8, min_points=3, threads=1).labels,
                                  hs.dbscan(x, y, eps=8, min_points=3, threads=2).labels)
    h1, h2 = (hs.hdbscan(x, y, min_cluster_size=20, threads=t) for t in (1, 2))
    np.testing.assert_array_equal(h1.labels, h2.labels)
    np.testing.assert_array_equal(h1.outlier_scores, h2.outlier_scores)
    gdf = gpd.read_file(os.path.join(LOCAL, "ny8.gpkg"))
    w = hs.weights(gdf, "queen")
    g1, g2 = (hs.gi_star(gdf["Z"], w, threads=t) for t in (1, 2))
    np.testing.assert_array_equal(g1["GiPValue"], g2["GiPValue"])


def test_hdbscan_and_st_dbscan_results():
    x, y = read_golden_xy("cluster/bei.csv")
    h = hs.hdbscan(x, y, min_cluster_size=20)
    assert h.core is None and h.probabilities.shape == x.shape
    assert ((h.probabilities >= 0) & (h.probabilities <= 1)).all()
    assert (h.probabilities[h.labels == -1] == 0).all()
    # ST-DBSCAN with an eps_time that covers every time is DBSCAN.
    t = np.datetime64("2024-01-01") + np.arange(len(x)).astype("timedelta64[m]")
    s = hs.st_dbscan(x, y, t, eps=8, eps_time=np.timedelta64(365, "D"), min_points=3)
    np.testing.assert_array_equal(s.labels, hs.dbscan(x, y, eps=8, min_points=3).labels)
    s0 = hs.st_dbscan(x, y, t, eps=8, eps_time=60, min_points=3)
    assert (s0.labels == -1).sum() > (s.labels == -1).sum()


def test_usage_error_names_the_parameter():
    x, y = np.arange(10.0), np.arange(10.0)
    with pytest.raises(hs.UsageError) as e:
        hs.kde(x, y, cell_size=0, bandwidth=5)
    assert isinstance(e.value, ValueError) and e.value.parameter == "cell_size" and "cell_size" in str(e.value)
    with pytest.raises(hs.UsageError) as e:
        hs.dbscan(x, y, eps=-1)
    assert e.value.parameter == "eps"
    with pytest.raises(hs.UsageError) as e:
        hs.kde(x, y, cell_size=10, kernel="box")
    assert e.value.parameter == "kernel"
    with pytest.raises(hs.UsageError) as e:
        hs.weights(np.c_[x, y], "knn:0")
    assert e.value.parameter == "weights"
    with pytest.raises(hs.UsageError) as e:
        hs.dbscan(x, y[:5], eps=1)
    assert e.value.parameter == "y" and "5 values" in str(e.value)
    with pytest.raises(hs.UsageError) as e:
        hs.dbscan(x, y, eps=1, threads=0)
    assert e.value.parameter == "threads"
    with pytest.raises(hs.UsageError) as e:
        hs.knox(x, y, np.arange(10), space_bands=[0], time_bands=[0, 7])
    assert e.value.parameter == "space_bands"


def test_input_error():
    x, y = np.arange(10.0), np.arange(10.0)
    x[3] = np.nan
    with pytest.raises(hs.InputError) as e:
        hs.dbscan(x, y, eps=1)
    assert isinstance(e.value, ValueError) and "finite" in str(e.value) or "NaN" in str(e.value)
    w = hs.weights(np.c_[np.arange(5.0), np.zeros(5)], "knn:2")
    with pytest.raises(hs.InputError):
        hs.gi_star(np.ones(5), w)  # constant values


def test_geographic_coordinates_are_refused():
    lon, lat = np.array([105.8, 105.9, 106.0]), np.array([21.0, 21.1, 21.2])
    for call in [lambda: hs.dbscan(lon, lat, eps=0.01, crs="EPSG:4326"),
                 lambda: hs.kde(lon, lat, cell_size=0.001, crs="EPSG:4326"),
                 lambda: hs.weights(np.c_[lon, lat], "knn:1", crs="EPSG:4326"),
                 lambda: hs.emerging(lon, lat, np.arange(3), crs="EPSG:4326")]:
        with pytest.raises(hs.InputError) as e:
            call()
        assert e.value.parameter == "crs" and "geographic" in str(e.value)
    gdf = gpd.read_file(os.path.join(LOCAL, "ny8.gpkg")).to_crs(4326)
    with pytest.raises(hs.InputError, match="geographic"):
        hs.weights(gdf, "queen")


def sample_config(tmp_path, out):
    """The sample run's configuration with absolute input paths, aggregate only, output `out`."""
    import json
    from conftest import ROOT
    base = os.path.join(ROOT, "data", "sample")
    cfg = json.load(open(os.path.join(base, "run.json")))
    cfg.pop("$schema", None)
    for v in cfg["inputs"].values():
        v["path"] = os.path.join(base, v["path"])
    cfg["output"] = {"path": str(out), "quicklook": False}
    cfg["analyses"] = [a for a in cfg["analyses"] if a["type"] == "aggregate"]
    cfg.pop("briefings", None)  # (a briefing needs a kde analysis)
    p = tmp_path / f"run-{os.path.basename(str(out))}.json"
    p.write_text(json.dumps(cfg))
    return p


def test_io_error(tmp_path):
    # The output cannot be created (a directory no file can be made in): the CLI's exit 4.
    with pytest.raises(hs.IoError) as e:
        hs.run(sample_config(tmp_path, "/proc/hotspot-test.gpkg"))
    assert isinstance(e.value, OSError) and e.value.parameter is None
    assert "cannot create" in str(e.value) or "not writable" in str(e.value)
    # A configuration that cannot be read is an I/O error (exit 4), as on the CLI.
    with pytest.raises(hs.IoError, match="missing.json"):
        hs.run(tmp_path / "missing.json")


def test_libpysal_queen_gives_the_same_gi_star():
    from libpysal.weights import Queen
    gdf = gpd.read_file(os.path.join(LOCAL, "columbus.geojson"))
    ours = hs.gi_star(gdf["CRIME"], hs.weights(gdf, "queen", crs="planar"), permutations=0)
    theirs = hs.gi_star(gdf["CRIME"], Queen.from_dataframe(gdf), permutations=0)
    np.testing.assert_allclose(theirs["GiZScore"], ours["GiZScore"], rtol=1e-12, atol=0)
    np.testing.assert_array_equal(theirs["NNeighbors"], ours["NNeighbors"])
    # scipy.sparse in, scipy.sparse out.
    w = hs.weights(gdf, "queen", crs="planar")
    np.testing.assert_array_equal(hs.weights(w.to_scipy()).index, w.index)
    same = hs.local_moran(gdf["CRIME"], w.to_scipy(), permutations=99)
    np.testing.assert_array_equal(same["LMiPValue"], hs.local_moran(gdf["CRIME"], w, permutations=99)["LMiPValue"])


def test_a_unit_that_is_its_own_neighbour_is_refused():
    import scipy.sparse
    m = scipy.sparse.identity(4, format="csr") + scipy.sparse.eye(4, k=1, format="csr")
    with pytest.raises(hs.UsageError) as e:
        hs.gi_star(np.arange(4.0), m)
    assert e.value.parameter == "w"


def test_points_go_in_without_a_copy():
    import tracemalloc
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1000, 200_000), rng.uniform(0, 1000, 200_000)
    hs.dbscan(x[:10], y[:10], eps=1)  # warm up
    tracemalloc.start()
    hs.dbscan(x, y, eps=5, min_points=5)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # numpy allocations are traced: the 1.6 MB labels array comes back; no copy of x or y (1.6 MB
    # each) goes in through numpy.
    assert peak < 2.5 * x.nbytes, peak


def test_aggregate_counts_points_in_communes():
    from shapely.geometry import box
    communes = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
                                crs="EPSG:32648")
    x = np.array([1.0, 2.0, 15.0, 10.0, 30.0])
    y = np.array([1.0, 2.0, 5.0, 5.0, 5.0])
    out = hs.aggregate(x, y, communes, crs="EPSG:32648")
    # The point on the shared edge counts once; the one at x=30 is outside both.
    assert list(out["incidents"]) in ([3, 1], [2, 2])
    assert out["incidents"].sum() == 4
    np.testing.assert_allclose(out["area_km2"], [1e-4, 1e-4])
    np.testing.assert_allclose(out["per_km2"], out["incidents"] / 1e-4)
    assert out.crs == communes.crs and list(out["name"]) == ["a", "b"]


def test_run_returns_the_summary(tmp_path, cli):
    import json
    s = hs.run(sample_config(tmp_path, tmp_path / "run.gpkg"), threads=2)
    assert isinstance(s, dict) and os.path.exists(tmp_path / "run.gpkg")
    want = json.loads(cli("run", "--config", sample_config(tmp_path, tmp_path / "cli.gpkg"), "--json"))
    assert want.keys() == s.keys() and s["status"] == "ok"
    for k in ("layers", "counts", "work_crs"):
        assert s[k] == want[k], k


def test_dask_main_sets_the_malloc_tunables_once():
    """python -m hotspot.dask re-executes itself once with the `hotspot` launcher's malloc tunables
    (cli/launcher.cpp), after the caller's own keys; never twice, never with HOTSPOT_MALLOC_TUNING=0."""
    from hotspot.dask.__main__ import MALLOC_TUNABLES, tuned_environment
    env = tuned_environment({"PATH": "/usr/bin"})
    assert env["GLIBC_TUNABLES"] == ":".join(MALLOC_TUNABLES) and env["PATH"] == "/usr/bin"
    assert tuned_environment(env) is None  # the re-executed process does not go round again
    env = tuned_environment({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2"})
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2:" + ":".join(MALLOC_TUNABLES[1:])
    assert tuned_environment({"GLIBC_TUNABLES": ":".join(MALLOC_TUNABLES)}) is None
    assert tuned_environment({"HOTSPOT_MALLOC_TUNING": "0"}) is None
