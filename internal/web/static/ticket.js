// Ticket page: composer modes and shortcuts, Ctrl+Enter, the missing
// attachment check, mail frame sizing and the live "new message" banner.
import { key, me, onPresence, onTicketEvent } from './app.js';

const root = document.querySelector('.ticket-layout');
const id = Number(root.dataset.ticket);
const form = document.getElementById('ticket-form');
const body = document.getElementById('body');
const files = document.getElementById('files');
const warning = document.getElementById('attach-warning');

function syncMode() {
  const note = form.querySelector('input[name=mode]:checked')?.value === 'note';
  form.classList.toggle('note-mode', note);
}
// The composer gets focus when the shortcut key is released, so the key
// itself is never typed into it.
let focusOnKeyUp = false;
function setMode(m) {
  const radio = document.getElementById('mode-' + m);
  if (radio) radio.checked = true;
  syncMode();
  focusOnKeyUp = true;
}
// m and s move focus to the macro search and the status menu, likewise on
// key up (an "s" typed into a focused menu would pick "solved").
let focusLater = null;
document.addEventListener('keyup', () => {
  if (focusOnKeyUp) { focusOnKeyUp = false; body.focus(); }
  if (focusLater) { const el = focusLater; focusLater = null; el.focus(); el.scrollIntoView?.({ block: 'nearest' }); }
});
form.addEventListener('change', (e) => { if (e.target.name === 'mode') syncMode(); });
syncMode();

key('r', () => setMode(document.getElementById('mode-public') ? 'public' : 'approval'));
key('n', () => setMode('note'));
key('a', () => document.getElementById('assign-me')?.click());
key('m', () => { focusLater = document.getElementById('macro-q'); });
key('s', () => { focusLater = document.getElementById('status'); });

// j/k walk the queue this ticket was opened from.
let queue = null;
try { queue = JSON.parse(sessionStorage.getItem('kizuna.queue') || 'null'); } catch { queue = null; }
if (queue && Array.isArray(queue.ids)) {
  const i = queue.ids.indexOf(id);
  const go = (j) => { if (i >= 0 && j >= 0 && j < queue.ids.length) location.href = '/tickets/' + queue.ids[j]; };
  key('j', () => go(i + 1));
  key('k', () => go(i - 1));
  const back = document.getElementById('back-to-queue');
  if (back && typeof queue.url === 'string' && queue.url.startsWith('/tickets')) back.href = queue.url;
}

body.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    // A trainee's reply (mode "approval") requests approval; a note stays a note.
    const mode = form.querySelector('input[name=mode]:checked')?.value;
    const approval = mode === 'approval' && document.getElementById('request-approval');
    form.requestSubmit(approval || document.getElementById('send'));
  }
});

// The text promises an attachment ("添付します", "attached") but none is
// chosen: stop once and say so; "send anyway" goes through.
const mentions = /添付|attach/i;
form.addEventListener('submit', (e) => {
  const by = e.submitter?.id;
  if (by === 'send-anyway' || by === 'assign-me' || by === 'take-over' || by === 'request-approval') return;
  if (mentions.test(body.value) && files.files.length === 0) {
    e.preventDefault();
    warning.hidden = false;
    document.getElementById('send-anyway').focus();
  }
});
files.addEventListener('change', () => { if (files.files.length) warning.hidden = true; });

// Mail frames have no scripts of their own; size them from here (the
// frame is same-origin but sandboxed without scripts).
for (const f of document.querySelectorAll('iframe.mailframe')) {
  const fit = () => {
    try { f.style.height = (f.contentDocument.documentElement.scrollHeight + 8) + 'px'; } catch { /* not loaded yet */ }
  };
  f.addEventListener('load', fit);
  fit();
}

const banner = document.getElementById('live-banner');
onTicketEvent((ev) => {
  if (ev.ticket_id !== id || ev.actor_id === me) return;
  if (ev.kind === 'approval') return; // approvals.js refreshes its panel in place
  const fresh = ev.by_customer;
  banner.querySelector('.text').textContent = fresh ? banner.dataset.new : banner.dataset.updated;
  banner.dataset.kind = fresh ? 'new' : 'updated';
  banner.hidden = false;
});

// Presence: who else has this ticket open, and who is writing a reply.
const bar = document.getElementById('presence');
onPresence((ev) => {
  if (ev.ticket_id !== id) return;
  const others = (ev.people || []).filter((p) => p.id !== me);
  bar.replaceChildren();
  for (const p of others) {
    const span = document.createElement('span');
    span.className = p.replying ? 'who replying' : 'who';
    span.dataset.user = String(p.id);
    span.textContent = (p.replying ? bar.dataset.replying : bar.dataset.viewing).replace('%s', p.name);
    bar.append(span);
  }
  bar.hidden = others.length === 0;
});

// The composer tells the others while it holds an unsent public reply,
// renewing the mark before it lapses on the server.
const csrf = form.querySelector('input[name=csrf]').value;
let said = false;
let lastSent = 0;
function replying(on, force) {
  const now = Date.now();
  if (!force && on === said && (!on || now - lastSent < 15000)) return;
  said = on;
  lastSent = now;
  const body = new URLSearchParams({ state: on ? 'replying' : 'idle', csrf });
  fetch('/tickets/' + id + '/presence', { method: 'POST', body, credentials: 'same-origin', keepalive: true }).catch(() => {});
}
function composing() {
  const note = form.querySelector('input[name=mode]:checked')?.value === 'note';
  replying(!note && body.value.trim() !== '', false);
}
body.addEventListener('input', composing);
form.addEventListener('change', (e) => { if (e.target.name === 'mode') composing(); });
setInterval(() => { if (said) replying(true, true); }, 20000);

// Macro picker: filter the list as the agent types (the form's GET is the
// fallback), and carry the draft into "apply" so the macro adds to it.
const macroQ = document.getElementById('macro-q');
const norm = (s) => s.normalize('NFKC').toLowerCase();
macroQ?.addEventListener('input', () => {
  const words = norm(macroQ.value).split(/\s+/).filter(Boolean);
  for (const li of document.querySelectorAll('#macro-list li')) {
    const text = li.dataset.search || '';
    li.hidden = !words.every((w) => text.includes(w));
  }
});
document.addEventListener('submit', (e) => {
  if (e.target.id === 'macro-apply-form') document.getElementById('macro-draft').value = body.value;
});
// A preview is fetched and swapped in, so the draft stays where it is.
document.getElementById('macro-list')?.addEventListener('click', async (e) => {
  const a = e.target.closest('a[data-macro]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  try {
    const res = await fetch(a.href, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(res.status);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const fresh = doc.getElementById('macro-preview');
    const old = document.getElementById('macro-preview');
    if (!fresh) throw new Error('no preview');
    if (old) old.replaceWith(fresh); else document.querySelector('.macros').append(fresh);
    fresh.querySelector('button')?.focus();
  } catch {
    location.href = a.href;
  }
});

// Undo send: the banner goes once the reply has left (the outbox's undo
// window); recalling puts the text back in the composer (server side).
const undo = document.getElementById('undo-banner');
if (undo && undo.dataset.shown === 'queued') {
  const left = Date.parse(undo.dataset.until) - Date.now();
  setTimeout(() => { undo.hidden = true; }, Math.max(0, left));
}
if (document.getElementById('undone')) { body.focus(); body.setSelectionRange(body.value.length, body.value.length); }

// Folded quotes inside a mail frame change its height when opened.
for (const f of document.querySelectorAll('iframe.mailframe')) {
  f.addEventListener('load', () => {
    try {
      f.contentDocument.addEventListener('toggle', () => {
        f.style.height = (f.contentDocument.documentElement.scrollHeight + 8) + 'px';
      }, true);
    } catch { /* not same-origin */ }
  });
}

// SLA timers count down without a reload.
const slaLeft = document.querySelectorAll('.sla-timer.stage-active time.sla-left');
if (slaLeft.length) {
  const ja = document.body.dataset.lang === 'ja';
  const fmt = (ms) => {
    const over = ms < 0;
    let m = Math.round(Math.abs(ms) / 60000);
    const d = Math.floor(m / 1440); m -= d * 1440;
    const h = Math.floor(m / 60); m -= h * 60;
    const s = ja ? (d ? d + '日' : '') + (d || h ? h + '時間' : '') + m + '分'
      : (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm';
    if (ja) return over ? s + ' 超過' : '残り ' + s;
    return over ? 'breached ' + s + ' ago' : s + ' left';
  };
  setInterval(() => {
    for (const t of slaLeft) {
      const ms = Date.parse(t.dateTime) - Date.now();
      t.textContent = fmt(ms);
      t.closest('.sla-timer').classList.toggle('breached', ms <= 0);
    }
  }, 30000);
}
