// Drives a running Kizuna desk with the third-party node-zendesk client,
// configured exactly as for zendesk.com except for the base URL. Any
// mismatch exits non-zero with a message; the Go test
// internal/app/apptest/zendeskclient_test.go runs this against SQLite and
// PostgreSQL on a fresh desk.
//
//   KIZUNA_URL=http://127.0.0.1:8080 KIZUNA_EMAIL=agent@example.jp \
//   KIZUNA_TOKEN=... [KIZUNA_ADMIN_EMAIL=... KIZUNA_ADMIN_TOKEN=...] \
//   node tests/zendesk-client/client_test.mjs
import process from 'node:process';
import {
  adminEmail, adminToken, base, check, connect, email, finish, ids, need,
  sameIds, sameText, statusOf, step, token, watch,
} from './kit.mjs';

// A hung request must not hang CI; the Go test has its own deadline too.
setTimeout(() => {
  console.error('FAIL: timed out after 120 s / タイムアウトしました');
  process.exit(1);
}, 120_000).unref();

const agent = connect(email, token);
// Creating organizations and groups is admin work in Zendesk.
const admin = connect(adminEmail, adminToken);

// The data our users care about most: circled digits, the ㈱ ligature,
// 髙 (a variant outside JIS X 0208) and half-width katakana must come back
// exactly as sent.
const SUBJECT = '配送状況を教えてください';
const BODY = '注文番号①の配送状況を教えてください。\n㈱髙橋商事 ｶﾀｶﾅ ﾃｽﾄ です。';
const NOTE = '社内メモ: 倉庫に確認中 ①㈱髙 ｶﾀｶﾅ';
const REQUESTER = {name: '髙橋 ｹﾝｼﾞ', email: 'kenji.takahashi@example.jp'};

const me = await step('users.me is the signed-in agent', async () => {
  const {result} = await agent.users.me();
  sameText(result.email, email, 'users.me email');
  check(Number.isInteger(result.id), 'users.me id is a number', result);
  check(['agent', 'admin'].includes(result.role), 'users.me role', result.role);
  return result;
});

const ticket = await step('tickets.create with a new requester', async () => {
  const {result} = await agent.tickets.create({ticket: {subject: SUBJECT, comment: {body: BODY}, requester: REQUESTER, priority: 'high', tags: ['配送']}});
  check(Number.isInteger(result.id), 'created ticket has an id', result);
  sameText(result.subject, SUBJECT, 'created subject');
  sameText(result.description, BODY, 'created description');
  check(result.status === 'new' || result.status === 'open', 'new ticket status', result.status);
  check(result.priority === 'high', 'priority', result.priority);
  if (me) { // else users.me has already failed
    check(result.submitter_id === me.id, 'submitter is the agent', result.submitter_id);
    check(result.requester_id !== me.id, 'requester is the new user, not the agent', result.requester_id);
  }
  check(typeof result.url === 'string' && result.url.startsWith(`${base}/api/v2/tickets/${result.id}`), 'ticket url', result.url);
  return result;
});

await step('tickets.show', async () => {
  need(ticket, 'tickets.create');
  const {result} = await agent.tickets.show(ticket.id);
  check(result.id === ticket.id, 'shown id', result.id);
  sameText(result.subject, SUBJECT, 'shown subject');
  sameText(result.description, BODY, 'shown description');
  check(JSON.stringify(result.tags) === JSON.stringify(['配送']), 'shown tags', result.tags);
});

await step('users.show gives back the requester byte-exact', async () => {
  need(ticket, 'tickets.create');
  const {result} = await agent.users.show(ticket.requester_id);
  sameText(result.name, REQUESTER.name, 'requester name');
  sameText(result.email, REQUESTER.email, 'requester email');
  check(result.role === 'end-user', 'requester role', result.role);
});

await step('tickets.update: status, tags and an internal note', async () => {
  need(ticket, 'tickets.create');
  const {result} = await agent.tickets.update(ticket.id, {ticket: {status: 'pending', tags: ['配送遅延', 'vip'], comment: {body: NOTE, public: false}}});
  check(result.status === 'pending', 'updated status', result.status);
  check(JSON.stringify([...result.tags].sort()) === JSON.stringify(['vip', '配送遅延'].sort()), 'updated tags', result.tags);
  sameText(result.subject, SUBJECT, 'subject after update');
});

await step('tickets.update: a public reply', async () => {
  need(ticket, 'tickets.create');
  const {result} = await agent.tickets.update(ticket.id, {ticket: {comment: {body: 'ご連絡ありがとうございます。明日発送します。', public: true}}});
  check(result.status === 'pending', 'status kept', result.status);
});

await step('tickets.getComments: all comments, in order, byte-exact', async () => {
  need(ticket, 'tickets.create');
  const comments = await agent.tickets.getComments(ticket.id);
  check(comments.length === 3, 'three comments', comments.map(c => c.body));
  sameText(comments[0].body, BODY, 'first comment');
  check(comments[0].public === true, 'first comment is public', comments[0]);
  sameText(comments[1].body, NOTE, 'internal note');
  check(comments[1].public === false, 'internal note is private', comments[1]);
  check(!me || comments[1].author_id === me.id, 'internal note author', comments[1].author_id);
  check(comments[2].public === true, 'reply is public', comments[2]);
});

await step('getComments follows next_page (offset pagination, per_page=1)', async () => {
  need(ticket, 'tickets.create');
  const paged = connect(email, token, {query: {per_page: 1}});
  const seen = watch(paged.tickets);
  const comments = await paged.tickets.getComments(ticket.id);
  check(comments.length === 3, 'three comments across pages', comments.map(c => c.body));
  sameText(comments[1].body, NOTE, 'internal note from page 2');
  check(seen.uris.length === 3, 'one request per page', seen.uris);
});

await step('tickets.exportAudit lists the audits with the note', async () => {
  need(ticket, 'tickets.create');
  const audits = await agent.tickets.exportAudit(ticket.id);
  check(audits.length === 3, 'one audit per write', audits.length);
  const events = audits.flatMap(a => a.events ?? []);
  const note = events.find(e => e.type === 'Comment' && e.public === false);
  check(note, 'the internal note is a Comment event', events.map(e => e.type));
  sameText(note.body, NOTE, 'note in audit');
});

const others = await step('tickets.create two more', async () => {
  need(ticket, 'tickets.create');
  const out = [];
  for (const subject of ['請求書の再発行をお願いします', 'ログインできません ｴﾗｰ']) {
    const {result} = await agent.tickets.create({ticket: {subject, comment: {body: subject + '。よろしくお願いします。'}, requester_id: ticket.requester_id}});
    sameText(result.subject, subject, 'subject');
    out.push(result);
  }
  return out;
});

await step('a ticket without a comment is refused with 422', async () => {
  const status = await statusOf(() => agent.tickets.create({ticket: {subject: 'コメントなし'}}));
  check(status === 422, 'status', status);
});

await step('tickets.list', async () => {
  need(others, 'tickets.create two more');
  const all = await agent.tickets.list();
  for (const t of [ticket, ...others]) {
    const got = all.find(x => x.id === t.id);
    check(got, `ticket ${t.id} listed`, ids(all));
    sameText(got.subject, t.subject, `listed subject of ${t.id}`);
  }
});

await step('tickets.list follows links.next (cursor pagination, page[size]=2)', async () => {
  need(others, 'tickets.create two more');
  const paged = connect(email, token, {query: {'page[size]': 2}});
  const seen = watch(paged.tickets);
  const all = await paged.tickets.list();
  check(sameIds(ids(all), [ticket, ...others].map(t => t.id)), 'every ticket once', ids(all));
  check(seen.uris.length === 2, 'two pages fetched', seen.uris);
});

await step('tickets.showMany', async () => {
  need(others, 'tickets.create two more');
  const {result} = await agent.tickets.showMany([ticket.id, others[0].id]);
  check(sameIds(ids(result), [ticket.id, others[0].id]), 'both tickets', ids(result));
  sameText(result.find(t => t.id === ticket.id).subject, SUBJECT, 'subject in show_many');
});

await step('search.query type:ticket 配送', async () => {
  need(others, 'tickets.create two more');
  const {result} = await agent.search.query('type:ticket 配送');
  check(Array.isArray(result), 'search results are a list', result);
  const hit = result.find(r => r.id === ticket.id);
  check(hit, 'the 配送 ticket is found', ids(result));
  check(hit.result_type === 'ticket', 'result_type', hit.result_type);
  sameText(hit.subject, SUBJECT, 'search hit subject');
  check(!result.some(r => r.id === others[0].id), 'a ticket without 配送 is not found', ids(result));
});

await step('tickets.delete answers 204 and the ticket is gone', async () => {
  need(others, 'tickets.create two more');
  const seen = watch(agent.tickets);
  await agent.tickets.delete(others[1].id);
  check(seen.statuses.at(-1) === 204, 'DELETE status', seen.statuses);
  const status = await statusOf(() => agent.tickets.show(others[1].id));
  check(status === 404, 'deleted ticket answers 404', status);
  const all = await agent.tickets.list();
  check(!all.some(x => x.id === others[1].id), 'deleted ticket not listed', ids(all));
});

await step('search.queryAll follows next_page (per_page=1)', async () => {
  need(others, 'tickets.create two more');
  const paged = connect(email, token, {query: {per_page: 1}});
  const seen = watch(paged.search);
  const all = await paged.search.queryAll('type:ticket');
  check(sameIds(ids(all), [ticket.id, others[0].id]), 'live tickets, each once', ids(all));
  check(seen.uris.length === 2, 'one request per result', seen.uris);
});

const user = await step('users.create', async () => {
  const {result} = await agent.users.create({user: {name: '佐々木 ①子', email: 'sasaki.ichiko@example.jp', role: 'end-user'}});
  check(Number.isInteger(result.id), 'user id', result);
  sameText(result.name, '佐々木 ①子', 'created user name');
  check(result.role === 'end-user', 'created user role', result.role);
  return result;
});

await step('users.show and users.update', async () => {
  need(user, 'users.create');
  const {result} = await agent.users.show(user.id);
  sameText(result.name, '佐々木 ①子', 'shown user name');
  sameText(result.email, 'sasaki.ichiko@example.jp', 'shown user email');
  const {result: updated} = await agent.users.update(user.id, {user: {name: '佐々木 髙子', notes: 'ｶﾀｶﾅのメモ'}});
  sameText(updated.name, '佐々木 髙子', 'updated user name');
  sameText(updated.notes, 'ｶﾀｶﾅのメモ', 'updated user notes');
});

await step('users.search by email and by name', async () => {
  need(user, 'users.create');
  const byEmail = await agent.users.search({query: 'sasaki.ichiko@example.jp'});
  check(byEmail.some(u => u.id === user.id), 'found by email', ids(byEmail));
  const byName = await agent.users.search({query: '佐々木'});
  check(byName.some(u => u.id === user.id), 'found by name', ids(byName));
});

await step('users.list, also in pages of 2', async () => {
  need(user, 'users.create');
  need(ticket, 'tickets.create');
  const all = await agent.users.list();
  for (const id of [me?.id ?? user.id, user.id, ticket.requester_id]) {
    check(all.some(u => u.id === id), `user ${id} listed`, ids(all));
  }
  sameText(all.find(u => u.id === ticket.requester_id).name, REQUESTER.name, 'listed requester name');
  const paged = connect(email, token, {query: {'page[size]': 2}});
  const seen = watch(paged.users);
  const pagedAll = await paged.users.list();
  check(sameIds(ids(pagedAll), ids(all)), 'same users in pages of 2', ids(pagedAll));
  check(seen.uris.length === Math.ceil(all.length / 2), 'pages fetched', seen.uris);
});

await step('users.delete answers 200 with the deactivated user (as Zendesk does)', async () => {
  const {result: doomed} = await admin.users.create({user: {name: '退会 ﾕｰｻﾞｰ', email: 'taikai@example.jp'}});
  const seen = watch(admin.users);
  const {result} = await admin.users.delete(doomed.id);
  check(seen.statuses.at(-1) === 200, 'DELETE status', seen.statuses);
  check(result.id === doomed.id && result.active === false, 'deleted user is inactive', result);
  sameText(result.name, '退会 ﾕｰｻﾞｰ', 'deleted user name');
});

const org = await step('organizations.create', async () => {
  const {result} = await admin.organizations.create({organization: {name: '㈱髙橋商事 ｶﾌﾞｼｷｶﾞｲｼｬ'}});
  check(Number.isInteger(result.id), 'organization id', result);
  sameText(result.name, '㈱髙橋商事 ｶﾌﾞｼｷｶﾞｲｼｬ', 'organization name');
  return result;
});

await step('organizations.list, show, update', async () => {
  need(org, 'organizations.create');
  const all = await agent.organizations.list();
  const got = all.find(o => o.id === org.id);
  check(got, 'created organization listed', ids(all));
  sameText(got.name, org.name, 'listed organization name');
  const {result: shown} = await agent.organizations.show(org.id);
  sameText(shown.name, org.name, 'shown organization name');
  const {result: updated} = await admin.organizations.update(org.id, {organization: {notes: '①番の取引先'}});
  sameText(updated.notes, '①番の取引先', 'organization notes');
});

await step('organizations.delete answers 204', async () => {
  const {result: doomed} = await admin.organizations.create({organization: {name: '削除予定 ㈲'}});
  const seen = watch(admin.organizations);
  await admin.organizations.delete(doomed.id);
  check(seen.statuses.at(-1) === 204, 'DELETE status', seen.statuses);
  const status = await statusOf(() => agent.organizations.show(doomed.id));
  check(status === 404, 'deleted organization answers 404', status);
});

await step('groups.create, list, show', async () => {
  const {result} = await admin.groups.create({group: {name: '配送サポート ①班'}});
  sameText(result.name, '配送サポート ①班', 'created group name');
  const all = await agent.groups.list();
  const got = all.find(g => g.id === result.id);
  check(got, 'created group listed', ids(all));
  sameText(got.name, '配送サポート ①班', 'listed group name');
  const {result: shown} = await agent.groups.show(result.id);
  sameText(shown.name, '配送サポート ①班', 'shown group name');
});

await step('unknown ticket answers 404 through the client', async () => {
  const status = await statusOf(() => agent.tickets.show(999999999));
  check(status === 404, 'status', status);
});

await step('a wrong token is refused with 401', async () => {
  const status = await statusOf(() => connect(email, 'not-the-token').users.me());
  check(status === 401, 'status', status);
});

finish();
