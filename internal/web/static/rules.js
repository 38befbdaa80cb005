// Rule settings: the conditions / actions rows editor. Without this
// module the form has blank rows and an "add row" submit button that
// shows the form again with one more; with it, rows are added in place
// and each row's operators and value suggestions follow its field.

function fitRow(row) {
  const field = row.querySelector('.row-field');
  const op = row.querySelector('.row-op');
  const value = row.querySelector('.row-value');
  const opt = field && field.selectedOptions[0];
  if (op && opt && opt.dataset.ops) {
    const ok = opt.dataset.ops.split(' ');
    for (const o of op.options) o.hidden = !ok.includes(o.value);
    if (!ok.includes(op.value)) op.value = ok[0];
  } else if (op) {
    for (const o of op.options) o.hidden = false;
  }
  if (value && value.tagName === 'INPUT') {
    const dl = opt && opt.dataset.dl;
    if (dl) value.setAttribute('list', dl); else value.removeAttribute('list');
  }
}

function renumber(fieldset) {
  const rows = fieldset.querySelectorAll('tbody tr');
  rows.forEach((row, i) => {
    for (const el of row.querySelectorAll('select, input, textarea')) {
      el.id = el.id.replace(/-\d+$/, '-' + i);
      const label = el.getAttribute('aria-label');
      if (label) el.setAttribute('aria-label', label.replace(/\d+/, String(i + 1)));
    }
  });
}

for (const fs of document.querySelectorAll('fieldset[data-rows]')) {
  for (const row of fs.querySelectorAll('tbody tr')) fitRow(row);
  fs.addEventListener('change', (e) => {
    if (e.target.classList.contains('row-field')) fitRow(e.target.closest('tr'));
  });
  const add = fs.querySelector('.add-row');
  if (!add) continue;
  add.addEventListener('click', (e) => {
    e.preventDefault();
    const body = fs.querySelector('tbody');
    const last = body.querySelector('tr:last-child');
    const row = last.cloneNode(true);
    for (const el of row.querySelectorAll('input, textarea')) el.value = '';
    for (const el of row.querySelectorAll('select')) el.selectedIndex = 0;
    body.appendChild(row);
    renumber(fs);
    fitRow(row);
    row.querySelector('.row-field').focus();
  });
}
