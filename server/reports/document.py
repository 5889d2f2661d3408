"""The monthly report as a PDF: the figures printed, their verification code (防篡改校验码)
printed on every page, and the figures themselves embedded as a JSON file, from which
scripts/verify_seal.py recomputes the code offline.

The template renders only the report dict and escapes every value; the renderer fetches
nothing (no URL of any kind is served to it), so text people typed (names) can never pull in
a file or reach the network.
"""

import json
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

from server.pdf.render import StoredBlobFetcher, write_pdf

from .operations import covered, verification_code
from .words import KIND_KEYS, WORK_COLUMNS, Words

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
        enabled_extensions=("html",), default_for_string=True, default=True))


@cache
def _css() -> str:
    return (TEMPLATES / "monthly_report.css").read_text(encoding="utf-8")


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def report_json(report: dict, code: str) -> bytes:
    """The embedded file: the figures exactly as the code covers them, and the code."""
    return json.dumps({"format": report["format"], "verification": {"v": 1, "hash": code},
                       "generated_at": report["generated_at"], "report": covered(report)},
                      ensure_ascii=False, indent=2).encode("utf-8")


def report_html(report: dict, language: str, code: str) -> str:
    t = Words(language)
    before, rest = t("report.page", page="\0", pages="\1").split("\0")
    middle, after = rest.split("\1")
    return _environment().get_template("monthly_report.html").render(
        report=report, t=t, code=code, css=_css(), language=language,
        kinds=KIND_KEYS, work_columns=WORK_COLUMNS,
        page_before=_css_string(before), page_middle=_css_string(middle),
        page_after=_css_string(after))


def report_pdf(report: dict, language: str) -> bytes:
    code = verification_code(report)
    refuse_all = StoredBlobFetcher({}, {})
    document = HTML(string=report_html(report, language, code), base_url=None,
                    url_fetcher=refuse_all).render()
    name = f"xuncha-monthly-report-{report['month']}.json"
    return write_pdf([document], [(name, report_json(report, code))])
