"""The monthly report as XLSX: numbers as numbers, rates as percentages, times as real dates,
words in the reader's language, and no cell a spreadsheet would run as a formula (a person's
or a property's name starting with "=" is kept as text, as the records export does)."""

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from server.inspections.listing import is_formula_like

from .words import KIND_KEYS, WORK_COLUMNS, Words

PERCENT = "0.0%"
WHEN = "yyyy-mm-dd hh:mm"


def _append(sheet, values, formats=None):
    sheet.append(values)
    for index, cell in enumerate(sheet[sheet.max_row]):
        if is_formula_like(cell.value):
            cell.value = values[index]
            cell.data_type = "s"  # shown as written, never evaluated
        if formats and formats.get(index):
            cell.number_format = formats[index]


def _header(sheet, values, widths):
    _append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _local(moment: str) -> datetime:
    """A property-local ISO time as the naive date-time a spreadsheet shows as it reads."""
    return datetime.fromisoformat(moment).replace(tzinfo=None)


def report_xlsx(report: dict, language: str) -> bytes:
    t = Words(language)
    workbook = Workbook()
    _summary(workbook.active, report, t)
    _rules(workbook.create_sheet(t("report.sheet.rules")), report, t)
    _work_orders(workbook.create_sheet(t("report.sheet.work_orders")), report, t)
    _night(workbook.create_sheet(t("report.sheet.night")), report, t)
    _scores(workbook.create_sheet(t("report.sheet.scores")), report, t)
    _people(workbook.create_sheet(t("report.sheet.people")), report, t)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _summary(sheet, report, t):
    """One column per property (and the totals): the figures a monthly meeting goes through."""
    sheet.title = t("report.sheet.summary")
    sections = report["properties"]
    columns = [*sections, *([report["totals"]] if report["totals"] else [])]
    names = [t.property_name(s["property"]) for s in sections]
    if report["totals"]:
        names.append(t("report.totals", n=len(sections)))
    _header(sheet, [t("report.figure"), *names], [34] + [18] * len(names))
    _append(sheet, [t("report.month"), *[t.month(report["month"])] * len(names)])

    def line(label, pick, fmt=None):
        _append(sheet, [label, *[pick(column) for column in columns]], {
            i + 1: fmt for i in range(len(columns))} if fmt else None)

    visits = lambda c: c["home_visits"]  # noqa: E731
    sat = lambda c: c["satisfaction"]  # noqa: E731
    line(t("report.visits.households"), lambda c: visits(c)["households"])
    line(t("report.visits.required"), lambda c: visits(c)["required"])
    line(t("report.visits.households_visited"), lambda c: visits(c)["households_visited"])
    line(t("report.visits.nobody_home"), lambda c: visits(c)["nobody_home"])
    line(t("report.visits.repeated"), lambda c: visits(c)["repeated"])
    line(t("report.visits.key_customers"), lambda c: visits(c)["key_customers_done"])
    for part, key in (("visits", "report.sat.visits"), ("callbacks", "report.sat.callbacks")):
        source = t(key)
        line(f"{source} · {t('report.sat.asked')}", lambda c, p=part: sat(c)[p]["asked"])
        line(f"{source} · {t('report.sat.rate')}", lambda c, p=part: sat(c)[p]["rate"], PERCENT)
    line(t("report.callback.needed"), lambda c: sat(c)["callback"]["needed"])
    line(t("report.callback.done"), lambda c: sat(c)["callback"]["done"])
    line(t("report.callback.rate"), lambda c: sat(c)["callback"]["rate"], PERCENT)
    line(t("report.night.checks"), lambda c: c["night_checks"]["done"])
    line(t("report.night.drills"), lambda c: c["drills"]["done"])
    line(t("report.records.completed"), lambda c: c["records"]["completed"])
    line(t("report.records.returned_records"), lambda c: c["records"]["returned_records"])
    line(t("report.records.late"), lambda c: c["records"]["late"])
    _append(sheet, [t("report.drills_note")])


def _rules(sheet, report, t):
    _header(sheet, [t("report.property"), t("report.col.checklist"), t("report.col.rule"),
                    t("report.col.required"), t("report.col.done"), t("report.col.rate"),
                    t("report.col.late"), t("report.col.not_counted"), t("report.col.status"),
                    t("report.col.by_whom")], [16, 14, 44, 8, 8, 9, 8, 9, 12, 30])
    for section in report["properties"]:
        for rule in section["rules"]:
            _append(sheet, [
                t.property_name(section["property"]), t.local(rule["checklist_title"]),
                t.local(rule["label"]), rule["required"], rule["done"], rule["rate"],
                rule["late"], rule["not_counted"],
                t.status(rule["status"], rule["setup_problem"]),
                t.sep.join(f"{p['name']} {p['counted']}" for p in rule["by_person"])],
                {5: PERCENT})


def _work_orders(sheet, report, t):
    _header(sheet, [t("report.property"), t("report.wo.kind"),
                    *[t(f"report.wo.{column}") for column in WORK_COLUMNS]],
            [16, 10, *[12] * len(WORK_COLUMNS)])
    for section in report["properties"]:
        for kind, key in KIND_KEYS.items():
            figures = section["work_orders"][kind]
            _append(sheet, [t.property_name(section["property"]), t(key),
                            *[figures[column] for column in WORK_COLUMNS]])
    _append(sheet, [t("report.wo_note")])


def _night(sheet, report, t):
    _header(sheet, [t("report.property"), "", t("report.night.at"), t("report.night.by"),
                    t("report.night.scenario"), t("report.night.counted")],
            [16, 16, 18, 14, 16, 22])
    for section in report["properties"]:
        for part, key in (("night_checks", "report.night.checks"),
                          ("drills", "report.night.drills")):
            for occasion in section[part]["occasions"]:
                _append(sheet, [t.property_name(section["property"]), t(key),
                                _local(occasion["at"]), occasion["by"],
                                t.scenario(occasion.get("scenario")) if part == "drills" else "",
                                t.reason(occasion["reason"])], {2: WHEN})
    _append(sheet, [t("report.drills_note")])


def _scores(sheet, report, t):
    _header(sheet, [t("report.property"), t("report.col.checklist"), t("report.scores.records"),
                    t("report.scores.average"), t("report.scores.lowest"),
                    t("report.scores.below_80")], [16, 16, 10, 10, 10, 10])
    for section in report["properties"]:
        for line in section["scores"]:
            _append(sheet, [t.property_name(section["property"]),
                            t.local(line["checklist_title"]), line["records"], line["average"],
                            line["lowest"], line["below_80"]])
    _append(sheet, [t("report.scores_note")])


def _people(sheet, report, t):
    _header(sheet, [t("report.property"), t("report.people.name"), t("report.people.role"),
                    t("report.people.duties"), t("report.people.duties_all"),
                    t("report.people.counted"), t("report.people.completed"),
                    t("report.people.late"), t("report.people.returned"),
                    t("report.people.average_score"), t("report.wo.due"),
                    t("report.wo.overdue"), t("report.wo.closed")],
            [16, 14, 10, 10, 8, 10, 10, 8, 8, 10, 10, 8, 8])
    for section in report["properties"]:
        for person in section["people"]:
            _append(sheet, [t.property_name(section["property"]), person["name"],
                            t.role(person["role"]), person["duties_met"], person["duties"],
                            person["counted"], person["completed"], person["late"],
                            person["returned"], person["average_score"],
                            person["follow_ups_due"], person["follow_ups_overdue"],
                            person["follow_ups_closed"]])
