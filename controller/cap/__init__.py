"""Official warnings: CAP 1.2 feeds become emergency drafts (issue 15, docs/cap.md).

``parse`` reads the XML (defusedxml, bounded) into ``message`` values; ``area`` decides
whether an area covers a site (``places`` reads a site's location and geocodes from
config/sites.yaml); ``policy`` whether a site acts on an alert; ``plan`` what an alert
means for the sites, with its ``texts``; ``drafts`` stores, sends and ends what follows;
``feed.ingest_feed`` is what the data-sources layer calls with a feed's bytes, and
``linked`` fetches (bounded, allowlisted, cached) the alerts a feed's entries only link
to, beforehand."""
