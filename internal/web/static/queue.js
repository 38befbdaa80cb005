// Queue page: j/k selection, x and the checkboxes for bulk edit, the bulk
// bar posted in place, and live refresh of the list, the sidebar counts
// and the team load whenever any ticket changes.
import { key, onCounts, onTicketEvent } from './app.js';

const STORE = 'kizuna.queue';
const page = document.body.dataset.page;
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

// Bulk selection: the row checkboxes, "select all on page", the count and
// the merge target suggestions follow each other.
const boxes = () => [...document.querySelectorAll('#ticket-list input.pick-row')];
function picked() { return boxes().filter((b) => b.checked).map((b) => b.value); }
function syncPicks() {
  const ids = picked();
  const all = document.getElementById('pick-all');
  if (all) {
    all.checked = ids.length > 0 && ids.length === boxes().length;
    all.indeterminate = ids.length > 0 && ids.length < boxes().length;
  }
  const count = document.getElementById('bulk-count');
  if (count) {
    count.hidden = ids.length === 0;
    count.textContent = (count.dataset.fmt || '%d').replace('%d', String(ids.length));
  }
  const list = document.getElementById('bulk-selected-ids');
  if (list) list.replaceChildren(...ids.map((id) => { const o = document.createElement('option'); o.value = id; return o; }));
  for (const b of boxes()) b.closest('tr')?.classList.toggle('picked', b.checked);
}
// x ticks the row that has the focus (tabbed to), else the j/k row.
function toggleRow() {
  const r = document.activeElement?.closest?.('#ticket-list tr.row') || rows()[sel];
  const b = r?.querySelector('input.pick-row');
  if (!b) return;
  b.checked = !b.checked;
  syncPicks();
}
document.addEventListener('change', (e) => {
  const t = e.target;
  if (t.id === 'pick-all') { for (const b of boxes()) b.checked = t.checked; syncPicks(); } else if (t.classList?.contains('pick-row')) syncPicks();
});

// The bulk form is posted in place: the answer is the queue page again,
// with the summary, and its live parts replace ours (no reload).
document.addEventListener('submit', async (e) => {
  const form = e.target;
  // getAttribute: the row boxes are named "id", which shadows form.id.
  if (form.getAttribute('id') !== 'bulk') return;
  e.preventDefault();
  const data = new FormData(form);
  if (e.submitter?.name) data.set(e.submitter.name, e.submitter.value);
  try {
    const res = await fetch(form.getAttribute('action'), { method: 'POST', body: new URLSearchParams(data), credentials: 'same-origin', headers: { Accept: 'text/html' } });
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    if (!doc.getElementById('ticket-list')) { form.submit(); return; }
    swap(doc);
    document.getElementById('bulk-message')?.focus?.();
  } catch { form.submit(); }
});

// After a bulk edit posted without this script (or a reload of it), the
// address is /tickets/bulk: show the queue's own address, which the live
// refresh below reads again.
if (location.pathname === '/tickets/bulk') {
  const back = document.querySelector('#bulk input[name="back"]')?.value;
  if (back && back.startsWith('/tickets')) history.replaceState(null, '', back);
}

key('j', () => select(sel + 1));
key('k', () => select(sel - 1));
key('o', open);
key('Enter', open);
key('x', toggleRow);
remember();

// swap puts the server's current rendering of the live parts in place,
// keeping the focused row and the ticked boxes.
function swap(doc) {
  const keep = rows()[sel]?.dataset.id;
  const ticked = new Set(picked());
  for (const id of ['views', 'ticket-list', 'team-load']) {
    const fresh = doc.getElementById(id);
    const old = document.getElementById(id);
    if (fresh && old) old.replaceWith(document.adoptNode(fresh));
  }
  if (!doc.getElementById('bulk-message')) for (const b of boxes()) b.checked = ticked.has(b.value);
  sel = keep ? rows().findIndex((r) => r.dataset.id === keep) : -1;
  mark(false);
  syncPicks();
  remember();
  document.body.dataset.refreshed = String(Date.now());
}

let timer;
let busy = false;
let again = false;

async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try {
    const res = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    // A bulk summary on screen stays until the agent moves on.
    const msg = document.getElementById('bulk-result');
    const keepMsg = msg && msg.childElementCount ? msg.cloneNode(true) : null;
    swap(doc);
    if (keepMsg) document.getElementById('bulk-result')?.replaceWith(keepMsg);
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
if (page === 'search') {
  import('./search.js');
} else {
  // A ticket changed (the list), or the desk-wide counts were recounted.
  onTicketEvent(soon);
  onCounts(soon);
}
