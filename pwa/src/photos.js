// Photos are downscaled on the phone before they are stored or sent: ≤ 1600 px long edge, JPEG.
// createImageBitmap applies the EXIF orientation; re-encoding drops the rest of EXIF (GPS).
import { sha256Hex } from './seal.js';

export const MAX_EDGE = 1600;
const QUALITY = 0.8;

export async function downscalePhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  let blob;
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
    blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
  } else {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
    blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  }
  bitmap.close && bitmap.close();
  return { blob, width, height, sha256: await sha256Hex(blob), originalSize: file.size };
}

/** Local time with its offset, as the protocol wants (2026-11-23T09:01:00+08:00). */
export function isoNow(date = new Date()) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}
