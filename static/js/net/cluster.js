// GET cluster: what the replica that answers sees of the replica set and the web tier (see
// API.md, "Additions"). Served from the replica's memory, so polling it every 2 s costs the
// database nothing. The path is relative, like every call of the game (path-prefixed ingress).

/** Returns readCluster(): resolves to the answer, rejects on an error or after timeoutMs. */
export function createClusterClient({ fetch = globalThis.fetch.bind(globalThis), timeoutMs = 4000 } = {}) {
  return async function readCluster() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch('cluster', {
        headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin', signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      if (!body || typeof body !== 'object' || !body.database || !body.web) throw new Error('not a cluster view');
      return body;
    } finally {
      clearTimeout(timer);
    }
  };
}
