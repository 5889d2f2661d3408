"""Rendering a record document (a plain dict, see schemas.py) to PDF with WeasyPrint.

Two walls keep the renderer from reading anything it should not:
- the template escapes every value (Jinja autoescape), so text from a phone can never become
  markup: an ``<img src="file:///etc/passwd">`` in a comment is printed, not fetched;
- the URL fetcher serves only the stored blobs of that one record (its display copies, never
  originals) and the seal's QR code, from memory or the blob store. Every other URL (file://,
  http(s)://, data:, another record's blob) is refused without touching disk or network.
"""

import io
import logging
import threading
from functools import cache, lru_cache
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import ImageFile
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from server.core.i18n import translate
from server.media.operations import storage_keys
from server.media.storage import blob_store

from .schemas import BLOB_URL_SCHEME

# Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make the
# upload checks (server/media/images.py) accept cut-off photos in every process that has
# rendered a PDF. Put it back: the renderer reads only blobs that were verified whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATES = Path(__file__).parent / "templates"
QR_URL = f"{BLOB_URL_SCHEME}:seal-qr"
log = logging.getLogger(__name__)


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        enabled_extensions=("html",), default_for_string=True, default=True))


@cache
def _css() -> str:
    return (TEMPLATES / "record.css").read_text(encoding="utf-8")


_thread = threading.local()


def _fonts_and_stylesheet() -> tuple[FontConfiguration, CSS]:
    """This thread's font configuration and record.css parsed and compiled for it, kept from
    one render to the next: they never change while the process runs, and parsing the sheet
    again for every record cost as much as laying out a page. Per thread, as Pango's font map
    is not made to be shared between threads."""
    if getattr(_thread, "stylesheet", None) is None:
        _thread.fonts = FontConfiguration()
        _thread.stylesheet = CSS(string=_css(), font_config=_thread.fonts)
    return _thread.fonts, _thread.stylesheet


def warm_up() -> None:
    """Lay out and write one line of CJK text: loads the font files, Pango's font map and the
    subsetter, which otherwise slow a process's first record by about a second."""
    fonts, stylesheet = _fonts_and_stylesheet()
    HTML(string="<p>巡查 Xuncha 1</p>", base_url=None, url_fetcher=StoredBlobFetcher({}, {})).render(
        stylesheets=[stylesheet], font_config=fonts).write_pdf()


def record_html(doc: dict, inline_css: bool = True) -> str:
    """The HTML of one record. Everything printed comes from ``doc`` and is escaped.
    ``inline_css=False`` leaves record.css out, for `document`, which passes it parsed."""
    # "第 {page} 页 / 共 {pages} 页" → CSS: "第 " counter(page) " 页 / 共 " counter(pages) " 页"
    before, rest = translate("pdf.page", doc["language"], page="\0", pages="\1").split("\0")
    middle, after = rest.split("\1")
    return _environment().get_template("record.html").render(
        doc=doc, css=_css() if inline_css else "", qr_url=QR_URL, page_label_before=_css_string(before),
        page_label_middle=_css_string(middle), page_label_after=_css_string(after))


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@lru_cache(maxsize=256)
def seal_qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=2)
    return out.getvalue()


class StoredBlobFetcher(URLFetcher):
    """Serves the record's stored blobs (display copies) and in-memory ``extra`` resources;
    refuses everything else. ``requested`` lists every URL asked for, for tests and logs."""

    def __init__(self, attachments: dict[str, str], extra: dict[str, tuple[bytes, str]]):
        # No protocol may reach urllib: fetch() below never calls the parent's fetch.
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.attachments = attachments
        self.extra = extra
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url in self.extra:
            body, mimetype = self.extra[url]
            return URLFetcherResponse(url, body, {"Content-Type": mimetype})
        scheme, _, sha = url.partition(":")
        kind = self.attachments.get(sha) if scheme == BLOB_URL_SCHEME else None
        if kind is None:
            log.warning("PDF renderer refused to fetch %.200r", url)
            raise ValueError("only the record's stored blobs may be fetched")
        mimetype = "image/png" if kind == "signature" else "image/jpeg"
        body = blob_store().get(storage_keys(sha, kind)["display"])
        return URLFetcherResponse(url, body, {"Content-Type": mimetype})


def fetcher_for(doc: dict) -> StoredBlobFetcher:
    return StoredBlobFetcher(doc["attachments"],
                             {QR_URL: (seal_qr_png(doc["seal"]["qr_text"]), "image/png")})


def document(doc: dict, fetcher=None):
    """A laid-out WeasyPrint Document of one record (pages can be merged with others)."""
    fetcher = fetcher or fetcher_for(doc)
    fonts, stylesheet = _fonts_and_stylesheet()
    return HTML(string=record_html(doc, inline_css=False), base_url=None,
                url_fetcher=fetcher).render(stylesheets=[stylesheet], font_config=fonts)


def write_pdf(documents: list, records: list[tuple[str, bytes]] = (), target=None) -> bytes | None:
    """One PDF of the pages of ``documents``, each keeping its own page numbers: its bytes, or
    written to the file ``target`` (then None). ``records`` (file name, JSON bytes) are embedded
    as file attachments: the records' JSON exports, from which scripts/verify_seal.py
    recomputes each printed seal."""
    attachments = [Attachment(string=data, name=name, description="record JSON with its seal")
                   for name, data in records]
    first = documents[0]
    if len(documents) == 1:
        return first.write_pdf(target, attachments=attachments)
    pages = [page for doc in documents for page in doc.pages]
    return first.copy(pages).write_pdf(target, attachments=attachments)


def render_pdf(doc: dict, fetcher=None) -> bytes:
    return write_pdf([document(doc, fetcher)], [doc["record_json"]])
