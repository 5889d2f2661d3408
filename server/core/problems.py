"""Every problem the API can answer with, defined once: code → HTTP status.

The code is the stable name programs branch on (the PWA, a third-party client); it is also the
key of the message people read, in the message catalog. Call sites raise by code only
(``raise Problem("record.stale_revision", details=...)``), so one code always answers with one
status and ``tests/test_problems.py`` can check that every code raised exists here and has a
message in each language.
"""

PROBLEMS: dict[str, int] = {
    # The request itself: unreadable, malformed or too big.
    "request.bad": 400,
    "request.invalid_json": 400,
    "request.bad_device_time": 400,
    "request.too_deep": 400,
    "upload.bad_range": 400,
    "request.too_large": 413,
    "upload.too_large": 413,
    "upload.unsupported_type": 415,
    "request.invalid": 422,
    "method_not_allowed": 405,
    # Who is asking.
    "auth.required": 401,
    "auth.invalid_token": 401,
    "auth.invalid_credentials": 401,
    "auth.rate_limited": 429,
    "export.busy_user": 429,
    "export.busy": 429,
    "access.role_denied": 403,
    "access.property_denied": 403,
    "review.own_record": 403,
    "assessment.own": 403,
    "not_found": 404,
    "sample.not_drawn": 404,
    # Versions and conflicts.
    "request.precondition_required": 428,
    "request.stale_version": 412,
    "record.stale_revision": 412,
    "request.conflict": 409,
    "record.different_content": 409,
    "record.identity_changed": 409,
    "record.not_editable": 409,
    "review.already_reviewed": 409,
    "followup.different_content": 409,
    "followup.wrong_status": 409,
    "followup.nothing_to_approve": 409,
    "escalation.already_acknowledged": 409,
    "upload.offset_mismatch": 409,
    "upload.size_mismatch": 409,
    "export.not_ready": 409,
    "assessment.sealed": 409,
    "assessment.wrong_status": 409,
    "assessment.not_sealed": 409,
    # Gone for good.
    "export.expired": 410,
    "user.username_taken": 409,
    "property.code_taken": 409,
    "unit.duplicate": 409,
    "key.tag_taken": 409,
    "checklist.published_changed": 409,
    # Content the caller can correct.
    "user.weak_password": 422,
    "user.common_password": 422,
    "unit.not_in_property": 422,
    "renovation.bad_dates": 422,
    "checklist.not_found": 422,
    "checklist.invalid": 422,
    "upload.bad_hash_format": 422,
    "upload.type_mismatch": 422,
    "upload.not_an_image": 422,
    "upload.too_many_pixels": 422,
    "upload.hash_mismatch": 422,
    "upload.not_citable": 422,
    "upload.has_location": 422,
    "upload.trailing_data": 422,
    "record.invalid_answers": 422,
    "record.seal_mismatch": 422,
    "record.bad_subject": 422,
    "record.subject_inactive": 422,
    "record.completed_before_start": 422,
    "record.completed_in_future": 422,
    "sync.bad_cursor": 422,
    "review.unknown_items": 422,
    "review.comment_required": 422,
    "followup.bad_assignee": 422,
    "followup.photo_required": 422,
    "followup.callback_required": 422,
    "followup.note_required": 422,
    "followup.contact_required": 422,
    "followup.contact_method_required": 422,
    "followup.no_owner": 422,
    "followup.callback_by_fixer": 422,
    "followup.satisfaction_required": 422,
    "followup.approval_required": 422,
    "followup.responsible_required": 422,
    "workorder.bad_category": 422,
    "workorder.bad_unit": 422,
    "workorder.place_required": 422,
    "workorder.reported_in_future": 422,
    "sample.month_not_started": 422,
    "export.no_records": 422,
    "export.too_many": 422,
    "export.bad_dates": 422,
    "assessment.not_staff": 422,
    "assessment.future_month": 422,
    "assessment.unknown_item": 422,
    "assessment.score_out_of_range": 422,
    "assessment.score_required": 422,
    "assessment.reason_required": 422,
    "assessment.reward_out_of_range": 422,
    "assessment.reward_reason_required": 422,
    "assessment.penalty_out_of_range": 422,
    "assessment.penalty_reason_required": 422,
    # Ours.
    "server.error": 500,
    "upload.busy": 503,
}


def status_of(code: str) -> int:
    return PROBLEMS[code]


# Errors Flask and werkzeug raise themselves (routing, body size, webargs) carry only a status;
# this is the code each one answers with. A status not listed keeps its own number and is
# reported as "request.bad" (4xx) or "server.error" (5xx).
CODE_FOR_HTTP_STATUS: dict[int, str] = {
    400: "request.bad", 404: "not_found", 405: "method_not_allowed", 412: "request.stale_version",
    413: "request.too_large", 422: "request.invalid", 428: "request.precondition_required",
}
