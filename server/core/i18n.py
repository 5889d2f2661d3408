"""User-facing messages in zh-CN and English.

Errors are part of the product: a patrol officer in a stairwell must understand why the server
refused something, in the language the phone is set to. Every machine code the API returns has
an entry here; `tests/test_errors.py` checks that each has both languages.
"""

import re

from flask import has_request_context, request

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"

MESSAGES: dict[str, tuple[str, str]] = {
    # code: (zh-CN, en)
    "request.invalid_json": ("请求内容不是有效的 JSON。", "The request body is not valid JSON."),
    "request.invalid": ("请求内容有误，请检查标出的字段。",
                        "The request has errors; see the fields listed."),
    "request.too_large": ("请求内容过大（上限 {limit}）。", "The request is too large (limit {limit})."),
    "request.bad": ("请求无效。", "The request is not valid."),
    "request.precondition_required": ("修改前需要带上版本号（If-Match）。",
                                      "Send the version you are changing (If-Match)."),
    "request.stale_version": ("该内容已被他人修改，请刷新后再改。",
                              "This was changed by someone else since you loaded it; "
                              "reload and try again."),
    "request.conflict": ("与已有数据冲突：{what}", "Conflicts with existing data: {what}"),
    "not_found": ("找不到该资源。", "Not found."),
    "method_not_allowed": ("不支持该请求方法。", "This method is not allowed here."),
    "server.error": ("服务器内部错误，已记录，请稍后再试。",
                     "Internal server error; it has been logged. Please try again later."),
    "auth.required": ("请先登录。", "Please log in."),
    "auth.invalid_token": ("登录已失效，请重新登录。", "Your session has ended; please log in again."),
    "auth.invalid_credentials": ("用户名或密码错误。", "Wrong username or password."),
    "auth.rate_limited": ("登录失败次数过多，请 {minutes} 分钟后再试。",
                          "Too many failed logins; try again in {minutes} minutes."),
    "access.role_denied": ("您的角色无权执行此操作。", "Your role may not do this."),
    "access.property_denied": ("您无权访问该项目。", "You are not assigned to this property."),
    "user.username_taken": ("用户名“{username}”已被使用。", "The username “{username}” is taken."),
    "user.weak_password": ("密码至少需要 {min} 个字符。", "The password needs at least {min} characters."),
    "property.code_taken": ("项目编码“{code}”已存在。", "The property code “{code}” already exists."),
    "unit.duplicate": ("该房号已存在：{label}", "This unit already exists: {label}"),
    "unit.not_in_property": ("房屋不属于该项目。", "That unit does not belong to this property."),
    "key.tag_taken": ("钥匙编号“{tag}”已存在。", "The key tag “{tag}” already exists."),
    "renovation.bad_dates": ("装修许可结束日期不能早于开始日期。",
                             "The permit end date cannot be before its start date."),
    "checklist.not_found": ("找不到该检查表版本。", "No such checklist version."),
    "checklist.invalid": ("检查表定义有误。", "The checklist definition has errors."),
    "checklist.published_changed": (
        "检查表 {code} 第 {version} 版已发布，内容不可修改；请另存为第 {next} 版。",
        "Checklist {code} version {version} is published and cannot change; "
        "publish it as version {next}."),
    "upload.bad_hash_format": ("文件标识必须是 64 位小写十六进制 SHA-256。",
                               "The blob name must be a 64-character lowercase hex SHA-256."),
    "upload.bad_range": ("Content-Range 格式有误（应为 bytes 起-止/总长）。",
                         "Bad Content-Range (expected bytes START-END/TOTAL)."),
    "upload.too_large": ("文件过大，上限 {limit}。", "The file is too large; the limit is {limit}."),
    "upload.unsupported_type": ("不支持的文件类型 {type}；照片请用 JPEG、PNG、WebP 或 HEIC，签名请用 PNG。",
                                "Unsupported file type {type}: photos must be JPEG, PNG, WebP or "
                                "HEIC, signatures PNG."),
    "upload.type_mismatch": ("文件内容是 {actual}，与声明的类型 {type} 不符。",
                             "The file is {actual}, not the {type} it claims to be."),
    "upload.not_an_image": ("文件不是完整的图片（可能已损坏或被截断），请重新拍摄或选择。",
                            "The file is not a complete image (damaged or cut off); take or "
                            "choose it again."),
    "upload.too_many_pixels": ("图片尺寸 {size} 过大，上限 {limit} 百万像素。",
                               "The image ({size}) has too many pixels; the limit is "
                               "{limit} megapixels."),
    "upload.hash_mismatch": ("收到的文件与其 SHA-256 不符，可能传输中损坏，请重新上传。",
                             "The file received does not match its SHA-256; it was damaged in "
                             "transit. Upload it again."),
    "upload.offset_mismatch": ("续传位置不对：服务器已收到 {received} 字节之前的内容。",
                               "This part does not continue the upload; ask for the status "
                               "and resume from there."),
    "record.different_content": ("该记录已以不同内容提交过，不能覆盖。",
                                 "This record was already submitted with different content "
                                 "and cannot be overwritten."),
    "record.stale_revision": ("该记录已有更新的版本，请先同步再修改。",
                              "This record has a newer revision; sync before editing it."),
    "record.invalid_answers": ("检查表填写不完整或有误，请按提示修改。",
                               "Some answers are missing or wrong; see each item."),
    "record.seal_mismatch": ("签名封存校验失败：记录内容与封存值不符。",
                             "Seal check failed: the content does not match its seal."),
    "record.bad_subject": ("检查对象不属于该项目或与检查表不符。",
                           "The inspected subject does not belong to this property or does "
                           "not fit the checklist."),
    "sync.bad_cursor": ("同步游标无效，请进行一次完整同步。",
                        "The sync cursor is not valid; do a full pull."),
    "answer.bad_shape": ("答案格式不正确。", "The answer is not in the expected form."),
    "answer.unknown_item": ("检查表中没有此项。", "This checklist has no such item."),
    "answer.unexpected_keys": ("答案含有无法识别的内容：{keys}。", "Unexpected keys in the answer: {keys}."),
    "answer.required": ("此项必填。", "This item is required."),
    "answer.bad_choice": ("请选择以下之一：{choices}。", "Choose one of: {choices}."),
    "answer.bad_selection_count": ("选择的数量不符合要求。", "Wrong number of choices selected."),
    "answer.bad_text": ("文字过长（最多 {max} 字）。", "The text is too long (at most {max} characters)."),
    "answer.bad_number": ("请填写有效的数字。", "Enter a valid number."),
    "answer.out_of_range": ("数值应在 {min} 到 {max} 之间。",
                            "The number must be between {min} and {max}."),
    "answer.bad_date": ("日期或时间格式不正确。", "The date or time is not valid."),
    "answer.bad_comment": ("备注过长（最多 {max} 字）。",
                           "The comment is too long (at most {max} characters)."),
    "answer.bad_photo_ref": ("照片引用格式不正确。", "A photo reference is malformed."),
    "answer.duplicate_photo": ("同一张照片重复添加。", "The same photo is attached twice."),
    "answer.too_few_photos": ("至少需要 {min} 张照片。", "At least {min} photos are needed."),
    "answer.too_many_photos": ("最多 {max} 张照片。", "At most {max} photos."),
    "answer.photo_required_when_failed": ("不合格项需要至少 {min} 张照片作为证据。",
                                          "A failed item needs at least {min} photos as evidence."),
    "answer.signature_required": ("需要签字。", "A signature is needed."),
    "answer.bad_signature": ("签字信息不完整（需要签字图片、签字人和签字时间）。",
                             "The signature is incomplete (image, signer name and time needed)."),
    "answer.unknown_row": ("台账中没有编号为 {row} 的钥匙。", "The key register has no row {row}."),
    "review.own_record": ("不能审核自己提交的记录。", "You cannot review your own record."),
    "review.already_reviewed": ("该版本已审核过。", "This revision has already been reviewed."),
    "review.unknown_items": ("批注了检查表中没有的项目。",
                             "Comments refer to items the checklist does not have."),
    "review.comment_required": ("退回时请写明需要修改的地方。",
                                "Say what to fix when returning a record."),
    "followup.bad_assignee": ("责任人必须是该项目在职的成员。",
                              "The assignee must be an active member of this property."),
    "followup.different_content": ("该整改已以不同内容存在。",
                                   "This follow-up already exists with different content."),
    "followup.photo_required": ("整改完成需要至少一张照片作为证据。",
                                "Marking it fixed needs at least one photo as evidence."),
    "followup.callback_required": ("验证关闭前需要先记录回访。",
                                   "Record the callback to the owner before verifying."),
    "followup.note_required": ("请填写说明。", "Write a note."),
    "followup.wrong_status": ("当前状态（{status}）不允许此操作。",
                              "Not allowed while the follow-up is {status}."),
}

# marshmallow's own field messages, translated so a whole error reads in one language.
_FIELD_MESSAGES_ZH = {
    "Missing data for required field.": "必填字段缺失。",
    "Unknown field.": "未知字段。",
    "Field may not be null.": "不能为空。",
    "Not a valid integer.": "不是有效的整数。",
    "Not a valid number.": "不是有效的数字。",
    "Not a valid string.": "不是有效的文本。",
    "Not a valid boolean.": "不是有效的是/否值。",
    "Not a valid date.": "不是有效的日期。",
    "Not a valid datetime.": "不是有效的日期时间。",
    "Not a valid time.": "不是有效的时间。",
    "Not a valid UUID.": "不是有效的 UUID。",
    "Not a valid list.": "不是有效的列表。",
    "Not a valid mapping type.": "不是有效的对象。",
    "Invalid input type.": "输入类型无效。",
    "Invalid value.": "无效的值。",
    "Shorter than minimum length 1.": "不能为空。",
    "Invalid JSON body.": "请求内容不是有效的 JSON。",
    "Invalid characters.": "含有无法保存的字符。",
}
_FIELD_PATTERNS_ZH = [
    (re.compile(r"^Must be one of: (.*)\.$"), "必须是以下之一：{0}。"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度必须在 {0} 到 {1} 之间。"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "长度不能少于 {0}。"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "长度不能超过 {0}。"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
     "必须在 {0} 到 {1} 之间。"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "必须大于或等于 {0}。"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "必须小于或等于 {0}。"),
    (re.compile(r"^String does not match expected pattern\.$"), "格式不正确。"),
]


def current_language() -> str:
    """The caller's language: the best match of Accept-Language, zh-CN when nothing matches."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default=DEFAULT_LANGUAGE)
    return "en" if best == "en" else "zh-CN"


def message(code: str, /, language: str | None = None, **params) -> str:
    language = language or current_language()
    zh, en = MESSAGES.get(code, MESSAGES["request.bad"])
    template = zh if language == "zh-CN" else en
    return template.format(**params)


def translate_field_messages(messages, language: str | None = None):
    """Translate a marshmallow error tree (dicts / lists of strings) into ``language``."""
    language = language or current_language()
    if language == "en":
        return messages
    if isinstance(messages, dict):
        return {key: translate_field_messages(value, language) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_field_messages(value, language) for value in messages]
    if isinstance(messages, str):
        if messages in _FIELD_MESSAGES_ZH:
            return _FIELD_MESSAGES_ZH[messages]
        for pattern, template in _FIELD_PATTERNS_ZH:
            match = pattern.match(messages)
            if match:
                return template.format(*match.groups())
    return messages
