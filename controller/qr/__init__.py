"""QR codes travellers scan: short links ``/q/<code>`` that count a scan and redirect to
an official page (issue 4)."""
