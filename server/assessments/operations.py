"""The writes of the assessment workflow: draft → submitted → acknowledged (sealed).

Operations trust the view's checks of who is asking and which property they may see; they
check everything about the content. Each refusal names the field it is about
(``details.fields``), in the caller's language, and changes nothing.
"""

from datetime import date

import sqlalchemy as sa

from server.core.db import db, today_in, utcnow
from server.core.errors import Problem
from server.core.i18n import translate
from server.users.models import PropertyMember

from . import figures
from .form import assessment_form, form_items
from .models import Assessment, AssessmentStatus, YearEndInputs
from .seal import seal_hash, seal_payload


def field_problem(code: str, field: str, **params):
    raise Problem(code, details={"fields": {field: [translate(code, **params)]}}, **params)


def total_of(assessment: Assessment) -> float | None:
    """Sum of the sub-items plus reward minus penalty; None while a sub-item has no score. It
    may pass 100 (seed 002 §4.8: the excess is carried into the year-end average)."""
    items = form_items()
    if any(assessment.scores.get(item_id) is None for item_id in items):
        return None
    return float(sum(assessment.scores[item_id] for item_id in items)
                 + (assessment.reward or 0) - (assessment.penalty or 0))


def part_totals(assessment: Assessment) -> dict[str, float | None]:
    out = {}
    for part in assessment_form()["parts"]:
        values = [assessment.scores.get(item["id"]) for item in part["items"]]
        out[part["id"]] = None if None in values else float(sum(values))
    return out


def is_member(property_id: int, user_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PropertyMember).where(
        PropertyMember.property_id == property_id, PropertyMember.user_id == user_id)) > 0


def current_suggestions(assessment: Assessment) -> dict:
    """Frozen once submitted; a draft's are computed afresh from the month's data."""
    if assessment.suggestions is not None:
        return assessment.suggestions
    return figures.suggestions(assessment.property, assessment.staff, assessment.month)


def open_draft(actor, prop, staff, month: date) -> Assessment:
    """The draft for ``staff`` at ``prop`` in ``month``, made if there is none. Idempotent: a
    second call returns the same assessment, whatever its state."""
    if staff.id == actor.id:
        raise Problem("assessment.own")
    if not is_member(prop.id, staff.id):
        field_problem("assessment.not_staff", "staff_id")
    if month > today_in(prop.timezone).replace(day=1):
        field_problem("assessment.future_month", "month")
    existing = db.session.scalar(sa.select(Assessment).filter_by(
        property_id=prop.id, staff_id=staff.id, month=month))
    if existing is not None:
        return existing
    form = assessment_form()
    assessment = Assessment(property_id=prop.id, staff_id=staff.id, month=month,
                            form_code=form["code"], form_version=form["version"],
                            assessor_id=actor.id, scores={}, reasons={})
    db.session.add(assessment)
    db.session.flush()
    return assessment


def _require_status(assessment: Assessment, *allowed: str):
    if assessment.status == AssessmentStatus.ACKNOWLEDGED:
        raise Problem("assessment.sealed")
    if assessment.status not in allowed:
        raise Problem("assessment.wrong_status")


def _check_scores(scores: dict):
    items = form_items()
    step = assessment_form()["step"]
    for item_id, value in scores.items():
        item = items.get(item_id)
        if item is None:
            field_problem("assessment.unknown_item", f"scores.{item_id}")
        if value is None:
            continue
        if not 0 <= value <= item["points"] or (value / step) % 1:
            field_problem("assessment.score_out_of_range", f"scores.{item_id}",
                           points=_points_text(item["points"]), step=_points_text(step))


def _points_text(value: float) -> str:
    return f"{value:g}"


def _check_reasons(scores: dict, reasons: dict, suggestions: dict):
    """A score that differs from its suggestion needs the supervisor's reason; every item
    lacking one is named at once, so the form shows them all."""
    missing = {}
    for item_id, suggestion in suggestions.items():
        value = scores.get(item_id)
        if (value is not None and suggestion["value"] is not None
                and value != suggestion["value"]
                and not (reasons.get(item_id) or "").strip()):
            missing[f"reasons.{item_id}"] = [translate(
                "assessment.reason_required", suggested=_points_text(suggestion["value"]))]
    if missing:
        raise Problem("assessment.reason_required", details={"fields": missing},
                      suggested=_first_suggested(suggestions, missing))


def _first_suggested(suggestions: dict, missing: dict) -> str:
    item_id = next(iter(missing)).removeprefix("reasons.")
    return _points_text(suggestions[item_id]["value"])


def _check_bonus(kind: str, points, reason):
    if points is None:
        return
    bounds = assessment_form()[kind]
    if not bounds["min"] <= points <= bounds["max"]:
        field_problem(f"assessment.{kind}_out_of_range", kind,
                       min=bounds["min"], max=bounds["max"])
    if not (reason or "").strip():
        field_problem(f"assessment.{kind}_reason_required", f"{kind}_reason")


def update_draft(actor, assessment: Assessment, data: dict) -> Assessment:
    """Change what the supervisor filled in. Only a draft changes; every value is checked
    before any is set on the row, so a refusal leaves it as it was even within one session."""
    _require_status(assessment, AssessmentStatus.DRAFT)
    if assessment.staff_id == actor.id:
        raise Problem("assessment.own")
    if "scores" in data:
        _check_scores(data["scores"])
    scores = {**assessment.scores, **data.get("scores", {})}
    scores = {key: value for key, value in scores.items() if value is not None}
    reasons = {**assessment.reasons, **data.get("reasons", {})}
    reasons = {key: value.strip() for key, value in reasons.items() if value and value.strip()}
    unknown = set(reasons) - set(form_items())
    if unknown:
        field_problem("assessment.unknown_item", f"reasons.{sorted(unknown)[0]}")
    values = {name: data.get(name, getattr(assessment, name)) for name in (
        "reward", "reward_reason", "penalty", "penalty_reason", "comment")}
    _check_bonus("reward", values["reward"], values["reward_reason"])
    _check_bonus("penalty", values["penalty"], values["penalty_reason"])
    _check_reasons(scores, reasons, current_suggestions(assessment))
    assessment.scores, assessment.reasons = scores, reasons
    for name, value in values.items():
        setattr(assessment, name, value.strip() or None if isinstance(value, str) else value)
    if assessment.reward is None:
        assessment.reward_reason = None
    if assessment.penalty is None:
        assessment.penalty_reason = None
    assessment.assessor_id = actor.id
    assessment.version += 1
    db.session.flush()
    return assessment


def submit(actor, assessment: Assessment) -> Assessment:
    """Give the assessment to the staff member. Every sub-item needs a score; the suggestions
    are frozen as they stand now, and the reasons are checked against them once more."""
    _require_status(assessment, AssessmentStatus.DRAFT)
    if assessment.staff_id == actor.id:
        raise Problem("assessment.own")
    for item_id in form_items():
        if assessment.scores.get(item_id) is None:
            field_problem("assessment.score_required", f"scores.{item_id}")
    frozen = figures.suggestions(assessment.property, assessment.staff, assessment.month)
    _check_reasons(assessment.scores, assessment.reasons, frozen)
    assessment.suggestions = frozen
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = utcnow().replace(microsecond=0)
    assessment.assessor_id = actor.id
    assessment.version += 1
    db.session.flush()
    return assessment


def withdraw(actor, assessment: Assessment) -> Assessment:
    """Take a submitted assessment back to correct it, before the staff member acknowledged it;
    its suggestions are computed afresh again."""
    _require_status(assessment, AssessmentStatus.SUBMITTED)
    if assessment.staff_id == actor.id:
        raise Problem("assessment.own")
    assessment.status = AssessmentStatus.DRAFT
    assessment.suggestions = None
    assessment.submitted_at = None
    assessment.version += 1
    db.session.flush()
    return assessment


def acknowledge(staff, assessment: Assessment, remark: str | None) -> Assessment:
    """The staff member acknowledges their assessment (with a remark if they wish): it is sealed
    and never changes again. Only the assessed person may acknowledge."""
    if assessment.staff_id != staff.id:
        raise Problem("not_found")
    _require_status(assessment, AssessmentStatus.SUBMITTED)
    assessment.staff_remark = (remark or "").strip() or None
    assessment.acknowledged_at = utcnow().replace(microsecond=0)
    assessment.status = AssessmentStatus.ACKNOWLEDGED
    assessment.version += 1
    assessment.seal_hash = seal_hash(seal_payload(assessment, total_of(assessment)))
    db.session.flush()
    return assessment


def seal_holds(assessment: Assessment) -> bool:
    return assessment.seal_hash == seal_hash(seal_payload(assessment, total_of(assessment)))


# ---- the year-end figure (seed 002 §4.6) ----

def year_end(prop, staff, year: int) -> dict:
    """The year-end figure and its three inputs; an input not yet there is listed as missing
    and the figure stays empty rather than being made up."""
    weights = assessment_form()["year_end_weights"]
    sealed = db.session.scalars(sa.select(Assessment).where(
        Assessment.property_id == prop.id, Assessment.staff_id == staff.id,
        Assessment.status == AssessmentStatus.ACKNOWLEDGED,
        Assessment.month >= date(year, 1, 1), Assessment.month < date(year + 1, 1, 1))
        .order_by(Assessment.month)).all()
    months = [{"month": a.month.strftime("%Y-%m"), "total": total_of(a)} for a in sealed]
    monthly = round(sum(m["total"] for m in months) / len(months), 2) if months else None
    entered = db.session.scalar(sa.select(YearEndInputs).filter_by(
        property_id=prop.id, staff_id=staff.id, year=year))
    inputs = {"checks": entered.checks_score if entered else None, "monthly": monthly,
              "year_end": entered.year_end_score if entered else None}
    missing = [name for name, value in inputs.items() if value is None]
    figure = None if missing else round(
        sum(inputs[name] * weights[name] for name in inputs) / 100, 2)
    return {"year": year, "weights": weights, "inputs": inputs, "months": months,
            "months_sealed": len(months), "missing": missing, "figure": figure,
            "entered_by": entered and entered.entered_by_id}


def enter_year_inputs(actor, prop, staff, year: int, data: dict) -> YearEndInputs:
    if staff.id == actor.id:
        raise Problem("assessment.own")
    if not is_member(prop.id, staff.id):
        field_problem("assessment.not_staff", "staff_id")
    row = db.session.scalar(sa.select(YearEndInputs).filter_by(
        property_id=prop.id, staff_id=staff.id, year=year))
    if row is None:
        row = YearEndInputs(property_id=prop.id, staff_id=staff.id, year=year)
        db.session.add(row)
    for name in ("checks_score", "year_end_score"):
        if name in data:
            setattr(row, name, data[name])
    row.entered_by_id = actor.id
    db.session.flush()
    return row
