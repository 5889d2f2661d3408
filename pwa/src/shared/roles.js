// Who is who in the PWA: the roles that get the supervisor workspace. The server decides what
// each role may really do; the PWA only chooses which screens and buttons to offer.
export const SUPERVISING = Object.freeze(['supervisor', 'manager', 'admin']);

export const isSupervising = (user) => !!user && SUPERVISING.includes(user.role);
// The project manager answers escalations and approves missing keys.
export const mayAcknowledge = (user) => !!user && ['manager', 'admin'].includes(user.role);
