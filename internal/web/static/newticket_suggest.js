// New ticket form: customers suggested as the agent types in the lookup
// (GET /tickets/new/customers, the Find button's lookup as JSON). A
// combobox with a listbox: arrows move through the list, Enter or a click
// picks a customer (the form then sends their id; nothing is lost), Escape
// closes it. Enter with nothing chosen still runs the Find round trip,
// which is also what the form does without script.
const input = document.getElementById('requester_q');
const list = document.getElementById('nt-suggest');
const status = document.getElementById('nt-suggest-status');
const form = document.getElementById('newticket-form');

if (input && list && status && form) {
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  let timer = 0;
  let pending = null; // AbortController of the request on its way
  let items = [];
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const mark = (i) => {
    active = i;
    list.querySelectorAll('[role=option]').forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i < 0) { input.removeAttribute('aria-activedescendant'); return; }
    const li = list.children[i];
    input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  };
  const show = (customers) => {
    items = customers;
    list.replaceChildren(...customers.map((c, i) => {
      const li = document.createElement('li');
      li.id = 'nt-sug-' + c.id;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.index = String(i);
      const name = document.createElement('strong');
      name.textContent = c.name;
      const sub = document.createElement('span');
      sub.className = 'nt-sub';
      sub.textContent = [c.email, c.phone].filter(Boolean).map((s) => ' ' + s).join('');
      li.append(name, sub);
      return li;
    }));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    if (customers.length === 0) {
      close();
      status.textContent = status.dataset.none;
      return;
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    status.textContent = status.dataset.found.replace('%d', String(customers.length));
  };
  const lookup = async () => {
    const q = input.value.trim();
    pending?.abort();
    if (q === '') { close(); status.textContent = ''; return; }
    pending = new AbortController();
    try {
      const res = await fetch('/tickets/new/customers?q=' + encodeURIComponent(q), { signal: pending.signal, headers: { Accept: 'application/json' } });
      if (!res.ok) return; // the Find button still works
      const data = await res.json();
      if (input.value.trim() === q) show(data.customers || []);
    } catch (e) {
      if (e.name !== 'AbortError') close();
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(lookup, 250); };

  // Picking a customer sends their id with the form, as choosing one of
  // the Find button's matches does; the lookup and the new-customer
  // fields step aside (disabled, so they are not sent) until "change".
  const lookupParts = () => [document.querySelector('label[for=requester_q]'), input.closest('.nt-find'),
    document.getElementById('nt-find-hint'), document.getElementById('nt-no-match'), list].filter(Boolean);
  const asides = () => [document.getElementById('nt-matches'), document.getElementById('nt-new')].filter(Boolean);
  const pick = (i) => {
    const c = items[i];
    if (!c) return;
    clearTimeout(timer); // a lookup still to come must not reopen the list
    pending?.abort();
    close();
    const chosen = document.createElement('p');
    chosen.className = 'nt-chosen';
    chosen.id = 'nt-picked';
    const name = document.createElement('strong');
    name.textContent = c.name;
    chosen.append(name, [c.email && ' <' + c.email + '>', c.phone && ' ' + c.phone].filter(Boolean).join(''));
    const id = document.createElement('input');
    id.type = 'hidden';
    id.name = 'requester_id';
    id.value = String(c.id);
    id.id = 'nt-picked-id';
    const change = document.createElement('button');
    change.type = 'button';
    change.className = 'secondary nt-inline';
    change.id = 'nt-unpick';
    change.textContent = list.dataset.change;
    change.addEventListener('click', () => {
      chosen.remove(); id.remove(); change.remove();
      for (const el of lookupParts()) if (el !== list && el.id !== 'nt-no-match') el.hidden = false;
      for (const fs of asides()) { fs.hidden = false; fs.disabled = false; }
      status.textContent = '';
      input.focus();
    });
    for (const el of lookupParts()) el.hidden = true;
    for (const fs of asides()) { fs.hidden = true; fs.disabled = true; }
    input.closest('fieldset').querySelector('legend').after(id, chosen, change);
    status.textContent = status.dataset.chosen.replace('%s', c.name);
    // The focus goes to the chosen customer's line, not to a control: the
    // Enter that picked must not also press "change" or send the form.
    chosen.tabIndex = -1;
    chosen.focus();
  };

  input.addEventListener('input', (e) => { if (!e.isComposing) later(); });
  input.addEventListener('compositionend', later);
  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    const open = !list.hidden && items.length > 0;
    switch (e.key) {
      case 'ArrowDown':
        if (!open) { if (items.length) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); mark(0); } else later(); }
        else mark((active + 1) % items.length);
        e.preventDefault();
        break;
      case 'ArrowUp':
        if (open) { mark(active <= 0 ? items.length - 1 : active - 1); e.preventDefault(); }
        break;
      case 'Enter':
        if (open && active >= 0) { e.preventDefault(); e.stopImmediatePropagation(); pick(active); }
        break;
      case 'Escape':
        if (open) { e.preventDefault(); close(); }
        break;
    }
  });
  // mousedown: before the input loses focus; a click on an option picks it.
  list.addEventListener('mousedown', (e) => e.preventDefault());
  list.addEventListener('click', (e) => {
    const li = e.target.closest('[role=option]');
    if (li) pick(Number(li.dataset.index));
  });
  // Leaving the field closes the list (unless the focus came back meanwhile).
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) close(); }, 150));
}
