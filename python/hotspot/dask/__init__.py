"""hotspot.dask: `hotspot run` on a Dask distributed cluster, the same GeoPackage, quick-look,
summary and exit codes. See README.md beside this file for the design.

    python -m hotspot.dask --config run.json --scheduler tcp://HOST:8786 [--tiles auto|N|PART=N,...] [--json]
    python -m hotspot.dask --config run.json --local-workers 4
    python -m hotspot.dask --configs nightly/*.json --scheduler tcp://HOST:8786

    import hotspot.dask
    summary = hotspot.dask.run("run.json", client)
"""
from ._run import PARTS, WorkerVersionError, check_workers, exit_code_of, parse_tiles, run
from ._tiles import kd_tiles, ranges

__all__ = ["run", "run_many", "check_workers", "WorkerVersionError", "kd_tiles", "ranges", "exit_code_of",
           "parse_tiles", "PARTS"]


def run_many(configs, client, *, parallel=4, **kwargs):
    """Runs several configurations on one cluster, `parallel` at a time (each driver thread runs
    the engine with the GIL released; their tasks share the workers). Returns one entry per
    config, in the order given: {"config", "exit_code", "summary" or "error", "text"}."""
    from concurrent.futures import ThreadPoolExecutor
    from ._run import StartingClient, check_workers as _check
    if kwargs.pop("check", True) and not isinstance(client, StartingClient):  # it checks itself
        _check(client)

    def one(path):
        details = {}
        try:
            s = run(path, client, check=False, details=details, **kwargs)
            return {"config": str(path), "exit_code": details["exit_code"], "summary": s,
                    "text": details["text"], "warnings": details["warnings"]}
        except Exception as e:  # noqa: BLE001 - every failure is reported with its exit code
            return {"config": str(path), "exit_code": exit_code_of(e), "error": str(e), "text": "",
                    "warnings": []}

    with ThreadPoolExecutor(max_workers=max(1, min(int(parallel), len(configs) or 1))) as pool:
        return list(pool.map(one, configs))
