// GET highscores/fingerprint: {count, sha256, newest} of every stored score, read on the primary
// (API.md, "Additions"). The Lesson panel compares it before and after a restore. It reads every
// score, so it is asked for only while the restore step is in view.
import { getJson } from './get-json.js';

/** Returns readFingerprint(): resolves to the answer, or null when the server says the database
 * cannot be read (503); rejects on any other error or after timeoutMs. */
export function createFingerprintReader({ fetch = globalThis.fetch.bind(globalThis), timeoutMs = 8000 } = {}) {
  return async function readFingerprint() {
    const { status, ok, body } = await getJson(fetch, 'highscores/fingerprint', timeoutMs);
    if (status === 503) return null;
    if (!ok) throw new Error(`HTTP ${status}`);
    return body;
  };
}
