import { ImpulseError } from '../../core/errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The `body` of a payload from a message's bytes. With `jsonBody`, the parsed JSON (a body that is
 * not JSON is `INVALID_INPUT`, as Argo Events refuses it too). Without, the text when the bytes are
 * UTF-8 (Argo Events gives base64 here), and base64 only for bytes that are not text.
 */
export function messageBody(bytes: Uint8Array, jsonBody: boolean): unknown {
  if (jsonBody) {
    try {
      return JSON.parse(utf8.decode(bytes)) as unknown;
    } catch (err) {
      throw new ImpulseError('INVALID_INPUT', `jsonBody is set but the message body is not JSON`, {
        cause: err,
        details: { bytes: bytes.byteLength },
      });
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
}
