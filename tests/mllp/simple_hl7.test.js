// simple_hl7.test.js — `tripod mllp` with a real MLLP peer.
//
// Starts `tripod mllp --db <temp sqlite> --port 0` on loopback, then:
//  1. sends every reference sample message several times through the npm
//     package simple-hl7 (one connection per message, many at once) and
//     checks each ACK: AA, MSA-2 = the message's MSH-10, apps swapped;
//  2. sends invalid messages and expects AE/AR with an ERR segment;
//  3. sends several messages on one kept-alive connection;
//  4. with raw sockets: junk outside a frame (AR, then the server hangs up),
//     a frame cut by an abrupt disconnect (FIN and RST), an oversize frame
//     (AR), two pipelined frames in one write, a frame in 1-byte pieces;
//  5. stops the server with SIGTERM (exit 0, no sanitizer report), and checks
//     that the store holds exactly the messages answered AA, and none of the
//     cut ones.
// Every step is bounded in time; only 127.0.0.1 is used.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn, execFileSync } = require('child_process');

const TRIPOD = process.argv[2];
const REFDATA = process.env.TRIPOD_TESTDATA || path.join(__dirname, '..', 'data');
const TOOLS = process.env.TRIPOD_TOOLS || path.join(__dirname, '..', '..', 'tools');
const ROUNDS = 3;         // each sample is sent this many times (unique MSH-10 each)
const CONCURRENCY = 48;   // clients in flight at once
const STEP_TIMEOUT = 15000;
const TOTAL_TIMEOUT = 240000;

let failures = 0;
let passes = 0;
function check(cond, what) {
  if (cond) {
    passes++;
  } else {
    failures++;
    console.error('FAIL: ' + what);
  }
}
function die(msg) {
  console.error('mllp.simple_hl7: ' + msg);
  process.exit(1);
}

const hl7dir = path.join(TOOLS, 'node_modules', 'simple-hl7');
if (!fs.existsSync(hl7dir))
  die('the npm package simple-hl7 is missing from ' + hl7dir + ' (run scripts/setup)');
const hl7 = require(hl7dir);
if (!TRIPOD || !fs.existsSync(TRIPOD))
  die('usage: node simple_hl7.test.js PATH/TO/tripod');

const overall = setTimeout(() => die('timed out after ' + TOTAL_TIMEOUT / 1000 + ' s'), TOTAL_TIMEOUT);

// A sample file as one message: no BOM, segments separated by CR, and
// MSH-10 replaced by a unique id so that each send is its own stored row.
function prepare(text, controlId) {
  text = text.replace(/^\uFEFF/, '');
  const segs = text.split(/\r\n|\r|\n/).map((s) => s.replace(/\s+$/, '')).filter((s) => s.length);
  const msh = segs[0].split('|');
  const orig = { app: msh[2], fac: msh[3], rapp: msh[4], rfac: msh[5], trigger: (msh[8] || '').split('^')[1] };
  msh[9] = controlId;
  segs[0] = msh.join('|');
  return { raw: segs.join('\r'), orig };
}

// simple-hl7's client sends msg.toString() framed with 0x0B .. 0x1C 0x0D:
// wrap the raw text so that it goes out byte for byte.
function rawMessage(raw) {
  return { toString: () => raw };
}

function sendOne(port, raw, timeout = STEP_TIMEOUT) {
  return new Promise((resolve) => {
    const client = hl7.Server.createTcpClient({ host: '127.0.0.1', port, keepalive: false });
    const timer = setTimeout(() => {
      client.close();
      resolve({ err: new Error('no ACK within ' + timeout + ' ms') });
    }, timeout);
    client.send(rawMessage(raw), (err, ack) => {
      clearTimeout(timer);
      resolve({ err, ack });
    });
  });
}

async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

function msa(ack) {
  const s = ack && ack.getSegment('MSA');
  return s ? { code: s.getField(1), id: s.getField(2) } : { code: '', id: '' };
}

// Raw socket helper: writes chunks, collects bytes until the server closes or
// `frames` ACK frames arrived, or a timeout.
function rawExchange(port, chunks, opts = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      if (!sock.destroyed) sock.destroy();
      const frames = [];
      let s = data.toString('latin1');
      let i;
      while ((i = s.indexOf('\x1c\r')) >= 0) {
        frames.push(s.slice(s.indexOf('\x0b') + 1, i));
        s = s.slice(i + 2);
      }
      resolve({ frames, closed });
    };
    const timer = setTimeout(finish, opts.timeout || 3000);
    sock.on('data', (d) => {
      data = Buffer.concat([data, d]);
      const n = (data.toString('latin1').match(/\x1c\r/g) || []).length;
      if (opts.frames && n >= opts.frames) finish();
    });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('error', () => {});
    sock.on('connect', async () => {
      for (const c of chunks) {
        sock.write(c);
        if (opts.pause) await new Promise((r) => setTimeout(r, opts.pause));
      }
      if (opts.abort === 'fin') { sock.end(); }
      if (opts.abort === 'rst') { sock.resetAndDestroy(); }
    });
  });
}

function ackCode(frame) {
  const m = /(?:^|\r)MSA\|([A-Z]{2})\|([^|\r]*)/.exec(frame || '');
  return m ? { code: m[1], id: m[2] } : { code: '', id: '' };
}

async function main() {
  const tmpRoot = process.env.TRIPOD_TEST_TMP || os.tmpdir();
  fs.mkdirSync(tmpRoot, { recursive: true });
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'mllp-'));
  const db = path.join(dir, 'mllp.db');

  const server = spawn(TRIPOD, ['mllp', '--db', db, '--port', '0', '--max-frame', '65536',
                                '--max-conns', '32'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  server.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => server.on('exit', (code, sig) => resolve({ code, sig })));
  const port = await new Promise((resolve) => {
    const t = setTimeout(() => resolve(0), STEP_TIMEOUT);
    server.stdout.on('data', (d) => {
      stdout += d;
      const m = /"port":(\d+)/.exec(stdout);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
  });
  if (!port) {
    server.kill('SIGKILL');
    die('tripod mllp did not report its port; stderr: ' + stderr);
  }

  let aa = 0;
  let aaEvents = 0;
  const mapped = new Set(['A01', 'A02', 'A03', 'A04', 'A08']);

  // 1. Every sample, ROUNDS times, many connections at once.
  const files = fs.readdirSync(path.join(REFDATA, 'hl7v2')).filter((f) => f.endsWith('.hl7')).sort();
  check(files.length >= 57, 'reference samples found: ' + files.length);
  const jobs = [];
  for (let r = 0; r < ROUNDS; r++)
    files.forEach((f, i) => {
      const text = fs.readFileSync(path.join(REFDATA, 'hl7v2', f), 'utf8');
      jobs.push({ file: f, ...prepare(text, `T${r}-${i}-${f.replace(/\W/g, '')}`) });
    });
  const results = await pool(jobs, CONCURRENCY, (job) => sendOne(port, job.raw));
  results.forEach((res, i) => {
    const job = jobs[i];
    const id = job.raw.split('\r')[0].split('|')[9];
    if (res.err) { check(false, job.file + ': ' + res.err.message); return; }
    const a = msa(res.ack);
    check(a.code === 'AA', job.file + ': MSA-1 ' + a.code + ' (want AA)');
    check(a.id === id, job.file + ': MSA-2 ' + a.id + ' (want ' + id + ')');
    check(res.ack.header.getComponent(7, 1) === 'ACK', job.file + ': MSH-9 of the ACK');
    check(res.ack.header.getField(1) === job.orig.rapp, job.file + ': ACK MSH-3 is the original MSH-5');
    check(res.ack.header.getField(3) === job.orig.app, job.file + ': ACK MSH-5 is the original MSH-3');
    if (a.code === 'AA') {
      aa++;
      if (mapped.has(job.orig.trigger)) aaEvents++;
    }
  });
  console.log(`samples: ${jobs.length} sent, ${aa} AA`);

  // 2. Invalid messages: AE for bad content, AR for what is not a message.
  const H = 'MSH|^~\\&|TESTAPP|TESTFAC|TRIPOD|TRIPOD|20240301120000||';
  const bad = [
    { raw: H + 'ADT^A01|BAD-DOB|P|2.5\rEVN|A01|20240301\rPID|||42^^^MRN||DOE^J||19881350|F\rPV1||I',
      code: 'AE', loc: 'PID^1^7' },
    { raw: H + 'ADT^A03|BAD-PID3|P|2.5\rEVN|A03|20240301\rPID|||^^^MRN||DOE^J\rPV1||I',
      code: 'AE', loc: 'PID^1^3' },
    { raw: H + 'ADT^A01||P|2.5\rPID|||42', code: 'AR', loc: 'MSH^1^10' },
    { raw: H + 'ADT^A01|BAD-SEG|P|2.5\rPID|||42\rhello world', code: 'AR', loc: '' },
    { raw: 'this is not HL7', code: 'AR', loc: 'MSH' },
  ];
  for (const b of bad) {
    const res = await sendOne(port, b.raw);
    if (res.err) { check(false, 'invalid message: ' + res.err.message); continue; }
    const a = msa(res.ack);
    check(a.code === b.code, `invalid message answered ${a.code} (want ${b.code}): ${b.raw.slice(0, 60)}`);
    const err = res.ack.getSegment('ERR');
    check(!!err, 'ERR segment present for ' + b.code);
    if (err && b.loc) check(err.getField(2).startsWith(b.loc), 'ERR-2 ' + err.getField(2) + ' (want ' + b.loc + ')');
    if (err) check(err.getField(8).length > 0, 'ERR-8 has the reason');
  }

  // 3. One kept-alive connection, several messages in turn.
  {
    const client = hl7.Server.createTcpClient({ host: '127.0.0.1', port, keepalive: true });
    for (let k = 0; k < 5; k++) {
      const job = prepare(fs.readFileSync(path.join(REFDATA, 'hl7v2', 'ADT04-251.hl7'), 'utf8'), 'KEEP-' + k);
      const res = await new Promise((resolve) => {
        const t = setTimeout(() => resolve({ err: new Error('timeout') }), STEP_TIMEOUT);
        client.send(rawMessage(job.raw), (err, ack) => { clearTimeout(t); resolve({ err, ack }); });
      });
      const a = res.err ? { code: 'none' } : msa(res.ack);
      check(a.code === 'AA' && a.id === 'KEEP-' + k, 'keep-alive message ' + k + ': ' + a.code);
      if (a.code === 'AA') { aa++; aaEvents++; }
    }
    client.close();
  }

  // 4. Raw sockets.
  const VT = '\x0b', FS = '\x1c', CR = '\r';
  const frame = (id) => VT + prepare(fs.readFileSync(path.join(REFDATA, 'hl7v2', 'ADT-A03-02.hl7'), 'utf8'), id).raw + FS + CR;
  {
    const r = await rawExchange(port, ['GARBAGE without a start block\r\n']);
    check(r.frames.length === 1 && ackCode(r.frames[0]).code === 'AR', 'junk answered AR: ' + JSON.stringify(r.frames));
    check(r.closed, 'server hangs up after junk');
  }
  for (const how of ['fin', 'rst']) {
    const partial = frame('PARTIAL-' + how);
    const r = await rawExchange(port, [partial.slice(0, partial.length / 2)], { abort: how, timeout: 1500 });
    check(r.frames.length === 0, 'no ACK for a frame cut by ' + how);
  }
  {
    const big = VT + H + 'ADT^A08|BIG-1|P|2.5\rNTE|1||' + 'x'.repeat(70000) + FS + CR;
    const r = await rawExchange(port, [big, frame('AFTER-BIG')], { frames: 2 });
    check(r.frames.length === 2 && ackCode(r.frames[0]).code === 'AR', 'oversize frame answered AR');
    check(ackCode(r.frames[1]).code === 'AA' && ackCode(r.frames[1]).id === 'AFTER-BIG', 'frame after an oversize one: AA');
    if (ackCode(r.frames[1]).code === 'AA') { aa++; aaEvents++; }
  }
  {
    const r = await rawExchange(port, [frame('PIPE-1') + '\r\n' + frame('PIPE-2')], { frames: 2 });
    const codes = r.frames.map((f) => ackCode(f));
    check(codes.length === 2 && codes[0].id === 'PIPE-1' && codes[1].id === 'PIPE-2' &&
          codes.every((c) => c.code === 'AA'), 'two pipelined frames, two AA in order: ' + JSON.stringify(codes));
    codes.forEach((c) => { if (c.code === 'AA') { aa++; aaEvents++; } });
  }
  {
    const f = frame('SLOW-1');
    const r = await rawExchange(port, f.match(/[\s\S]{1,64}/g), { frames: 1, pause: 2, timeout: 8000 });
    check(r.frames.length === 1 && ackCode(r.frames[0]).code === 'AA', 'frame in small pieces: AA');
    if (r.frames.length === 1 && ackCode(r.frames[0]).code === 'AA') { aa++; aaEvents++; }
  }
  // Many connections dropped mid-frame at once, then the server still serves.
  {
    const cuts = [];
    for (let k = 0; k < 40; k++) {
      const p = frame('CUT-' + k);
      cuts.push(rawExchange(port, [p.slice(0, 100 + k * 10)], { abort: k % 2 ? 'rst' : 'fin', timeout: 1500 }));
    }
    const rs = await Promise.all(cuts);
    check(rs.every((r) => r.frames.length === 0), 'no ACK for 40 cut frames');
    const res = await sendOne(port, prepare(fs.readFileSync(path.join(REFDATA, 'hl7v2', 'ADT01-28.hl7'), 'utf8'), 'ALIVE-1').raw);
    const a = res.err ? { code: 'none' } : msa(res.ack);
    check(a.code === 'AA', 'server still answers after abrupt disconnects: ' + a.code);
    if (a.code === 'AA') { aa++; aaEvents++; }
  }

  // 5. SIGTERM while messages are in flight: those answered AA are stored,
  // the others were not acknowledged (the sender would retry them).
  const a01 = fs.readFileSync(path.join(REFDATA, 'hl7v2', 'ADT-A01-02.hl7'), 'utf8');
  const inflight = [];
  for (let k = 0; k < 30; k++) inflight.push(sendOne(port, prepare(a01, 'TERM-' + k).raw, 4000));
  await new Promise((r) => setTimeout(r, 20));
  server.kill('SIGTERM');
  const late = await Promise.all(inflight);
  let lateAA = 0;
  late.forEach((res) => { if (!res.err && msa(res.ack).code === 'AA') { lateAA++; aa++; aaEvents++; } });
  console.log(`in flight at SIGTERM: 30 sent, ${lateAA} AA`);
  const ex = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), STEP_TIMEOUT))]);
  if (!ex) {
    server.kill('SIGKILL');
    check(false, 'tripod mllp did not stop within ' + STEP_TIMEOUT + ' ms of SIGTERM');
  } else {
    check(ex.code === 0, 'tripod mllp exit code ' + ex.code + ' signal ' + ex.sig + '; stderr: ' + stderr.slice(-2000));
  }
  check(!/ERROR: (Address|Leak)Sanitizer|runtime error/.test(stderr), 'no sanitizer report: ' + stderr.slice(-2000));
  const summary = stdout.trim().split('\n').pop();
  console.log('server summary: ' + summary);

  const q = (sql) => Number(execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim());
  const stored = q('SELECT count(*) FROM hl7_message');
  const events = q('SELECT count(*) FROM adt_event');
  check(stored === aa, `stored messages ${stored} = AA acks ${aa}`);
  check(events === aaEvents, `stored ADT events ${events} = AA acks of A01/A02/A03/A04/A08 ${aaEvents}`);
  check(q("SELECT count(*) FROM hl7_message WHERE message_control_id LIKE 'PARTIAL%' OR message_control_id LIKE 'CUT-%' OR message_control_id LIKE 'BAD%' OR message_control_id LIKE 'BIG%'") === 0,
        'nothing stored from cut, refused or oversize frames');
  check(q("SELECT count(*) FROM hl7_message WHERE message_control_id LIKE 'TERM-%'") === lateAA,
        'messages in flight at SIGTERM: stored = acknowledged');
  check(q("SELECT count(*) FROM adt_event WHERE event_type = 'A03' AND discharge_time IS NOT NULL") > 0,
        'discharges stored with their time');

  fs.rmSync(dir, { recursive: true, force: true });
  clearTimeout(overall);
  console.log(`${passes} passed, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => die(e.stack || String(e)));
