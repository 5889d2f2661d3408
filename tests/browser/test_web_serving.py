"""server/web: how the built PWA is served (no browser needed)."""

import gzip

import pytest

from server import create_app


@pytest.fixture
def web_client(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>巡查</title>", encoding="utf-8")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / "manifest.webmanifest").write_text('{"name": "巡查"}', encoding="utf-8")
    (dist / "assets" / "index-abc123.js").write_text("console.log('x');" * 50)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "PWA_DIST_DIR": str(dist)})
    return app.test_client(), dist


def test_hashed_assets_are_immutable_and_the_rest_is_revalidated(web_client):
    client, _ = web_client
    for path in ["/", "/index.html", "/sw.js", "/manifest.webmanifest"]:
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache", path
    assert client.get("/manifest.webmanifest").mimetype == "application/manifest+json"
    asset = client.get("/assets/index-abc123.js")
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert asset.mimetype == "text/javascript"


def test_text_is_gzipped_when_accepted_and_etags_revalidate(web_client):
    client, _ = web_client
    plain = client.get("/assets/index-abc123.js")
    packed = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data)
    again = client.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]})
    assert again.status_code == 304


def test_nothing_outside_the_build_is_served_and_a_missing_build_says_how_to_build(web_client, tmp_path):
    client, dist = web_client
    (tmp_path / "secret.txt").write_text("no")
    assert client.get("/assets/../../secret.txt").status_code == 404
    assert client.get("/assets/nothing.js").status_code == 404
    assert client.get("/api/no-such-endpoint").get_json()["error"]["code"]  # the API keeps its envelope
    (dist / "index.html").unlink()
    response = client.get("/")
    assert response.status_code == 503 and b"npm run build" in response.data
