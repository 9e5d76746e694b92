"""Run by every Python process a test starts (tests/support/schema_template.py puts this
folder on their PYTHONPATH): controllers and commands start new SQLite files from the
test run's migrated template (pano_schema_copy.py says why)."""

import os
from pathlib import Path

if os.environ.get("PANO_TEST_SCHEMA_TEMPLATE"):
    import pano_schema_copy

    pano_schema_copy.wrap_when_imported(Path(os.environ["PANO_TEST_SCHEMA_TEMPLATE"]))
