// The supervisor workspace: online screens for supervisors, managers and admins. The app loads
// this module (and everything only it uses) on demand, so a patrol phone never downloads it.
export { AssessmentEdit, Assessments } from './assessments.js';
export { Compliance } from './compliance.js';
export { Escalations } from './escalations.js';
export { FollowUpView, FollowUps } from './followups.js';
export { MonthlyReport } from './monthly-report.js';
export { OrderFigures } from './order-figures.js';
export { RecordView } from './record-view.js';
export { Records } from './records.js';
