// The few DOM helpers the panels share. Every value goes in as text (textContent), never as HTML.

/** A new element of doc: tag, with className and text when given. */
export function el(doc, tag, className, text) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A time (ISO 8601 text or ms since the epoch) as the reader's 24-hour clock, HH:MM:SS; '' when
 * it is not a time. */
export function clockText(time) {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
