"""Fixed words printed on the PDF, in zh-CN and English.

Error messages live in server/core/i18n.py; these are the captions of a paper form.
"""

LABELS: dict[str, tuple[str, str]] = {
    # key: (zh-CN, en)
    "document_title": ("巡查记录", "Inspection record"),
    "colon": ("：", ": "),
    "checklist_full": ("{title}（{code}，第 {version} 版）", "{title} ({code}, version {version})"),
    "property": ("项目", "Property"),
    "subject": ("检查对象", "Subject"),
    "checklist": ("检查表", "Checklist"),
    "version": ("第 {version} 版", "version {version}"),
    "inspector": ("巡查人", "Inspector"),
    "record_id": ("记录编号", "Record id"),
    "revision": ("修订", "Revision"),
    "status": ("状态", "Status"),
    "phone_time": ("手机时间", "Phone time"),
    "server_time": ("服务器接收时间", "Received by server"),
    "started": ("开始", "started"),
    "completed": ("完成", "completed"),
    "clock_offset": ("手机时钟与服务器相差 {minutes} 分钟，请以服务器时间为准。",
                     "The phone clock differed from the server by {minutes} minutes; "
                     "rely on the server time."),
    "device": ("设备", "Device"),
    "summary": ("检查 {items} 项，不合格 {failed} 项，照片 {photos} 张，签字 {signatures} 个。",
                "{items} items checked, {failed} failed, {photos} photos, {signatures} signatures."),
    "col_no": ("序号", "No."),
    "col_item": ("检查项目", "Item"),
    "col_result": ("结果", "Result"),
    "col_notes": ("说明 / 备注", "Notes"),
    "failed_mark": ("不合格", "FAILED"),
    "not_answered": ("未填", "not answered"),
    "comment": ("备注", "Comment"),
    "captured_at": ("拍摄", "taken"),
    "photo_missing": ("照片尚未上传到服务器", "photo not yet uploaded to the server"),
    "signature_missing": ("签字图片尚未上传到服务器", "signature image not yet uploaded"),
    "signed_by": ("签字人", "Signed by"),
    "signed_at": ("签字时间", "Signed at"),
    "role": ("身份", "Role"),
    "signatures": ("签字", "Signatures"),
    "register_row": ("台账行", "Register row"),
    "follow_ups": ("整改跟进", "Follow-ups"),
    "no_follow_ups": ("无整改事项。", "No follow-ups."),
    "follow_up_due": ("期限", "due"),
    "follow_up_assignee": ("责任人", "assignee"),
    "reviews": ("审核与修订记录", "Review and revision history"),
    "revision_received": ("第 {revision} 次提交，服务器接收于 {received}",
                          "Revision {revision}, received {received}"),
    "seal": ("封存校验值（SHA-256）", "Seal (SHA-256)"),
    "seal_verify": (
        "核验方法：取该记录的 JSON（记录编号、项目、检查表、对象、巡查人、全部答案、开始与完成时间、"
        "全部附件的 SHA-256），按 RFC 8785 规范化后计算 SHA-256，结果应与上方封存值一致"
        "（详见同步协议 §4）；照片与签字文件的 SHA-256 亦须与记录中的一致。二维码内含记录编号与封存值。",
        "To verify: take the record's JSON (record id, property, checklist, subject, inspector, "
        "all answers, start and completion times, the SHA-256 of every attachment), canonicalise "
        "it with RFC 8785 and compute SHA-256: it must equal the seal above (sync protocol §4); "
        "each photo and signature file must hash to the SHA-256 the record names. The QR code "
        "holds the record id and the seal."),
    "generated": ("导出时间 {time}", "Exported {time}"),
    "page": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    # item results
    "pass": ("合格", "Pass"),
    "fail": ("不合格", "Fail"),
    "na": ("不适用", "N/A"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    # record status
    # review actions
    "review_approve": ("审核通过", "approved"),
    "review_return": ("退回修改", "returned for changes"),
    "review_of_revision": ("第 {revision} 次提交", "revision {revision}"),
    # follow-ups
    "followup_open": ("待整改", "open"),
    "followup_fixed": ("已整改，待验证", "fixed, to be verified"),
    "followup_verified": ("已验证关闭", "verified and closed"),
    "followup_create": ("创建", "raised"),
    "followup_fix": ("整改完成", "fixed"),
    "followup_verify": ("验证通过", "verified"),
    "followup_reopen": ("重新打开", "reopened"),
    "followup_contact": ("联系业主", "owner contacted"),
    "followup_callback": ("回访", "callback"),
    "followup_assign": ("指派", "assigned"),
    "status_submitted": ("已提交，待审核", "submitted, awaiting review"),
    "status_returned": ("已退回修改", "returned for changes"),
    "status_approved": ("已审核通过", "approved"),
    # subject types
    "subject_renovation": ("装修", "Renovation"),
    "subject_unit": ("住户", "Household"),
    "subject_property": ("指挥中心 / 值班岗", "Command centre / duty post"),
    "subject_key_register": ("钥匙台账", "Key register"),
    "contractor": ("施工单位", "Contractor"),
    "permit": ("装修许可", "Permit"),
    "owner": ("业主", "Owner"),
    # signer roles
    "signer_inspector": ("巡查人", "Inspector"),
    "signer_owner": ("业主", "Owner"),
    "signer_contractor": ("施工负责人", "Contractor"),
    "signer_supervisor": ("客服主管", "Supervisor"),
    "signer_keeper": ("钥匙管理员", "Key keeper"),
    "signer_duty_staff": ("值班人员", "Duty staff"),
}


def label(key: str, language: str, **params) -> str:
    zh, en = LABELS[key]
    text = zh if language == "zh-CN" else en
    return text.format(**params) if params else text


def labels_for(language: str) -> dict[str, str]:
    """Every label without parameters, for the template."""
    return {key: (zh if language == "zh-CN" else en) for key, (zh, en) in LABELS.items()}
