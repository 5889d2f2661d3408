"""An assessment as people read it: the form's parts and sub-items in their language, with
scores, suggestions explained by their figures, reasons, totals and the verification code.
One plain dict serves the API's output schema and the PDF template, so both say the same."""

from flask import current_app

from server.core.i18n import current_language, translate

from . import figures
from .form import assessment_form
from .models import Assessment, AssessmentStatus
from .operations import current_suggestions, part_totals, seal_holds, total_of


def label(labels: dict, language: str) -> str:
    return labels.get(language) or labels["zh-CN"]


def retention_until(assessment: Assessment) -> str:
    """Seed 002 §4.12.1: kept at least 2 years (ASSESSMENT_RETENTION_YEARS) after its month."""
    years = current_app.config["ASSESSMENT_RETENTION_YEARS"]
    month = assessment.month
    return f"{month.year + years:04d}-{month.month:02d}"


def summary(assessment: Assessment) -> dict:
    return {"id": assessment.id, "property_id": assessment.property_id,
            "staff": {"id": assessment.staff.id, "display_name": assessment.staff.display_name},
            "month": assessment.month.strftime("%Y-%m"), "status": assessment.status,
            "total": total_of(assessment), "submitted_at": assessment.submitted_at,
            "acknowledged_at": assessment.acknowledged_at}


def _verification(assessment: Assessment, language: str) -> dict:
    holds = seal_holds(assessment)
    state = (translate("assessment.verify_holds", language) if holds
             else translate("assessment.verify_broken", language))
    return {"code": assessment.seal_hash, "holds": holds, "state": state}


def assessment_document(assessment: Assessment, language: str | None = None) -> dict:
    language = language or current_language()
    suggestions = current_suggestions(assessment)
    totals = part_totals(assessment)
    parts = []
    for part in assessment_form()["parts"]:
        items = []
        for item in part["items"]:
            suggestion = suggestions.get(item["id"])
            items.append({
                "id": item["id"], "label": label(item["label"], language),
                "points": item["points"], "score": assessment.scores.get(item["id"]),
                "reason": assessment.reasons.get(item["id"]),
                "suggestion": suggestion and {
                    "value": suggestion["value"], "kind": suggestion["kind"],
                    "figures": suggestion["figures"],
                    "explanation": figures.explain(suggestion, language)},
            })
        parts.append({"id": part["id"], "label": label(part["label"], language),
                      "points": part["points"], "total": totals[part["id"]], "items": items})
    sealed = assessment.status == AssessmentStatus.ACKNOWLEDGED
    return {
        **summary(assessment),
        "language": language,
        "property_name": (assessment.property.name_en or assessment.property.name
                          if language == "en" else assessment.property.name),
        "assessor": {"id": assessment.assessor.id,
                     "display_name": assessment.assessor.display_name},
        "full_marks": assessment_form()["full_marks"],
        "step": assessment_form()["step"],
        "parts": parts,
        "reward": assessment.reward, "reward_reason": assessment.reward_reason,
        "penalty": assessment.penalty, "penalty_reason": assessment.penalty_reason,
        "bounds": {"reward": assessment_form()["reward"],
                   "penalty": assessment_form()["penalty"]},
        "comment": assessment.comment, "staff_remark": assessment.staff_remark,
        "suggestions_frozen": assessment.suggestions is not None,
        "editable": assessment.status == AssessmentStatus.DRAFT,
        "retention_until": retention_until(assessment),
        "verification": _verification(assessment, language) if sealed else None,
        "version": assessment.version,
    }
