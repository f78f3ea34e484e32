"""hotspot.dask.run: one configuration on a Dask cluster, written as `hotspot run` writes it.

The driver (this process) runs the engine's own run pipeline: it loads, validates and projects
the inputs, runs every step, and writes the one GeoPackage (atomically: a temporary file renamed
into place), the quick-look and the summary. Parts of the work go to the workers through
the engine's hooks (hotspot/run.hpp, RunDistribution), each split into tasks whose results are
joined in task order, never in completion order:

- assign (aggregate's point-in-polygon): the incidents cut into KD tiles on counts, one task a
  tile; per-point results, so no halo is needed and the integer sums stay on the driver (while a
  LocalCluster of --local-workers is still starting, the driver's engine assigns them itself);
- the local statistics' permutations (Gi*, Local Moran): units split into ranges, the value
  vector and the weights broadcast; each unit draws from its own stream (seed, unit);
- the Knox test's counts: lanes (the observed times and each permutation) split into ranges,
  each permutation with its own stream (seed, permutation);
- clusters (_clusters.py): dbscan and st-dbscan by KD tiles with an eps halo, merged only
  through core-core links; hdbscan whole, as one task;
- KDE: the density raster in windows of the engine's own blocks, in the global grid and global
  point order (_density.py); the threshold and zones on the driver;
- emerging: the space-time cube in KD tiles of cells, each with a band halo of cells; per owned
  cell and step its count and its Gi* neighbour sum (_density.py); the cube's moments, z and p,
  trends and classes on the driver.

Everything else (profiles, the moments, FDR and labels) is computed by the driver's engine,
exactly as `hotspot run` computes it.
"""
import logging
import os
import re
import threading

import numpy as np

import hotspot
from .. import _hotspot
from .._errors import IoError, UsageError
from . import _density, _parts, _probe
from ._clusters import ClusterHooks
from ._tiles import kd_tiles, ranges

_LOG_LEVELS = {"error": 0, "warn": 1, "info": 2, "debug": 3}


class WorkerVersionError(UsageError):
    """A worker without the hotspot module, or with another version of it."""


def check_workers(client):
    """Refuses a cluster where some worker lacks hotspot or has another version: raises
    WorkerVersionError naming each such worker. Returns {address: version}."""
    import cloudpickle
    try:  # workers still starting or connecting: give them a minute
        client.wait_for_workers(1, timeout=60)
    except Exception:  # noqa: BLE001 - reported below as no worker
        pass
    cloudpickle.register_pickle_by_value(_probe)  # the probe must arrive where hotspot is missing
    try:
        found = client.run(_probe.probe)
    finally:
        cloudpickle.unregister_pickle_by_value(_probe)
    if not found:
        raise IoError("the Dask cluster has no worker")
    want = hotspot.__version__
    bad = []
    for addr in sorted(found):
        f = found[addr]
        if f["error"]:
            bad.append(f"worker {addr} cannot import hotspot ({f['error']}); install the module "
                       f"there (make python, or the venv recipe in README.md)")
        elif f["version"] != want or f["engine"] != want:
            bad.append(f"worker {addr} has hotspot {f['version']} (engine {f['engine']}), the driver "
                       f"{want}; install the same version on every worker")
    if bad:
        raise WorkerVersionError("; ".join(bad), "workers")
    return {a: found[a]["version"] for a in found}


class StartingClient:
    """A Dask client whose cluster is still starting (python -m hotspot.dask --local-workers starts
    its LocalCluster in a thread while the driver's engine loads and projects the inputs). The
    first distributed part of a run waits for it and checks its workers (check_workers), once for
    every run that shares it. future: a concurrent.futures.Future of (client, cluster)."""

    def __init__(self, future):
        self._future = future
        self._lock = threading.Lock()
        self._ready = None  # the checked client
        self._failed = None  # or why it cannot be used

    def started(self):
        """Whether the start has ended (then client() returns at once, or after the check)."""
        return self._future.done()

    def client(self):
        with self._lock:
            if self._ready is None and self._failed is None:
                try:
                    c, _ = self._future.result()
                except Exception as e:  # noqa: BLE001 - a cluster that did not start: exit 4
                    self._failed = IoError(f"cannot start the local Dask cluster: {e}")
                else:
                    try:
                        check_workers(c)
                        self._ready = c
                    except Exception as e:  # noqa: BLE001 - kept, with its exit code
                        self._failed = e
            if self._failed is not None:
                raise self._failed
            return self._ready

    def close(self):
        """Closes the client and its cluster, once started (waiting for the start to end)."""
        try:
            c, cluster = self._future.result()
        except Exception:  # noqa: BLE001 - nothing was started
            return
        c.close()
        cluster.close()


def _auto_tasks(client, part):
    """tiles=auto: two tasks per worker thread, so a slow or lost worker is caught up by others;
    one for near_repeat, since each of its tasks enumerates every close pair again."""
    threads = sum(client.nthreads().values()) or 1
    return threads if part == "near_repeat" else 2 * threads


class _Hooks(ClusterHooks):
    """What the engine calls at each distributed part (python/src/dask_parts.cpp). Each method
    scatters its large columns once (broadcast), submits one task per tile or range with only
    futures and small numbers as arguments, and gathers in task order."""

    def __init__(self, client, tiles, task_threads):
        self._client, self._tiles_arg, self.task_threads = client, tiles, task_threads
        self._tiles = None
        self.fatal = None  # why a cluster still starting (StartingClient) could not be used
        self.tasks = {}  # part -> number of tasks submitted (for the summary)

    @property
    def client(self):
        if not isinstance(self._client, StartingClient):
            return self._client
        try:
            return self._client.client()
        except Exception as e:  # noqa: BLE001 - run() raises this one, with its own exit code
            self.fatal = e
            # An I/O error ends the engine's run with nothing written (a UsageError would only
            # fail the analysis at hand, and the next part would meet the same cluster).
            raise IoError(f"the Dask cluster is not usable: {e}") from e

    @property
    def tiles(self):
        if self._tiles is None:
            self._tiles = {k: (_auto_tasks(self.client, k) if v == "auto" else int(v))
                           for k, v in self._tiles_arg.items()}
        return self._tiles

    # Keys are random (hash=False, pure=False), never derived from the data: two runs of the same
    # data at once (--configs) would otherwise share keys, and one run releasing its data could
    # cancel the other's tasks.
    def _scatter(self, *objs):
        return [self.client.scatter([o], broadcast=True, hash=False)[0] if o is not None else None
                for o in objs]

    def _submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def _gather(self, part, futures):
        self.tasks[part] = self.tasks.get(part, 0) + len(futures)
        return self.client.gather(futures)

    def assign(self, x, y, communes, zones):
        # Reached about 0.6 s after start on 1M incidents, when a LocalCluster takes 1.5 to 2.5 s:
        # rather than wait, the driver's engine assigns them itself (in 0.1 s), as hotspot run does.
        if isinstance(self._client, StartingClient) and not self._client.started():
            return None
        n = len(x)
        order, bounds, _ = kd_tiles(x, y, self.tiles["assign"])
        fx, fy, fc, fz = self._scatter(np.ascontiguousarray(x[order]), np.ascontiguousarray(y[order]),
                                       communes, zones)
        futures = [self._submit(_parts.assign_tile, fx, fy, fc, fz, int(bounds[k]), int(bounds[k + 1]),
                                self.task_threads)
                   for k in range(len(bounds) - 1)]
        commune = np.full(n, -1, dtype=np.int32)
        zone = np.full(n, -1, dtype=np.int32)
        for k, (c, z) in enumerate(self._gather("assign", futures)):
            own = order[bounds[k]:bounds[k + 1]]
            commune[own], zone[own] = c, z
        return commune, zone

    def local_permutations(self, values, gi_w, lisa_w, permutations, seed):
        fv, fg, fl = self._scatter(values, gi_w, lisa_w)
        parts = ranges(len(values), self.tiles["local"])
        futures = [self._submit(_parts.local_range, fv, fg, fl, permutations, seed, a, b,
                                self.task_threads)
                   for a, b in parts]
        got = self._gather("local", futures)
        gi = np.concatenate([g for g, _ in got]) if gi_w is not None else None
        lisa = np.concatenate([m for _, m in got]) if lisa_w is not None else None
        return gi, lisa

    def knox_lanes(self, x, y, t, space_bands, time_bands, permutations, seed, budget):
        fx, fy, ft = self._scatter(x, y, t)
        parts = ranges(1 + permutations, self.tiles["near_repeat"])
        futures = [self._submit(_parts.knox_range, fx, fy, ft, space_bands, time_bands, permutations,
                                seed, a, b, self.task_threads, budget)
                   for a, b in parts]
        got = self._gather("near_repeat", futures)
        return np.concatenate([c for c, _ in got]), int(got[0][1])

    # KDE in windows of the engine's blocks, and emerging's cube per tile of cells (_density.py).
    kde = _density.kde
    emerging_sums = _density.emerging_sums


PARTS = ("assign", "local", "near_repeat", "clusters", "kde", "emerging")
_MAX_TASKS = 100_000


def _tiles_arg(tiles):
    """tiles: "auto", an int >= 1 for every part, or {"assign"|"local"|"near_repeat"|"clusters"|"kde"|"emerging": ...}."""
    if isinstance(tiles, dict):
        unknown = set(tiles) - set(PARTS)
        if unknown:
            raise UsageError(f"tiles: unknown part {sorted(unknown)[0]!r} (known: {', '.join(PARTS)})", "tiles")
        out = {p: tiles.get(p, "auto") for p in PARTS}
    else:
        out = {p: tiles for p in PARTS}
    for p, v in out.items():
        if v == "auto":
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1 or v > _MAX_TASKS:
            raise UsageError(f"tiles: must be auto or an integer in 1..{_MAX_TASKS} (got {v!r})", "tiles")
    return out


def parse_tiles(text):
    """The --tiles text as run()'s tiles: "auto"; "N" (every part); or comma-separated PART=V
    items (V: auto or N), the parts not named auto, with one bare "V" or "default=V" setting the
    parts not named instead: "kde=16,clusters=4", "8,kde=32", "default=2,near_repeat=auto".
    Raises UsageError (exit 2) naming the bad item."""
    def value(v, item):
        v = v.strip()
        if v == "auto":
            return v
        n = int(v) if re.fullmatch(r"[0-9]{1,7}", v) else 0  # no sign, "_" or other digits
        if not 1 <= n <= _MAX_TASKS:
            raise UsageError(f"--tiles: {item!r}: a task count is auto or an integer in 1..{_MAX_TASKS}",
                             "tiles")
        return n

    text = str(text).strip()
    items = [i.strip() for i in text.split(",")]
    if "=" not in text and len(items) == 1:
        return value(text, text)
    default, named = "auto", {}
    seen_default = False
    for item in items:
        part, eq, v = item.partition("=")
        part = part.strip() if eq else "default"
        if not item:
            raise UsageError(f"--tiles: an empty item in {text!r} (e.g. kde=16,clusters=4)", "tiles")
        if eq and not part:
            raise UsageError(f"--tiles: {item!r} names no part (e.g. kde=16)", "tiles")
        if part == "hdbscan":
            raise UsageError("--tiles: hdbscan is not split: it always runs as one task", "tiles")
        if part != "default" and part not in PARTS:
            raise UsageError(f"--tiles: unknown part {part!r} (known: {', '.join(PARTS)}, or default)",
                             "tiles")
        if (part == "default" and seen_default) or part in named:
            raise UsageError(f"--tiles: {part} is given twice in {text!r}", "tiles")
        if part == "default":
            seen_default, default = True, value(v if eq else item, item)
        else:
            named[part] = value(v, item)
    return {p: named.get(p, default) for p in PARTS}


def run(config, client, *, tiles="auto", threads=None, log_level="warn", check=True, details=None,
        strict=False, overwrite=False, if_changed=False, previous=None):
    """Run a configuration file on a Dask cluster: the GeoPackage, quick-look and summary of
    `hotspot run --config CONFIG`, every layer identical.

    config: path to run.json (schemas/run.schema.json); its paths must be readable by the driver.
    client: a distributed.Client.
    tiles: "auto" (DEFAULT: two tasks per worker thread, one for near_repeat), a task count for
        every distributed part, or a dict {"assign": N, "local": N, "near_repeat": N, "clusters": N, "kde": N,
        "emerging": N} (clusters: the KD tiles of dbscan and st-dbscan; hdbscan is always one
        task; kde: at most one window per block of the raster; emerging: the KD tiles of cells,
        each with its band halo), the parts not named auto.
        parse_tiles turns the command line's text ("kde=16,clusters=4") into this.
    threads: the driver engine's threads for the parts it computes itself; DEFAULT None: the
        configuration's (else every core).
    log_level: error | warn (DEFAULT) | info | debug, printed on stderr as `hotspot run` prints.
    check: refuse workers without hotspot or with another version first (DEFAULT True).
    details: a dict that receives "text" (the summary as `hotspot run` prints it), "warnings",
        "exit_code" (0, or 5 when an analysis failed on its own) and "tasks" per part.
    strict, overwrite, if_changed, previous: `hotspot run`'s --strict (DEFAULT False: an analysis
        that fails on its own is left out, the others written, exit_code 5), --overwrite (DEFAULT
        False: refuse to replace a file hotspot did not write), --if-changed (DEFAULT False; when
        the config and inputs are those of the existing output, nothing is run: the summary's
        status is "skipped") and --previous (DEFAULT None: the config's, else the output being
        replaced).
    Returns the run summary (schemas/run-summary.schema.json) as a dict. Raises UsageError,
    InputError or IoError (IoError also when the scheduler or the workers are lost: the previous
    output is left as it was).
    """
    tiles = _tiles_arg(tiles)
    if log_level not in _LOG_LEVELS:
        raise UsageError(f"log_level: error, warn, info or debug (got {log_level!r})", "log_level")
    if check and not isinstance(client, StartingClient):  # one still starting checks itself
        check_workers(client)
    hooks = _Hooks(client, tiles, 1)
    t = -1 if threads is None else hotspot._api._threads(threads)
    try:
        r = _hotspot.dask_run(os.fspath(config), t, hooks, _LOG_LEVELS[log_level], strict=bool(strict),
                              overwrite=bool(overwrite), if_changed=bool(if_changed),
                              previous="" if previous is None else os.fspath(previous))
    except Exception:
        if hooks.fatal is not None:  # the cluster's own failure, e.g. WorkerVersionError (exit 2)
            raise hooks.fatal from None
        raise
    if details is not None:
        details.update(text=r["text"], warnings=list(r["warnings"]), exit_code=r["exit_code"],
                       tasks=dict(hooks.tasks))
    return r["summary"]


def exit_code_of(e):
    """The `hotspot run` exit code of an exception from run()."""
    from .._errors import InputError
    if isinstance(e, UsageError):
        return 2
    if isinstance(e, InputError):
        return 3
    if isinstance(e, (IoError, OSError)):
        return 4
    # A lost scheduler surfaces from the client as these (not engine errors): the run wrote nothing.
    try:
        from distributed.comm.core import CommClosedError
        from concurrent.futures import CancelledError, TimeoutError as FutTimeout
        if isinstance(e, (CommClosedError, CancelledError, FutTimeout, TimeoutError)):
            return 4
    except ImportError:  # pragma: no cover
        pass
    return 1


logging.getLogger(__name__).addHandler(logging.NullHandler())
