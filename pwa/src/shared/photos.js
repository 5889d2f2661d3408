// Photos are downscaled on the phone before they are stored or sent: ≤ 1600 px long edge, JPEG.
// createImageBitmap applies the EXIF orientation; re-encoding drops the rest of EXIF (GPS).
import { sha256Hex } from './seal.js';

export const MAX_EDGE = 1600;
const QUALITY = 0.8;

/** The size a photo is stored at: the long edge at most `maxEdge`, never enlarged. */
export function downscaledSize(width, height, maxEdge = MAX_EDGE) {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

export async function downscalePhoto(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = downscaledSize(bitmap.width, bitmap.height);
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
