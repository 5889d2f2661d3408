// This install's own id, made once and kept in IndexedDB: the server is told which phone sent a
// record, and the login names the device.
import { kvGet, kvSet } from './db.js';

let deviceId = null;

export async function deviceIdentifier() {
  if (deviceId) return deviceId;
  let id = await kvGet('deviceId');
  if (!id) {
    id = crypto.randomUUID();
    await kvSet('deviceId', id);
  }
  deviceId = id;
  return id;
}
