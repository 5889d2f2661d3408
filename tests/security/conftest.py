"""Fixtures for the security tests: the sync tests' site and sealed records, pushed for real."""

from tests.pdf.conftest import pushed_record, read_pdf  # noqa: F401  (shared fixtures)
from tests.sync.conftest import renovation_record, site  # noqa: F401
from tests.workspace.conftest import insert_inspection  # noqa: F401
