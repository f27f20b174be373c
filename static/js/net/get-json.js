// One GET of a JSON answer from the game's server, for the panels that poll it. The path is
// relative, like every call of the game (a path-prefixed ingress), and the whole exchange,
// reading the body included, is given up after timeoutMs: a server that sends its headers and
// then stalls must not hold a panel for ever.

/** Resolves to {status, ok, body} (body: the parsed JSON of a 2xx answer, else null); rejects
 * on a network error, a body that is not JSON, or after timeoutMs. */
export async function getJson(fetch, path, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(path, {
      headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin', signal: controller.signal,
    });
    return { status: response.status, ok: response.ok, body: response.ok ? await response.json() : null };
  } finally {
    clearTimeout(timer);
  }
}
