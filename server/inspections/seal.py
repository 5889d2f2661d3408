"""The seal: a SHA-256 over the canonical form of what was recorded (docs/sync-protocol.md §4).

Canonical form is RFC 8785 (JSON Canonicalization Scheme), so the phone (npm `canonicalize`),
this server and any third party checking a PDF compute the same bytes.
"""

import hashlib
import json

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


EXPORT_FORMAT = "xuncha-record"


def record_export(record) -> dict:
    """A record's current revision as a self-contained JSON document: everything the seal
    covers, by the names of docs/sync-protocol.md §4, plus what a reader needs to know which
    record it is. ``scripts/verify_seal.py`` recomputes the seal from it without the server."""
    return {
        "format": EXPORT_FORMAT, "format_version": 1,
        "record_id": str(record.id).lower(), "revision": record.revision,
        "status": record.status,
        "property_id": record.property_id,
        "checklist": {"code": record.checklist_code, "version": record.checklist_version.version},
        "subject": {"type": record.subject_type, "id": record.subject_id},
        "inspector": record.inspector.username,
        "inspector_display_name": record.inspector.display_name,
        "answers": record.answers,
        "started_at": record.started_at_device, "completed_at": record.completed_at_device,
        "received_at": record.received_at.isoformat(),
        "attachments": attachment_hashes(record.answers),
        "seal": {"v": SEAL_FORMAT_VERSION, "hash": record.seal_hash},
    }


def record_export_json(record) -> bytes:
    """The export as UTF-8 bytes, keys in a fixed order and Chinese kept readable."""
    return json.dumps(record_export(record), ensure_ascii=False, indent=2).encode("utf-8")


def record_export_filename(record) -> str:
    return f"xuncha-record-{str(record.id).lower()}-r{record.revision}.json"
