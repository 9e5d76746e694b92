"""Reports from the proof-of-play tables (issue 11, docs/reports.md).

Everything here reads; nothing writes. The figures come from ``play_daily`` (sums per Huế
day), ``screen_presence``, ``qr_scans``, the emergencies' receipts and ``play_findings``;
only the record listing and Replay read ``play_records`` itself, one screen at a time.

- ``filters``: the query a report answers (period in Huế days, filters, grouping),
  parsed once for the API, the panel and the command line, refusals as sentences;
- ``access``: what a role may read (agency-scoped editors and approvers);
- ``airtime``: plays, airtime and shares from ``play_daily``, plus QR scans;
- ``availability``: uptime from ``screen_presence``;
- ``incidents``: emergencies with their receipts, and the chain findings;
- ``plays_report``: the whole ``GET /api/v1/reports/plays`` answer;
- ``records``: single records for ``GET /api/v1/plays`` and Replay;
- ``charts``: the three charts as SVG (matplotlib);
- ``ttdn`` and ``ttdn_render``: the yearly foreign-information report, HTML/PDF/CSV.
"""
