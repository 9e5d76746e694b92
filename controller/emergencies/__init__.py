"""Emergency broadcasts (issue 3): an urgent bilingual message that preempts everything on
chosen sites or screens until it ends or is cancelled, with per-screen delivery receipts.
``request`` validates what an operator sends, ``store`` writes and reads the tables,
``report`` says which targeted screens have shown it."""
