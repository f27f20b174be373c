// Asks a player with a top-ten score for a name, in a modal <dialog> that works with the
// keyboard alone (focus on the field, Enter saves, Esc skips).

export const NAME_MAX = 32;
const LAST_NAME_KEY = 'pacman.lastName';

/**
 * Whether the server takes code point `c` in a name (server/input.c, input_printable): not a
 * control character, nor a mark or separator that can reverse or hide text, nor the
 * byte-order mark or a non-character; and not a lone surrogate, which has no UTF-8 form. All
 * the rest is welcome: letters of any script, emoji joined with U+200D included.
 */
function printable(c) {
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
  if (c === 0x200e || c === 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false;
  if (c === 0xfeff || (c & 0xfffe) === 0xfffe || (c >= 0xfdd0 && c <= 0xfdef)) return false;
  return c < 0xd800 || c > 0xdfff;
}

/** The number of characters in `text` as the server counts them: code points, not UTF-16 units. */
export function nameLength(text) {
  return [...String(text ?? '')].length;
}

/**
 * `text` cut to NAME_MAX characters (code points): what the field keeps while typing. The
 * field has no maxlength attribute, which counts UTF-16 units: an emoji would count twice.
 */
export function clampName(text) {
  const chars = [...String(text ?? '')];
  return chars.length > NAME_MAX ? chars.slice(0, NAME_MAX).join('') : String(text ?? '');
}

/**
 * Checks a typed name the way the server does: 1 to 32 characters (code points) after
 * trimming, printable (letters of any script and emoji welcome). Returns {ok: true, name} or
 * {ok: false, error}.
 */
export function validateName(raw) {
  const name = String(raw ?? '').trim();
  const length = nameLength(name);
  if (length === 0) return { ok: false, error: 'Please type a name.' };
  if (length > NAME_MAX) return { ok: false, error: `At most ${NAME_MAX} characters, please.` };
  if (![...name].every((ch) => printable(ch.codePointAt(0)))) return { ok: false, error: 'Please use printable characters only.' };
  return { ok: true, name };
}

/**
 * Opens the dialog and resolves to the name entered, or null when the player skips.
 * els: {dialog, form, input, error, score, skip}.
 */
export function askForName(els, { score, storage = globalThis.localStorage } = {}) {
  const { dialog, form, input, error, scoreText } = els;
  return new Promise((resolve) => {
    let last = '';
    try {
      last = storage?.getItem(LAST_NAME_KEY) || '';
    } catch { /* ignore */ }
    input.value = last;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    scoreText.textContent = Number(score).toLocaleString('en-US');
    const done = (value) => {
      form.removeEventListener('submit', onSubmit);
      input.removeEventListener('input', onInput);
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onClose);
      els.skip.removeEventListener('click', onSkip);
      // Focus leaves the dialog with it. The page had no focused element when the dialog
      // opened (the game takes keys on the window), so close() gives focus back to none, and
      // Chromium leaves it on the hidden field until its next rendering update: an Enter
      // pressed at once went to the field, and no game started (a flaky e2e test, found).
      const active = dialog.ownerDocument?.activeElement;
      if (active && active.blur && dialog.contains?.(active)) active.blur();
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      const check = validateName(input.value);
      if (!check.ok) {
        error.textContent = check.error;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      try {
        storage?.setItem(LAST_NAME_KEY, check.name);
      } catch { /* ignore */ }
      done(check.name);
    };
    const onCancel = (e) => {
      e.preventDefault();
      done(null);
    };
    // Escape may close the dialog without a cancel event first: Chromium fires cancel only
    // when the page has had a user activation since the last close request (its close
    // watchers), and a game of a minute's arrow keys may not count. A close we did not make
    // is a skip too, or the game would wait for a name no one can give. (Not a late close
    // event of the last dialog, queued before this one opened: the dialog is open then.)
    const onClose = () => {
      if (!dialog.open) done(null);
    };
    const onSkip = () => done(null);
    const onInput = (e) => {
      // Not in the middle of an IME composition: the check at saving covers that.
      const kept = e && e.isComposing ? input.value : clampName(input.value);
      if (kept !== input.value) {
        input.value = kept; // the caret goes to the end: what was cut was typed or pasted there
        error.textContent = `At most ${NAME_MAX} characters.`;
        return;
      }
      if (!error.textContent) return;
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    };
    form.addEventListener('submit', onSubmit);
    input.addEventListener('input', onInput);
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onClose);
    els.skip.addEventListener('click', onSkip);
    dialog.showModal();
    input.focus();
    input.select();
  });
}
