"""The exceptions of hotspot. The engine's typed errors arrive as these (one translator in
python/src/module.cpp), as the CLI turns them into exit codes 2, 3 and 4."""


class _HotspotError:
    """Mixin: the engine's message and the parameter it names (or None)."""

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class UsageError(_HotspotError, ValueError):
    """A bad option value (the CLI's exit 2). `parameter` names the keyword, e.g. "cell_size"."""


class InputError(_HotspotError, ValueError):
    """Data that cannot be used as it is (exit 3): a geographic CRS for distance work, too few
    units, constant values, non-finite coordinates."""


class IoError(_HotspotError, OSError):
    """A file that cannot be read or written (exit 4)."""
