import uuid
from datetime import datetime

import pytest

from server.checklists.operations import find_version
from server.core.db import db
from server.inspections.models import Inspection
from tests.sync.conftest import renovation_record, site  # noqa: F401  (shared fixtures)


@pytest.fixture
def insert_inspection(app_ctx):
    """Write a record straight into the database (for counting tests that need many, at
    chosen times). ``completed_at`` is an aware datetime."""

    def insert(prop, code: str, subject_type: str, subject_id: int, completed_at: datetime,
               inspector, answers=None, status="submitted", has_failures=False, late=False):
        version = find_version(code, 1)
        record = Inspection(
            id=uuid.uuid4(), property_id=prop.id, checklist_version_id=version.id,
            checklist_code=code, subject_type=subject_type, subject_id=subject_id,
            inspector_id=inspector.id, status=status, revision=1, answers=answers or {},
            has_failures=has_failures, started_at_device=completed_at.isoformat(),
            completed_at_device=completed_at.isoformat(), completed_at=completed_at,
            seal_hash="0" * 64, late=late)
        db.session.add(record)
        db.session.commit()
        return record
    return insert
