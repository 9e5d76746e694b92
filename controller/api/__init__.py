"""The HTTP API (``/api/v1``): player routes, screens, JSON errors, user tokens."""
