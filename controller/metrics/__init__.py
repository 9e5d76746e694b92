"""Prometheus metrics of the controller (docs/operations.md, "Metrics")."""
