// Every UI string, in both languages, in one place. zh-CN is the default for a Chinese browser.
const STRINGS = {
  'zh-CN': {
    app: '巡查',
    loading: '加载中…',
    login: '登录', logout: '退出登录', username: '用户名', password: '密码',
    login_failed: '登录失败', login_offline: '无法连接服务器：首次登录需要网络。',
    logout_pending: '还有未上传的记录，退出后它们仍保留在本机，下次登录继续上传。确定退出？',
    property: '项目', language: 'English', lang_label: '切换语言',
    due_today: '今日待办', done: '已完成', not_done: '未完成', no_due: '今天没有待办巡查。',
    due_unavailable: '尚未同步待办清单：联网后自动获取。',
    drafts: '进行中的草稿', no_drafts: '没有草稿。',
    returned: '主管退回给我的记录', no_returned: '没有退回的记录。',
    follow_ups: '指派给我的整改', no_follow_ups: '没有待处理的整改。',
    follow_ups_unavailable: '尚未同步整改数据：联网后自动获取。',
    outbox: '待上传', outbox_empty: '待上传为空，所有记录已送达服务器。',
    new_inspection: '新建巡查', start: '开始', open: '打开', back: '返回',
    checklist: '检查表', subject: '对象', search_unit: '搜索楼栋 / 房号', no_match: '没有匹配项',
    choose: '请选择', pass: '合格', fail: '不合格', na: '不适用', yes: '是', no: '否',
    comment: '备注', required: '必填', optional: '选填',
    add_photo: '拍照 / 选择照片', take_photo: '拍照', choose_photo: '从相册选择', photos: '照片', delete: '删除', retake: '重拍',
    photo_saved: '已保存 {size}（原图 {orig}）', photo_processing: '正在处理照片…',
    photo_needed_fail: '不合格时至少需要 {n} 张照片',
    photos_min: '至少需要 {n} 张照片', photos_max: '最多 {n} 张照片',
    sign: '签名', sign_here: '请在此处用手指签名', clear: '清除', save_signature: '确认签名',
    redo: '重签', signer_name: '签字人姓名', signed_at: '签于 {time}',
    signer_inspector: '巡查人', signer_owner: '业主', signer_contractor: '施工负责人',
    signer_supervisor: '主管', signer_keeper: '钥匙管理员', signer_duty_staff: '值班人员',
    seal_submit: '签名封存并提交', sealing: '正在封存…',
    fix_errors: '还有 {n} 项需要处理', sealed: '已封存，只读',
    seal_hash: '封存哈希', sealed_note: '已封存的记录不能修改。',
    err_required: '必填项', err_number: '请输入数字', err_integer: '请输入整数',
    err_min: '不能小于 {n}', err_max: '不能大于 {n}', err_length: '最多 {n} 个字',
    err_min_selected: '至少选 {n} 项', err_max_selected: '最多选 {n} 项',
    err_rows: '每一行都要核对', err_signer_name: '请填写签字人姓名',
    draft_saved: '草稿已自动保存', keys_none: '本项目没有在管钥匙。',
    sync_now: '立即同步', syncing: '同步中…', online: '在线', offline: '离线',
    checking: '检查网络…', pending_records: '{n} 条记录', pending_photos: '{n} 张图片',
    last_sync: '上次同步 {time}', never_synced: '从未同步',
    next_retry: '{s} 秒后重试', uploaded_bytes: '已上传 {sent} / {total}',
    status_outbox: '等待上传', status_rejected: '服务器拒收',
    rejected_help: '服务器拒收了这条记录，本机副本已保留。',
    action_reopen: '重新打开修改（需重新签名）', action_contact: '请联系主管处理。',
    action_relogin: '登录已失效，请重新登录后自动继续上传。',
    retry: '重试',
    update_available: '有新版本可用', update_now: '更新', later: '稍后',
    offline_ready: '已可离线使用',
    storage_warning: '手机存储空间不足（已用 {used} / {quota}），请尽快联网上传。',
    storage_full: '存储空间已满，照片未保存。请联网上传后再试。',
    storage_unavailable: '本机存储不可用（可能处于无痕模式），无法离线保存记录。',
    persisted_no: '浏览器未授予持久存储，空间紧张时数据可能被清理，请尽快同步。',
    review_comment: '主管意见', revision: '第 {n} 版',
    started: '开始于 {time}', clock_skew: '手机时间与服务器相差 {m} 分钟',
    due_by: '期限 {date}', overdue: '已超期', fu_open: '待整改', fu_fixed: '已整改待验证', fu_verified: '已验证',
    pick_subject: '选择对象', property_subject: '本项目', no_checklists: '尚未同步检查表。',

    // Supervisor workspace: records, review, follow-ups, compliance.
    nav_patrol: '巡查', nav_records: '记录', nav_follow_ups: '整改', nav_compliance: '达标',
    records: '巡查记录', filters: '筛选', all: '全部', date_from: '开始日期', date_to: '结束日期',
    inspector: '检查人', status: '状态', has_failures: '有不合格项', unit_filter: '房屋（楼-单元-房号）',
    search: '搜索', search_hint: '检查人或备注内容', apply: '查询', reset: '重置',
    st_submitted: '待审核', st_returned: '已退回', st_approved: '已通过',
    total_records: '共 {n} 条', page_of: '第 {page} / {pages} 页', prev: '上一页', next: '下一页',
    no_records: '没有符合条件的记录。', export_xlsx: '导出 Excel', export_csv: '导出 CSV', exporting: '正在导出…',
    export_pdf: '导出签字 PDF', export_zip: 'PDF 压缩包', pdf_progress: 'PDF {done}/{total}',
    pdf_needs_property: '请先选择项目',
    record: '巡查记录', phone_time: '手机时间', server_time: '服务器接收时间',
    time_differs: '相差 {m} 分钟', seal_ok: '封存校验通过', seal_bad: '封存未通过校验',
    missing_attachments: '缺少 {n} 个附件（尚未上传）', failed_item: '不合格', no_answer: '未填写',
    history: '记录历史', history_revision: '第 {n} 版提交', history_review: '{who}：{action}',
    act_approve: '通过', act_return: '退回', review: '审核', review_overall: '总体意见',
    item_comment: '该项意见（退回时发给检查人）', approve: '通过', return_record: '退回修改',
    return_needs_comment: '退回时请至少填写一条意见。', reviewed_ok: '已提交审核结果。',
    open_full: '查看原图', close: '关闭', signature: '签名', pdf: 'PDF',
    fu_list: '整改跟踪', fu_needs_contact: '需联系业主', fu_overdue_only: '只看超期', fu_mine: '只看我的',
    fu_raise: '新建整改', fu_description: '整改内容', fu_assignee: '责任人', fu_due: '完成期限',
    fu_subject: '位置 / 对象', fu_save: '保存', fu_created: '已新建整改。', no_follow_ups_all: '没有符合条件的整改。',
    fu_events: '处理记录', fu_note: '说明', fu_fix: '已整改', fu_fix_title: '登记整改完成',
    fu_fix_photo: '整改后照片（必需）', fu_fix_submit: '提交整改', fu_fix_needs_photo: '请至少拍一张整改后照片。',
    fu_queued: '已保存，联网后自动上传。', fu_pending: '待上传',
    ev_create: '创建', ev_fix: '已整改', ev_verify: '验证通过', ev_reopen: '重新打开', ev_contact: '联系业主',
    ev_callback: '回访', ev_assign: '改派',
    do_contact: '记录联系', do_callback: '记录回访', do_verify: '验证通过', do_reopen: '重新打开',
    verify_needs_callback: '验证前须先记录回访。', note_required: '请填写说明。',
    compliance: '巡查达标情况', month: '月份', rule: '要求', required_n: '应做', done_n: '已做', rate: '完成率',
    met: '达标', not_met: '未达标', periods_met: '{met}/{n} 个周期达标', gaps: '缺口',
    gap_line: '{start}–{end} · {subject}：{done}/{required}', see_records: '查看记录',
    trend: '近 6 个月趋势', no_rules: '本月没有频次要求。', all_properties: '全部项目',
    event_rejected: '服务器拒收该整改操作', discard: '放弃', pending_events: '{n} 条整改',

    // Rare states: a screen not yet downloaded while offline, a database upgrade by another tab.
    screen_unavailable: '此页面需要联网加载，请联网后重试。',
    db_blocked: '请关闭巡查的其他标签页，以完成更新。',
    db_reload: '巡查已在另一个标签页更新，请重新加载本页。', reload: '重新加载',
  },
  en: {
    app: 'Xuncha',
    loading: 'Loading…',
    login: 'Log in', logout: 'Log out', username: 'Username', password: 'Password',
    login_failed: 'Login failed', login_offline: 'Cannot reach the server: the first login needs a connection.',
    logout_pending: 'Some records are not uploaded yet. They stay on this phone and upload after you log in again. Log out?',
    property: 'Property', language: '中文', lang_label: 'Switch language',
    due_today: 'Due today', done: 'Done', not_done: 'Not done', no_due: 'Nothing due today.',
    due_unavailable: 'The due list has not been synced yet; it arrives when online.',
    drafts: 'Drafts in progress', no_drafts: 'No drafts.',
    returned: 'Returned to me by a supervisor', no_returned: 'No returned records.',
    follow_ups: 'Follow-ups assigned to me', no_follow_ups: 'No open follow-ups.',
    follow_ups_unavailable: 'Follow-ups have not been synced yet; they arrive when online.',
    outbox: 'Outbox', outbox_empty: 'Outbox empty: every record has reached the server.',
    new_inspection: 'New inspection', start: 'Start', open: 'Open', back: 'Back',
    checklist: 'Checklist', subject: 'Subject', search_unit: 'Search building / room', no_match: 'No match',
    choose: 'Choose', pass: 'Pass', fail: 'Fail', na: 'N/A', yes: 'Yes', no: 'No',
    comment: 'Comment', required: 'Required', optional: 'Optional',
    add_photo: 'Take / choose photo', take_photo: 'Take photo', choose_photo: 'From gallery', photos: 'Photos', delete: 'Delete', retake: 'Retake',
    photo_saved: 'Saved {size} (original {orig})', photo_processing: 'Processing photo…',
    photo_needed_fail: 'At least {n} photo(s) needed when failed',
    photos_min: 'At least {n} photo(s) needed', photos_max: 'At most {n} photos',
    sign: 'Sign', sign_here: 'Sign here with your finger', clear: 'Clear', save_signature: 'Accept signature',
    redo: 'Sign again', signer_name: 'Name of signer', signed_at: 'Signed {time}',
    signer_inspector: 'Inspector', signer_owner: 'Owner', signer_contractor: 'Contractor',
    signer_supervisor: 'Supervisor', signer_keeper: 'Key keeper', signer_duty_staff: 'Duty staff',
    seal_submit: 'Seal and submit', sealing: 'Sealing…',
    fix_errors: '{n} item(s) still need attention', sealed: 'Sealed, read-only',
    seal_hash: 'Seal hash', sealed_note: 'A sealed record cannot be changed.',
    err_required: 'Required', err_number: 'Enter a number', err_integer: 'Enter a whole number',
    err_min: 'Must be at least {n}', err_max: 'Must be at most {n}', err_length: 'At most {n} characters',
    err_min_selected: 'Choose at least {n}', err_max_selected: 'Choose at most {n}',
    err_rows: 'Check every row', err_signer_name: 'Enter the signer\'s name',
    draft_saved: 'Draft saved automatically', keys_none: 'No keys in custody at this property.',
    sync_now: 'Sync now', syncing: 'Syncing…', online: 'Online', offline: 'Offline',
    checking: 'Checking…', pending_records: '{n} record(s)', pending_photos: '{n} image(s)',
    last_sync: 'Last sync {time}', never_synced: 'Never synced',
    next_retry: 'retry in {s} s', uploaded_bytes: 'Uploaded {sent} / {total}',
    status_outbox: 'Waiting to upload', status_rejected: 'Refused by the server',
    rejected_help: 'The server refused this record; the copy on this phone is kept.',
    action_reopen: 'Reopen to fix (needs signing again)', action_contact: 'Ask your supervisor.',
    action_relogin: 'Your login expired: log in again and the upload continues.',
    retry: 'Retry',
    update_available: 'An update is available', update_now: 'Update', later: 'Later',
    offline_ready: 'Ready to work offline',
    storage_warning: 'Phone storage is running low ({used} of {quota}); connect and upload soon.',
    storage_full: 'Storage is full: the photo was not saved. Upload first, then try again.',
    storage_unavailable: 'Storage is unavailable (private mode?): records cannot be kept offline.',
    persisted_no: 'The browser did not grant persistent storage; sync soon.',
    review_comment: 'Supervisor comment', revision: 'revision {n}',
    started: 'Started {time}', clock_skew: 'Phone clock differs from the server by {m} min',
    due_by: 'due {date}', overdue: 'overdue', fu_open: 'Open', fu_fixed: 'Fixed, awaiting check', fu_verified: 'Verified',
    pick_subject: 'Choose the subject', property_subject: 'This property', no_checklists: 'No checklists synced yet.',

    // Supervisor workspace: records, review, follow-ups, compliance.
    nav_patrol: 'Patrol', nav_records: 'Records', nav_follow_ups: 'Follow-ups', nav_compliance: 'Compliance',
    records: 'Inspection records', filters: 'Filters', all: 'All', date_from: 'From', date_to: 'To',
    inspector: 'Inspector', status: 'Status', has_failures: 'Has failed items', unit_filter: 'Household (building-entrance-room)',
    search: 'Search', search_hint: 'Inspector or comment text', apply: 'Apply', reset: 'Reset',
    st_submitted: 'To review', st_returned: 'Returned', st_approved: 'Approved',
    total_records: '{n} record(s)', page_of: 'Page {page} of {pages}', prev: 'Previous', next: 'Next',
    no_records: 'No records match.', export_xlsx: 'Export Excel', export_csv: 'Export CSV', exporting: 'Exporting…',
    export_pdf: 'Signed PDFs', export_zip: 'PDFs as ZIP', pdf_progress: 'PDF {done}/{total}',
    pdf_needs_property: 'Choose a property first',
    record: 'Inspection record', phone_time: 'Phone time', server_time: 'Received by server',
    time_differs: 'differs by {m} min', seal_ok: 'Seal verified', seal_bad: 'Seal not verified',
    missing_attachments: '{n} attachment(s) missing (not uploaded yet)', failed_item: 'Failed', no_answer: 'No answer',
    history: 'History', history_revision: 'Revision {n} submitted', history_review: '{who}: {action}',
    act_approve: 'approved', act_return: 'returned', review: 'Review', review_overall: 'Overall comment',
    item_comment: 'Comment on this item (sent to the inspector when returned)', approve: 'Approve',
    return_record: 'Return for changes', return_needs_comment: 'Write at least one comment to return it.',
    reviewed_ok: 'Review saved.', open_full: 'Full size', close: 'Close', signature: 'Signature', pdf: 'PDF',
    fu_list: 'Follow-ups', fu_needs_contact: 'Needs contact', fu_overdue_only: 'Overdue only', fu_mine: 'Mine only',
    fu_raise: 'Raise a follow-up', fu_description: 'What must be fixed', fu_assignee: 'Assignee', fu_due: 'Due date',
    fu_subject: 'Where / subject', fu_save: 'Save', fu_created: 'Follow-up raised.', no_follow_ups_all: 'No follow-ups match.',
    fu_events: 'Steps', fu_note: 'Note', fu_fix: 'Fixed', fu_fix_title: 'Record the fix',
    fu_fix_photo: 'Photo of the fix (required)', fu_fix_submit: 'Submit fix', fu_fix_needs_photo: 'Take at least one photo of the fix.',
    fu_queued: 'Saved; it uploads when online.', fu_pending: 'Waiting to upload',
    ev_create: 'Raised', ev_fix: 'Fixed', ev_verify: 'Verified', ev_reopen: 'Reopened', ev_contact: 'Contacted owner',
    ev_callback: 'Callback', ev_assign: 'Reassigned',
    do_contact: 'Record contact', do_callback: 'Record callback', do_verify: 'Verify', do_reopen: 'Reopen',
    verify_needs_callback: 'Record a callback before verifying.', note_required: 'Write a note.',
    compliance: 'Inspection compliance', month: 'Month', rule: 'Requirement', required_n: 'Required', done_n: 'Done', rate: 'Rate',
    met: 'Met', not_met: 'Not met', periods_met: '{met}/{n} periods met', gaps: 'Gaps',
    gap_line: '{start}–{end} · {subject}: {done}/{required}', see_records: 'See records',
    trend: 'Last 6 months', no_rules: 'No frequency rules this month.', all_properties: 'All properties',
    event_rejected: 'The server refused this follow-up step', discard: 'Discard', pending_events: '{n} follow-up step(s)',

    screen_unavailable: 'This screen needs a connection to load; connect and try again.',
    db_blocked: 'Close Xuncha in your other tabs to finish the update.',
    db_reload: 'Xuncha was updated in another tab; reload this page.', reload: 'Reload',
  },
};

let lang = 'zh-CN';

export function detectLanguage(saved) {
  if (saved === 'zh-CN' || saved === 'en') return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'zh-CN'];
  return /^zh/i.test(langs[0]) ? 'zh-CN' : 'en';
}

export function setLanguage(value) {
  lang = value === 'en' ? 'en' : 'zh-CN';
  document.documentElement.lang = lang;
}

export const getLanguage = () => lang;

/** t('key', {n: 3}) → the string in the current language with {n} filled in. */
export function t(key, params) {
  const text = STRINGS[lang][key] ?? STRINGS['zh-CN'][key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? '')) : text;
}

/** A bilingual label from a checklist definition or the server: {"zh-CN": …, "en": …}. */
export function tx(text) {
  if (text == null) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text['zh-CN'] || text.en || '';
}

export function formatBytes(n) {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return date.toLocaleString(lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
