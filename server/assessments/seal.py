"""The seal of an acknowledged assessment: a SHA-256 over the RFC 8785 canonical JSON of what
the staff member acknowledged, the same scheme as inspection records
(`server/inspections/seal.py`). The PDF prints it as the 防篡改校验码 and carries the JSON as an
attachment, so anyone can recompute it without the server."""

import hashlib
import json

import rfc8785

SEAL_FORMAT_VERSION = 1
EXPORT_FORMAT = "xuncha-assessment"


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def seal_payload(assessment, total: float) -> dict:
    return {
        "v": SEAL_FORMAT_VERSION,
        "format": EXPORT_FORMAT,
        "assessment_id": assessment.id,
        "property_id": assessment.property_id,
        "form": {"code": assessment.form_code, "version": assessment.form_version},
        "staff": assessment.staff.username,
        "month": assessment.month.strftime("%Y-%m"),
        "scores": assessment.scores,
        "reasons": assessment.reasons,
        "suggestions": assessment.suggestions,
        "reward": {"points": assessment.reward, "reason": assessment.reward_reason},
        "penalty": {"points": assessment.penalty, "reason": assessment.penalty_reason},
        "total": total,
        "comment": assessment.comment,
        "assessor": assessment.assessor.username,
        "submitted_at": _moment(assessment.submitted_at),
        "acknowledged_at": _moment(assessment.acknowledged_at),
        "staff_remark": assessment.staff_remark,
    }


def seal_hash(payload: dict) -> str:
    return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


def export_json(payload: dict, hash_: str) -> bytes:
    return json.dumps({**payload, "seal": {"v": SEAL_FORMAT_VERSION, "hash": hash_}},
                      ensure_ascii=False, indent=2).encode("utf-8")
