"""The panel's Alerts page (/panel/alerts): open incidents, history, acknowledging with a
note (docs/alerts.md)."""
