// Writes Parquet files with arrow-rs (parquet-wasm), a second independent writer besides DuckDB, with what
// DuckDB does not write: DELTA_BYTE_ARRAY and DELTA_LENGTH_BYTE_ARRAY string columns (on v1 and v2 data
// pages) and lists on data pages v2. Beside each file, `path.written.json` holds the values written, as JSON
// ({ "columns": [names], "rows": [[value or null, …], …] }), so a test can check the independent reader too.
//
//   node write-arrow-parquet.mjs DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, Int32, Int64, List, Utf8, makeTable, tableToIPC, vectorFromArray } from 'apache-arrow';
import { Compression, Encoding, Table, WriterPropertiesBuilder, WriterVersion, writeParquet } from 'parquet-wasm';

const dir = process.argv[2];
const ROWS = 3000;

// Strings that exercise the delta encodings: shared prefixes of every length (DELTA_BYTE_ARRAY stores only
// the suffix), a value equal to the one before (empty suffix), empty strings, multi-byte UTF-8, long
// values, and nulls (i % 7 = 3), as DuckDbParquetTests' columns have them.
function text(i) {
    if (i % 7 === 3) return null;
    if (i === 0 || i % 97 === 5) return '';
    if (i === 1) return 'ü – 日本語 "q" \'s\' \\ 🙂';
    if (i % 50 === 7) return 'long-' + 'xyz'.repeat(100 + i % 37) + i;
    if (i % 11 === 2) return text(i - 1) ?? 'after null'; // same as the row before
    if (i % 13 === 4) return 'präfix-ß-' + Math.floor(i / 13) + '-€';
    return 'prefix-' + Math.floor(i / 10) + '-' + (i % 10) + (i % 3 === 0 ? '-tail' : '');
}

// Lists with every shape Dremel levels have: null list (i % 5 = 1), empty list (i % 5 = 4), null elements,
// one element, several (up to 4); and the int32 extremes.
function list(i) {
    if (i % 5 === 1) return null;
    if (i % 5 === 4) return [];
    if (i === 0) return [-2147483648, 2147483647, null];
    const items = [];
    for (let k = 0; k <= i % 4; k++) items.push((i + k) % 6 === 0 ? null : i * 10 + k);
    return items;
}

const ids = Array.from({ length: ROWS }, (_, i) => i);
const id = vectorFromArray(ids.map(BigInt), new Int64());
const s = vectorFromArray(ids.map(text), new Utf8());
const li = vectorFromArray(ids.map(list), new List(new Field('item', new Int32(), true)));

// Small pages and row groups: every file has several row groups, each of several pages, so the decoders
// carry their state across page boundaries.
function properties(version, configure) {
    let builder = new WriterPropertiesBuilder()
        .setWriterVersion(version)
        .setCompression(Compression.SNAPPY)
        .setMaxRowGroupSize(1000)
        .setDataPageSizeLimit(2048)
        .setWriteBatchSize(128);
    return configure(builder).build();
}

const files = [
    // (a) DELTA_BYTE_ARRAY: only the primary encoding when the dictionary is off (else it is the fallback).
    ...[['v1', WriterVersion.V1], ['v2', WriterVersion.V2]].flatMap(([name, version]) => [
        { name: `delta_byte_array_${name}`, columns: { id, s }, properties: properties(version,
            (b) => b.setColumnDictionaryEnabled('s', false).setColumnEncoding('s', Encoding.DELTA_BYTE_ARRAY)) },
        // (b) DELTA_LENGTH_BYTE_ARRAY, the same way.
        { name: `delta_length_byte_array_${name}`, columns: { id, s }, properties: properties(version,
            (b) => b.setColumnDictionaryEnabled('s', false).setColumnEncoding('s', Encoding.DELTA_LENGTH_BYTE_ARRAY)) },
        // (c) A list<int32> and a string column (arrow-rs's default encodings: dictionary, with its fallback),
        // on data pages v2 with writer version 2.0; v1 alongside as the control.
        { name: `list_${name}`, columns: { id, li, s }, properties: properties(version, (b) => b) },
    ]),
];

for (const file of files) {
    const table = makeTable(file.columns);
    const path = join(dir, file.name + '.parquet');
    writeFileSync(path, writeParquet(Table.fromIPCStream(tableToIPC(table)), file.properties));
    const names = Object.keys(file.columns);
    const rows = ids.map((i) => names.map((n) => n === 'id' ? i : n === 's' ? text(i) : list(i)));
    writeFileSync(path + '.written.json', JSON.stringify({ columns: names, rows }));
}
