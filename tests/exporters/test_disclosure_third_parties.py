"""Disclosure hides third parties the people file never lists: senders, numbers and addresses in the data.

Two cases: a synthetic one (WhatsApp, e-mail and SMS written here, with people who are only in the
data) and one built from real public samples in ../shared/corpus. For each, the third parties'
strings are taken from the raw files by an independent reading (the test's own JSON/XML/e-mail
reading and SOURCES.tsv), and no form of any of them – as written, case-folded, JSON-, HTML-,
CSV- and URL-escaped – may appear in any byte of the disclosure.
"""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import subprocess
import sys
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from defusedxml import ElementTree
from tests.cli._run import ENV

import cyberevidence as ce
from cyberevidence.errors import OutputFolderError

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "demo"

GROUP_CHAT = """\
21/10/2025, 18:02 - Dorota Quill: He came to the shop again asking for you
21/10/2025, 18:04 - Sarah Jones: Thank you. Did anyone else see him?
21/10/2025, 18:06 - Dorota Quill: Femi did. Ring him on 07700 900987 or write to femi.ar@example.com
21/10/2025, 18:07 - Sarah Jones: Thanks dorota, I will
"""

EMAIL = b"""\
From: Olwen Brixby <olwen.brixby@example.org>
To: Sarah Jones <sarah.jones@example.net>
Cc: "Hal Ostrander" <hal.ostrander@example.com>
Subject: What I saw on Friday
Date: Fri, 24 Oct 2025 09:15:00 +0100
Message-ID: <20251024091500.1@example.org>
Content-Type: text/plain; charset=utf-8

Sarah, I saw Mark Kell outside your work on Friday at 6pm.
Call me on 0161 496 0123 if the police want a statement. Hal saw him too.
Olwen
"""

SMS = """\
<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="2">
  <sms protocol="0" address="+44 7700 900654" date="1761400800000" type="1" read="1" status="-1"
       body="It's Femi. Sarah gave me this number. I saw him at the station." contact_name="Femi Adeyemi-Roux" />
  <sms protocol="0" address="+44 7700 900654" date="1761401400000" type="2" read="1" status="-1"
       body="Thank you Femi" contact_name="Femi Adeyemi-Roux" />
</smses>
"""

KEPT = ("Mark Kell", "Sarah Jones")


def forms(s: str) -> set[str]:
    """Every form a string could take in an output, case-folded."""
    out = {s, json.dumps(s)[1:-1], json.dumps(s, ensure_ascii=False)[1:-1], html.escape(s, quote=True),
           html.escape(s, quote=False), quote(s), quote(s, safe=""), quote_plus(s)}
    buf = io.StringIO()
    csv.writer(buf).writerow([s])
    out.add(buf.getvalue().strip())
    return {f.casefold() for f in out if f}


def assert_hidden(folder: Path, strings: set[str]) -> None:
    files = sorted(p for p in folder.iterdir())
    assert {p.name for p in files} == {"disclosure-manifest.json", "report.html", "timeline.csv", "timeline.jsonl"}
    everything = b"".join(p.read_bytes() for p in files).decode("utf-8").casefold()
    for s in sorted(strings):
        for form in forms(s):
            assert form not in everything, f"{s!r} survives in the disclosure as {form!r}"


def third_party_strings_synthetic() -> set[str]:
    """Read from the raw fixture text by the standard library, not by cyberevidence."""
    found: set[str] = set()
    for line in GROUP_CHAT.splitlines():
        sender = line.split(" - ", 1)[1].split(":", 1)[0]
        if sender not in KEPT:
            found.update({sender, *sender.split()})
    msg = message_from_bytes(EMAIL, policy=policy.default)
    for name, addr in getaddresses([str(msg["From"]), str(msg["Cc"])]):
        found.update({name, addr, *[w for w in name.split() if len(w) > 3]})
    for sms in ElementTree.fromstring(SMS.encode()).iter("sms"):
        name = sms.get("contact_name", "")
        found.update({sms.get("address", ""), name, "Femi", "Adeyemi"})
    # numbers and addresses written in the texts, in the spellings used and the digits alone
    found.update({"07700 900987", "7700900987", "900987", "femi.ar@example.com", "0161 496 0123", "1614960123",
                  "496 0123", "7700900654", "900654"})
    return {s for s in found if s}


@pytest.fixture(scope="module")
def synthetic_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("third_parties")
    exports = base / "exports"
    shutil.copytree(DEMO / "exports", exports)
    (exports / "WhatsApp Chat with Dorota Quill.txt").write_text(GROUP_CHAT, encoding="utf-8")
    (exports / "statement.eml").write_bytes(EMAIL)
    (exports / "sms-20251025.xml").write_text(SMS, encoding="utf-8")
    root = base / "case"
    case = ce.Case.create(root, examiner="J. Smith", timezone="Europe/London")
    case.load_people(DEMO / "people.toml")
    report = case.add(exports)
    assert not report.errors
    case.diary_add("2025-10-25 18:00", "He was outside the station again. Femi saw him; his number is 07700 900987.")
    case.close()
    return root


def test_unlisted_third_parties_never_reach_the_disclosure(synthetic_case: Path, tmp_path: Path) -> None:
    case_dir = shutil.copytree(synthetic_case, tmp_path / "case")
    secrets = third_party_strings_synthetic()
    # guard: the unredacted case really holds each of them somewhere (else the test proves nothing)
    case = ce.Case.open(case_dir)
    from cyberevidence.report import build_report

    plain = (build_report(case) + "".join(json.dumps(e.to_record(), ensure_ascii=False) for e in case.timeline())).casefold()
    for s in ("Dorota Quill", "olwen.brixby@example.org", "Hal Ostrander", "Femi Adeyemi-Roux", "07700 900987", "0161 496 0123"):
        assert s.casefold() in plain
    out = tmp_path / "disclosure-001"
    done = subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", "disclose", str(case_dir), "-o", str(out)],
                          capture_output=True, text=True, env=ENV, timeout=180)
    assert done.returncode == 0, done.stderr
    assert_hidden(out, secrets)
    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    for kept in KEPT:
        assert kept in everything
    assert "Person A" in everything and "Person F" in everything
    key = list(ce.Case.open(case_dir).custody.entries())[-1].details["pseudonym_key"]
    # one pseudonym per identifier; the key (kept in the case only) says what each stood for
    assert any(v.startswith("Dorota Quill ") for v in key.values())
    assert any(v.startswith("+447700900987 ") for v in key.values())
    assert any(v.startswith("olwen.brixby@example.org ") for v in key.values())
    for label in key:
        assert label.startswith("Person ")
    for name in key.values():
        assert name.split(" (")[0].casefold() not in everything.casefold()
    unlisted = sum(1 for v in key.values() if "not in the people file" in v)
    assert unlisted == len(key) >= 6  # this case's people file lists no third party
    assert f"{len(key)} person(s) pseudonymised ({unlisted} of them seen only in the data)" in " ".join(done.stderr.split())


def test_the_same_third_party_gets_the_same_pseudonym_everywhere(synthetic_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(shutil.copytree(synthetic_case, tmp_path / "case"))
    ce.disclose(case, tmp_path / "d")
    key = list(case.custody.entries())[-1].details["pseudonym_key"]
    dorota = next(label for label, v in key.items() if v.startswith("Dorota Quill "))
    records = [json.loads(x) for x in (tmp_path / "d" / "timeline.jsonl").read_text(encoding="utf-8").splitlines()]
    chat = [r for r in records if r["thread"] == dorota]
    assert len(chat) == 4  # the chat named after her is hers in the thread field too
    assert {r["sender"] for r in chat} == {dorota, "Sarah Jones"}
    assert any(f"Thanks {dorota}, I will" == r["text"] for r in chat)  # her name in lower case in a text
    femi_number = next(label for label, v in key.items() if v.startswith("+447700900987 "))
    assert any(f"Ring him on {femi_number} or write to " in r["text"] for r in chat)
    report = (tmp_path / "d" / "report.html").read_text(encoding="utf-8")
    assert femi_number in report  # the diary entry in the report names the same pseudonym


def test_keep_unlisted_leaves_them_and_is_recorded(synthetic_case: Path, tmp_path: Path) -> None:
    case = ce.Case.open(shutil.copytree(synthetic_case, tmp_path / "case"))
    result = ce.disclose(case, tmp_path / "d", unlisted=False)
    assert result.unlisted == 0
    assert "Dorota Quill" in (tmp_path / "d" / "timeline.jsonl").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "d" / "disclosure-manifest.json").read_bytes())
    assert manifest["rules"]["unlisted_identifiers_pseudonymised"] == 0


@pytest.mark.parametrize("name", ["disclose-001.csv", "out.JSONL", "report.html"])
def test_an_output_named_like_a_file_is_refused(synthetic_case: Path, tmp_path: Path, name: str) -> None:
    case_dir = shutil.copytree(synthetic_case, tmp_path / "case")
    with pytest.raises(OutputFolderError, match="ends like a file"):
        ce.disclose(ce.Case.open(case_dir), tmp_path / name)
    assert not (tmp_path / name).exists()
    done = subprocess.run([sys.executable, "-m", "cyberevidence_cli.main", "disclose", str(case_dir), "-o",
                           str(tmp_path / name)], capture_output=True, text=True, env=ENV, timeout=120)
    assert done.returncode == 2
    stem = name.rsplit(".", 1)[0]
    assert f"What to do: Give a folder name without the ending, for example {stem}." in done.stderr
    assert not (tmp_path / name).exists()


def test_an_existing_file_is_refused(synthetic_case: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(OutputFolderError, match="this is a file"):
        ce.disclose(ce.Case.open(shutil.copytree(synthetic_case, tmp_path / "case")), tmp_path / "taken")


# ---------------------------------------------------------------- a case from the real samples
SAMPLES = (
    "instagram/hestia_jaybaker_message_1.json",
    "telegram/langchain_personal_chat_result.json",
    "sms_backup_restore/sbr2_sms_small.xml",
    "sms_backup_restore/sbrparser_minimal_calls.xml",
    "facebook_messenger/chatanalytics_2A_7M_message_1.json",
)
CORPUS_PEOPLE = """\
[[person]]
name = "John Lennon"
role = "victim"
handles = ["instagram:John Lennon"]

[[person]]
name = "Jay Baker"
role = "subject"
handles = ["instagram:Jay Baker"]
"""


def corpus_third_parties(corpus: Path) -> set[str]:
    """The people in the samples other than the victim and the subject, read from the raw files."""
    found: set[str] = set()
    tg = json.loads((corpus / SAMPLES[1]).read_text(encoding="utf-8"))
    found.update(m["from"] for m in tg["messages"] if m.get("from"))
    for name in (SAMPLES[2], SAMPLES[3]):
        root = ElementTree.fromstring((corpus / name).read_bytes())
        for el in root:
            found.add(el.get("address") or el.get("number") or "")
            if el.get("contact_name") not in (None, "", "(Unknown)"):
                found.add(el.get("contact_name", ""))
    fb = json.loads((corpus / SAMPLES[4]).read_text(encoding="utf-8-sig"))
    found.update(p["name"] for p in fb["participants"])
    # digits alone of each number (a spelling the output could use)
    found.update("".join(c for c in s if c.isdigit())[-10:] for s in list(found) if sum(c.isdigit() for c in s) >= 7)
    return {s for s in found if s and s not in ("John Lennon", "Jay Baker")}


def test_corpus_case_disclosure_hides_every_third_party(corpus: Path, tmp_path: Path) -> None:
    inputs = [corpus / s for s in SAMPLES]
    for p in inputs:
        if not p.is_file():
            pytest.skip(f"{p.name} is not in the corpus")
    people = tmp_path / "people.toml"
    people.write_text(CORPUS_PEOPLE, encoding="utf-8")
    case = ce.Case.create(tmp_path / "case", examiner="J. Smith", timezone="UTC")
    case.load_people(people)
    case.add(*inputs)
    secrets = corpus_third_parties(corpus)
    # the SOURCES.tsv ground truth names these people: the reading above must have found them
    assert {"Jimmeny Marvelton", "Batman & Robin", "Alice", "Bob", "Alice Smith"} <= secrets
    plain = "".join(json.dumps(e.to_record(), ensure_ascii=False) for e in case.timeline())
    assert "Jimmeny Marvelton" in plain and "Alice Smith" in plain
    result = ce.disclose(case, tmp_path / "disclosure")
    assert result.unlisted >= 5
    assert_hidden(tmp_path / "disclosure", secrets | {"Jimmeny", "Marvelton"})
    text = (tmp_path / "disclosure" / "timeline.jsonl").read_text(encoding="utf-8")
    assert "John Lennon" in text and "Jay Baker" in text
