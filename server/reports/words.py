"""The report's figures in words people read: the spreadsheet and the PDF say the same things.

Statuses and reasons use the words the workspace screens already use (the catalog's
`pwa.status_*`, `pwa.reason_*`), so the report, the compliance screen and the phone agree.
"""

import calendar
from datetime import date

from server.core.i18n import translate

KIND_KEYS = {"complaint": "report.wo.complaint", "repair": "report.wo.repair",
             "follow_up": "report.wo.follow_up"}
WORK_COLUMNS = ("opened", "closed", "due", "overdue", "escalated", "contact_due",
                "contacted_on_time")
SCENARIOS = ("fire", "climbing", "lift_entrapment", "suspicious_person", "other")


class Words:
    def __init__(self, language: str):
        self.language = language

    @property
    def colon(self) -> str:
        return ": " if self.language == "en" else "："

    @property
    def sep(self) -> str:
        """Between the items of a list in running text."""
        return ", " if self.language == "en" else "、"

    def __call__(self, key: str, **params) -> str:
        return translate(key, self.language, **params)

    def local(self, pair: dict | None) -> str:
        """A {zh-CN, en} pair in this language."""
        if not pair:
            return ""
        return pair.get(self.language) or pair.get("zh-CN") or ""

    def month(self, month: str) -> str:
        first = date.fromisoformat(f"{month}-01")
        if self.language == "en":
            return f"{calendar.month_name[first.month]} {first.year}"
        return f"{first.year}年{first.month}月"

    def property_name(self, prop: dict) -> str:
        return (prop.get("name_en") or prop["name"]) if self.language == "en" else prop["name"]

    def status(self, status: str | None, setup_problem: str | None = None) -> str:
        if setup_problem:
            return translate(setup_problem, self.language)
        return self(f"pwa.status_{status}") if status else self("report.none")

    def reason(self, reason: str | None) -> str:
        return self(f"pwa.reason_{reason}") if reason else self("pwa.report_counted_yes")

    def role(self, role: str) -> str:
        return self(f"report.role.{role}")

    def scenario(self, value: str | None) -> str:
        return self(f"report.scenario.{value}") if value in SCENARIOS else self("report.none")

    def percent(self, value: float | None) -> str:
        return self("report.none") if value is None else f"{value * 100:.1f}%"

    def number(self, value) -> str:
        return self("report.none") if value is None else f"{value:g}"
