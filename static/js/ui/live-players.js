// The "Live players" view: the players in a game now, refreshed every few seconds while the
// page is visible. If the server cannot be reached the status line says so (instead of
// "Loading…" for ever); a table already shown stays, as the last one seen.
import { fillLivePlayers } from './tables.js';
import { setStatus } from './hud.js';

/**
 * Starts refreshing the table (tbody `body`, status line `status`; `table`: what to hide while
 * there is nothing to show) every intervalMs.
 */
export function watchLivePlayers({ api, body, status, table = null, intervalMs = 5000, doc = document,
  schedule = (fn, ms) => setTimeout(fn, ms) }) {
  let loaded = false;
  async function refresh() {
    if (!doc.hidden) {
      try {
        const list = await api.liveStats();
        fillLivePlayers(body, Array.isArray(list) ? list : []);
        loaded = true;
        if (table) table.hidden = false;
        setStatus(status, '', 'ok');
      } catch {
        if (!loaded && table) table.hidden = true;
        setStatus(status, `Live players are unavailable right now: this page cannot reach its server.${loaded ? ' The table shows the last list seen.' : ''}`, 'warn');
      }
    }
    schedule(refresh, intervalMs);
  }
  return refresh();
}
