import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HouseRelease } from '../../static/js/rules/house.js';

const eat = (house, n, inHouse) => {
  for (let i = 0; i < n; i++) house.dotEaten(inHouse);
};

test('level 1: Pinky leaves at once, Inky after 30 dots, Clyde after 60 more', () => {
  const h = new HouseRelease(1);
  assert.equal(h.tick(0, ['pinky', 'inky', 'clyde']), 'pinky');
  eat(h, 29, ['inky', 'clyde']);
  assert.equal(h.tick(0, ['inky', 'clyde']), null);
  eat(h, 1, ['inky', 'clyde']);
  assert.equal(h.tick(0, ['inky', 'clyde']), 'inky');
  eat(h, 59, ['clyde']);
  assert.equal(h.tick(0, ['clyde']), null);
  eat(h, 1, ['clyde']);
  assert.equal(h.tick(0, ['clyde']), 'clyde');
});

test('level 2: only Clyde waits, for 50 dots; level 3: nobody waits', () => {
  const h2 = new HouseRelease(2);
  assert.equal(h2.tick(0, ['inky', 'clyde']), 'inky');
  eat(h2, 49, ['clyde']);
  assert.equal(h2.tick(0, ['clyde']), null);
  const h3 = new HouseRelease(3);
  assert.equal(h3.tick(0, ['clyde']), 'clyde');
});

test('an idle Pacman lets the next ghost out after 4 seconds (3 from level 5)', () => {
  const h = new HouseRelease(1);
  assert.equal(h.tick(3.9, ['inky', 'clyde']), null);
  assert.equal(h.tick(0.1, ['inky', 'clyde']), 'inky');
  assert.equal(h.tick(3.9, ['clyde']), null, 'the timer restarted');
  h.dotEaten(['clyde']);
  assert.equal(h.tick(3.9, ['clyde']), null, 'eating restarts it too');
  assert.equal(h.tick(0.2, ['clyde']), 'clyde');
  const h5 = new HouseRelease(5);
  h5.counters.clyde = -100; // hold him by counter to see the timer
  assert.equal(h5.tick(2.9, ['clyde']), null);
});

test('after a lost life a global counter releases Pinky at 7, Inky at 17, Clyde at 32', () => {
  const h = new HouseRelease(1);
  h.lifeLost();
  let inHouse = ['pinky', 'inky', 'clyde'];
  const released = [];
  for (let dots = 1; dots <= 32; dots++) {
    h.dotEaten(inHouse);
    const who = h.tick(0, inHouse);
    if (who) {
      released.push(`${who}@${dots}`);
      inHouse = inHouse.filter((n) => n !== who);
    }
  }
  assert.deepEqual(released, ['pinky@7', 'inky@17', 'clyde@32']);
  assert.equal(h.globalActive, false, 'back to personal counters');
});

test('a new level resets the counters', () => {
  const h = new HouseRelease(1);
  eat(h, 20, ['inky', 'clyde']);
  h.lifeLost();
  h.startLevel(1);
  assert.equal(h.globalActive, false);
  assert.equal(h.counters.inky, 0);
});
