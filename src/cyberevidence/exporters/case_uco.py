"""The case as CASE/UCO JSON-LD (CASE 1.3 / UCO 1.3 vocabulary; see docs/case-uco.md).

The graph is built from the custody log, the manifest and the timeline:

* one ``uco-tool:AnalyticTool`` (cyberevidence and its version) and one ``uco-identity:Person``
  per custody actor;
* one ``case-investigation:InvestigativeAction`` per ``acquire``, ``derive``, ``parse`` and
  ``people`` custody entry, with performer, instrument, start and end times, object and result,
  and ``case-investigation:wasInformedBy`` linking each step to the one that produced its input;
* one ``uco-observable:File`` per stored artefact (``FileFacet`` name/size, ``ContentDataFacet``
  with a ``uco-types:Hash`` per digest the case keeps) and one ``case-investigation:ProvenanceRecord``
  per artefact; archive members point to their parent (``Contained_Within`` relationship and
  ``case-investigation:wasDerivedFrom``);
* one ``uco-observable:Message`` (``MessageFacet``) or ``uco-observable:Call`` (``CallFacet``) per
  event, with sender and recipients as ``uco-observable:ApplicationAccount`` nodes, the
  application, and ``wasDerivedFrom`` the file(s) it was read from; attachments are linked with
  ``Attachment_Of`` relationships. An undated event (the source gives no time) has no
  ``sentTime``/``startTime`` at all, and its description says ``undated (the source gives no time)``.

Every ``@id`` is ``kb:`` plus a UUIDv5: of the SHA-256 for files and hashes, of the ``event_id``
for events, of the custody entry hash for actions, so the same case always gives the same graph.
Events are streamed: :func:`write_case_uco` holds only the small node set (accounts, applications)
in memory, however many events the case has.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from cyberevidence._version import __version__
from cyberevidence.events import Event
from cyberevidence.exhibits import ExhibitRefs, exhibit_refs
from cyberevidence.platforms import Platform
from cyberevidence.store.custody import CustodyEntry

if TYPE_CHECKING:
    from cyberevidence.case import Case

#: The namespace all ids are derived from (a fixed UUID: ids never depend on the machine).
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.invalid/cyberevidence/case-uco")
KB = "http://example.org/kb/"
#: Added to an undated event's description: UCO has no "no time" value, so the time is omitted.
UNDATED_NOTE = ", undated (the source gives no time)"

CONTEXT: dict[str, str] = {
    "kb": KB,
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "uco-vocabulary": "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: Our digest names -> UCO HashNameVocab.
HASH_NAMES = {"sha256": "SHA256", "sha1": "SHA1", "md5": "MD5", "sha512": "SHA512", "sha384": "SHA384", "sha224": "SHA224"}

#: Application names for the platforms the parsers emit: platform -> ``uco-observable:Application`` name
#: (declared once, in :mod:`cyberevidence.platforms`).
APPLICATIONS: dict[str, str] = {str(p): p.application for p in Platform}

_ACTION_NAMES = {
    "acquire": "acquired (hashed and preserved read-only)",
    "derive": "derived (archive member or attachment extracted, hashed and preserved)",
    "parse": "parsed (events read from the stored copy)",
    "people": "people file stored and applied",
}


def kb_id(kind: str, key: str) -> str:
    """A deterministic node id: ``kb:<kind>-<uuid5(kind:key)>``."""
    return f"kb:{kind}-{uuid.uuid5(ID_NAMESPACE, f'{kind}:{key}')}"


def _ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


def _dt(value: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value}


def _hashes(digests: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in sorted(digests.items()):
        method = HASH_NAMES.get(str(name).lower())
        if method is None or not value:
            continue
        out.append(
            {
                "@id": kb_id("hash", f"{method}:{value}"),
                "@type": "uco-types:Hash",
                "uco-types:hashMethod": method,
                "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": str(value)},
            }
        )
    return out


def file_id(sha256: str) -> str:
    return kb_id("file", sha256)


def event_node_id(event_id: str) -> str:
    return kb_id("message", event_id)


class _Graph:
    """Builds nodes; remembers the few small nodes (accounts, applications) already emitted."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.info = case.info
        self.tool_id = kb_id("tool", f"cyberevidence:{__version__}")
        self.case_key = str(self.info.get("case_id", ""))
        self.known_files: set[str] = set()
        self.seen: set[str] = set()
        self.exhibits = ExhibitRefs("", {}, {})

    # ---------------------------------------------------------------- fixed part
    def header_nodes(self) -> Iterator[dict[str, Any]]:
        entries = list(self.case.custody.entries())
        manifest = self.case.manifest()
        artefacts = manifest["artefacts"]
        self.known_files = {a["sha256"] for a in artefacts}
        self.exhibits = exhibit_refs(self.case)
        yield {
            "@id": self.tool_id,
            "@type": "uco-tool:AnalyticTool",
            "uco-core:name": "cyberevidence",
            "uco-tool:version": __version__,
            "uco-tool:toolType": "evidence preservation and parsing",
        }
        actors = sorted({e.actor for e in entries})
        for actor in actors:
            yield {"@id": self.person_id(actor), "@type": "uco-identity:Person", "uco-core:name": actor}
        for art in artefacts:
            yield from self.file_nodes(art)
        produced_by: dict[str, str] = {}
        action_ids: list[str] = []
        run = ""
        prev: CustodyEntry | None = None
        prev_run = ""
        for e in entries:
            this_run = _run_key(e) or (run if e.action == "derive" else "")
            if this_run:
                run = this_run
            if e.action in _ACTION_NAMES:
                start = prev.time if prev is not None and this_run and prev_run == this_run else e.time
                node = self.action_node(e, start, produced_by)
                action_ids.append(node["@id"])
                yield node
            prev, prev_run = e, this_run
        objects = [self.tool_id, *(self.person_id(a) for a in actors), *action_ids]
        objects += [self.provenance_id(a["sha256"]) for a in artefacts]
        objects += [file_id(a["sha256"]) for a in artefacts]
        title = self.info.get("title") or f"case {self.case_key}"
        yield {
            "@id": kb_id("investigation", self.case_key),
            "@type": "case-investigation:Investigation",
            "uco-core:name": str(title),
            "uco-core:description": (
                f"cyberevidence case {self.case_key}, examiner {self.info.get('examiner', '')}; "
                f"custody head seq {manifest['custody_head']['seq']} hash {manifest['custody_head']['hash']}"
            ),
            "uco-core:object": [_ref(o) for o in objects],
        }

    def person_id(self, name: str) -> str:
        return kb_id("person", f"{self.case_key}:{name}")

    def provenance_id(self, sha256: str) -> str:
        return kb_id("provenance-record", f"{self.case_key}:{sha256}")

    def file_nodes(self, art: dict[str, Any]) -> Iterator[dict[str, Any]]:
        sha = art["sha256"]
        fid = file_id(sha)
        name = art.get("path_in_parent") or art.get("original_name") or sha
        file_facet: dict[str, Any] = {
            "@id": kb_id("file-facet", sha),
            "@type": "uco-observable:FileFacet",
            "uco-observable:fileName": str(name).rsplit("/", 1)[-1],
            "uco-observable:sizeInBytes": int(art["size"]),
        }
        if art.get("original_path"):
            file_facet["uco-observable:filePath"] = str(art["original_path"])
        content: dict[str, Any] = {
            "@id": kb_id("content-data-facet", sha),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:sizeInBytes": int(art["size"]),
            "uco-observable:hash": _hashes({**art.get("digests", {}), "sha256": sha}),
        }
        if art.get("media_type"):
            content["uco-observable:mimeType"] = str(art["media_type"])
        node: dict[str, Any] = {
            "@id": fid,
            "@type": "uco-observable:File",
            "uco-core:hasFacet": [file_facet, content],
        }
        parent = art.get("parent_sha256") or ""
        if parent:
            node["case-investigation:wasDerivedFrom"] = [_ref(file_id(parent))]
        yield node
        if parent:
            yield {
                "@id": kb_id("relationship", f"contained:{sha}:{parent}"),
                "@type": "uco-observable:ObservableRelationship",
                "uco-core:source": _ref(fid),
                "uco-core:target": _ref(file_id(parent)),
                "uco-core:kindOfRelationship": "Contained_Within",
                "uco-core:isDirectional": True,
                "uco-core:hasFacet": [
                    {
                        "@id": kb_id("path-relation-facet", f"{sha}:{parent}"),
                        "@type": "uco-observable:PathRelationFacet",
                        "uco-observable:path": str(art.get("path_in_parent") or name),
                    }
                ],
            }
        record: dict[str, Any] = {
            "@id": self.provenance_id(sha),
            "@type": "case-investigation:ProvenanceRecord",
            "uco-core:description": f"stored copy of {name} ({art.get('role', 'evidence')})",
            "case-investigation:exhibitNumber": self.exhibits.label(sha) or str(art.get("store_path") or sha),
            "uco-core:object": [_ref(fid)],
        }
        yield record

    def action_node(self, e: CustodyEntry, start: str, produced_by: dict[str, str]) -> dict[str, Any]:
        aid = kb_id("investigative-action", e.hash)
        d = e.details
        node: dict[str, Any] = {
            "@id": aid,
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": e.action,
            "uco-core:description": f"{_ACTION_NAMES[e.action]}; custody seq {e.seq}, entry hash {e.hash}",
            "uco-action:performer": _ref(self.person_id(e.actor)),
            "uco-action:instrument": [_ref(self.tool_id)],
            "uco-action:startTime": _dt(start),
            "uco-action:endTime": _dt(e.time),
        }
        informed: list[str] = []
        sha = e.subject
        if e.action in ("acquire", "people") and sha:
            node["uco-action:object"] = [_ref(file_id(sha))]
            node["uco-action:result"] = [_ref(self.provenance_id(sha))]
            produced_by.setdefault(sha, aid)
        elif e.action == "derive" and sha:
            parent = str(d.get("parent_sha256", ""))
            if parent:
                node["uco-action:object"] = [_ref(file_id(parent))]
                if parent in produced_by:
                    informed.append(produced_by[parent])
            node["uco-action:result"] = [_ref(self.provenance_id(sha))]
            produced_by.setdefault(sha, aid)
        elif e.action == "parse" and sha:
            node["uco-action:object"] = [_ref(file_id(sha))]
            if sha in produced_by:
                informed.append(produced_by[sha])
            node["uco-core:description"] += (
                f"; parser {d.get('parser', '')}, {d.get('events', 0)} event(s); the events are Message/Call nodes "
                "that case-investigation:wasDerivedFrom this file"
            )
        if informed:
            node["case-investigation:wasInformedBy"] = [_ref(i) for i in informed]
        return node

    # ---------------------------------------------------------------- events
    def application(self, platform: str) -> tuple[str, list[dict[str, Any]]]:
        aid = kb_id("application", platform)
        if aid in self.seen:
            return aid, []
        self.seen.add(aid)
        return aid, [{"@id": aid, "@type": "uco-observable:Application", "uco-core:name": APPLICATIONS.get(platform, platform)}]

    def account(self, platform: str, handle: str, app_id: str) -> tuple[str, list[dict[str, Any]]]:
        acc = kb_id("account", f"{platform}:{handle}")
        if acc in self.seen:
            return acc, []
        self.seen.add(acc)
        node = {
            "@id": acc,
            "@type": "uco-observable:ApplicationAccount",
            "uco-core:hasFacet": [
                {
                    "@id": kb_id("account-facet", f"{platform}:{handle}"),
                    "@type": "uco-observable:AccountFacet",
                    "uco-observable:accountIdentifier": handle,
                },
                {
                    "@id": kb_id("application-account-facet", f"{platform}:{handle}"),
                    "@type": "uco-observable:ApplicationAccountFacet",
                    "uco-observable:application": _ref(app_id),
                },
            ],
        }
        return acc, [node]

    def event_nodes(self, ev: Event) -> Iterator[dict[str, Any]]:
        app_id, extra = self.application(ev.platform)
        yield from extra
        sender_id = ""
        if ev.sender:
            sender_id, extra = self.account(ev.platform, ev.sender, app_id)
            yield from extra
        to_ids = []
        for r in ev.recipients:
            if r:
                rid, extra = self.account(ev.platform, r, app_id)
                yield from extra
                to_ids.append(rid)
        key = ev.event_id or ev.fingerprint()
        is_call = ev.kind == "call"
        nid = kb_id("call" if is_call else "message", key)
        facet: dict[str, Any]
        if is_call:
            facet = {
                "@id": kb_id("call-facet", key),
                "@type": "uco-observable:CallFacet",
                "uco-observable:application": _ref(app_id),
            }
            if ev.timestamp is not None:
                facet["uco-observable:startTime"] = _dt(ev.timestamp_utc)
            if ev.call_type:
                facet["uco-observable:callType"] = ev.call_type
            if ev.duration_s is not None:
                facet["uco-observable:duration"] = int(ev.duration_s)
        else:
            facet = {
                "@id": kb_id("message-facet", key),
                "@type": "uco-observable:MessageFacet",
                "uco-observable:application": _ref(app_id),
                "uco-observable:messageType": ev.kind,
                "uco-observable:messageID": ev.event_id,
            }
            if ev.timestamp is not None:
                facet["uco-observable:sentTime"] = _dt(ev.timestamp_utc)
            if ev.text:
                facet["uco-observable:messageText"] = ev.text
            if ev.thread:
                facet["uco-observable:sessionID"] = ev.thread
        if sender_id:
            facet["uco-observable:from"] = _ref(sender_id)
        if to_ids:
            facet["uco-observable:to"] = [_ref(t) for t in to_ids]
        sources = [s.sha256 for s in (ev.seen_in or [ev.source]) if s.sha256]
        node: dict[str, Any] = {
            "@id": nid,
            "@type": "uco-observable:Call" if is_call else "uco-observable:Message",
            "uco-core:description": (
                f"{ev.platform} {ev.kind}, {ev.direction}{UNDATED_NOTE if ev.timestamp is None else ''};"
                f" read from {ev.source.sha256} at {ev.source.locator}"
            ),
            "uco-core:hasFacet": [facet],
        }
        derived = sorted({file_id(s) for s in sources if s in self.known_files})
        if derived:
            node["case-investigation:wasDerivedFrom"] = [_ref(d) for d in derived]
        yield node
        for att in ev.attachments:
            if att.sha256 and att.sha256 in self.known_files:
                yield {
                    "@id": kb_id("relationship", f"attachment:{att.sha256}:{key}"),
                    "@type": "uco-observable:ObservableRelationship",
                    "uco-core:source": _ref(file_id(att.sha256)),
                    "uco-core:target": _ref(nid),
                    "uco-core:kindOfRelationship": "Attachment_Of",
                    "uco-core:isDirectional": True,
                }


def _run_key(e: CustodyEntry) -> str:
    command = e.details.get("command")
    return f"{e.details.get('host', '')}\x1f{command}" if command else ""


def iter_case_uco_nodes(case: Case, events: Iterable[Event] | None = None) -> Iterator[dict[str, Any]]:
    """Every node of the graph, streamed (events last). ``events`` defaults to ``case.timeline()``."""
    graph = _Graph(case)
    yield from graph.header_nodes()
    for ev in case.timeline() if events is None else events:
        yield from graph.event_nodes(ev)


def case_uco_document(case: Case) -> dict[str, Any]:
    """The whole CASE/UCO JSON-LD document as one dict (use :func:`write_case_uco` for large cases)."""
    return {"@context": dict(CONTEXT), "@graph": list(iter_case_uco_nodes(case))}


def write_case_uco(case: Case, out: TextIO, events: Iterable[Event] | None = None) -> int:
    """Stream the JSON-LD document to ``out``; returns the number of nodes written."""
    out.write('{\n"@context": ' + json.dumps(CONTEXT, indent=1) + ',\n"@graph": [\n')
    n = 0
    for node in iter_case_uco_nodes(case, events):
        if n:
            out.write(",\n")
        out.write(json.dumps(node, ensure_ascii=False))
        n += 1
    out.write("\n]\n}\n")
    return n
