#!/usr/bin/env node
// The same SQLite work through node:sqlite or better-sqlite3 on the Node that runs it (docs/performance.md,
// «Node 24 and the desk's SQLite binding»): `node tools/bench/bin/sqlite-binding.mjs node`, or `… better
// <folder of a better-sqlite3 built for this Node>`. Time it whole with farm-bench; it prints its rates.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const [which = 'node', betterDir] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'paydesk-sqlite-binding-'));
const file = join(dir, 'a.db');
let db;
if (which === 'better') {
  if (!betterDir) throw new Error('better: give the folder of a better-sqlite3 built for this Node');
  const Better = createRequire(import.meta.url)(betterDir);
  db = new Better(file);
} else db = new DatabaseSync(file);
const rate = (n, t0) => Math.round(n / ((performance.now() - t0) / 1000));

db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = FULL');
db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
db.exec('CREATE TABLE a (number TEXT PRIMARY KEY, owner TEXT, street TEXT, version INTEGER) WITHOUT ROWID');
const body = JSON.stringify({ lines: [1, 2, 3].map((k) => ({ s: `S${k}`, p: '2026-11', a: 100_000 })), padding: 'x'.repeat(600) });
const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
const begin = db.prepare('BEGIN');
const commit = db.prepare('COMMIT');
let t0 = performance.now();
for (let i = 0; i < 2_000; i++) {
  begin.run();
  insert.run(body);
  commit.run();
}
const commits = rate(2_000, t0);
const insertAccount = db.prepare('INSERT INTO a (number, owner, street, version) VALUES (?, ?, ?, ?)');
t0 = performance.now();
begin.run();
for (let i = 0; i < 200_000; i++) insertAccount.run(String(1_000_000 + i), `Иванов ${i}`, `Ленина ${i % 300}`, i);
commit.run();
const bulk = rate(200_000, t0);
const byNumber = db.prepare('SELECT * FROM a WHERE number = ?');
t0 = performance.now();
for (let i = 0; i < 200_000; i++) byNumber.get(String(1_000_000 + ((i * 7_907) % 200_000)));
const reads = rate(200_000, t0);
const byStreet = db.prepare('SELECT * FROM a WHERE street = ? LIMIT 50');
t0 = performance.now();
for (let i = 0; i < 200; i++) byStreet.all(`Ленина ${i}`);
const scans = rate(200, t0);
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    binding: which,
    node: process.version,
    commitsPerS: commits,
    bulkRowsPerS: bulk,
    pointReadsPerS: reads,
    scansPerS: scans,
  }),
);
