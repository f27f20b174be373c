// The client of the server's HTTP API (the routes and their errors: docs/api.md).
// Every path is relative, so the game works behind a path-prefixed ingress.
// Failures become ApiError with the HTTP status (0: no answer).

// A 4xx answer says the request itself is wrong (400 bad input, 404 no such route or player,
// 405 wrong method, 413 too large, 415 neither form nor JSON): sending it again cannot help.
// These two say "not now": a timeout and a rate limit.
const RETRY_LATER_4XX = new Set([408, 429]);

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }

  /**
   * Whether trying again later can succeed: no answer (0), the server unavailable (5xx, such
   * as 503 while the database is away), 408 or 429. Any other 4xx is final.
   */
  get retryable() {
    if (this.status >= 400 && this.status < 500) return RETRY_LATER_4XX.has(this.status);
    return true;
  }
}

/**
 * Returns the API bound to a fetch function (injected for tests).
 * timeoutMs: how long to wait for an answer, its body included, before giving up on a request.
 */
export function createApi({ fetch = globalThis.fetch.bind(globalThis), timeoutMs = 8000 } = {}) {
  async function request(path, { method = 'GET', body } = {}) {
    const controller = new AbortController();
    // One deadline for the whole exchange, the body included: a server (or a proxy in front
    // of it) that sends its headers and then stalls must not leave the game waiting for ever.
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      let response;
      try {
        response = await fetch(path, {
          method,
          headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
          body: body ? JSON.stringify(body) : undefined,
          cache: 'no-store',
          credentials: 'same-origin',
          signal: controller.signal,
        });
      } catch (err) {
        throw new ApiError(err && err.name === 'AbortError' ? 'the server did not answer in time' : 'the server could not be reached', 0);
      }
      let data = null;
      try {
        data = await response.json();
      } catch {
        if (controller.signal.aborted) throw new ApiError('the server did not answer in time', 0);
        data = null; // an answer that is not JSON: its status says enough
      }
      if (!response.ok) {
        const message = data && typeof data.error === 'string' ? data.error : `HTTP ${response.status}`;
        throw new ApiError(message, response.status);
      }
      return data;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /** {cloud, zone, host} of the pod that answers. */
    location: () => request('location/metadata'),
    /** A new player id (24 hex digits). */
    newUserId: () => request('user/id'),
    /** stats: {userId, cloud, zone, host, score, level, lives, elapsedTime}. */
    postStats: (stats) => request('user/stats', { method: 'POST', body: stats }),
    /** Players who reported lately, most recent first. */
    liveStats: () => request('user/stats'),
    /** The top ten: [{name, cloud, zone, host, score}], best first. */
    highScores: () => request('highscores/list'),
    /** entry: {name, cloud, zone, host, score, level, submissionId}. */
    postHighScore: (entry) => request('highscores', { method: 'POST', body: entry }),
  };
}
