// Approval before sending (承認): the nav's count of drafts waiting for
// approval, and live updates — an approval change refreshes the ticket
// page's panel in place (unless you are typing in it) and the /approvals
// list.
import { me, onTicketEvent } from './app.js';

const page = document.body.dataset.page;
const badge = document.getElementById('nav-approvals-count');

async function count() {
  if (!badge) return;
  try {
    const r = await fetch('/approvals/count', { credentials: 'same-origin' });
    if (!r.ok) return;
    const { pending } = await r.json();
    badge.textContent = String(pending);
    badge.hidden = !pending;
  } catch { /* offline: keep the last number */ }
}
count();

let timer;
function later(fn) { clearTimeout(timer); timer = setTimeout(fn, 300); }

async function refreshPanel() {
  const panel = document.getElementById('approval-panel');
  if (panel && panel.contains(document.activeElement) && /^(TEXTAREA|INPUT)$/.test(document.activeElement.tagName)) return;
  try {
    const r = await fetch(location.pathname, { credentials: 'same-origin' });
    if (!r.ok) return;
    const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
    const fresh = doc.getElementById('approval-panel');
    if (panel && fresh) panel.replaceWith(fresh);
    else if (!panel && fresh) document.getElementById('ticket-form')?.before(fresh);
  } catch { /* the banner still offers a reload */ }
}

// Only pages that keep a live stream anyway listen (no extra connection).
if (page === 'ticket' || page === 'queue' || page === 'search' || page === 'approvals') {
  const ticket = Number(document.querySelector('[data-ticket]')?.dataset.ticket || 0);
  onTicketEvent((ev) => {
    if (ev.kind !== 'approval') return;
    later(count);
    if (page === 'approvals' && ev.actor_id !== me) later(() => location.reload());
    if (page === 'ticket' && ev.ticket_id === ticket && ev.actor_id !== me) later(refreshPanel);
  });
}
