// Writes Parquet files with arrow-rs (parquet-wasm), a second independent writer besides DuckDB, with what
// DuckDB does not write: DELTA_BYTE_ARRAY and DELTA_LENGTH_BYTE_ARRAY string columns (on v1 and v2 data
// pages), and nested columns (lists, maps, lists of structs and of lists) on data pages v2, in every codec
// and encoding arrow-rs writes them in. Beside each file, `path.written.json` holds the values written, as
// JSON ({ "columns": [names], "rows": [[value or null, …], …] }; 64-bit integers and decimals as exact
// numbers, dates and timestamps as ISO 8601 text), so a test can check the independent reader too.
//
//   node write-arrow-parquet.mjs DIR
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Binary, Bool, DateDay, Decimal, Field, Float32, Float64, Int32, Int64, List, Map_, Struct, TimestampMillisecond, Utf8, makeTable, tableToIPC, vectorFromArray } from 'apache-arrow';
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

// Column types: the Arrow type, a value as Arrow takes it, and as JSON text (what DuckDB must read back).
const field = (name, type, nullable = true) => new Field(name, type, nullable);
const orNull = (t, v) => (v === null ? 'null' : t.json(v));
const T = {
    utf8: { arrow: () => new Utf8(), value: (v) => v, json: (v) => JSON.stringify(v) },
    int32: { arrow: () => new Int32(), value: (v) => v, json: (v) => String(v) },
    int64: { arrow: () => new Int64(), value: (v) => BigInt(v), json: (v) => String(v) },
    double: { arrow: () => new Float64(), value: (v) => v, json: (v) => JSON.stringify(v) },
    float: { arrow: () => new Float32(), value: (v) => v, json: (v) => JSON.stringify(v) },
    bool: { arrow: () => new Bool(), value: (v) => v, json: (v) => String(v) },
    // Days from 1970-01-01.
    date: { arrow: () => new DateDay(), value: (v) => new Date(v * 86400000), json: (v) => JSON.stringify(new Date(v * 86400000).toISOString().slice(0, 10)) },
    // Milliseconds from 1970-01-01, an instant (TIMESTAMP adjusted to UTC).
    timestamp: { arrow: () => new TimestampMillisecond('UTC'), value: (v) => v, json: (v) => JSON.stringify(new Date(v).toISOString()) },
    // The unscaled value as a BigInt: Arrow takes a Decimal128 as four 32-bit words, least significant first.
    decimal: (precision, scale) => ({
        arrow: () => new Decimal(scale, precision, 128),
        value: (v) => {
            const bits = BigInt.asUintN(128, v);
            return new Uint32Array([0, 1, 2, 3].map((k) => Number((bits >> BigInt(32 * k)) & 0xffffffffn)));
        },
        json: (v) => {
            const digits = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
            return (v < 0n ? '-' : '') + (scale > 0 ? digits.slice(0, -scale) + '.' + digits.slice(-scale) : digits);
        },
    }),
    list: (item) => ({
        arrow: () => new List(field('item', item.arrow())),
        value: (v) => v.map((x) => (x === null ? null : item.value(x))),
        json: (v) => '[' + v.map((x) => orNull(item, x)).join(',') + ']',
    }),
    struct: (members) => ({
        arrow: () => new Struct(Object.entries(members).map(([name, t]) => field(name, t.arrow()))),
        value: (v) => Object.fromEntries(Object.entries(members).map(([name, t]) => [name, v[name] === null ? null : t.value(v[name])])),
        json: (v) => '{' + Object.entries(members).map(([name, t]) => JSON.stringify(name) + ':' + orNull(t, v[name])).join(',') + '}',
    }),
    // Entries as [key, value] pairs; keys are text, never null.
    map: (value) => ({
        arrow: () => new Map_(new Field('entries', new Struct([new Field('key', new Utf8(), false), field('value', value.arrow())]), false)),
        value: (v) => new Map(v.map(([k, x]) => [k, x === null ? null : value.value(x)])),
        json: (v) => '{' + v.map(([k, x]) => JSON.stringify(k) + ':' + orNull(value, x)).join(',') + '}',
    }),
    // Bytes (no UTF8 annotation), given as an array of byte values; written to JSON as the text they are, if UTF-8.
    binary: {
        arrow: () => new Binary(),
        value: (v) => new Uint8Array(v),
        json: (v) => JSON.stringify(new TextDecoder().decode(new Uint8Array(v))),
    },
};

// The columns of a file: id (0, 1, …) and the others given, by name: { s: [values, type] }.
function columns(values) {
    const rows = Object.values(values)[0][0].length;
    const all = { id: [Array.from({ length: rows }, (_, i) => i), T.int64], ...values };
    return Object.fromEntries(Object.entries(all).map(([name, [column, type]]) => [name, { values: column, type }]));
}

// Nested columns with every shape Dremel levels have — null and empty lists and maps, null elements, null
// structs and members, lists of lists — over the element types (text with multi-byte UTF-8, 32- and 64-bit
// integers with their extremes, dates, timestamps, decimals stored as INT32, INT64 and FIXED_LEN_BYTE_ARRAY,
// doubles, floats, booleans).
const NESTED_ROWS = 1200;
const nestedIds = Array.from({ length: NESTED_ROWS }, (_, i) => i);

// A list of up to 4 items item(k), null where (i + salt) % 5 = 1 and empty where it is 4.
const listOf = (i, item, salt = 0) => {
    const shape = (i + salt) % 5;
    if (shape === 1) return null;
    if (shape === 4) return [];
    return Array.from({ length: 1 + ((i + salt) % 4) }, (_, k) => item(k));
};
const firstRow = (i, extremes, otherwise) => (i === 0 ? extremes : otherwise());

const nested = {
    ls: [nestedIds.map((i) => listOf(i, (k) => ((i + k) % 6 === 0 ? null : text(i + 7 * k) ?? 'ü-' + k))), T.list(T.utf8)],
    mp: [nestedIds.map((i) => (i % 7 === 3 ? null : i % 7 === 5 ? [] : firstRow(i,
        [['min', -9223372036854775808n], ['max', 9223372036854775807n], ['ü – null', null]],
        () => (i % 2 ? [['k' + (i % 13), i * 1234567891], ['日本' + (i % 3), null]] : [['k' + (i % 13), -i]])))), T.map(T.int64)],
    lst: [nestedIds.map((i) => listOf(i, (k) => ((i + k) % 7 === 2 ? null : {
        a: (i + k) % 3 === 0 ? null : i * 10 + k,
        b: (i + k) % 4 === 1 ? null : 'b' + (i % 50) + 'ß',
        c: (i + k) / 8 - 3,
    }), 1)), T.list(T.struct({ a: T.int32, b: T.utf8, c: T.double }))],
    ll: [nestedIds.map((i) => firstRow(i, [[-2147483648, 2147483647, null], [], null], () => listOf(i, (k) => {
        const shape = (i + k) % 6;
        if (shape === 5) return null;
        if (shape === 4) return [];
        return Array.from({ length: 1 + ((i + k) % 3) }, (_, j) => ((i * k + j) % 9 === 0 ? null : i * 100 + k * 10 + j));
    }, 2))), T.list(T.list(T.int32))],
    ld: [nestedIds.map((i) => firstRow(i, [-719162, 2932896, null, 0],
        () => listOf(i, (k) => ((i + k) % 6 === 0 ? null : ((i * 37 + k * 1000) % 40000) - 15000), 3))), T.list(T.date)],
    lt: [nestedIds.map((i) => firstRow(i, [-1, 0, -62135596800000, 253402300799999, null],
        () => listOf(i, (k) => ((i + k) % 6 === 1 ? null : 1709210096123 + i * 86400123 - k * 34560000000), 4))), T.list(T.timestamp)],
    ldec: [nestedIds.map((i) => firstRow(i, [-(10n ** 38n - 1n), 10n ** 38n - 1n, null, 0n],
        () => listOf(i, (k) => ((i + k) % 6 === 2 ? null : BigInt(i * 7919 + k) * 12345678901234567890123n - 5n * 10n ** 26n)))), T.list(T.decimal(38, 10))],
    ldec9: [nestedIds.map((i) => firstRow(i, [-999999999n, 999999999n, null],
        () => listOf(i, (k) => ((i + k) % 6 === 3 ? null : BigInt(((i * 31 + k) % 2000000) - 1000000)), 1))), T.list(T.decimal(9, 3))],
    ldec18: [nestedIds.map((i) => firstRow(i, [-(10n ** 18n - 1n), 10n ** 18n - 1n, null],
        () => listOf(i, (k) => ((i + k) % 6 === 4 ? null : BigInt(i) * 1234567891011n - 99999n + BigInt(k)), 2))), T.list(T.decimal(18, 4))],
    ldbl: [nestedIds.map((i) => firstRow(i, [1e300, 5e-324, -1.7976931348623157e308, 2.2250738585072014e-308, null],
        () => listOf(i, (k) => ((i + k) % 6 === 5 ? null : (i * k) / 7 - i), 3))), T.list(T.double)],
    lf: [nestedIds.map((i) => firstRow(i, [3.4028234663852886e38, -1.401298464324817e-45, null],
        () => listOf(i, (k) => ((i + k) % 6 === 0 ? null : i / 7 + k), 4))), T.list(T.float)],
    lb: [nestedIds.map((i) => listOf(i, (k) => ((i + k) % 5 === 2 ? null : (i * k) % 3 === 0), 2)), T.list(T.bool)],
};
const only = (...names) => Object.fromEntries(names.map((n) => [n, nested[n]]));

// Data pages v2 with the codec, and either dictionary encoding (with a small dictionary page limit: chunks fall
// back to their other encoding part way) or none (arrow-rs's v2 encodings: DELTA_BINARY_PACKED integers,
// DELTA_BYTE_ARRAY byte arrays, RLE booleans, PLAIN floating point).
function nestedProperties(version, compression, dictionary, configure = (b) => b) {
    return properties(version, (b) => configure(b.setCompression(compression).setDictionaryEnabled(dictionary).setDictionaryPageSizeLimit(1024)));
}
const codecs = [['uncompressed', Compression.UNCOMPRESSED], ['snappy', Compression.SNAPPY], ['gzip', Compression.GZIP],
    ['brotli', Compression.BROTLI], ['zstd', Compression.ZSTD], ['lz4_raw', Compression.LZ4_RAW]];
// One encoding for the whole file (arrow-rs sets an encoding by column only for top-level columns), id left PLAIN.
const encoded = (encoding) => (b) => b.setEncoding(encoding).setColumnEncoding('id', Encoding.PLAIN);

const nestedFiles = [
    ...codecs.flatMap(([name, codec]) => [true, false].map((dictionary) => ({
        name: `nested_${name}_${dictionary ? 'dictionary' : 'plain'}_v2`, columns: columns(nested),
        properties: nestedProperties(WriterVersion.V2, codec, dictionary),
    }))),
    { name: 'nested_encoding_plain_v2', columns: columns(nested), properties: nestedProperties(WriterVersion.V2, Compression.SNAPPY, false, encoded(Encoding.PLAIN)) },
    { name: 'nested_encoding_delta_length_byte_array_v2', columns: columns(only('ls')), properties: nestedProperties(WriterVersion.V2, Compression.ZSTD, false, encoded(Encoding.DELTA_LENGTH_BYTE_ARRAY)) },
    { name: 'nested_encoding_delta_byte_array_v2', columns: columns(only('ls')), properties: nestedProperties(WriterVersion.V2, Compression.GZIP, false, encoded(Encoding.DELTA_BYTE_ARRAY)) },
    { name: 'nested_encoding_byte_stream_split_v2', columns: columns(only('ldbl', 'lf')), properties: nestedProperties(WriterVersion.V2, Compression.SNAPPY, false, encoded(Encoding.BYTE_STREAM_SPLIT)) },
    // v1 pages, as most writers write them.
    { name: 'nested_snappy_dictionary_v1', columns: columns(nested), properties: nestedProperties(WriterVersion.V1, Compression.SNAPPY, true) },
    // Non-ASCII text in a list, DELTA_BYTE_ARRAY on v1 pages, with prefixes shared in bytes that end inside a character.
    { name: 'nested_encoding_delta_byte_array_v1', columns: columns({ ls: [nestedIds.map((i) => listOf(i, (k) => ((i + k) % 6 === 0 ? null : utf8Prefixes[(i + k) % utf8Prefixes.length]))), T.list(T.utf8)] }),
        properties: nestedProperties(WriterVersion.V1, Compression.GZIP, false, encoded(Encoding.DELTA_BYTE_ARRAY)) },
    // Bytes that are not UTF-8 (0xFF) in a list of binary values (read as text) in row 7.
    { name: 'not_utf8_list_v2', columns: columns({ lbin: [nestedIds.slice(0, 20).map((i) => (i === 7 ? [[0x61], [0xff, 0x62]] : [[0x61 + (i % 26)], []])), T.list(T.binary)] }),
        properties: nestedProperties(WriterVersion.V2, Compression.SNAPPY, false) },
];

const deltaStrings = (b) => b.setColumnDictionaryEnabled('s', false).setColumnEncoding('s', Encoding.DELTA_BYTE_ARRAY);

const files = [
    // (a) DELTA_BYTE_ARRAY: only the primary encoding when the dictionary is off (else it is the fallback).
    ...[['v1', WriterVersion.V1], ['v2', WriterVersion.V2]].flatMap(([name, version]) => [
        { name: `delta_byte_array_${name}`, columns: columns({ s: [texts, T.utf8] }), properties: properties(version, deltaStrings) },
        { name: `delta_byte_array_utf8_prefixes_${name}`, columns: columns({ s: [utf8Prefixes, T.utf8] }), properties: properties(version, deltaStrings) },
        { name: `delta_byte_array_ascii_${name}`, columns: columns({ s: [ascii, T.utf8] }), properties: properties(version, deltaStrings) },
        // (b) DELTA_LENGTH_BYTE_ARRAY, the same way.
        { name: `delta_length_byte_array_${name}`, columns: columns({ s: [texts, T.utf8] }), properties: properties(version,
            (b) => b.setColumnDictionaryEnabled('s', false).setColumnEncoding('s', Encoding.DELTA_LENGTH_BYTE_ARRAY)) },
        // (c) A list<int32> and a string column (arrow-rs's default encodings: dictionary, with its fallback),
        // on data pages v2 with writer version 2.0; v1 alongside as the control.
        { name: `list_${name}`, columns: columns({ li: [lists, T.list(T.int32)], s: [texts, T.utf8] }), properties: properties(version, (b) => b) },
    ]),
    ...nestedFiles,
];

for (const file of files) {
    const path = join(dir, file.name + '.parquet');
    const names = Object.keys(file.columns);
    const vectors = Object.fromEntries(names.map((n) => {
        const { values, type } = file.columns[n];
        return [n, vectorFromArray(values.map((v) => (v === null ? null : type.value(v))), type.arrow())];
    }));
    writeFileSync(path, writeParquet(Table.fromIPCStream(tableToIPC(makeTable(vectors))), file.properties));
    const rows = file.columns.id.values.map((_, i) => '[' + names.map((n) => orNull(file.columns[n].type, file.columns[n].values[i])).join(',') + ']');
    writeFileSync(path + '.written.json', `{"columns":${JSON.stringify(names)},"rows":[${rows.join(',')}]}`);
}
