using Parquet;
using Parquet.Schema;
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
    private static readonly ParquetOptions Options = new()
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
        Fields = reader.Schema.DataFields;
    }

    public SourceObject Source { get; }

    /// <summary>The file's columns, in file order (COPY matches them to the table's columns by position).</summary>
    public IReadOnlyList<DataField> Fields { get; }

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
            var nested = reader.Schema.Fields.FirstOrDefault(f => f.SchemaType != SchemaType.Data || f is DataField { IsArray: true });
            if (nested != null)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                    $"{source.Uri} has the nested Parquet column '{nested.Name}' ({nested.SchemaType}), which Redshifter cannot load. Nothing was loaded.",
                    "Export the data with flat columns (nested values as JSON text), or load it into Redshift, whose COPY reads nested Parquet into SUPER columns.", source.Uri);
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
        _columns ??= [.. Fields.Select(ColumnValues.For)];
        for (var c = 0; c < _columns.Length; c++) await _columns[c].ReadAsync(group, Fields[c], rows, cancellationToken).ConfigureAwait(false);
        return new ParquetRowGroup(rows, _columns);
    }

    /// <summary>
    /// The config type a Parquet column suggests (New-RedshiftTableConfig): Parquet's physical and logical
    /// types as Parquet.Net reads them. Strings are varchar, sized by the values seen.
    /// </summary>
    public static (InferredType Type, int Precision, int Scale) ConfigTypeOf(DataField field)
    {
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
            return new Strings();
        }
    }

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
    }

    private sealed class Strings : ColumnValues
    {
        private string?[] _values = [];

        public override async Task ReadAsync(ParquetRowGroupReader group, DataField field, int rows, CancellationToken cancellationToken)
        {
            if (_values.Length < rows) _values = new string?[rows];
            await group.ReadAsync(field, _values.AsMemory(0, rows)!, null, cancellationToken).ConfigureAwait(false);
        }

        public override object? this[int row] => _values[row];
    }
}

/// <summary>A row group's values, column by column.</summary>
internal sealed class ParquetRowGroup(int rows, ParquetSource.ColumnValues[] columns)
{
    public int Rows { get; } = rows;

    /// <summary>The value of a column in a row: long, int, double, bool, decimal, DateOnly, DateTime (UTC), string, …, or null.</summary>
    public object? Value(int column, int row) => columns[column][row];
}
