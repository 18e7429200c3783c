"""``cyberevidence pack``: the evidence pack folder (public API only)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer

import cyberevidence as ce
from cyberevidence_cli.console import err_console, shown

err = err_console()


def pack(
    case: Annotated[Path, typer.Argument(help="The case folder.", show_default=False)],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="A new (or empty) folder for the pack; default CASE/packs/pack-TIME.")
    ] = None,
    initials: Annotated[
        str | None, typer.Option("--initials", help="Exhibit initials, e.g. JS gives JS/1, JS/2 ... (default: the examiner's).")
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who makes the pack (default: the case's examiner).")] = None,
) -> None:
    """Write the evidence pack: exhibit list with stable references, continuity and scope statements,
    exclusions and source limitations, a DRAFT FRE 902(14) certification, the course of conduct,
    markers and confirmed indicators, and pack-manifest.json with every file's SHA-256.

    References never change: regenerating the pack gives each file the same reference, and a file
    added later gets the next number. The pack is recorded in the custody log.

    Example: cyberevidence pack case-001 -o case-001-pack --initials JS
    """
    c = ce.Case.open(case)
    folder = output or case / "packs" / f"pack-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    result = ce.make_pack(c, folder, initials, actor=actor)
    for x in result.exhibits:
        err.print(f"  {x.reference:8} {x.sha256[:16]}…  {shown(x.original_name)}")
    err.print(
        f"Pack written to {shown(result.folder)}: {len(result.exhibits)} exhibit(s), {len(result.files) + 1} file(s); "
        f"pack-manifest.json sha256 {result.manifest_sha256}. Recorded in the custody log."
    )
    err.print("The FRE 902(14) certification is a DRAFT: a qualified person must check, complete and sign it.")
