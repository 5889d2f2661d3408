"""Class 10: every answer carries a Content-Security-Policy that allows only the app's own
script, cannot be framed and sends no Referer; stored files are served as inert downloads of
their declared type; an image with something appended after its end is refused."""

import pytest

from server.core.headers import CONTENT_SECURITY_POLICY
from tests.sync.conftest import jpeg_bytes, png_signature, sha, upload


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/api/health", "/api/openapi.json", "/api/me",
                                  "/api/nowhere"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if path.startswith("/api/"):
        assert response.headers["Cache-Control"] == "no-store"


def test_answers_with_residents_data_are_never_kept_in_a_shared_cache(client, site):
    units = client.get(f"/api/properties/{site['property'].id}/units",
                       headers=site["supervisor_headers"])
    assert units.status_code == 200 and units.headers["Cache-Control"] == "no-store"


def test_the_policy_holds_what_the_pwa_needs_and_no_other_origin():
    policy = directives(CONTENT_SECURITY_POLICY)
    assert "blob:" in policy["img-src"]  # photos shown from the phone's storage
    assert policy["connect-src"] == "'self'" and policy["worker-src"] == "'self'"
    assert not [value for value in policy.values() if "http" in value or "*" in value]


@pytest.mark.parametrize("variant,disposition", [("display", "inline"), ("thumb", "inline"),
                                                 ("original", "attachment")])
def test_stored_photos_are_served_inert(client, site, pushed_record, variant, disposition):
    _, body = pushed_record()
    photo = body["answers"]["surface_protection"]["photos"][0]["sha256"]
    response = client.get(f"/api/blobs/{photo}?variant={variant}", headers=site["headers"])
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith(f'{disposition}; filename="')
    assert response.headers["Content-Disposition"].endswith('.jpg"')
    assert directives(response.headers["Content-Security-Policy"]) == {
        "default-src": "'none'", "sandbox": ""}


HTML = b"<html><body><script>alert(document.domain)</script></body></html>"


@pytest.mark.parametrize("kind,image", [("photo", jpeg_bytes(seed=91)),
                                        ("signature", png_signature(seed=92))])
def test_an_image_with_html_appended_is_refused(client, site, kind, image):
    polyglot = image + HTML
    response = upload(client, {**site["headers"], "Accept-Language": "en"}, polyglot, kind=kind)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "upload.trailing_data" and "extra data" in error["message"]
    status = client.get(f"/api/blobs/{sha(polyglot)}/status", headers=site["headers"]).get_json()
    assert status["stored"] is False
    # The same image without the page is stored.
    assert upload(client, site["headers"], image, kind=kind).status_code == 200


def test_pdfs_and_exports_are_downloads_of_their_type(client, site, pushed_record):
    record_id, _ = pushed_record()
    response = client.get(f"/api/inspections/{record_id}/pdf", headers=site["headers"])
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
