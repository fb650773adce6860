using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Inference;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Loading;

/// <summary>
/// A Parquet object from S3, read row group by row group. Parquet keeps its schema and row-group index at
/// the end of the file, so a reader must seek: the object is spooled to a temporary file (deleted on
/// close) rather than held in memory, and only one row group's columns are in memory at a time.
/// </summary>
internal sealed class ParquetSource : IAsyncDisposable
{
    // Parquet.Net pools its decompression streams; unbounded by default, which would keep the largest
    // row group's buffers for the life of the process.
    internal static readonly ParquetOptions Options = new()
    {
        UseDateOnlyTypeForDates = true,
        TreatByteArrayAsString = true,
        // DECIMAL as its unscaled integer and scale: .NET decimal holds 28-29 digits and would round a
        // DECIMAL(38,s) silently.
        UseBigDecimal = true,
        MaximumSmallPoolFreeBytes = 16 << 20,
        MaximumLargePoolFreeBytes = 32 << 20,
    };

    private readonly FileStream _file;
    private readonly ParquetReader _reader;

    private ParquetSource(FileStream file, ParquetReader reader, SourceObject source)
    {
        _file = file;
        _reader = reader;
        Source = source;
        Fields = reader.Schema.Fields;
    }

    public SourceObject Source { get; }

    /// <summary>
    /// The file's columns, in file order (COPY matches them to the table's columns by position): flat ones
    /// (<see cref="DataField"/>) and nested ones (struct, list, map), which load as JSON text into SUPER.
    /// </summary>
    public IReadOnlyList<Field> Fields { get; }

    public int RowGroupCount => _reader.RowGroupCount;

    public static async Task<ParquetSource> OpenAsync(S3Storage storage, SourceObject source, Action<long> onBytes, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"redshifter-{Guid.NewGuid():N}.parquet");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        // On Unix DeleteOnClose is .NET deleting the file when it closes it, which a process killed with
        // kill -9 never does: the spool file stayed in the temporary folder. Its name goes at once instead
        // (the open handle keeps its data until closed). Windows deletes such a file when the process dies.
        if (!OperatingSystem.IsWindows()) File.Delete(path);
        try
        {
            var body = await SourceStreams.OpenAsync(storage, source, onBytes, cancellationToken).ConfigureAwait(false);
            try
            {
                await using (body.ConfigureAwait(false)) await body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (S3ReadException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw SourceStreams.ReadFailed(source, ex);
            }
            return await OpenSpooledAsync(file, source, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a Parquet file already on local disk (the spool file; a benchmark's file). It owns the file from here on.</summary>
    internal static async Task<ParquetSource> OpenSpooledAsync(FileStream file, SourceObject source, CancellationToken cancellationToken)
    {
        try
        {
            file.Position = 0;
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(file, Options, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw SourceStreams.Corrupt(source, new InvalidDataException("it is not a readable Parquet file (" + ex.Message + ")", ex));
            }
            return new ParquetSource(file, reader, source);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private ColumnValues[]? _columns;

    /// <summary>
    /// Reads one row group's columns into memory, into the same arrays each time (row groups are large:
    /// new arrays for each would pile up on the large-object heap), so the previous group's values are gone.
    /// </summary>
    public async Task<ParquetRowGroup> ReadRowGroupAsync(int index, CancellationToken cancellationToken)
    {
        var group = _reader.OpenRowGroupReader(index);
        var rows = checked((int)group.RowCount);
        _columns ??= ColumnsOf(Fields);
        for (var c = 0; c < _columns.Length; c++)
        {
            try
            {
                if (_columns[c] is NestedJson nested) await nested.ReadAsync(group, Fields[c], rows, _file, cancellationToken).ConfigureAwait(false);
                else await _columns[c].ReadAsync(group, (DataField)Fields[c], rows, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or RedshifterException))
            {
                throw Unreadable(group, index, c, ex);
            }
        }
        // Parquet.Net reads each column chunk into page and decompression buffers it allocates anew and drops
        // (arrays of 128 KB to 8 MB, on the large-object heap): garbage that only a full collection frees, and
        // the GC's own came late enough that a 1 GB file's load peaked near 300 MB above idle. A full (blocking)
        // collection after each large row group, once its values are in our arrays, frees it at no measurable
        // cost in time (docs/benchmarks.md); small row groups make little of that garbage and are left to the GC.
        if (group.RowGroup.TotalByteSize >= LargeRowGroupBytes) GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        return new ParquetRowGroup(rows, _columns);
    }

    private const long LargeRowGroupBytes = 4 << 20;

    /// <summary>
    /// A column that cannot be read (Parquet.Net does not decode it, or Redshifter does not load its type): the
    /// error names the file, row group, column and what it is made of, and says what to change in the file.
    /// </summary>
    private RedshifterException Unreadable(ParquetRowGroupReader group, int index, int column, Exception ex)
    {
        var field = Fields[column];
        var element = field.SchemaElement;
        var chunk = field is DataField data ? group.GetMetadata(data)?.MetaData : null;
        var encodings = chunk?.Encodings ?? [];
        var logical = element?.LogicalType is { } type
            ? type.GetType().GetProperties().FirstOrDefault(p => p.GetValue(type) != null)?.Name
            : element?.ConvertedType?.ToString();
        var what = field is DataField
            ? $"{element?.Type}{(logical != null ? " " + logical : "")}, encoding {(encodings.Count > 0 ? string.Join("/", encodings) : "unknown")}, codec {chunk?.Codec}"
            : $"nested {field.SchemaType}";
        var newerEncoding = encodings.Any(e => e is Parquet.Meta.Encoding.DELTA_BINARY_PACKED or Parquet.Meta.Encoding.DELTA_LENGTH_BYTE_ARRAY
            or Parquet.Meta.Encoding.DELTA_BYTE_ARRAY or Parquet.Meta.Encoding.BYTE_STREAM_SPLIT);
        var recommendation = ex is UnsupportedTypeException
            ? $"Export column '{field.Name}' as a type that Redshift's COPY loads from Parquet (for example as text), or leave it out of the file, then load again."
            : newerEncoding && field is DataField
                ? "Write the file with v1 data pages and PLAIN/dictionary encodings (DuckDB: PARQUET_VERSION v1; Spark: parquet.writer.version v1; pyarrow: data_page_version='1.0'), or load it into Redshift, whose COPY reads it."
                : "Write the file again with common settings (v1 data pages, snappy), or load it into Redshift, whose COPY reads it.";
        var reason = ex.Message;
        return new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
            $"{Source.Uri}: cannot read column '{field.Name}' ({what}) of row group {index + 1} of {RowGroupCount}: {reason}. Nothing was loaded.",
            recommendation, Source.Uri, ex);
    }

    /// <summary>
    /// The readers of the file's columns. INT32/INT64 columns are read as the integers they store, through
    /// fields of a physical type (attached to schemas of their own, as Parquet.Net requires), and turned
    /// into their logical type's value by <see cref="ParquetIntegers"/>. The source check reads a file's head
    /// with the same readers.
    /// </summary>
    internal static ColumnValues[] ColumnsOf(IReadOnlyList<Field> fields)
    {
        var columns = new ColumnValues[fields.Count];
        List<DataField> asInt32 = [], asInt64 = [];
        for (var c = 0; c < fields.Count; c++)
        {
            if (fields[c] is not DataField { IsArray: false } field)
            {
                columns[c] = new NestedJson();
                continue;
            }
            var physical = ParquetIntegers.PhysicalType(field);
            if (physical == null)
            {
                columns[c] = ColumnValues.For(field);
                continue;
            }
            DataField? int32 = null;
            if (physical == Parquet.Meta.Type.INT32) asInt32.Add(int32 = new DataField<int>(field.Name, field.IsNullable));
            var int64 = new DataField<long>(field.Name, field.IsNullable);
            asInt64.Add(int64);
            columns[c] = new StoredIntegers(int32, int64, field.SchemaElement!);
        }
        if (asInt32.Count > 0) _ = new ParquetSchema(asInt32);
        if (asInt64.Count > 0) _ = new ParquetSchema(asInt64);
        return columns;
    }

    /// <summary>
    /// The config type a Parquet column suggests (New-RedshiftTableConfig): Parquet's physical and logical
    /// types as Parquet.Net reads them. Strings are varchar, sized by the values seen.
    /// </summary>
    public static (InferredType Type, int Precision, int Scale) ConfigTypeOf(Field column)
    {
        if (column is not DataField { IsArray: false } field) return (InferredType.Super, 0, 0);
        var type = field.ClrType;
        if (type == typeof(bool)) return (InferredType.Boolean, 0, 0);
        if (type == typeof(sbyte) || type == typeof(byte) || type == typeof(short)) return (InferredType.SmallInt, 0, 0);
        if (type == typeof(ushort) || type == typeof(int)) return (InferredType.Int, 0, 0);
        if (type == typeof(uint) || type == typeof(long)) return (InferredType.BigInt, 0, 0);
        if (type == typeof(ulong)) return (InferredType.Numeric, 20, 0);
        if (type == typeof(float) || type == typeof(double)) return (InferredType.Float, 0, 0);
        if (type == typeof(decimal) || type == typeof(Parquet.Data.BigDecimal))
            return field is DecimalDataField d ? (InferredType.Numeric, d.Precision, d.Scale) : (InferredType.Numeric, 38, 18);
        if (type == typeof(DateOnly)) return (InferredType.Date, 0, 0);
        // Redshift's COPY loads a Parquet TIMESTAMP into TIMESTAMP (UTC wall time) whether or not it is adjusted to UTC.
        if (type == typeof(DateTime)) return (InferredType.Timestamp, 0, 0);
        return (InferredType.Varchar, 0, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One column of a row group, read with the typed API (no per-value boxing while reading).</summary>
    internal abstract class ColumnValues
    {
        public abstract Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken);
        public abstract object? this[int row] { get; }

        /// <summary>
        /// Puts a row's value into the batch's column. The common pairs (a Parquet type that the column holds
        /// as it is) go in without boxing; every other value goes through <see cref="RowBatch.SetValue"/>,
        /// the one place of the conversion rules, which the fast paths here must agree with.
        /// </summary>
        public virtual void Store(int row, RowBatch batch, int column) => batch.SetValue(column, this[row]);

        public static ColumnValues For(DataField field)
        {
            var t = field.ClrType;
            if (t == typeof(bool)) return new Values<bool>();
            if (t == typeof(sbyte)) return new Values<sbyte>();
            if (t == typeof(byte)) return new Values<byte>();
            if (t == typeof(short)) return new Values<short>();
            if (t == typeof(ushort)) return new Values<ushort>();
            if (t == typeof(int)) return new Values<int>();
            if (t == typeof(uint)) return new Values<uint>();
            if (t == typeof(long)) return new Values<long>();
            if (t == typeof(ulong)) return new Values<ulong>();
            if (t == typeof(float)) return new Values<float>();
            if (t == typeof(double)) return new Values<double>();
            if (t == typeof(decimal)) return new Values<decimal>();
            if (t == typeof(Parquet.Data.BigDecimal)) return new Values<Parquet.Data.BigDecimal>();
            if (t == typeof(DateOnly)) return new Values<DateOnly>();
            if (t == typeof(DateTime)) return new Values<DateTime>();
            if (t == typeof(TimeSpan)) return new Values<TimeSpan>();
            if (t == typeof(TimeOnly)) return new Values<TimeOnly>();
            if (t == typeof(Guid)) return new Values<Guid>(); // UUID: loads as its text
            // Text, and byte arrays read as text (TreatByteArrayAsString).
            return t == typeof(string) || t == typeof(ReadOnlyMemory<char>) || t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) ? new Strings(field) : new Unsupported();
        }
    }

    /// <summary>A column of a type Redshifter does not load (e.g. INTERVAL): an error when its row group is read.</summary>
    private sealed class Unsupported : ColumnValues
    {
        public override Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken) =>
            throw new UnsupportedTypeException($"Redshifter does not load Parquet values of this type (read as {field.ClrType.Name})");

        public override object? this[int row] => null;
    }

    private sealed class UnsupportedTypeException(string message) : NotSupportedException(message);

    private sealed class Values<T> : ColumnValues where T : struct
    {
        private T?[] _nullable = [];
        private T[] _required = [];

        public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        {
            // A required column is read with the non-nullable API: read as nullable, Parquet.Net 6.1 was seen
            // to return NULL now and then for a value of a required column.
            if (field.IsNullable)
            {
                if (_nullable.Length < rows) _nullable = new T?[rows];
                await group.ReadAsync(field, _nullable.AsMemory(0, rows), null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_required.Length < rows) _required = new T[rows];
                await group.ReadAsync(field, _required.AsMemory(0, rows), null, cancellationToken).ConfigureAwait(false);
            }
        }

        public override object? this[int row] => _required.Length > 0 ? _required[row] : _nullable[row];

        public override void Store(int row, RowBatch batch, int column)
        {
            T value;
            if (_required.Length > 0) value = _required[row];
            else
            {
                var present = _nullable[row];
                if (!present.HasValue)
                {
                    batch.SetNull(column);
                    return;
                }
                value = present.GetValueOrDefault();
            }
            if (TryStorageForm(value, batch.KindOf(column), out var bits)) batch.SetFixed(column, bits);
            else batch.SetValue(column, value);
        }

        // The pairs TargetColumn.Store keeps as they are, in RowBatch's storage form (the JIT drops the other branches per T).
        private static bool TryStorageForm(T value, ColumnKind kind, out long bits)
        {
            if (typeof(T) == typeof(bool) && kind == ColumnKind.Boolean) bits = Unsafe.As<T, bool>(ref value) ? 1 : 0;
            else if (typeof(T) == typeof(long) && kind == ColumnKind.BigInt) bits = Unsafe.As<T, long>(ref value);
            else if (typeof(T) == typeof(int) && kind == ColumnKind.Int) bits = Unsafe.As<T, int>(ref value);
            else if (typeof(T) == typeof(double) && kind == ColumnKind.Float) bits = BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref value));
            else if (typeof(T) == typeof(DateOnly) && kind == ColumnKind.Date) bits = Unsafe.As<T, DateOnly>(ref value).DayNumber;
            else if (typeof(T) == typeof(DateTime) && kind is ColumnKind.Timestamp or ColumnKind.TimestampTz) bits = TargetColumn.UtcTicks(Unsafe.As<T, DateTime>(ref value));
            else
            {
                bits = 0;
                return false;
            }
            return true;
        }
    }

    /// <summary>
    /// An INT32/INT64 column read as its stored integers (whatever their encoding: PLAIN, dictionary,
    /// DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT) and definition levels, each value given as its logical type.
    /// </summary>
    /// <param name="int32">the column as INT32 values, or null for an INT64 column</param>
    /// <param name="int64">the column as INT64 values</param>
    private sealed class StoredIntegers(DataField? int32, DataField int64, Parquet.Meta.SchemaElement element) : ColumnValues
    {
        private readonly IntegerMeaning _meaning = ParquetIntegers.MeaningOf(element);
        private long[] _values = [];
        private int[] _levels = [];
        private bool[] _isNull = [];

        public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        {
            if (_values.Length < rows)
            {
                _values = new long[rows];
                _levels = new int[rows];
                _isNull = new bool[rows];
            }
            var nullable = int64.MaxDefinitionLevel > 0;
            var levels = nullable ? _levels.AsMemory(0, rows) : (Memory<int>?)null; // not a null array: that would be an empty buffer
            await ParquetIntegers.ReadStoredAsync(group, int32, int64, _values, levels, rows, cancellationToken).ConfigureAwait(false);
            if (!nullable)
            {
                Array.Clear(_isNull, 0, rows);
                return;
            }
            // The values come packed (nulls have none): spread them to their rows, from the last, in place.
            var present = 0;
            for (var r = 0; r < rows; r++) if (_levels[r] > 0) present++;
            for (var r = rows - 1; r >= 0; r--)
            {
                _isNull[r] = _levels[r] == 0;
                if (!_isNull[r]) _values[r] = _values[--present];
            }
        }

        public override object? this[int row] => _isNull[row] ? null : ParquetIntegers.ToValue(_values[row], _meaning, element);

        public override void Store(int row, RowBatch batch, int column)
        {
            if (_isNull[row])
            {
                batch.SetNull(column);
                return;
            }
            var stored = _values[row];
            switch (_meaning, batch.KindOf(column))
            {
                case (IntegerMeaning.Int64, ColumnKind.BigInt):
                    batch.SetFixed(column, stored);
                    return;
                case (IntegerMeaning.Int32, ColumnKind.Int or ColumnKind.BigInt):
                    batch.SetFixed(column, (int)stored);
                    return;
                case (IntegerMeaning.Date, ColumnKind.Date):
                    batch.SetFixed(column, ParquetIntegers.Date(stored).DayNumber);
                    return;
                case (IntegerMeaning.TimestampMillis or IntegerMeaning.TimestampMicros or IntegerMeaning.TimestampNanos, ColumnKind.Timestamp or ColumnKind.TimestampTz):
                    batch.SetFixed(column, TargetColumn.UtcTicks(ParquetIntegers.Timestamp(stored, _meaning, element)));
                    return;
                default:
                    batch.SetValue(column, ParquetIntegers.ToValue(stored, _meaning, element));
                    return;
            }
        }
    }

    /// <summary>A nested column (struct, list, map): each row's value as JSON text, for a SUPER column (jsonb), as the JSON path loads nested values.</summary>
    private sealed class NestedJson : ColumnValues
    {
        private string?[] _values = [];
        private string?[] _errors = [];

        public override Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a nested column is read with its file");

        public async Task ReadAsync(ParquetRowGroupReader group, Field column, int rows, Stream file, CancellationToken cancellationToken) =>
            (_values, _errors) = await ParquetNested.ReadAsync(group, column, rows, file, cancellationToken).ConfigureAwait(false);

        public override object? this[int row] => _values[row];

        // A row with a value that cannot be loaded (text that is not UTF-8) is a bad record, as in a flat column.
        public override void Store(int row, RowBatch batch, int column)
        {
            if (_errors[row] is { } error) throw new ValueConversionException(error);
            base.Store(row, batch, column);
        }
    }

    /// <summary>
    /// A text column, read as the UTF-8 bytes the file holds (with definition levels) and stored from them.
    /// Never through Parquet.Net's strings: its DELTA_BYTE_ARRAY decoder takes each value's shared prefix as a
    /// count of characters where the format counts bytes, so text that is not ASCII came out changed, silently
    /// (ArrowRsParquetTests); its byte decoder counts bytes. Bytes that are not UTF-8 are an error, not U+FFFD.
    /// </summary>
    private sealed class Strings : ColumnValues
    {
        // The column as a field of bytes, on a schema of its own as Parquet.Net requires: it reads a text field
        // only as characters.
        private readonly DataField bytes;

        public Strings(DataField field)
        {
            bytes = new DataField<byte[]>(field.Name, field.IsNullable);
            _ = new ParquetSchema(bytes);
        }

        private ReadOnlyMemory<byte>[] _present = [];
        private int[] _levels = [];
        private int[] _index = []; // a row's value in _present, or -1 for NULL

        public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        {
            if (_index.Length < rows)
            {
                _present = new ReadOnlyMemory<byte>[rows];
                _levels = new int[rows];
                _index = new int[rows];
            }
            var nullable = bytes.MaxDefinitionLevel > 0;
            await group.ReadRawAsync(bytes, _present.AsMemory(0, rows), nullable ? _levels.AsMemory(0, rows) : null, null, cancellationToken).ConfigureAwait(false);
            var next = 0;
            for (var r = 0; r < rows; r++) _index[r] = !nullable || _levels[r] == bytes.MaxDefinitionLevel ? next++ : -1;
        }

        public override object? this[int row] => _index[row] < 0 ? null : System.Text.Encoding.UTF8.GetString(_present[_index[row]].Span);

        // As RowBatch.SetValue stores a string: JSON text as it is into super, else read with COPY's rules.
        public override void Store(int row, RowBatch batch, int column)
        {
            var i = _index[row];
            if (i < 0) batch.SetNull(column);
            else if (batch.KindOf(column) == ColumnKind.Super) batch.SetText(column, _present[i].Span);
            else batch.Layout.Columns[column].Parse(_present[i].Span, FieldKind.Text, batch, column);
        }
    }
}

/// <summary>A row group's values, column by column.</summary>
internal sealed class ParquetRowGroup(int rows, ParquetSource.ColumnValues[] columns)
{
    public int Rows { get; } = rows;

    /// <summary>The value of a column in a row: long, int, double, bool, decimal, DateOnly, DateTime (UTC), string, …, or null.</summary>
    public object? Value(int column, int row) => columns[column][row];

    /// <summary>Puts a column's value in a row into the batch's current row (typed where it can, see <see cref="ParquetSource.ColumnValues.Store"/>).</summary>
    public void Store(int column, int row, RowBatch batch) => columns[column].Store(row, batch, column);
}
