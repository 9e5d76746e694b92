"""Official warnings: CAP 1.2 feeds become emergency drafts (issue 15, docs/cap.md).

``parse`` reads the XML (defusedxml, bounded) into ``message`` values; ``area`` decides
which sites an alert covers; ``policy`` whether a site acts on it; ``drafts`` and
``updates`` store what follows; ``feed.ingest_feed`` is what the data-sources layer
calls with a feed's bytes."""
