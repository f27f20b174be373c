// The "Live players" view: the players who reported their game lately, refreshed every few
// seconds while the page is visible.
import { fillLivePlayers } from './tables.js';
import { setStatus } from './hud.js';

/** Starts refreshing the table (tbody `body`, status line `status`) every intervalMs. */
export function watchLivePlayers({ api, body, status, intervalMs = 5000, doc = document }) {
  async function refresh() {
    if (!doc.hidden) {
      try {
        const list = await api.liveStats();
        fillLivePlayers(body, Array.isArray(list) ? list : []);
        setStatus(status, '', 'ok');
      } catch {
        setStatus(status, 'Live players are unavailable right now.', 'warn');
      }
    }
    setTimeout(refresh, intervalMs);
  }
  refresh();
}
