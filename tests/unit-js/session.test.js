// The page's side of a game (static/js/session.js) with the real rules (Game) and the real
// Scoreboard and score queue, against an API in memory: test games are never stored and say
// so, a normal game's top-ten score asks for a name once GAME OVER has shown, Enter waits for
// neither, and the best score is kept only from normal games.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Game, STEP } from '../../static/js/rules/game.js';
import { readSettings } from '../../static/js/config.js';
import { Session, OUTCOME, BEST_KEY, GAME_OVER_HOLD } from '../../static/js/session.js';
import { Scoreboard } from '../../static/js/ui/scoreboard.js';
import { fakeElement, MemoryStorage } from './fake-dom.js';

const POD = { cloud: 'gcp', zone: 'us-central1-a', host: 'pacman-7f9c6d8b5-x2lq3' };

/** A game played to its end with Pacman left alone (the ghosts win): its gameOver event. */
function playToGameOver(settings) {
  const game = new Game({ lives: settings.lives, startLevel: settings.startLevel, keepDots: settings.keepDots });
  game.start();
  for (let i = 0; i < 60 * 600 && game.phase !== 'gameOver'; i++) game.update(STEP);
  const over = game.drainEvents().find((e) => e.type === 'gameOver');
  assert.ok(over, 'the game ended');
  return { game, over };
}

/**
 * A session on a page whose address is `search`, with a server in memory holding `list` as
 * its high scores. Returns what it saw: the notes by the game, what screen readers were told,
 * the names asked, the scores posted, and the clock it waited on.
 */
function page(search, { list = [], name = 'Ada', game } = {}) {
  const settings = readSettings(search);
  const seen = { notes: [], said: [], asked: [], posted: [], waited: 0, changes: 0 };
  const storage = new MemoryStorage();
  const api = {
    highScores: async () => list,
    postHighScore: async (entry) => { seen.posted.push(entry); return { rs: 'success' }; },
  };
  const tell = (text, tone) => seen.notes.push([text, tone]);
  const scoreboard = new Scoreboard({ api, storage, body: fakeElement('tbody'), status: fakeElement('p'),
    tell, schedule: () => 0, cancel: () => {} });
  let clock = 0;
  const session = new Session({
    game: game ?? new Game(), scoreboard, storage, where: () => POD, switches: settings.switches, tell,
    announce: (t) => seen.said.push(t),
    changed: () => { seen.changes++; },
    askName: async ({ score }) => { seen.asked.push({ score, at: clock, naming: session.naming }); return name; },
    now: () => clock,
    wait: async (ms) => { seen.waited += ms; clock += ms; },
  });
  return { session, scoreboard, storage, seen, settings };
}

test('a game with a test switch is played but never stored, and the page says so', async () => {
  for (const search of ['?lives=1', '?lives=9', '?level=2', '?dots=3', '?seed=5', '?lives=1&seed=5']) {
    const { session, scoreboard, storage, seen, settings } = page(search);
    // One played to its end; the others (?dots=3 clears level after level) end with a score.
    const { over } = search === '?lives=1' ? playToGameOver(settings) : { over: { score: 12340, level: 3 } };
    assert.ok(over.score > 0, search);
    assert.equal(await session.gameOver(over), OUTCOME.TEST, search);
    await scoreboard.queue.flush();
    assert.deepEqual(seen.posted, [], `${search}: nothing sent`);
    assert.deepEqual(scoreboard.queue.pending(), [], `${search}: nothing waiting`);
    assert.deepEqual(seen.asked, [], `${search}: no name asked`);
    assert.equal(storage.getItem(BEST_KEY), null, `${search}: not this browser's best either`);
    const [text, tone] = seen.notes.at(-1);
    assert.match(text, /^Test game \(.+\): [\d,]+ points, not saved to the high scores\.$/, search);
    assert.ok(text.includes(settings.switches.join(', ')), `${search}: names its switches: ${text}`);
    assert.equal(tone, 'info');
    assert.match(seen.said.at(-1), /^Game over\. Test game/);
  }
});

test('a normal game with a top-ten score asks for a name after GAME OVER has shown, then sends it once', async () => {
  const { session, scoreboard, storage, seen, settings } = page('');
  assert.equal(session.testMode, false);
  const { over } = playToGameOver(settings);
  assert.equal(await session.gameOver(over), OUTCOME.QUEUED);
  assert.equal(seen.asked.length, 1);
  assert.equal(seen.asked[0].score, over.score);
  assert.equal(seen.asked[0].at, GAME_OVER_HOLD * 1000, 'asked once GAME OVER had shown its moment');
  assert.equal(seen.asked[0].naming, true);
  await scoreboard.queue.flush();
  assert.equal(seen.posted.length, 1);
  const { submissionId, ...posted } = seen.posted[0];
  assert.deepEqual(posted, { name: 'Ada', ...POD, score: over.score, level: over.level });
  assert.equal(storage.getItem(BEST_KEY), String(over.score));
  assert.equal(session.best, over.score);
  // The player hears of it by the game: queued, then saved.
  assert.deepEqual(seen.notes.map(([, tone]) => tone), ['info', 'ok']);
  assert.equal(seen.notes[1][0], `Score saved: Ada, ${over.score.toLocaleString('en-US')} points.`);
  assert.equal(session.deciding || session.naming, false);
});

test('a score below the tenth asks nothing; a skipped name stores nothing; no points, no offer', async () => {
  const full = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, score: 90000 - i }));
  const low = page('', { list: full });
  assert.equal(await low.session.gameOver({ score: 70, level: 1 }), OUTCOME.NOT_TOP_TEN);
  assert.deepEqual(low.seen.asked, []);
  assert.equal(low.seen.waited, 0, 'nothing to wait for');

  const skip = page('', { name: null });
  assert.equal(await skip.session.gameOver({ score: 70, level: 1 }), OUTCOME.SKIPPED);
  await skip.scoreboard.queue.flush();
  assert.deepEqual(skip.seen.posted, []);
  assert.equal(skip.storage.getItem(BEST_KEY), '70', 'still the best of this browser');

  const zero = page('');
  assert.equal(await zero.session.gameOver({ score: 0, level: 1 }), OUTCOME.NOTHING);
  assert.deepEqual(zero.seen.asked, []);
});

test('Enter starts no game while the score is being decided or named, and none before GAME OVER has shown', async () => {
  const { session, seen, settings } = page('', { name: 'Ada' });
  const { game, over } = playToGameOver(settings);
  session.game = game;
  assert.equal(game.phase, 'gameOver');
  assert.equal(session.canStart(), false, 'GAME OVER has only just shown');
  let during = null;
  session.askName = async () => {
    during = { canStart: session.canStart(), naming: session.naming, deciding: session.deciding };
    return 'Ada';
  };
  const done = session.gameOver(over);
  assert.equal(session.deciding, true);
  assert.equal(session.canStart(), false, 'deciding');
  await done;
  assert.deepEqual(during, { canStart: false, naming: true, deciding: false });
  assert.ok(seen.changes >= 2, 'the page was told to update its buttons');
  for (let t = 0; t < GAME_OVER_HOLD; t += STEP) game.update(STEP);
  assert.equal(session.canStart(), true, 'once GAME OVER has shown and nothing is going on');
  game.start();
  session.started();
  assert.equal(session.canStart(), false, 'not during a game');
  assert.deepEqual(seen.notes.at(-1), ['', undefined], 'the last game\'s note goes');
});

test('the best score of this browser is read back, and only a better normal score replaces it', async () => {
  const { session, storage } = page('');
  storage.setItem(BEST_KEY, '5000');
  const again = new Session({ game: new Game(), scoreboard: session.scoreboard, storage, askName: async () => null,
    now: () => 0, wait: async () => {} });
  assert.equal(again.best, 5000);
  await again.gameOver({ score: 4000, level: 1 });
  assert.equal(storage.getItem(BEST_KEY), '5000');
  await again.gameOver({ score: 6000, level: 2 });
  assert.equal(storage.getItem(BEST_KEY), '6000');
});
