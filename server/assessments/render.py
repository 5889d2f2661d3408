"""The acknowledged assessment as a PDF in the layout of the 员工月绩效考核登记表.

The template escapes every value, and the URL fetcher refuses every URL: the form has no
pictures, so nothing is ever fetched. The canonical JSON the verification code covers rides
along as an attachment, so the printed code can be recomputed without the server.
"""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import ImageFile
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher

from server.core.i18n import translate

from .documents import assessment_document
from .operations import total_of
from .seal import export_json, seal_payload

# WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import; uploads must not accept cut-off
# photos in a process that rendered a PDF (server/pdf/render.py says the same).
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATES = Path(__file__).parent / "templates"


class NothingFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url, headers=None):
        raise ValueError("an assessment PDF fetches nothing")


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        enabled_extensions=("html",), default_for_string=True, default=True))


def _labels(language: str) -> dict:
    keys = ("title", "property", "staff", "month", "assessor", "part", "item", "points",
            "score", "suggested", "figures", "reason", "subtotal", "reward", "penalty",
            "total", "comment", "staff_remark", "submitted", "acknowledged", "verification",
            "verify_note", "retention", "none")
    return {key: translate(f"assessment.pdf.{key}", language) for key in keys}


def assessment_html(assessment, language: str) -> str:
    doc = assessment_document(assessment, language)
    return _environment().get_template("assessment.html").render(
        doc=doc, L=_labels(language), css=(TEMPLATES / "assessment.css").read_text("utf-8"),
        moment=lambda value: value.astimezone(_zone(assessment)).strftime("%Y-%m-%d %H:%M")
        if value else "")


def _zone(assessment):
    from zoneinfo import ZoneInfo
    return ZoneInfo(assessment.property.timezone)


def assessment_filename(assessment) -> str:
    return f"assessment-{assessment.month:%Y-%m}-{assessment.id}.pdf"


def render_assessment_pdf(assessment, language: str) -> bytes:
    payload = seal_payload(assessment, total_of(assessment))
    attachment = Attachment(string=export_json(payload, assessment.seal_hash),
                            name=f"assessment-{assessment.id}.json",
                            description="assessment JSON with its verification code")
    return HTML(string=assessment_html(assessment, language), base_url=None,
                url_fetcher=NothingFetcher()).write_pdf(attachments=[attachment])
