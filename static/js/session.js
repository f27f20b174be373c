// The page's side of a game, between the rules (Game) and the high scores (Scoreboard):
// whether Enter may start a game now, the best score this browser keeps, and game over. A
// normal game finds out whether its score makes the top ten and, if it does, asks for a name
// once GAME OVER has shown for a moment. A test game (a test switch in the address, config.js)
// is played as usual but never stored, and says so. No DOM: main.js passes in what shows and
// what asks, and tests/unit-js/session.test.js runs it in Node.
import { formatNumber } from './ui/tables.js';

export const BEST_KEY = 'pacman.best';
// GAME OVER stays this long (seconds) before Enter starts the next game or the name dialog opens.
export const GAME_OVER_HOLD = 1.2;

/** What became of a game's score at game over (Session.gameOver resolves to one of these). */
export const OUTCOME = Object.freeze({
  TEST: 'test game', // not offered: a test switch was on
  NOTHING: 'no score',
  NOT_TOP_TEN: 'not in the top ten',
  SKIPPED: 'skipped', // a place in the top ten, but no name given
  QUEUED: 'queued', // on its way to the server (ScoreQueue)
});

export class Session {
  /**
   * game: the Game. scoreboard: {offer({score, level, where, ask})} (ui/scoreboard.js).
   * storage: localStorage-like. askName({score}): resolves to a name, or null to skip (the
   * dialog). where(): {cloud, zone, host} of the pod serving the page. switches: the test
   * switches in effect ([] for the normal game). tell(text, tone): the note by the game ('':
   * none). announce(text): for screen readers. changed(): what canStart() says may have
   * changed (the page updates its buttons). now() in ms and wait(ms): the clock (tests pass
   * their own).
   */
  constructor({ game, scoreboard, storage, askName, where = () => ({}), switches = [],
    tell = () => {}, announce = () => {}, changed = () => {},
    now = () => performance.now(), wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }) {
    Object.assign(this, { game, scoreboard, storage, askName, where, switches, tell, announce, changed, now, wait });
    this.best = Number(storage.getItem(BEST_KEY)) || 0;
    this.deciding = false; // game over: finding out whether the score makes the top ten
    this.naming = false; // the name dialog is open
  }

  /** Whether this is a test game: played, never stored. */
  get testMode() {
    return this.switches.length > 0;
  }

  /** Whether Enter (or a tap, or the button) starts a game now. */
  canStart() {
    const { game } = this;
    if (this.naming || this.deciding || game.inGame) return false;
    return game.phase !== 'gameOver' || game.phaseTime >= GAME_OVER_HOLD;
  }

  /** A game started: the last game's note goes. */
  started() {
    this.tell('');
  }

  /**
   * Game over with `score` at `level` (the Game's gameOver event). Resolves to an OUTCOME once
   * the score is queued for the server, or known not to be.
   */
  async gameOver({ score, level }) {
    const points = `${formatNumber(score)} ${score === 1 ? 'point' : 'points'}`;
    if (this.testMode) {
      const text = `Test game (${this.switches.join(', ')}): ${points}, not saved to the high scores.`;
      this.announce(`Game over. ${text}`);
      this.tell(text, 'info');
      return OUTCOME.TEST;
    }
    if (score > this.best) {
      this.best = score;
      this.storage.setItem(BEST_KEY, String(score));
    }
    this.announce(`Game over. Final score ${formatNumber(score)}.`);
    if (score <= 0) return OUTCOME.NOTHING;
    const over = this.now();
    let asked = false;
    this.setState({ deciding: true });
    try {
      const queued = await this.scoreboard.offer({
        score,
        level,
        where: this.where(),
        ask: async () => {
          const shown = this.now() - over;
          if (shown < GAME_OVER_HOLD * 1000) await this.wait(GAME_OVER_HOLD * 1000 - shown);
          asked = true;
          this.setState({ deciding: false, naming: true });
          return this.askName({ score });
        },
      });
      if (queued) return OUTCOME.QUEUED;
      return asked ? OUTCOME.SKIPPED : OUTCOME.NOT_TOP_TEN;
    } finally {
      this.setState({ deciding: false, naming: false });
    }
  }

  setState(state) {
    Object.assign(this, state);
    this.changed();
  }
}
