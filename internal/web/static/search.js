// Search page: instant results. As the agent types, the results part of
// the page is fetched (?partial=1) after a short pause and swapped in; the
// address follows the query, so back and reload show the same. Without
// JavaScript the form submits as usual.
const input = document.getElementById('search-q');
const out = document.getElementById('search-results');
const DELAY = 250;
let timer = 0;
let seq = 0;
// What the results on screen are for: the address's query (the agent
// may have typed before this module loaded; that is caught up below).
let shown = (new URLSearchParams(location.search).get('q') || '').trim();

document.querySelector('#search-hint .js-only')?.removeAttribute('hidden');

async function run() {
  const q = input.value.trim();
  if (q === shown) return;
  const mine = ++seq;
  out.setAttribute('aria-busy', 'true');
  try {
    const res = await fetch('/search?' + new URLSearchParams({ q, partial: '1' }), { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    const html = await res.text();
    if (mine !== seq) return; // a newer query is on its way
    const doc = new DOMParser().parseFromString('<div id="r">' + html + '</div>', 'text/html');
    out.replaceChildren(...doc.getElementById('r').childNodes);
    shown = q;
    history.replaceState(null, '', q ? '/search?' + new URLSearchParams({ q }) : '/search');
    document.body.dataset.searched = q;
  } catch { /* offline: the form still submits */ } finally {
    if (mine === seq) out.setAttribute('aria-busy', 'false');
  }
}

input?.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(run, DELAY);
});
// IME: the composed text counts once composition ends.
input?.addEventListener('compositionend', () => { clearTimeout(timer); timer = setTimeout(run, DELAY); });
document.getElementById('search-form')?.addEventListener('submit', (e) => {
  e.preventDefault();
  clearTimeout(timer);
  shown = null;
  run();
});
if (input && input.value.trim() !== shown) run();
document.body.dataset.instant = 'on';
