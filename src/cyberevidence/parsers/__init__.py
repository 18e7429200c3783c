"""The parser registry.

Every module in this package that defines a module-level ``PARSER`` (a
:class:`~cyberevidence.parsers.base.ParserInfo`) is a parser; adding a source means adding one
module and its tests, with no list to edit. Third-party packages can add parsers through the
``cyberevidence.parsers`` entry-point group, each entry point naming a ``ParserInfo`` object.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from importlib.metadata import entry_points

from cyberevidence.errors import UnknownFormatError
from cyberevidence.parsers.base import ParserInfo

ENTRY_POINT_GROUP = "cyberevidence.parsers"


class ParserRegistry:
    """An explicit, instance-level registry (no global mutable state is needed to use it)."""

    def __init__(self, parsers: list[ParserInfo] | None = None) -> None:
        self._parsers: dict[str, ParserInfo] = {}
        for info in parsers or []:
            self.register(info)

    def register(self, info: ParserInfo) -> None:
        if info.name in self._parsers:
            raise ValueError(f"two parsers are both named {info.name!r}")
        self._parsers[info.name] = info

    def get(self, name: str) -> ParserInfo:
        try:
            return self._parsers[name]
        except KeyError:
            known = ", ".join(sorted(self._parsers))
            raise UnknownFormatError(f"there is no parser called {name!r} (known: {known})") from None

    def all(self) -> list[ParserInfo]:
        """Parsers in the detection rule's order: the stronger declared ``strength`` first, then by name."""
        return sorted(self._parsers.values(), key=lambda p: (-p.strength, p.name))

    def identity_keys(self) -> tuple[str, ...]:
        """Every ``Event.extra`` key any registered source keeps a sender's account id in, once each,
        in parser-name order (never the sniffing order, so person resolution does not change with detection)."""
        ordered = sorted(self._parsers.values(), key=lambda info: info.name)
        return tuple(dict.fromkeys(key for info in ordered for key in info.identity_keys))

    def photo_parser(self) -> str | None:
        """The source that reads a picture's own metadata (``photo_facts``), if one is registered."""
        return next((info.name for info in self.all() if info.photo_facts), None)

    def __contains__(self, name: object) -> bool:
        return name in self._parsers

    def __len__(self) -> int:
        return len(self._parsers)


def builtin_parsers() -> list[ParserInfo]:
    """Every ``PARSER`` defined by a module of this package (``_`` modules, ``base`` and the ``kit`` excluded)."""
    found: list[ParserInfo] = []
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_") or module_info.name == "base" or module_info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        info = getattr(module, "PARSER", None)
        if isinstance(info, ParserInfo):
            found.append(info)
    return found


def plugin_parsers() -> list[ParserInfo]:
    """Parsers other packages declare under the ``cyberevidence.parsers`` entry-point group."""
    found: list[ParserInfo] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        info = ep.load()
        if isinstance(info, ParserInfo):
            found.append(info)
    return found


def default_registry(include_plugins: bool = True) -> ParserRegistry:
    """A fresh registry holding the built-in parsers (and installed plug-ins)."""
    registry = ParserRegistry(builtin_parsers())
    if include_plugins:
        for info in plugin_parsers():
            if info.name not in registry:
                registry.register(info)
    return registry


@cache
def identity_keys() -> tuple[str, ...]:
    """The identity keys of the default registry (built-in and installed plug-ins), read once."""
    return default_registry().identity_keys()


__all__ = [
    "ENTRY_POINT_GROUP",
    "ParserInfo",
    "ParserRegistry",
    "builtin_parsers",
    "default_registry",
    "identity_keys",
    "plugin_parsers",
]
