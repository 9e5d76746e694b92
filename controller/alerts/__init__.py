"""Alerts: technicians are told, not left to look (docs/alerts.md)."""
