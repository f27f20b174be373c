// Asks a player with a top-ten score for a name, in a modal <dialog> that works with the
// keyboard alone (focus on the field, Enter saves, Esc skips).

export const NAME_MAX = 32;
const LAST_NAME_KEY = 'pacman.lastName';

/**
 * Checks a typed name the way the server does: 1 to 32 characters after trimming, printable
 * (letters of any script welcome). Returns {ok: true, name} or {ok: false, error}.
 */
export function validateName(raw) {
  const name = String(raw ?? '').trim();
  const length = [...name].length;
  if (length === 0) return { ok: false, error: 'Please type a name.' };
  if (length > NAME_MAX) return { ok: false, error: `At most ${NAME_MAX} characters, please.` };
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u.test(name)) return { ok: false, error: 'Please use printable characters only.' };
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
      els.skip.removeEventListener('click', onSkip);
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
    const onSkip = () => done(null);
    const onInput = () => {
      if (!error.textContent) return;
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    };
    form.addEventListener('submit', onSubmit);
    input.addEventListener('input', onInput);
    dialog.addEventListener('cancel', onCancel);
    els.skip.addEventListener('click', onSkip);
    dialog.showModal();
    input.focus();
    input.select();
  });
}
