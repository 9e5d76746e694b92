"""Proof of play on the controller: the players' journal batches checked against their
declaration (``declaration``, ``batch``), their hash chains verified (``chain``), stored
once with the daily sums (``ingest``, ``daily``), and each screen's online intervals
(``presence_log``). docs/protocol.md section 5 ``journal`` is the contract."""
