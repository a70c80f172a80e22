// Input checks with a message: a field that is out of range says what it
// accepts next to it (aria-invalid and aria-describedby link the two), never
// just a red border.

/** The input's value if it is a whole number in [min, max], else null. */
export function readInteger(input, min, max) {
  const text = input.value.trim();
  const value = Number(text);
  return text !== '' && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** Shows `message` (or hides the error when null) for `input` in `error`. */
export function showFieldError(input, error, message) {
  input.setAttribute('aria-invalid', String(message !== null));
  const ids = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
  if (message === null) ids.delete(error.id);
  else ids.add(error.id);
  if (ids.size) input.setAttribute('aria-describedby', [...ids].join(' '));
  else input.removeAttribute('aria-describedby');
  error.hidden = message === null;
  error.textContent = message ?? '';
}
