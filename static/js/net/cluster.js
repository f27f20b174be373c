// GET cluster: what the replica that answers sees of the replica set and the web tier (see
// API.md, "Additions"). Served from the replica's memory, so polling it every 2 s costs the
// database nothing. The path is relative, like every call of the game (path-prefixed ingress).
import { getJson } from './get-json.js';

/** Returns readCluster(): resolves to the answer, rejects on an error or after timeoutMs. */
export function createClusterClient({ fetch = globalThis.fetch.bind(globalThis), timeoutMs = 4000 } = {}) {
  return async function readCluster() {
    const { status, ok, body } = await getJson(fetch, 'cluster', timeoutMs);
    if (!ok) throw new Error(`HTTP ${status}`);
    if (!body || typeof body !== 'object' || !body.database || !body.web) throw new Error('not a cluster view');
    return body;
  };
}
