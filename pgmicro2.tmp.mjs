import pg from "pg";
import { openStore } from "/work/wt/natsfill/dist/store/open.js";
const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
await admin.connect(); const name = `natsfill_micro_${process.pid}`; await admin.query(`CREATE DATABASE ${name}`);
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
try {
  const store = await openStore({ kind: "postgres", url });
  await store.writeCheckpoint({ cluster: "m", partition: 0, expectedVersion: 0, lastSeq: 0, owner: "x", snapshot: { a: "z".repeat(300000) }, at: new Date().toISOString() });
  await store.close();
  const c = new pg.Client({ connectionString: url }); await c.connect();
  const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
  const run = async (label, fn, n = 300) => { const t = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); await fn(i); t.push(performance.now() - t0); await new Promise(r => setTimeout(r, 5)); } console.log(label.padEnd(40), "p50", pct(t, .5).toFixed(2), "p90", pct(t, .9).toFixed(2), "p99", pct(t, .99).toFixed(2), "mean", (t.reduce((a, b) => a + b, 0) / n).toFixed(2)); };
  const HEAD = "cluster, partition, version, last_seq, snapshot_seq, owner, updated_at";
  const row = `UPDATE partition_checkpoints SET version = version + 1, last_seq = $3, owner = $4, updated_at = $5 WHERE cluster = $1 AND partition = $2 AND version = $6 AND last_seq <= $3 RETURNING ${HEAD}`;
  const text = `WITH cp AS (${row}), ev AS (INSERT INTO partition_events (cluster, partition, input_seq, n, account_id, event) SELECT $1, $2, e.input_seq, e.n, e.account_id, e.event FROM json_to_recordset($7::json) AS e(input_seq bigint, n integer, account_id text, event json) WHERE EXISTS (SELECT 1 FROM cp) ON CONFLICT DO NOTHING) SELECT * FROM cp`;
  let v = 1, seq = 1;
  const ev = (s) => JSON.stringify([{ input_seq: s, n: 0, account_id: "acct-000001", event: { type: "fill_applied", seq: s, account: "acct-000001", detail: { size: 0.1, price: 90000, x: "y".repeat(200) } } }]);
  for (let rep = 0; rep < 2; rep++) {
  await run("CTE unnamed", async () => { const r = await c.query(text, ["m", 0, seq, "x", new Date().toISOString(), v, ev(seq)]); v = r.rows[0].version; seq++; });
  await run("CTE named", async () => { const r = await c.query({ name: "cp_ev", text, values: ["m", 0, seq, "x", new Date().toISOString(), v, ev(seq)] }); v = r.rows[0].version; seq++; });
  await run("row only unnamed", async () => { const r = await c.query(row, ["m", 0, seq, "x", new Date().toISOString(), v]); v = r.rows[0].version; seq++; });
  }
  await c.end();
} finally { await admin.query(`DROP DATABASE ${name} WITH (FORCE)`); await admin.end(); }
