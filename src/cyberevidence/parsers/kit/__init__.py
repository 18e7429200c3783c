"""The parser kit: what every source needs, written once (docs/architecture.md "The parser kit").

One module a concern: ``warncap`` (the host's warning cap), ``notes`` (the shared warning
wording), ``inputs`` (a file, a zip or a folder, within the archive limits), ``clock`` (local
time to UTC with a stated DST policy), ``epochs`` (epoch numbers to UTC), ``jsonread`` (one
``load_json``) and ``media`` (linking named attachments to stored members). A parser imports the
module it needs; nothing here is a parser.
"""
