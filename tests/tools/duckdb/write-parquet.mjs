// Writes Parquet files with DuckDB, an independent writer (not the library Redshifter reads them with),
// and beside each file the values DuckDB reads back from it, as text: the expected values of a test.
//
//   node write-parquet.mjs JOBS.json
//
// JOBS.json is an array of jobs:
//   { "select": "SELECT …", "path": "/tmp/x.parquet",
//     "compression": "zstd", "parquetVersion": "v2", "rowGroupSize": 1000 }
// (compression: uncompressed|snappy|gzip|zstd|lz4_raw|brotli; parquetVersion: v1|v2; both optional;
// "readBack": false writes the file only, e.g. a large one for a benchmark).
// A job without "select" only reads back a file written by another writer (DuckDB as an independent reader).
// For each job it writes `path` (unless only read back) and `path.expected.json`:
//   { "columns": [{ "name", "type" }], "encodings": { column: [PLAIN, …] }, "rows": [[text or null, …], …] }
// Values are DuckDB's CAST(… AS VARCHAR) with TimeZone UTC (nested ones: to_json), in the file's row order.
import { readFileSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const codecs = new Set(['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli']);
const versions = new Set(['v1', 'v2']);

const literal = (text) => `'${String(text).replaceAll("'", "''")}'`;

async function write(connection, job) {
    const format = (job.format ?? 'parquet').toLowerCase();
    if (format !== 'parquet') return writeText(connection, job, format);
    if (job.select) await copy(connection, job);
    if (job.readBack !== false) await readBack(connection, job);
}

// JSON (newline-delimited objects) and CSV as DuckDB writes them; the expected values are those of the SELECT
// itself (DuckDB's text of each value), since a text file is only a spelling of them.
async function writeText(connection, job, format) {
    if (!['json', 'csv'].includes(format)) throw new Error(`unknown format '${job.format}' (parquet, json, csv)`);
    const options = format === 'json' ? ['FORMAT json'] : ['FORMAT csv', `HEADER ${job.header ? 'true' : 'false'}`];
    if (job.compression && job.compression !== 'uncompressed') options.push(`COMPRESSION ${job.compression}`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE job AS ${job.select}`);
    // A time zone other than UTC makes DuckDB write timestamptz values with that zone's offsets (+05:45, LMT's…).
    if (job.timeZone) await connection.run(`SET TimeZone = ${literal(job.timeZone)}`);
    try {
        await connection.run(`COPY job TO ${literal(job.path)} (${options.join(', ')})`);
    } finally {
        await connection.run(`SET TimeZone = 'UTC'`);
    }
    await expectedOf(connection, 'job', job.path, {});
}

async function copy(connection, job) {
    const compression = (job.compression ?? 'snappy').toLowerCase();
    const version = (job.parquetVersion ?? 'v1').toLowerCase();
    if (!codecs.has(compression)) throw new Error(`unknown compression '${job.compression}' (${[...codecs].join(', ')})`);
    if (!versions.has(version)) throw new Error(`unknown parquetVersion '${job.parquetVersion}' (v1, v2)`);
    const options = [`FORMAT parquet`, `COMPRESSION ${compression}`, `PARQUET_VERSION ${version}`];
    if (job.rowGroupSize) options.push(`ROW_GROUP_SIZE ${Number(job.rowGroupSize)}`);
    await connection.run(`COPY (${job.select}) TO ${literal(job.path)} (${options.join(', ')})`);
}

async function readBack(connection, job) {
    const file = `read_parquet(${literal(job.path)})`;
    // The encodings DuckDB chose, per column: what the file actually exercises in the reader.
    const meta = (await connection.runAndReadAll(
        `SELECT path_in_schema, string_agg(DISTINCT encodings, ',') AS encodings FROM parquet_metadata(${literal(job.path)}) GROUP BY path_in_schema`)).getRowObjectsJS();
    const encodings = Object.fromEntries(meta.map((m) => [m.path_in_schema, [...new Set(m.encodings.split(/,\s*/))].sort()]));
    await expectedOf(connection, file, job.path, encodings);
}

async function expectedOf(connection, file, path, encodings) {
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`)).getRowObjectsJS();
    const columns = described.map((d) => ({ name: d.column_name, type: d.column_type }));
    // Nested values (STRUCT, LIST, MAP) as JSON, the form they take in a SUPER column; others as DuckDB's text.
    const nested = (type) => /^(STRUCT|MAP)\(|\[\]$/.test(type);
    const text = columns.map((c) => {
        const name = `"${c.name.replaceAll('"', '""')}"`;
        return nested(c.type) ? `CAST(to_json(${name}) AS VARCHAR)` : `CAST(${name} AS VARCHAR)`;
    }).join(', ');
    const rows = (await connection.runAndReadAll(`SELECT ${text} FROM ${file}`)).getRows();
    writeFileSync(`${path}.expected.json`, JSON.stringify({ columns, encodings, rows }));
}

const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(`SET TimeZone = 'UTC'`);
// One thread: the file's rows stay in the order of the SELECT, and read back in that order.
await connection.run(`SET threads = 1`);
for (const job of jobs) await write(connection, job);
connection.closeSync();
