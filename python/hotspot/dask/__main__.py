"""python -m hotspot.dask: `hotspot run` on a Dask cluster (see hotspot/dask/README.md).

Exit codes as `hotspot run`: 0 ok (also --if-changed with nothing to do), 2 usage or
configuration (also a worker without the module or with another version), 3 unusable data, 4 I/O
(also a lost scheduler or cluster: the previous output is left as it was), 5 an analysis failed on
its own (with --strict: its own code, and nothing written). With --configs: 0 when every run
succeeded, else the code of the first configuration (in the order given) that did not.
--strict, --overwrite, --if-changed and --previous mean what they mean to `hotspot run`.
"""
import argparse
import json
import os
import sys

# glibc's malloc tunables, as the `hotspot` launcher sets them (cli/launcher.cpp says why): huge
# pages for the heap, freed memory kept for reuse. glibc reads them only when a process starts.
MALLOC_TUNABLES = ("glibc.malloc.hugetlb=1", "glibc.malloc.trim_threshold=4294967296",
                   "glibc.malloc.top_pad=67108864")
_TUNED = "HOTSPOT_MALLOC_TUNED"  # set on the one re-exec (glibc rewrites GLIBC_TUNABLES in place)


def tuned_environment(environ):
    """The environment to re-execute with (GLIBC_TUNABLES with ours added after the caller's own
    keys), or None: already done, turned off with HOTSPOT_MALLOC_TUNING=0, or nothing to add."""
    if environ.get("HOTSPOT_MALLOC_TUNING") == "0" or environ.get(_TUNED):
        return None
    current = environ.get("GLIBC_TUNABLES", "")
    keys = {t.split("=", 1)[0] for t in current.split(":") if t}
    add = [t for t in MALLOC_TUNABLES if t.split("=", 1)[0] not in keys]
    if not add:
        return None
    env = dict(environ)
    env["GLIBC_TUNABLES"] = ":".join(([current] if current else []) + add)
    env[_TUNED] = "1"
    return env


def _parser():
    p = argparse.ArgumentParser(prog="python -m hotspot.dask",
                                description="Every analysis of run configurations on a Dask cluster, "
                                            "written as `hotspot run` writes them")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--config", help="run configuration (schemas/run.schema.json)")
    which.add_argument("--configs", nargs="+", metavar="CONFIG",
                       help="several configurations, run as independent runs on the same cluster")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="address of a running dask-scheduler, e.g. tcp://HOST:8786")
    where.add_argument("--local-workers", type=int, metavar="N",
                       help="start a LocalCluster of N worker processes on 127.0.0.1 instead")
    p.add_argument("--tiles", default="auto",
                   help="tasks per distributed part: auto (two per worker thread, one for near_repeat), N "
                        "for every part, or PART=N,... for some (parts: assign, local, near_repeat, clusters, "
                        "kde, emerging; the others auto, or N with a bare N or default=N), e.g. "
                        "kde=16,clusters=4 (default: auto)")
    p.add_argument("--threads", type=int, help="threads of the driver's engine (default: the config's)")
    # hotspot run's own flags, with its meanings (cli/run.cpp); with --configs, for every run.
    p.add_argument("--previous", help="earlier output whose hotspot ids carry over (default: the config's, "
                                      "else the output being replaced); with --config only")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an output file that hotspot did not write")
    p.add_argument("--if-changed", action="store_true",
                   help="do nothing (exit 0) when the config and the inputs are those the existing output "
                        "was made from")
    p.add_argument("--strict", action="store_true",
                   help="all or nothing: the first analysis that fails ends the run (exit 2, 3 or 4) and "
                        "nothing is written (default: the others are written, exit 5)")
    p.add_argument("--parallel", type=int, default=4,
                   help="with --configs: runs at a time on the driver (default: 4)")
    p.add_argument("--json", action="store_true",
                   help="print the summary as JSON (with --configs: a JSON array, one per config)")
    p.add_argument("--quiet", action="store_true", help="errors only on stderr; no summary")
    p.add_argument("--log-level", default="warn", choices=["error", "warn", "info", "debug"],
                   help="stderr messages (default: warn)")
    return p


def _tiles(text):
    from ._run import parse_tiles
    from .._errors import UsageError
    try:
        return parse_tiles(text)
    except UsageError as e:
        print(f"hotspot: error: {e}", file=sys.stderr)
        raise SystemExit(2)


def _local_cluster(n):
    import dask
    from distributed import Client, LocalCluster
    # Over loopback, compressing the frames (lz4 by default, on the large and mostly zero arrays
    # the parts exchange) only costs time: about 0.8 s of a 1M-incident run. The workers inherit
    # the setting from this process's configuration; a remote cluster keeps its own.
    dask.config.set({"distributed.comm.compression": None})
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=":0")
    return Client(cluster), cluster


def _client(args):
    """(client, cluster): a client of the scheduler, or a LocalCluster that starts in a thread
    while the engine loads the inputs (StartingClient: the first distributed part waits for it,
    about 1.5 s after start)."""
    if args.scheduler:
        from distributed import Client
        return Client(args.scheduler, timeout="30s"), None
    if args.local_workers < 1:
        raise ValueError(f"--local-workers: must be >= 1 (got {args.local_workers})")
    from concurrent.futures import ThreadPoolExecutor
    from ._run import StartingClient
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotspot-local-cluster")
    starting = StartingClient(pool.submit(_local_cluster, args.local_workers))
    pool.shutdown(wait=False)  # its one thread ends when the cluster has started
    return starting, None


def _print_result(r, args, many):
    for w in r.get("warnings", []):
        if not args.quiet:
            print(f"hotspot: warning: {w}", file=sys.stderr)
    if "error" in r:
        print(f"hotspot: error: {r['config']}: {r['error']}" if many else f"hotspot: error: {r['error']}",
              file=sys.stderr)
    if args.json or args.quiet:
        return
    if many:
        print(f"== {r['config']} (exit {r['exit_code']})")
    sys.stdout.write(r["text"])


def main(argv=None):
    args = _parser().parse_args(argv)
    tiles = _tiles(args.tiles)
    if args.previous is not None and args.configs:
        print("hotspot: error: --previous names one earlier output: use it with --config, or set "
              "\"previous\" in each configuration", file=sys.stderr)
        return 2
    from . import exit_code_of, run_many
    configs = args.configs or [args.config]
    try:
        client, cluster = _client(args)
    except Exception as e:  # noqa: BLE001 - no cluster: nothing was run
        code = 2 if isinstance(e, ValueError) else 4
        print(f"hotspot: error: cannot reach the Dask cluster: {e}", file=sys.stderr)
        if args.json:
            print(json.dumps({"status": "error", "exit_code": code, "message": str(e)}, indent=2))
        return code
    try:
        try:
            results = run_many(configs, client, parallel=args.parallel, tiles=tiles, threads=args.threads,
                               log_level="error" if args.quiet else args.log_level, strict=args.strict,
                               overwrite=args.overwrite, if_changed=args.if_changed, previous=args.previous)
        except Exception as e:  # noqa: BLE001 - the workers check failed: no run started
            results = [{"config": c, "exit_code": exit_code_of(e), "error": str(e), "text": "", "warnings": []}
                       for c in configs]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    many = args.configs is not None
    for r in results:
        _print_result(r, args, many)
    if args.json:
        docs = [r.get("summary") or {"status": "error", "exit_code": r["exit_code"], "message": r["error"],
                                     "config": {"path": r["config"]}} for r in results]
        print(json.dumps(docs if many else docs[0], indent=2, ensure_ascii=False))
    return next((r["exit_code"] for r in results if r["exit_code"] != 0), 0)


if __name__ == "__main__":
    # Once, before anything is loaded: this process (the driver) and the LocalCluster's workers,
    # which inherit the environment, then run with the tunables.
    tuned = tuned_environment(os.environ)
    if tuned is not None:
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, "-m", "hotspot.dask"] + sys.argv[1:], tuned)
    sys.exit(main())
