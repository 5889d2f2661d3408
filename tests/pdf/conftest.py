"""Fixtures for PDF tests: real sealed records (real JPEG photos, PNG signatures) pushed
through the sync API, and helpers that read the produced PDF with poppler."""

import shutil
import subprocess

import pytest

from tests.sync import conftest as sync_fixtures
from tests.sync.conftest import upload

# The sync tests' fixtures, shared: a site with people and checklists, sealed record bodies.
site = sync_fixtures.site
renovation_record = sync_fixtures.renovation_record

POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdfimages")


@pytest.fixture
def pushed_record(client, site, renovation_record):
    """pushed_record(comment=..., seed=...) → (record_id, body): sealed, stored, blobs uploaded."""

    def push(**overrides):
        record_id, body, blobs = renovation_record(**overrides)
        for kind, items in blobs.items():
            for data in items:
                assert upload(client, site["headers"], data, kind=kind).status_code == 200
        response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
        assert response.status_code == 200, response.get_json()
        return record_id, body
    return push


def _poppler(tool: str, pdf_path, *args) -> str:
    if not POPPLER:
        pytest.fail("poppler-utils missing: scripts/test installs it (pdftotext, pdffonts)")
    return subprocess.run([tool, *args, str(pdf_path), "-"] if tool == "pdftotext"
                          else [tool, *args, str(pdf_path)],
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def read_pdf(tmp_path):
    """read_pdf(bytes) → {"text", "fonts", "images", "pages"} as poppler sees the file."""
    counter = iter(range(10**6))

    def read(data: bytes) -> dict:
        path = tmp_path / f"doc{next(counter)}.pdf"
        path.write_bytes(data)
        info = _poppler("pdfinfo", path)
        pages = int(next(line.split()[-1] for line in info.splitlines()
                         if line.startswith("Pages:")))
        return {"text": _poppler("pdftotext", path, "-layout"),
                "raw_text": _poppler("pdftotext", path),
                "fonts": _poppler("pdffonts", path), "images": _poppler("pdfimages", path, "-list"),
                "pages": pages, "path": path}
    return read
