"""Artefact intelligence: what a file really is, what a photo reveals, where a link leads.

Each module reads one kind of fact and never changes the evidence:

* :mod:`.filetype` compares a file's name with what libmagic says it is;
* :mod:`.photos` reads camera, time and GPS from EXIF (exifread);
* :mod:`.urls` finds links in text and names their registered domain (tldextract, offline),
  flagging shorteners, IP loggers, trackers and stalkerware vendors from a curated list.
"""
