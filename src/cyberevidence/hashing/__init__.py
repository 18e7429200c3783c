"""Streaming digests for evidence: SHA-256 always, MD5/SHA-1 on request, in one read pass.

With one algorithm the file is hashed in a tight ``readinto`` loop. With several, each digest
runs on its own thread (hashlib releases the GIL on large buffers), so on a multi-core machine
the cost approaches that of the slowest digest rather than the sum.
"""

from cyberevidence.hashing.digests import (
    DEFAULT_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
    HashResult,
    MultiHasher,
    hash_bytes,
    hash_file,
    hash_stream,
)

__all__ = [
    "DEFAULT_ALGORITHMS",
    "SUPPORTED_ALGORITHMS",
    "HashResult",
    "MultiHasher",
    "hash_bytes",
    "hash_file",
    "hash_stream",
]
