"""Print the SMS Backup & Restore XML and message-database differentials' figures and every disagreement
(docs/differential.md).

    .venv/bin/python -m tests.differential.measure_databases [corpus dir]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.differential import _sms_xml_peer, _sqlite_peers
from tests.differential.known_sms_xml import KNOWN as KNOWN_XML
from tests.differential.known_sqlite import KNOWN as KNOWN_SQL
from tests.differential.test_sqlite_differential import _built

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _line(name: str, prefix: str, agreed: int, compared: int, samples: int) -> None:
    print(f"{name} {prefix:9} {samples:3} samples: {agreed} / {compared} agree ({100 * agreed / max(compared, 1):.1f} %)")


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else FIXTURES.parents[1] / "shared" / "corpus"
    xml = _sms_xml_peer.samples(FIXTURES, corpus)
    for prefix in ("fixtures/", "corpus/"):
        agreed = compared = n = 0
        for path, label in (s for s in xml if s[1].startswith(prefix)):
            tally = _sms_xml_peer.compare(path, label)
            agreed, compared, n = agreed + tally.agreed, compared + tally.compared, n + 1
            for d in tally.disagreements:
                known = KNOWN_XML.get((d.sample, d.record, d.field))
                print(f"  {d.sample} {d.record} {d.field} [{known[0].value if known else 'UNCLASSIFIED'}]")
        _line("sms-xml", prefix, agreed, compared, n)
    with tempfile.TemporaryDirectory() as tmp:
        dbs = _built(FIXTURES, Path(tmp)) + _sqlite_peers.samples(FIXTURES, corpus)
        for prefix in ("fixtures/", "corpus/"):
            agreed = compared = n = 0
            for path, label, family in (s for s in dbs if s[1].startswith(prefix)):
                db_tally = _sqlite_peers.compare(path, label, family)
                agreed, compared, n = agreed + db_tally.agreed, compared + db_tally.compared, n + 1
                for e in db_tally.disagreements:
                    known = KNOWN_SQL.get((e.sample, e.record, e.field))
                    print(f"  {e.sample} {e.record} {e.field} [{known[0].value if known else 'UNCLASSIFIED'}]")
            _line("sqlite ", prefix, agreed, compared, n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
