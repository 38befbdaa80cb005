// Kizuna workspace: what every signed-in page shares — the shortcut
// overlay, the key dispatcher and the one live event stream. Page modules
// (queue.js, ticket.js) are loaded from here and register their keys.
const page = document.body.dataset.page;
export const me = Number(document.body.dataset.me || 0);

// typing reports whether a key press belongs to a form control.
export function typing(e) {
  const t = e.target;
  return !!t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

// One EventSource per page, shared by every listener. A ticket page names
// its ticket, which makes its agent "viewing" it for the others.
let source;
const listeners = { ticket: [], presence: [], counts: [] };
function connect() {
  if (source) return;
  const t = document.querySelector('[data-ticket]')?.dataset.ticket;
  source = new EventSource(t ? '/events?ticket=' + encodeURIComponent(t) : '/events');
  for (const name of Object.keys(listeners)) {
    source.addEventListener(name, (ev) => {
      let data;
      try { data = JSON.parse(ev.data); } catch { return; }
      for (const f of listeners[name]) f(data);
    });
  }
  source.addEventListener('open', () => { document.body.dataset.live = 'on'; });
  source.addEventListener('error', () => { document.body.dataset.live = 'off'; });
}
// Close the stream as the page goes: a stream left open keeps one of the
// browser's six connections to the desk busy, and after a few form posts
// the next page would wait for a free one.
addEventListener('pagehide', () => { source?.close(); source = undefined; });
addEventListener('pageshow', (e) => { if (e.persisted && listeners.ticket.length + listeners.presence.length + listeners.counts.length) connect(); });
export function onTicketEvent(fn) { listeners.ticket.push(fn); connect(); }
export function onPresence(fn) { listeners.presence.push(fn); connect(); }
export function onCounts(fn) { listeners.counts.push(fn); connect(); }

const help = document.getElementById('shortcuts');
function toggleHelp() {
  if (!help) return;
  if (help.open) help.close(); else help.showModal();
}
document.getElementById('shortcuts-open')?.addEventListener('click', toggleHelp);

const keys = {};
// key binds a single-key shortcut for this page.
export function key(k, fn) { keys[k] = fn; }

let afterG = false;
document.addEventListener('keydown', (e) => {
  if (!me || e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
  if (e.key === '?') { e.preventDefault(); toggleHelp(); return; }
  if (help?.open) return;
  if (afterG) {
    afterG = false;
    if (e.key === 'q') location.href = '/tickets';
    if (e.key === 'n') location.href = '/tickets/new';
    return;
  }
  if (e.key === '/') { e.preventDefault(); document.getElementById('top-q')?.focus(); return; }
  if (e.key === 'g') { afterG = true; setTimeout(() => { afterG = false; }, 1200); return; }
  const fn = keys[e.key];
  if (fn) { e.preventDefault(); fn(e); }
});

if (page === 'queue' || page === 'search') import('./queue.js');
if (page === 'ticket') import('./ticket.js');
if (page === 'newticket') import('./newticket.js');
if (me) import('./approvals.js');
