// Queue page: j/k selection, live refresh of the list, the counts and the
// team load whenever any ticket changes.
import { key, onCounts, onTicketEvent } from './app.js';

const STORE = 'kizuna.queue';
let sel = -1;

const rows = () => [...document.querySelectorAll('#ticket-list tr.row')];

// remember lets the ticket page walk this list with j/k.
function remember() {
  try {
    sessionStorage.setItem(STORE, JSON.stringify({ url: location.pathname + location.search, ids: rows().map((r) => Number(r.dataset.id)) }));
  } catch { /* storage off: j/k on the ticket page just do nothing */ }
}

function mark(focus) {
  rows().forEach((r, j) => {
    r.classList.toggle('selected', j === sel);
    if (j === sel) r.setAttribute('aria-current', 'true'); else r.removeAttribute('aria-current');
  });
  const r = rows()[sel];
  if (r && focus) r.querySelector('a.open-ticket').focus();
}

function select(i) {
  const n = rows().length;
  if (!n) return;
  sel = Math.max(0, Math.min(i, n - 1));
  mark(true);
}

function open() {
  const r = rows()[sel];
  if (r) location.href = r.querySelector('a.open-ticket').href;
}

key('j', () => select(sel + 1));
key('k', () => select(sel - 1));
key('o', open);
key('Enter', open);
remember();

let timer;
let busy = false;
let again = false;

// refresh swaps in the server's current rendering of the three live parts.
async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    const res = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const keep = rows()[sel]?.dataset.id;
    for (const id of ['views', 'ticket-list', 'team-load']) {
      const fresh = doc.getElementById(id);
      const old = document.getElementById(id);
      if (fresh && old) old.replaceWith(document.adoptNode(fresh));
    }
    sel = keep ? rows().findIndex((r) => r.dataset.id === keep) : -1;
    mark(false);
    remember();
    document.body.dataset.refreshed = String(Date.now());
  } catch { /* offline for a moment: the next event tries again */ } finally {
    busy = false;
    if (again) { again = false; refresh(); }
  }
}

// Refresh soon after a change, but at most twice a second however busy
// the desk is: a burst of mail costs each open queue a couple of renders.
const GAP = 500;
let last = 0;
function soon() {
  if (timer) return;
  const wait = Math.max(60, last + GAP - Date.now());
  timer = setTimeout(() => { timer = 0; last = Date.now(); refresh(); }, wait);
}
// A ticket changed (the list), or the desk-wide counts were recounted.
onTicketEvent(soon);
onCounts(soon);
