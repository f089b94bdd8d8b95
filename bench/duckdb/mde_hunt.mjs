// Reference implementation of the seed's MDE hunt in DuckDB SQL, for bench/run_bench.sh: runs it over one
// CSV or JSON-lines DeviceNetworkEvents file with Kusto's semantics (kql-semantics.md §0-5) and prints JSON
// timings {"hunt_s","load_s","query_s","total_s","findings",...} on stdout; --out writes the findings as CSV.
// hunt_s is DuckDB's query time, the benchmark's anchor: from the first look at the input (CSV sniffing,
// the JSON column scan) through read_csv/read_json, the SQL and the findings fetched; without node's
// start-up, the module import, DuckDB's instance start and the macro definitions (total_s has them all
// but node's own start-up).
//
//   node bench/duckdb/mde_hunt.mjs --input FILE --format csv|jsonl --threads N
//        [--now 2024-05-31T12:00:00.0000000Z] [--out findings.csv] [--explain]
//
// Semantics (all exact, strings are never NULL: every column is read as VARCHAR and coalesced to ''):
//   time      = 100 ns ticks (BIGINT) parsed from the ISO text (7 fractional digits kept, more truncated,
//               'T' or ' ', 'Z' / +hh:mm / -hh:mm / +hhmm / none = UTC); unparsable -> NULL -> in no window.
//   now       = --now, else max(time) over every record read (a separate pass over the file first).
//   baseline  = time > now - 30d, recent = time > now - 5d (strict; later-than-now events are in both).
//   filters   = all devices; ActionType == 'ConnectionSuccess' (case-sensitive);
//               RemoteIPType !in ('Private','Loopback') (case-sensitive); RemoteIP !startswith '169.254.'.
//   summarize count(), make_set(RemoteUrl) by RemoteIP ('' is a value); keep count_ < 50;
//   drop groups where set_RemoteUrl has_any (the ten needles), evaluated per distinct URL exactly as
//               Kusto's `has` on the compact JSON text: ASCII-only case folding; a needle starting with a
//               letter must not follow [0-9A-Za-z] nor a control char (JSON writes those as \n, \u00XX,
//               whose last char is alphanumeric); every needle ends with a letter, so the next char must
//               not be [0-9A-Za-z] (a control char there is escaped to '\', also a separator).
//   join kind=inner to the recent rows on RemoteIP: one finding per recent row.
import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';
import { openSync, readSync, closeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const T0 = performance.now();

function usage(msg) {
  if (msg) process.stderr.write(`mde_hunt: ${msg}\n`);
  process.stderr.write('usage: node mde_hunt.mjs --input FILE --format csv|jsonl --threads N [--now ISO] [--out FILE] [--explain]\n');
  process.exit(2);
}

const opt = { input: null, format: null, threads: null, now: null, out: null, explain: false };
{
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; ++i) {
    const k = a[i];
    const val = () => (i + 1 < a.length ? a[++i] : usage(`${k} needs a value`));
    if (k === '--input') opt.input = val();
    else if (k === '--format') opt.format = val();
    else if (k === '--threads') opt.threads = val();
    else if (k === '--now') opt.now = val();
    else if (k === '--out') opt.out = val();
    else if (k === '--explain') opt.explain = true;
    else if (k === '--version') { process.stdout.write(`${duckdbVersion()}\n`); process.exit(0); }
    else usage(`unknown argument ${k}`);
  }
}
if (!opt.input) usage('--input is required');
if (opt.format !== 'csv' && opt.format !== 'jsonl') usage('--format must be csv or jsonl');
if (opt.threads !== null && !/^[1-9][0-9]*$/.test(opt.threads)) usage('--threads must be a positive integer');

const sqlStr = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;

// The ten needles of the seed, as one RE2 pattern over the ASCII-lower-cased URL (see header comment).
const LETTER_NEEDLES = ['login.microsoftonline.com', 'login.live.com', 'autodiscover-s.outlook.com',
  'ocsp.digicert.com', 'ocsp.verisign.com', 'login.windows.net', 'outlook.office365.com',
  'accounts.accesscontrol.windows.net'];
const DOT_NEEDLES = ['.microsoft.com', '.windowsupdate.com'];
const reEsc = (s) => s.replace(/[.\-]/g, (c) => `\\${c}`);
const NEEDLE_RE =
  `(^|[^0-9a-z\\x00-\\x1f])(${LETTER_NEEDLES.map(reEsc).join('|')})([^0-9a-z]|$)` +
  `|(${DOT_NEEDLES.map(reEsc).join('|')})([^0-9a-z]|$)`;
const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ASCII_LOWER = 'abcdefghijklmnopqrstuvwxyz';
const TICKS_PER_DAY = 864000000000n;

// Column names of a JSON-lines file: union of the keys of the lines in its first MiB, in first-seen order.
// Streaming API records ({"time","tenantId","category","properties":{...}}) are read through `properties`.
function jsonColumns(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  let text = buf.subarray(0, n).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (n === buf.length) lines.pop(); // last line may be cut
  const keys = new Map();
  let envelope = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    let obj;
    try { obj = JSON.parse(line); } catch { continue; }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) continue;
    const isEnv = obj.properties !== null && typeof obj.properties === 'object' && !Array.isArray(obj.properties) &&
      typeof obj.category === 'string';
    if (envelope === null) envelope = isEnv;
    for (const k of Object.keys(envelope ? (obj.properties ?? {}) : obj)) keys.set(k, true);
  }
  return { envelope: !!envelope, columns: [...keys.keys()] };
}

// SQL relation over the input file with every column as VARCHAR ('' for missing/empty/null values).
// Without --out only the columns the hunt reads are declared for JSON (the reader then skips the others).
function sourceRelation() {
  if (opt.format === 'csv') {
    // nullstr: a string that never occurs, so empty fields (quoted or not) stay '' (coalesce is belt and braces).
    return `read_csv(${sqlStr(opt.input)}, header = true, all_varchar = true, delim = ',', quote = '"', ` +
      `escape = '"', nullstr = '\u0001rareconn-never-null\u0001', auto_detect = true)`;
  }
  const found = jsonColumns(opt.input);
  const { envelope } = found;
  let { columns } = found;
  if (!columns.length) throw new Error(`no JSON object found at the start of ${opt.input}`);
  if (!opt.out) {
    const needed = ['Timestamp', 'TimeGenerated', 'ActionType', 'RemoteIPType', 'RemoteIP', 'RemoteUrl'];
    const keep = columns.filter((c) => needed.includes(c));
    if (keep.includes('Timestamp')) columns = keep.filter((c) => c !== 'TimeGenerated');
    else columns = keep;
  }
  const spec = columns.map((c) => `${sqlStr(c)}: 'VARCHAR'`).join(', ');
  if (!envelope) {
    return `read_json(${sqlStr(opt.input)}, format = 'newline_delimited', records = true, columns = {${spec}})`;
  }
  const struct = `STRUCT(${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`;
  return `(SELECT unnest(properties) FROM read_json(${sqlStr(opt.input)}, format = 'newline_delimited', ` +
    `records = true, columns = {'properties': ${sqlStr(struct)}}))`;
}

async function main() {
  const inst = await DuckDBInstance.create(':memory:', opt.threads ? { threads: opt.threads } : {});
  const con = await inst.connect();
  const run = (sql) => con.run(sql);
  const scalar = async (sql) => (await con.runAndReadAll(sql)).getRows()[0][0];

  await run("SET TimeZone = 'UTC'");
  await run('SET preserve_insertion_order = false');
  // ISO 8601 text -> 100 ns ticks since 1970-01-01Z (BIGINT), NULL when malformed. Fast path for the
  // 28-char 'YYYY-MM-DDTHH:MM:SS.fffffffZ' form, general path for 'T'/' ', 0-9+ digits, Z/offset/none.
  const ISO_RE = sqlStr('^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})(\\.[0-9]*)?(Z|[+-][0-9]{2}:?[0-9]{2})?$');
  await run(`CREATE MACRO iso_part(ts, k) AS regexp_extract(ts, ${ISO_RE}, k)`);
  await run(`CREATE MACRO iso_offset_ticks(z) AS CASE WHEN z IN ('', 'Z') THEN 0 ELSE
      (CASE WHEN z[1] = '-' THEN -1 ELSE 1 END)
      * (try_cast(z[2:3] AS BIGINT) * 3600 + try_cast(z[-2:] AS BIGINT) * 60) * 10000000 END`);
  await run(`CREATE MACRO iso_ticks(ts) AS CASE
    WHEN length(ts) = 28 AND ts[11] = 'T' AND ts[20] = '.' AND ts[28] = 'Z'
         AND ts[21:27] GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9]' THEN
      epoch_us(try_cast(ts[1:19] AS TIMESTAMP)) * 10 + try_cast(ts[21:27] AS BIGINT)
    WHEN iso_part(ts, 1) = '' THEN NULL
    ELSE epoch_us(try_cast(iso_part(ts, 1) || ' ' || iso_part(ts, 2) AS TIMESTAMP)) * 10
         + coalesce(try_cast(rpad(left(iso_part(ts, 3)[2:], 7), 7, '0') AS BIGINT), 0)
         - iso_offset_ticks(iso_part(ts, 4))
  END`);
  // `has_any (needles)` on the JSON text of one set element (an element of set_RemoteUrl).
  await run(`CREATE MACRO url_has_any(u) AS regexp_matches(translate(u, '${ASCII_UPPER}', '${ASCII_LOWER}'), ${sqlStr(NEEDLE_RE)})`);

  const TH = performance.now();
  const src = sourceRelation();
  const col = (c) => `coalesce(${ident(c)}, '')`;
  // Input column list (for --out): from the relation itself.
  const srcCols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRows().map((r) => String(r[0]));
  for (const c of ['Timestamp', 'ActionType', 'RemoteIPType', 'RemoteIP', 'RemoteUrl']) {
    if (!srcCols.includes(c) && !(c === 'Timestamp' && srcCols.includes('TimeGenerated'))) {
      throw new Error(`input has no column ${c} (columns: ${srcCols.join(', ')})`);
    }
  }
  const timeCol = srcCols.includes('Timestamp') ? 'Timestamp' : 'TimeGenerated';

  // now
  let nowTicks;
  let nowS = 0;
  if (opt.now !== null) {
    const t = await scalar(`SELECT iso_ticks(${sqlStr(opt.now)})`);
    if (t === null) usage(`cannot parse --now ${opt.now}`);
    nowTicks = BigInt(t);
  } else {
    const tn = performance.now();
    const t = await scalar(`SELECT max(iso_ticks(${col(timeCol)})) FROM ${src}`);
    nowS = (performance.now() - tn) / 1000;
    if (t === null) nowTicks = null; // no parsable event: nothing can be in a window
    else nowTicks = BigInt(t);
  }
  const baselineCut = nowTicks === null ? null : nowTicks - 30n * TICKS_PER_DAY;
  const recentCut = nowTicks === null ? null : nowTicks - 5n * TICKS_PER_DAY;

  // load: one pass over the file into a temp table of the baseline rows that pass the filters
  const tl = performance.now();
  const extra = opt.out ? ', ' + srcCols.map((c) => `${col(c)} AS ${ident(c)}`).join(', ') : '';
  const loadSql = `CREATE TEMP TABLE ev AS
    SELECT * FROM (
      SELECT iso_ticks(${col(timeCol)}) AS _t, ${col('RemoteIP')} AS _ip, ${col('RemoteUrl')} AS _url${extra}
      FROM ${src}
      WHERE ${col('ActionType')} = 'ConnectionSuccess'
        AND ${col('RemoteIPType')} NOT IN ('Private', 'Loopback')
        AND NOT starts_with(${col('RemoteIP')}, '169.254.'))
    WHERE _t > ${baselineCut === null ? 'NULL' : baselineCut.toString()}`;
  if (opt.explain) process.stderr.write(`${loadSql};\n`);
  await run(loadSql);
  const loadS = (performance.now() - tl) / 1000 + nowS;

  // query: summarize by RemoteIP (two levels: distinct (ip,url) pairs first, so has_any runs once per pair),
  // rare + not allow-listed, inner join with the recent rows.
  const tq = performance.now();
  const rareCte = `pairs AS (SELECT _ip, _url, count(*) AS n FROM ev GROUP BY _ip, _url),
    g AS (SELECT _ip, sum(n)::BIGINT AS count_, bool_or(url_has_any(_url)) AS hit, list(_url) AS urls
          FROM pairs GROUP BY _ip),
    rare AS (SELECT _ip, count_, urls FROM g WHERE count_ < 50 AND NOT hit)`;
  const recentWhere = `ev._t > ${recentCut === null ? 'NULL' : recentCut.toString()}`;
  let findings;
  if (!opt.out) {
    const q = `WITH ${rareCte} SELECT count(*) FROM ev JOIN rare ON ev._ip = rare._ip WHERE ${recentWhere}`;
    if (opt.explain) process.stderr.write(`${q};\n`);
    findings = Number(await scalar(q));
  } else {
    // Kusto's columns: RemoteIP, set_RemoteUrl, count_, then every input column (RemoteIP -> RemoteIP1).
    const outCols = srcCols.map((c) => `ev.${ident(c)} AS ${ident(c === 'RemoteIP' ? 'RemoteIP1' : c)}`).join(', ');
    await run(`CREATE TEMP TABLE findings AS WITH ${rareCte}
      SELECT rare._ip AS RemoteIP, to_json(rare.urls)::VARCHAR AS set_RemoteUrl, rare.count_ AS count_, ${outCols}, ev._t AS _t
      FROM ev JOIN rare ON ev._ip = rare._ip WHERE ${recentWhere}`);
    findings = Number(await scalar('SELECT count(*) FROM findings'));
    await run(`COPY (SELECT * EXCLUDE (_t) FROM findings ORDER BY _t, RemoteIP1) TO ${sqlStr(opt.out)} (FORMAT csv, HEADER true)`);
  }
  const queryS = (performance.now() - tq) / 1000;
  const huntS = (performance.now() - TH) / 1000;

  const fmtNow = nowTicks === null ? null : await scalar(
    `SELECT strftime(make_timestamp(${(nowTicks / 10n).toString()}), '%Y-%m-%dT%H:%M:%S.') || lpad('${(nowTicks % 10000000n).toString()}', 7, '0') || 'Z'`);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  process.stdout.write(JSON.stringify({
    hunt_s: r3(huntS), load_s: r3(loadS), query_s: r3(queryS), total_s: r3((performance.now() - T0) / 1000), findings,
    now: fmtNow, now_given: opt.now !== null, now_pass_s: r3(nowS), threads: opt.threads ? Number(opt.threads) : null,
    format: opt.format, duckdb: duckdbVersion(),
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`mde_hunt: ${e && e.message ? e.message : e}\n`);
  process.exit(3);
});
