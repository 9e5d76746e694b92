"""Limits at the edge: what the controller accepts from the network, bounded while it is
read and per connection, so that no single client can stall, exhaust or fool the
process that serves everyone (docs/security.md).

- :mod:`controller.edge.limits` declares every bound once (the docs' tables and the
  tests read the same declaration);
- :mod:`controller.edge.bucket` is the per-connection token bucket they use;
- :mod:`controller.edge.websocket` bounds the Socket.IO transport (frame size while
  reading, frame rate, backlog, malformed frames, the handshake deadline);
- :mod:`controller.edge.http_server` bounds how long a client may take to send a request
  (headers and body) in the web servers Pano runs under.
"""
