using System.Runtime.CompilerServices;
using System.Text;
using Redshifter.Engine.Config;

namespace Redshifter.Engine.Loading;

/// <summary>
/// Receives a full batch of decoded rows and returns an empty batch (of the same layout) for the reader
/// to fill next. The sink owns the batch it was given: the reader must not touch it again.
/// </summary>
internal delegate ValueTask<RowBatch> BatchSink(RowBatch full, CancellationToken cancellationToken);

/// <summary>
/// Decoded rows, column by column, as typed values (no boxing): what every reader (JSON, delimited, and a
/// future Parquet reader) produces and the loader writes to the binary COPY. Batches are recycled by the
/// loader, so a load allocates a handful of them whatever the file size.
/// <para>How a reader fills a batch:</para>
/// <code>
/// var batch = new RowBatch(layout);
/// foreach (record)
/// {
///     batch.BeginRow();                              // every column starts absent
///     layout.Columns[i].Parse(text, kind, batch, i); // text → the column's value, with COPY's rules; or
///     batch.SetValue(i, clrValue);                   // a typed value (long, double, bool, DateTime, decimal, string, …); or
///     batch.SetNull(i);
///     batch.EndRow();                                // absent columns take their default (or NULL)
///     if (batch.IsFull) batch = await sink(batch, cancellationToken);
/// }
/// if (batch.Count > 0) await sink(batch, cancellationToken);
/// </code>
/// Storage: fixed-size kinds in <see cref="Fixed"/> (bool 0/1, integers, double/real bits, date as
/// DayNumber, timestamps as DateTime ticks; both negative before year 1), numeric in <see cref="Numerics"/> (unscaled, at the column's scale: <see cref="ExactNumeric"/>), text (varchar, char, and
/// super as JSON text) as UTF-8 in one shared buffer.
/// </summary>
internal sealed class RowBatch
{
    /// <summary>Rows per batch: large enough that the per-batch costs vanish, small enough to keep memory flat.</summary>
    public const int DefaultCapacity = 8192;

    /// <summary>A batch is full at this much text too, so that wide rows do not make batches big.</summary>
    public const int TextLimit = 1 << 20;

    private readonly ColumnKind[] _kinds;
    private readonly bool[] _assigned;
    private int _committedText;

    // Values cut in the row being filled (their size, per column; 0: none): counted on the column when the row
    // ends, so that a record parsed again (the JSON fast path falling back, a record split across reads) counts once.
    private readonly int[] _cuts;
    private bool _rowHasCuts;

    public RowBatch(RecordLayout layout, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Layout = layout;
        Capacity = capacity;
        var n = layout.Columns.Length;
        _kinds = new ColumnKind[n];
        _assigned = new bool[n];
        _cuts = new int[n];
        Nulls = new bool[n][];
        Fixed = new long[n][];
        Numerics = new Int128[n][];
        TextStart = new int[n][];
        TextLength = new int[n][];
        for (var c = 0; c < n; c++)
        {
            var kind = _kinds[c] = layout.Columns[c].Type.Kind;
            Nulls[c] = new bool[capacity];
            Fixed[c] = IsFixed(kind) ? new long[capacity] : [];
            Numerics[c] = kind == ColumnKind.Numeric ? new Int128[capacity] : [];
            TextStart[c] = IsText(kind) ? new int[capacity] : [];
            TextLength[c] = IsText(kind) ? new int[capacity] : [];
        }
        Text = new byte[Math.Min(TextLimit, capacity * 32)];
    }

    public RecordLayout Layout { get; }
    public int Capacity { get; }

    /// <summary>Complete rows in the batch.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity || _committedText >= TextLimit;

    // The columns' storage, read by the COPY writer; indexed [column][row].
    internal bool[][] Nulls { get; }
    internal long[][] Fixed { get; }
    internal Int128[][] Numerics { get; }
    internal int[][] TextStart { get; }
    internal int[][] TextLength { get; }
    internal byte[] Text { get; private set; }
    internal int TextUsed { get; private set; }

    internal static bool IsFixed(ColumnKind kind) => kind is not (ColumnKind.Numeric or ColumnKind.Varchar or ColumnKind.Char or ColumnKind.Super);
    internal static bool IsText(ColumnKind kind) => kind is ColumnKind.Varchar or ColumnKind.Char or ColumnKind.Super;

    /// <summary>Empties the batch for reuse.</summary>
    public void Clear()
    {
        Count = 0;
        TextUsed = _committedText = 0;
    }

    /// <summary>Starts a row (again: a row begun and not ended is discarded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BeginRow()
    {
        TextUsed = _committedText;
        Array.Clear(_assigned);
        if (_rowHasCuts) ClearCuts();
    }

    /// <summary>The value just set in <paramref name="column"/> was cut to fit it (<paramref name="size"/>: see <see cref="TargetColumn.LongestCut"/>).</summary>
    internal void NoteCut(int column, int size)
    {
        _cuts[column] = size;
        _rowHasCuts = true;
    }

    private void ClearCuts()
    {
        Array.Clear(_cuts);
        _rowHasCuts = false;
    }

    private void CountCuts()
    {
        for (var c = 0; c < _cuts.Length; c++)
            if (_cuts[c] > 0) Layout.Columns[c].CountCut(_cuts[c]);
        ClearCuts();
    }

    /// <summary>
    /// Ends the row: columns not set take the column's default (or NULL). Returns the first NOT NULL column
    /// the row leaves NULL (the reader refuses the record, naming it), or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TargetColumn? EndRow()
    {
        var assigned = _assigned;
        for (var c = 0; c < assigned.Length; c++)
            if (!assigned[c]) Layout.SetMissing(this, c);
        TargetColumn? missing = null;
        foreach (var c in Layout.Required)
        {
            if (!Nulls[c][Count]) continue;
            missing = Layout.Columns[c];
            break;
        }
        if (_rowHasCuts) CountCuts();
        _committedText = TextUsed;
        Count++;
        return missing;
    }

    /// <summary>The kind of a column's values.</summary>
    internal ColumnKind KindOf(int column) => _kinds[column];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetNull(int column)
    {
        Nulls[column][Count] = true;
        _assigned[column] = true;
    }

    /// <summary>A fixed-size value in its storage form (see the class summary); the caller has applied the column's rules.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetFixed(int column, long value)
    {
        Fixed[column][Count] = value;
        Nulls[column][Count] = false;
        _assigned[column] = true;
    }

    /// <summary>A numeric value, unscaled at the column's scale.</summary>
    internal void SetNumeric(int column, Int128 unscaled)
    {
        Numerics[column][Count] = unscaled;
        Nulls[column][Count] = false;
        _assigned[column] = true;
    }

    /// <summary>UTF-8 text, stored as it is (the caller has validated and truncated it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetText(int column, ReadOnlySpan<byte> utf8)
    {
        var start = TextUsed;
        if (Text.Length - start < utf8.Length) Grow(utf8.Length);
        utf8.CopyTo(Text.AsSpan(start));
        TextUsed = start + utf8.Length;
        TextStart[column][Count] = start;
        TextLength[column][Count] = utf8.Length;
        Nulls[column][Count] = false;
        _assigned[column] = true;
    }

    internal void SetText(int column, ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (Text.Length - TextUsed < max) Grow(max);
        var start = TextUsed;
        var n = Encoding.UTF8.GetBytes(text, Text.AsSpan(start));
        TextUsed = start + n;
        TextStart[column][Count] = start;
        TextLength[column][Count] = n;
        Nulls[column][Count] = false;
        _assigned[column] = true;
    }

    private void Grow(int needed)
    {
        var bigger = new byte[Math.Max(Text.Length * 2, TextUsed + needed)];
        Text.AsSpan(0, TextUsed).CopyTo(bigger);
        Text = bigger;
    }

    /// <summary>
    /// The one place where a typed value becomes a column's value: the CLR type the column holds is
    /// stored as it is (a string in a varchar is truncated to the column, a string in a super column is
    /// JSON text); other numbers are converted when they fit; anything else is read as text with COPY's
    /// rules (<see cref="TargetColumn.Parse(ReadOnlySpan{char}, FieldKind, RowBatch, int)"/>).
    /// Throws <see cref="ValueConversionException"/> when the value does not fit.
    /// </summary>
    public void SetValue(int column, object? value) => Layout.Columns[column].Store(value, this, column);

    /// <summary>A value as a CLR object (long, int, short, double, float, decimal (or, past 28 digits, its text), bool, DateOnly, DateTime (or, BC, its text), string), or null; for tests and samples.</summary>
    public object? GetValue(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        if (Nulls[column][row]) return null;
        var bits = Fixed[column].Length > 0 ? Fixed[column][row] : 0;
        return _kinds[column] switch
        {
            ColumnKind.Boolean => bits != 0,
            ColumnKind.SmallInt => (short)bits,
            ColumnKind.Int => (int)bits,
            ColumnKind.BigInt => bits,
            ColumnKind.Float => BitConverter.Int64BitsToDouble(bits),
            ColumnKind.Real => BitConverter.Int32BitsToSingle((int)bits),
            ColumnKind.Numeric => ExactNumeric.ToClrValue(Numerics[column][row], Layout.Columns[column].Type.Scale ?? 0),
            // Before year 1 (BC), which DateOnly and DateTime cannot hold: the text PostgreSQL prints.
            ColumnKind.Date when bits < 0 => ValueParser.FormatBeforeYearOne(bits * TimeSpan.TicksPerDay, withTime: false),
            ColumnKind.Timestamp or ColumnKind.TimestampTz when bits < 0 => ValueParser.FormatBeforeYearOne(bits, withTime: true),
            ColumnKind.Date => DateOnly.FromDayNumber((int)bits),
            ColumnKind.Timestamp => new DateTime(bits, DateTimeKind.Unspecified),
            ColumnKind.TimestampTz => new DateTime(bits, DateTimeKind.Utc),
            _ => Encoding.UTF8.GetString(Text, TextStart[column][row], TextLength[column][row]),
        };
    }

    /// <summary>The rows as arrays of <see cref="GetValue"/>; for tests and samples, not for the hot path.</summary>
    public IEnumerable<object?[]> Rows()
    {
        for (var r = 0; r < Count; r++)
        {
            var row = new object?[_kinds.Length];
            for (var c = 0; c < row.Length; c++) row[c] = GetValue(r, c);
            yield return row;
        }
    }

    /// <summary>Copies one column's value of row <paramref name="fromRow"/> of <paramref name="from"/> (same kinds) into the current row.</summary>
    internal void CopyValue(int column, RowBatch from, int fromRow)
    {
        if (from.Nulls[column][fromRow]) { SetNull(column); return; }
        switch (_kinds[column])
        {
            case ColumnKind.Numeric: SetNumeric(column, from.Numerics[column][fromRow]); break;
            case ColumnKind.Varchar or ColumnKind.Char or ColumnKind.Super:
                SetText(column, from.Text.AsSpan(from.TextStart[column][fromRow], from.TextLength[column][fromRow]));
                break;
            default: SetFixed(column, from.Fixed[column][fromRow]); break;
        }
    }
}
