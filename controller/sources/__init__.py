"""Data sources (issue 15, docs/sources.md): feeds the controller polls for live
information (arrivals, ship calls, opening hours, news, official CAP warnings).

``declarations`` reads ``config/sources.yaml``; ``fetch`` makes one bounded HTTP(S)
GET; ``parsing`` (with ``feeds``, ``ical`` and ``records``) turns the bytes into a
snapshot of flat records; ``snapshots`` stores the outcome (a failure keeps the last good
data); ``polling`` runs it all on the elected leader; ``views`` shows sources to the
API. Data items and the CAP ingestion build on this package."""
