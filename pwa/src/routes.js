// The route table: which screen each hash route opens, and who may open it. Field screens (the
// patrol's phone) are part of the first load; workspace screens (supervisors) live in a chunk
// fetched on demand, so a patrol phone never downloads them. Pure data: app.js draws it.
import { isSupervising, mayAcknowledge } from './shared/roles.js';

const anyone = () => true;

/**
 * `screen`: the component's name (field screens in app.js, workspace screens exported by
 * workspace/index.js). `id`: the route needs a second part (#/form/<id>). `key`: what makes the
 * screen start afresh ('id', or 'hash' for a screen whose filters live in the hash). `nav`: the
 * workspace link shown as current. `props`: fixed props for the screen.
 */
export const ROUTES = [
  { path: 'fix', id: true, who: anyone, screen: 'FixFollowUp', key: 'id' },
  { path: 'order', id: true, who: anyone, screen: 'WorkOrderEntry', key: 'id' },
  { path: 'followup', id: true, who: anyone, screen: 'FollowUpView', workspace: true, key: 'id', nav: 'followups' },
  { path: 'records', who: isSupervising, screen: 'Records', workspace: true, key: 'hash', nav: 'records' },
  { path: 'record', id: true, who: isSupervising, screen: 'RecordView', workspace: true, key: 'id', nav: 'records',
    props: { pdfAvailable: true } },
  { path: 'followups', who: isSupervising, screen: 'FollowUps', workspace: true, nav: 'followups' },
  { path: 'compliance', who: isSupervising, screen: 'Compliance', workspace: true, nav: 'compliance' },
  { path: 'monthly-report', who: isSupervising, screen: 'MonthlyReport', workspace: true, key: 'hash', nav: 'monthly-report' },
  { path: 'order-figures', who: isSupervising, screen: 'OrderFigures', workspace: true, nav: 'followups' },
  { path: 'escalations', who: isSupervising, screen: 'Escalations', workspace: true, nav: 'escalations',
    props: { mayAcknowledge } },
  { path: 'assessments', who: isSupervising, screen: 'Assessments', workspace: true, key: 'hash', nav: 'assessments' },
  { path: 'assessment', id: true, who: isSupervising, screen: 'AssessmentEdit', workspace: true, key: 'id', nav: 'assessments' },
  { path: 'my-assessments', who: anyone, screen: 'MyAssessments' },
  { path: 'my-assessment', id: true, who: anyone, screen: 'MyAssessment', key: 'id' },
  { path: 'form', id: true, who: anyone, screen: 'ChecklistForm', key: 'id' },
  { path: 'new', who: anyone, screen: 'NewInspection' },
];

/** Every other route, and any route its user may not open: the home screen. */
export const HOME = Object.freeze({ path: '', who: anyone, screen: 'Home', nav: 'home' });

/** The workspace's links, shown to those who may open the workspace: [hash, label key, nav name]. */
export const NAV = [['/', 'nav_patrol', 'home'], ['/records', 'nav_records', 'records'],
  ['/followups', 'nav_follow_ups', 'followups'], ['/compliance', 'nav_compliance', 'compliance'],
  ['/monthly-report', 'nav_monthly_report', 'monthly-report'], ['/escalations', 'nav_escalations', 'escalations'],
  ['/assessments', 'nav_assessments', 'assessments']];

/** The route for the parts of a hash path (#/form/abc → ['form', 'abc']) and this user. */
export function matchRoute(parts, user) {
  const [path, id] = parts;
  const route = ROUTES.find((r) => r.path === path && (!r.id || id) && r.who(user)) || HOME;
  return { route, id: route.id ? id : undefined };
}

/** Which workspace link is current on this path. */
export function activeNav(parts) {
  const route = ROUTES.find((r) => r.path === parts[0]);
  return (route && route.nav) || parts[0] || 'home';
}

/** Whether this user gets the workspace (its links, and its chunk fetched early). */
export const seesWorkspace = isSupervising;
