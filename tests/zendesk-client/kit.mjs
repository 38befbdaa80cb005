// Helpers for client_test.mjs: configuration from the environment and
// checks that fail loudly, with enough detail to see what Kizuna answered.
import process from 'node:process';
import zendesk from 'node-zendesk';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (!v) {
    console.error(`FAIL: ${name} is not set / 環境変数 ${name} がありません`);
    process.exit(2);
  }
  return v;
};

export const base = env('KIZUNA_URL').replace(/\/+$/, '');
export const email = env('KIZUNA_EMAIL');
export const token = env('KIZUNA_TOKEN');
export const adminEmail = env('KIZUNA_ADMIN_EMAIL', email);
export const adminToken = env('KIZUNA_ADMIN_TOKEN', token);

// connect builds a client configured as for zendesk.com except for the one
// Kizuna-specific setting: where the API lives. Credentials go the Zendesk
// way, Basic "email/token:TOKEN". extra.query adds parameters to every
// request (used to force small pages).
export const connect = (username, tok, extra = {}) =>
  zendesk.createClient({username, token: tok, endpointUri: `${base}/api/v2`, throwOriginalException: true, ...extra});

let checks = 0;
let failures = 0;

const codePoints = s => typeof s === 'string'
  ? [...s].map(c => 'U+' + c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')).join(' ')
  : String(s);

// sameText fails with both strings' code points, so mojibake or Unicode
// normalisation (NFKC turns ① into 1 and ｶ into カ) is visible at a glance.
export function sameText(got, want, what) {
  checks++;
  if (typeof got === 'string' && Buffer.from(got, 'utf8').equals(Buffer.from(want, 'utf8'))) {
    return;
  }
  throw new Error(`${what}: text did not round-trip / 文字列が一致しません\n  got:  ${JSON.stringify(got)}\n        ${codePoints(got)}\n  want: ${JSON.stringify(want)}\n        ${codePoints(want)}`);
}

export function check(cond, what, detail) {
  checks++;
  if (!cond) {
    throw new Error(`${what}${detail === undefined ? '' : '\n  got: ' + JSON.stringify(detail)}`);
  }
}

export const ids = list => list.map(x => x.id);

export const sameIds = (got, want) => JSON.stringify([...got].sort((a, b) => a - b)) === JSON.stringify([...want].sort((a, b) => a - b));

// step runs one group of client calls and reports which one broke, with
// the HTTP status and body node-zendesk saw. It keeps going after a failure
// so one run lists every mismatch; steps needing a failed step's result
// fail through need().
export async function step(name, fn) {
  try {
    const out = await fn();
    console.log(`ok - ${name}`);
    return out;
  } catch (err) {
    const status = err.statusCode ? ` (HTTP ${err.statusCode})` : '';
    const body = err.result && !(err.result instanceof Error) ? `\n  response: ${JSON.stringify(err.result)}` : '';
    console.error(`FAIL - ${name}${status}: ${err.message}${body}`);
    if (process.env.KIZUNA_TEST_VERBOSE) {
      console.error(err.stack);
    }
    failures++;
    return undefined;
  }
}

export function need(value, from) {
  if (value === undefined) {
    throw new Error(`not run: needs the result of "${from}"`);
  }
  return value;
}

// statusOf runs a call expected to fail and returns the HTTP status the
// client reported ("no error" when it succeeded).
export async function statusOf(call) {
  try {
    await call();
  } catch (err) {
    return err.statusCode ?? `no status (${err.message})`;
  }
  return 'no error';
}

// watch records the URLs requested and statuses answered through one
// resource client, to prove a listing followed several pages or to see a
// success status the client hides.
export function watch(resource) {
  const seen = {uris: [], statuses: []};
  resource.on('debug::request', e => seen.uris.push(e.detail.uri));
  resource.on('debug::response', e => seen.statuses.push(e.detail.status));
  return seen;
}

// finish exits non-zero when any step failed.
export function finish() {
  if (failures > 0) {
    console.error(`node-zendesk against ${base}: ${failures} step(s) failed / 失敗があります`);
    process.exit(1);
  }
  console.log(`node-zendesk drove ${base}: ${checks} checks ok`);
}
