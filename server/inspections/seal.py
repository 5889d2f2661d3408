"""The seal: a SHA-256 over the canonical form of what was recorded (docs/sync-protocol.md §4).

Canonical form is RFC 8785 (JSON Canonicalization Scheme), so the phone (npm `canonicalize`),
this server and any third party checking a PDF compute the same bytes.
"""

import hashlib

import rfc8785

SEAL_FORMAT_VERSION = 1


def attachment_hashes(answers: dict) -> list[str]:
    """Every distinct blob hash referenced anywhere in the answers, sorted."""
    found: set[str] = set()

    def visit(answer: dict):
        for photo in answer.get("photos") or []:
            found.add(photo["sha256"])
        if answer.get("signature"):
            found.add(answer["signature"]["sha256"])
        for row in (answer.get("rows") or {}).values():
            visit(row)

    for answer in answers.values():
        visit(answer)
    return sorted(found)


def seal_payload(record_id: str, property_id: int, checklist: dict, subject: dict,
                 inspector: str, answers: dict, started_at: str, completed_at: str) -> dict:
    return {
        "v": SEAL_FORMAT_VERSION,
        "record_id": str(record_id).lower(),
        "property_id": property_id,
        "checklist": {"code": checklist["code"], "version": checklist["version"]},
        "subject": {"type": subject["type"], "id": subject["id"]},
        "inspector": inspector,
        "answers": answers,
        "started_at": started_at,
        "completed_at": completed_at,
        "attachments": attachment_hashes(answers),
    }


def seal_hash(payload: dict) -> str:
    return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()
