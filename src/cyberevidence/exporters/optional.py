"""Optional dependencies (pandas, pyarrow): imported only when a feature that needs one is used.

The library works without them; asking for a DataFrame or a Parquet file without the package
installed is a :class:`MissingExtraError` that names the extra to install, never a bare
``ImportError`` from deep inside.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from cyberevidence.errors import CyberEvidenceError


class MissingExtraError(CyberEvidenceError):
    """A feature needs an optional package that is not installed."""

    def __init__(self, feature: str, module: str, extra: str) -> None:
        super().__init__(f"{feature} needs the optional package {module}, which is not installed",
                         hint=f"Install it with: pip install 'cyberevidence[{extra}]'")
        self.module = module
        self.extra = extra


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(feature, module.split(".")[0], extra) from None


__all__ = ["MissingExtraError", "require"]
