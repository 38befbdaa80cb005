// New ticket form: the first message's default follows the channel (a
// phone call is recorded as an internal note, mail and web answered in
// public) until the agent picks one; Enter in the customer lookup looks up
// (unless a suggestion is chosen: newticket_suggest.js).
import './newticket_suggest.js';

const via = document.getElementById('via');
const pub = document.getElementById('mode-public');
const note = document.getElementById('mode-note');
let touched = false;
for (const r of [pub, note]) r?.addEventListener('change', () => { touched = true; });
via?.addEventListener('change', () => {
  if (touched || !pub || !note) return;
  if (via.value === 'voice') note.checked = true; else pub.checked = true;
});
document.getElementById('requester_q')?.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.isComposing && !e.defaultPrevented) { e.preventDefault(); document.getElementById('nt-find')?.click(); }
});
// One click creates one ticket: a second submit while the first is on
// its way is dropped (the flag resets when the page comes back from the
// back-forward cache).
const form = document.getElementById('newticket-form');
let sent = false;
form?.addEventListener('submit', (e) => {
  if (sent) { e.preventDefault(); return; }
  sent = true;
});
addEventListener('pageshow', () => { sent = false; });
