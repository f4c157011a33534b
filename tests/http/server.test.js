// tests/http/server.test.js TRIPOD BACKEND — `tripod serve` driven by real
// clients over loopback: Node's fetch for the JSON API and the npm FHIR
// client fhir-kit-client for /fhir/. BACKEND is sqlite or postgres (the
// URL then comes from TRIPOD_TEST_PG_URL, set by scripts/pg-tmp).
//
// Checks every cell of the permission matrix (`tripod serve --routes`),
// sign-in and its limits, CSRF rules, the patient compartment, bad input,
// gzip, the audit trail of it all (`tripod audit verify`), and a graceful
// SIGTERM.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const TRIPOD = process.argv[2];
const BACKEND = process.argv[3] || 'sqlite';
const TOOLS = process.env.TRIPOD_TOOLS || path.join(__dirname, '..', '..', 'tools');
const fkc = require(path.join(TOOLS, 'node_modules', 'fhir-kit-client'));
const Client = fkc.default || fkc.Client || fkc;

const tmpRoot = process.env.TRIPOD_TEST_TMP || os.tmpdir();
fs.mkdirSync(tmpRoot, { recursive: true });
const tmp = fs.mkdtempSync(path.join(tmpRoot, 'tripod-http-'));
const DB = BACKEND === 'postgres' ? process.env.TRIPOD_TEST_PG_URL : path.join(tmp, 'store.db');
const ROLES = ['admin', 'pcp', 'nurse', 'coordinator', 'outreach', 'behavioral', 'analyst', 'billing', 'patient'];
const PASSWORD = 'a long enough password';
let server, base, routes, me, other;
const cookies = {};

function run(args, input) {
  return execFileSync(TRIPOD, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

async function login(username, password = PASSWORD, headers = {}) {
  return fetch(base + '/api/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'tripod', ...headers },
    body: JSON.stringify({ username, password }),
  });
}

function cookieOf(res) {
  const sc = res.headers.get('set-cookie');
  assert.ok(sc, 'a Set-Cookie header');
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Strict/);
  return sc.split(';')[0];
}

before(async () => {
  assert.ok(DB, 'TRIPOD_TEST_PG_URL must be set for postgres');
  const data = path.join(tmp, 'data');
  run(['generate', '--patients', '120', '--seed', '9', '--years', '2', '--out', data, '--no-progress']);
  run(['import', '--quiet', '--db', DB, data]);
  run(['analyze', '--db', DB, '--as-of', '2025-12-31', '--quiet']);
  routes = JSON.parse(run(['serve', '--routes']));
  // the patient user's own record, and someone else's
  server = spawn(TRIPOD, ['serve', '--db', DB, '--port', '0', '--threads', '4',
    '--access-log', path.join(tmp, 'access.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  base = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start: ' + err)), 60000);
    server.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/[^/]+)\//.exec(err);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    server.on('exit', (c) => reject(new Error('server exited ' + c + ': ' + err)));
  });
  const anyone = await (await fetch(base + '/api/health')).json();
  assert.strictEqual(anyone.patients, 120);
  // users of every role; the patient user owns the first analysed record
  const ids = [];
  for (const role of ROLES) {
    if (role === 'patient') continue;
    run(['user', 'add', '--db', DB, '--username', role + '1', '--role', role], PASSWORD + '\n');
  }
  cookies.nurse1 = cookieOf(await login('nurse1'));
  const list = await (await fetch(base + '/api/patients?per_page=2', { headers: { Cookie: cookies.nurse1 } })).json();
  for (const p of list.items) ids.push(p.id);
  [me, other] = ids;
  run(['user', 'add', '--db', DB, '--username', 'patient1', '--role', 'patient', '--patient', me], PASSWORD + '\n');
  for (const role of ROLES) cookies[role] = cookieOf(await login(role + '1'));
});

after(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

function concrete(pattern) {
  return pattern.replace(':id', me);
}

test('every cell of the permission matrix', async () => {
  let cells = 0;
  for (const r of routes) {
    if (r.method !== 'GET') continue; // login and logout are tested below
    for (const role of ROLES) {
      const res = await fetch(base + concrete(r.pattern), { headers: { Cookie: cookies[role] } });
      const allowed = r.roles.includes(role) || r.flags.public;
      if (allowed)
        assert.ok(res.status < 400 || (r.pattern === '/api/population' && res.status === 404),
          `${role} ${r.pattern}: expected allowed, got ${res.status}`);
      else
        assert.strictEqual(res.status, 403, `${role} ${r.pattern}: expected 403, got ${res.status}`);
      cells++;
    }
    // and without a session
    const anon = await fetch(base + concrete(r.pattern));
    assert.strictEqual(anon.status, r.flags.public ? 200 : 401, `anonymous ${r.pattern}`);
  }
  assert.ok(cells >= 9 * 9, `${cells} cells`);
});

test('the permission matrix in docs/security.md is the route table', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
  for (const r of routes) {
    const row = doc.split('\n').find((l) => l.startsWith(`| ${r.method} \`${r.pattern}\` |`));
    assert.ok(row, `docs/security.md has no row for ${r.method} ${r.pattern}`);
    const cells = row.split('|').slice(2, 2 + ROLES.length).map((c) => c.trim());
    ROLES.forEach((role, i) => {
      const want = r.flags.public ? 'any' : r.roles.includes(role) ? 'yes' : '—';
      assert.strictEqual(cells[i], want, `${r.pattern} ${role}`);
    });
  }
});

test('a patient reaches only their own record', async () => {
  const c = { headers: { Cookie: cookies.patient } };
  assert.strictEqual((await fetch(`${base}/api/patients/${me}`, c)).status, 200);
  assert.strictEqual((await fetch(`${base}/api/patients/${other}`, c)).status, 404);
  assert.strictEqual((await fetch(`${base}/fhir/Patient/${other}`, c)).status, 404);
  const search = await (await fetch(`${base}/api/patients?per_page=50`, c)).json();
  assert.deepStrictEqual(search.items.map((p) => p.id), [me]);
  const fhir = await (await fetch(`${base}/fhir/Patient?_count=50`, c)).json();
  assert.strictEqual(fhir.total, 1);
  assert.strictEqual(fhir.entry[0].resource.id, me);
  const gaps = await (await fetch(`${base}/api/gaps?per_page=200`, c)).json();
  assert.ok(gaps.items.every((g) => g.patient === me));
});

test('the patient summary has the whole picture', async () => {
  const s = await (await fetch(`${base}/api/patients/${me}`, { headers: { Cookie: cookies.pcp } })).json();
  for (const k of ['demographics', 'pcp', 'risk', 'chronic_conditions', 'programs', 'care_gaps', 'hcc_gaps', 'admissions', 'ed_visits', 'utilisation'])
    assert.ok(k in s, k);
  assert.strictEqual(typeof s.risk.score, 'number');
  assert.ok(Array.isArray(s.risk.top_factors));
  const c = await (await fetch(`${base}/api/patients/${me}/contact`, { headers: { Cookie: cookies.outreach } })).json();
  assert.ok(!('chronic_conditions' in c) && !('risk' in c), 'outreach sees no clinical detail');
});

test('sign-in: one answer for unknown users and wrong passwords, then a limit', async () => {
  const a = await login('nobody-here', 'whatever password');
  const b = await login('analyst1', 'wrong password!');
  assert.strictEqual(a.status, 401);
  assert.strictEqual(b.status, 401);
  assert.deepStrictEqual(await a.json(), await b.json());
  let last;
  for (let i = 0; i < 6; i++) last = await login('billing1', 'wrong password!');
  assert.strictEqual(last.status, 429);
  assert.ok(Number(last.headers.get('retry-after')) > 0);
  // the right password is refused too while the limit holds
  assert.strictEqual((await login('billing1')).status, 429);
  // each sign-in gets a new session id
  const s1 = cookieOf(await login('coordinator1'));
  const s2 = cookieOf(await login('coordinator1'));
  assert.notStrictEqual(s1, s2);
  assert.ok(/=([0-9a-f]{64})$/.test(s1), '256-bit session id');
});

test('state-changing requests need the CSRF proofs', async () => {
  const body = JSON.stringify({ username: 'admin1', password: PASSWORD });
  const plain = await fetch(base + '/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  assert.strictEqual(plain.status, 403);
  const form = await fetch(base + '/api/login', { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-Requested-With': 'tripod' }, body });
  assert.strictEqual(form.status, 403);
  const cross = await login('admin1', PASSWORD, { Origin: 'http://evil.example' });
  assert.strictEqual(cross.status, 403);
  const site = await login('admin1', PASSWORD, { 'Sec-Fetch-Site': 'cross-site' });
  assert.strictEqual(site.status, 403);
});

test('sign-out ends the session', async () => {
  const c = cookieOf(await login('behavioral1'));
  const h = { Cookie: c, 'Content-Type': 'application/json', 'X-Requested-With': 'tripod' };
  assert.strictEqual((await fetch(base + '/api/me', { headers: h })).status, 200);
  const out = await fetch(base + '/api/logout', { method: 'POST', headers: h });
  assert.strictEqual(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assert.strictEqual((await fetch(base + '/api/me', { headers: h })).status, 401);
});

test('bad input gets a clear 4xx and the server keeps serving', async () => {
  const h = { Cookie: cookies.nurse };
  const cases = [
    ['/api/patients?per_page=9999', 400, 'per_page'],
    ['/api/patients?birth_date=yesterday', 400, 'birth_date'],
    ['/api/patients?tier=%27%3B%20DROP%20TABLE%20patient%3B--', 400, 'tier'],
    ['/fhir/Patient?name=x&bogus=1', 400, 'bogus'],
    ['/api/patients/%2e%2e', 404, null],
    ['/../../etc/passwd', 404, null],
    ['/api/nothing-here', 404, null],
  ];
  for (const [url, status, field] of cases) {
    const res = await fetch(base + url, { headers: h });
    assert.strictEqual(res.status, status, url);
    const body = await res.json();
    if (field) assert.ok(JSON.stringify(body).includes(field), `${url} names ${field}`);
  }
  const inj = await (await fetch(base + '/api/patients?q=' + encodeURIComponent("' OR 1=1 --<script>"), { headers: h })).json();
  assert.strictEqual(inj.total, 0);
  const big = await fetch(base + '/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'tripod' },
    body: JSON.stringify({ username: 'x', password: 'y'.repeat(2 << 20) }),
  });
  assert.strictEqual(big.status, 413);
  const bad = await fetch(base + '/api/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'tripod' }, body: '{"username":',
  });
  assert.strictEqual(bad.status, 400);
  assert.strictEqual((await fetch(base + '/api/health')).status, 200);
});

test('large answers are gzipped', async () => {
  const res = await fetch(base + '/api/patients?per_page=200', { headers: { Cookie: cookies.nurse, 'Accept-Encoding': 'gzip' } });
  assert.strictEqual(res.headers.get('content-encoding'), 'gzip');
  const j = await res.json(); // fetch inflates it
  assert.strictEqual(j.total, 120);
  assert.ok(zlib.gzipSync(Buffer.from(JSON.stringify(j))).length > 0);
});

test('a real FHIR client reads the CapabilityStatement and pages through Patient', async () => {
  const client = new Client({ baseUrl: base + '/fhir', customHeaders: { Cookie: cookies.pcp } });
  const cs = await client.capabilityStatement();
  assert.strictEqual(cs.resourceType, 'CapabilityStatement');
  assert.ok(cs.rest[0].resource.some((r) => r.type === 'Patient'));
  let bundle = await client.search({ resourceType: 'Patient', searchParams: { _count: 25 } });
  const seen = new Set();
  for (;;) {
    for (const e of bundle.entry || []) seen.add(e.resource.id);
    if (!bundle.link.some((l) => l.relation === 'next')) break;
    bundle = await client.nextPage({ bundle });
  }
  assert.strictEqual(seen.size, 120);
  const p = await client.read({ resourceType: 'Patient', id: me });
  assert.strictEqual(p.id, me);
});

test('the audit log holds every read, sign-in and refusal, chained', async () => {
  const list = run(['audit', 'list', '--db', DB, '--patient', other]).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(list.some((e) => e.username === 'patient1' && e.outcome === 'refused'), 'the patient\'s refused read of another record');
  const mine = run(['audit', 'list', '--db', DB, '--patient', me]).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(mine.some((e) => e.username === 'pcp1' && e.action === 'patient.read' && e.outcome === 'ok'));
  const all = run(['audit', 'list', '--db', DB]).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(all.some((e) => e.action === 'login' && e.outcome === 'failed'));
  assert.ok(all.some((e) => e.action === 'logout'));
  const v = JSON.parse(run(['audit', 'verify', '--db', DB]));
  assert.strictEqual(v.whole, true);
  assert.strictEqual(v.entries, all.length);
  const head = JSON.parse(run(['audit', 'head', '--db', DB]));
  assert.strictEqual(head.seq, all.length);
  // the access log names routes, never a patient id
  const log = fs.readFileSync(path.join(tmp, 'access.log'), 'utf8');
  assert.ok(!log.includes(me) && !log.includes(other));
});

test('SIGTERM stops the server cleanly', async () => {
  const exited = new Promise((resolve) => server.on('exit', (code, sig) => resolve([code, sig])));
  server.kill('SIGTERM');
  const [code] = await exited;
  assert.strictEqual(code, 0);
});
