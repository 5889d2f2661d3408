"""What each role may do: one vocabulary, one table.

A view declares the permission it needs (``@requires(Permission.RECORD_REVIEW)``, see
`server/users/access.py`); which properties a person may see is a second, separate question
answered by their property assignments. Nothing else in the server names a set of roles.
"""

from enum import StrEnum

from .models import Role


class Permission(StrEnum):
    ACCOUNT_USE = "account.use"              # log out, see oneself
    PROPERTY_READ = "property.read"          # properties served and their registers
    PROPERTY_ALL = "property.all"            # every property, without being assigned to it
    PROPERTY_MANAGE = "property.manage"      # create properties, rename, change time zone
    REGISTER_EDIT = "register.edit"          # units, renovations, keys
    USER_READ = "user.read"                  # colleagues of one's properties
    USER_MANAGE = "user.manage"              # accounts, roles, assignments, sign-outs
    CHECKLIST_READ = "checklist.read"
    CHECKLIST_PUBLISH = "checklist.publish"
    RECORD_PUSH = "record.push"              # send one's own inspection records
    RECORD_READ = "record.read"              # records, their history, PDFs and lists
    RECORD_READ_OTHERS = "record.read_others"  # colleagues' records in lists, not only one's own
    RECORD_REVIEW = "record.review"          # approve or return
    RECORD_EXPORT = "record.export"          # batch PDF exports
    MEDIA_UPLOAD = "media.upload"
    MEDIA_READ = "media.read"
    SYNC_PULL = "sync.pull"
    FOLLOWUP_READ = "followup.read"
    FOLLOWUP_NOTE = "followup.note"          # contact and callback notes
    FOLLOWUP_FIX = "followup.fix"            # mark fixed: anyone's (the assignee may fix their own)
    FOLLOWUP_CREATE = "followup.create"      # raise by hand
    FOLLOWUP_ASSIGN = "followup.assign"
    FOLLOWUP_VERIFY = "followup.verify"      # verify fixed, or reopen
    FOLLOWUP_APPROVE = "followup.approve"    # approve a missing key, naming who is responsible
    WORKORDER_CREATE = "workorder.create"    # enter an owner's complaint or repair request
    FOLLOWUP_REPORT = "followup.report"      # callback and satisfaction rates; sampled checks
    ESCALATION_READ = "escalation.read"      # the project manager's escalation queue
    ESCALATION_ACK = "escalation.ack"        # acknowledge an escalation with a comment
    COMPLIANCE_READ = "compliance.read"
    ASSESSMENT_READ = "assessment.read"      # one's own monthly assessments; acknowledge them
    ASSESSMENT_MANAGE = "assessment.manage"  # assess the staff of one's properties
    REPORT_READ = "report.read"              # the monthly report (月报), on screen and as files


_EVERYONE = frozenset({
    Permission.ACCOUNT_USE, Permission.PROPERTY_READ, Permission.CHECKLIST_READ,
    Permission.RECORD_PUSH, Permission.RECORD_READ, Permission.MEDIA_UPLOAD, Permission.MEDIA_READ,
    Permission.SYNC_PULL, Permission.FOLLOWUP_READ, Permission.FOLLOWUP_NOTE,
    Permission.WORKORDER_CREATE, Permission.ASSESSMENT_READ,
})
# Supervisors and managers review records and drive follow-ups to their end.
_SUPERVISING = _EVERYONE | {
    Permission.USER_READ, Permission.RECORD_READ_OTHERS, Permission.RECORD_REVIEW, Permission.RECORD_EXPORT,
    Permission.FOLLOWUP_FIX, Permission.FOLLOWUP_CREATE, Permission.FOLLOWUP_ASSIGN,
    Permission.FOLLOWUP_VERIFY, Permission.COMPLIANCE_READ, Permission.FOLLOWUP_REPORT,
    Permission.ESCALATION_READ, Permission.ASSESSMENT_MANAGE, Permission.REPORT_READ,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PATROL: _EVERYONE,
    # The supervisor keeps the registers of their own properties current.
    Role.SUPERVISOR: _SUPERVISING | {Permission.REGISTER_EDIT},
    # The project manager oversees every property, answers escalations and approves missing keys.
    Role.MANAGER: _SUPERVISING | {Permission.PROPERTY_ALL, Permission.ESCALATION_ACK,
                                  Permission.FOLLOWUP_APPROVE},
    Role.ADMIN: frozenset(Permission),
}


def role_may(role: str | Role, permission: Permission) -> bool:
    return permission in GRANTS[Role(role)]
