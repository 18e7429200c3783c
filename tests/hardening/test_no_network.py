"""No network (issue "Hardening", item 5): the conftest guard works, and importing every parser and
using tldextract opens no connection and resolves no name.

In-process checks use the guard from tests/conftest.py. A fresh interpreter (so nothing is already
imported or cached) checks imports and tldextract with an audit hook, which also sees
``getaddrinfo`` and ``connect`` calls made from C.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap

import pytest


def test_the_guard_refuses_a_tcp_connect() -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(RuntimeError, match="network access attempted"):
            s.connect(("192.0.2.1", 80))  # TEST-NET-1: would never answer anyway
    finally:
        s.close()


def test_the_guard_refuses_create_connection() -> None:
    with pytest.raises(RuntimeError, match="network access attempted"):
        socket.create_connection(("example.com", 443), timeout=1)


def test_unix_sockets_stay_allowed() -> None:
    a, b = socket.socketpair()
    a.close()
    b.close()


_CHILD = textwrap.dedent(
    """
    import json, sys
    events = []

    def hook(name, args):
        if name in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto",
                    "socket.bind", "urllib.Request", "http.client.connect"):
            if name == "socket.connect" and args and getattr(args[0], "family", None) == 1:  # AF_UNIX
                return
            if name == "socket.bind" and len(args) > 1 and str(args[1][0]) in ("::1", "127.0.0.1"):
                return  # urllib3 (via tldextract's requests) probes IPv6 support by binding ::1 at import: local only
            events.append([name, repr(args)[:200]])

    sys.addaudithook(hook)

    import cyberevidence
    from cyberevidence.parsers import default_registry
    from cyberevidence.intel.urls import inspect_url

    names = [p.name for p in default_registry().all()]
    found = [inspect_url(u) for u in ("https://news.bbc.co.uk/x", "http://www.example.co.uk/a?b", "https://sub.evil.example/")]
    print(json.dumps({"parsers": names, "domains": [f.registered_domain if f else None for f in found], "net": events}))
    """
)


def test_importing_every_parser_and_tldextract_make_no_connection() -> None:
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(result["parsers"]) >= 20
    assert result["domains"][:2] == ["bbc.co.uk", "example.co.uk"]  # the bundled suffix list, not a download
    assert result["net"] == [], f"network activity: {result['net']}"
