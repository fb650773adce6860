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
const texts = ids.map(text);
const lists = ids.map(list);

// Strings whose shared prefix, in bytes (as DELTA_BYTE_ARRAY stores it), is shorter than the string before
// it in UTF-16 characters, or ends inside a character: a reader that cuts the prefix by characters, not
// bytes, makes other strings of them without failing. ASCII strings alone as the control.
const utf8Prefixes = ['übc', 'üx', 'Straße 1', 'Straße 2', '日本語テキスト', '日本人', 'ü', 'ö', 'ascii', 'asc'];
const ascii = texts.map((t) => t?.replace(/[^\x20-\x7e]/g, '?') ?? null);

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

// The columns of a file: id (0, 1, …) and the others given, by name: { s: strings, li: lists }.
function columns(values) {
    const rows = Object.values(values)[0].length;
    const vectors = { id: vectorFromArray(Array.from({ length: rows }, (_, i) => BigInt(i)), new Int64()) };
    for (const [name, column] of Object.entries(values))
        vectors[name] = vectorFromArray(column, name === 'li' ? new List(new Field('item', new Int32(), true)) : new Utf8());
    return { vectors, values: { id: Array.from({ length: rows }, (_, i) => i), ...values } };
}

const deltaStrings = (b) => b.setColumnDictionaryEnabled('s', false).setColumnEncoding('s', Encoding.DELTA_BYTE_ARRAY);

const files = [
    // (a) DELTA_BYTE_ARRAY: only the primary encoding when the dictionary is off (else it is the fallback).
    ...[['v1', WriterVersion.V1], ['v2', WriterVersion.V2]].flatMap(([name, version]) => [
        { name: `delta_byte_array_${name}`, columns: columns({ s: texts }), properties: properties(version, deltaStrings) },
        { name: `delta_byte_array_utf8_prefixes_${name}`, columns: columns({ s: utf8Prefixes }), properties: properties(version, deltaStrings) },
        { name: `delta_byte_array_ascii_${name}`, columns: columns({ s: ascii }), properties: properties(version, deltaStrings) },
        // (b) DELTA_LENGTH_BYTE_ARRAY, the same way.
        { name: `delta_length_byte_array_${name}`, columns: columns({ s: texts }), properties: properties(version,
            (b) => b.setColumnDictionaryEnabled('s', false).setColumnEncoding('s', Encoding.DELTA_LENGTH_BYTE_ARRAY)) },
        // (c) A list<int32> and a string column (arrow-rs's default encodings: dictionary, with its fallback),
        // on data pages v2 with writer version 2.0; v1 alongside as the control.
        { name: `list_${name}`, columns: columns({ li: lists, s: texts }), properties: properties(version, (b) => b) },
    ]),
];

for (const file of files) {
    const path = join(dir, file.name + '.parquet');
    writeFileSync(path, writeParquet(Table.fromIPCStream(tableToIPC(makeTable(file.columns.vectors))), file.properties));
    const names = Object.keys(file.columns.values);
    const rows = file.columns.values.id.map((i) => names.map((n) => file.columns.values[n][i]));
    writeFileSync(path + '.written.json', JSON.stringify({ columns: names, rows }));
}
