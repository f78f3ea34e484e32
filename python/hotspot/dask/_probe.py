"""Run on each worker before a run (pickled by value, so it arrives even where the module does
not import): which hotspot the worker has."""


def probe():
    try:
        import hotspot
        from hotspot import _hotspot
        return {"version": hotspot.__version__, "engine": _hotspot.__version__, "error": None}
    except Exception as e:  # noqa: BLE001 - reported to the driver as it is
        return {"version": None, "engine": None, "error": f"{type(e).__name__}: {e}"}
