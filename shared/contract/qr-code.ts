/**
 * QR codes of short URLs (GET /v1/links/{slug}/qr), drawn by the `qrcode` package (MIT).
 * Error correction M survives a little print damage while keeping the code small; the quiet
 * zone of 4 modules is what the QR standard asks for, so phone cameras find the code.
 */
import QRCode from 'qrcode';
import type { HttpResult } from './http.js';

export type QrFormat = 'svg' | 'png';

const options = { errorCorrectionLevel: 'M', margin: 4 } as const;
/** Large enough to print; the PNG stays a few KB. */
const PNG_WIDTH_PX = 512;

export const qrCodeResponse = async (text: string, format: QrFormat, fileName: string): Promise<HttpResult> => {
  const headers = {
    // The code of a link never changes; it is still the caller's, so private.
    'cache-control': 'private, max-age=3600',
    'content-disposition': `inline; filename="${fileName}.${format}"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'",
  };
  if (format === 'svg') {
    const svg = await QRCode.toString(text, { ...options, type: 'svg' });
    return { statusCode: 200, headers: { ...headers, 'content-type': 'image/svg+xml' }, body: svg };
  }
  const png = await QRCode.toBuffer(text, { ...options, type: 'png', width: PNG_WIDTH_PX });
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': 'image/png' },
    body: png.toString('base64'),
    isBase64Encoded: true,
  };
};
