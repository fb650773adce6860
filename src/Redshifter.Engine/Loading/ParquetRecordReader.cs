using System.Globalization;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Loading;

/// <summary>
/// Rows of a Parquet file, as Redshift's COPY … FORMAT AS PARQUET reads them: the file's columns go into
/// the table's columns by position, and their numbers must match. Values keep their Parquet type until
/// the column takes them (<see cref="RowBatch.SetValue"/>); one row group is in memory at a time.
/// </summary>
internal sealed class ParquetRecordReader(RecordLayout layout, int batchSize = RowBatch.DefaultCapacity)
{
    public async Task ReadAsync(ParquetSource parquet, BatchSink sink, CancellationToken cancellationToken)
    {
        var uri = parquet.Source.Uri;
        var columns = layout.Columns;
        if (parquet.Fields.Count != columns.Length)
            throw new RedshifterException(ErrorIds.CopyFailed, ErrorKind.InvalidData,
                $"{uri} has {parquet.Fields.Count} column(s) ({string.Join(", ", parquet.Fields.Select(f => f.Name))}) and the table has {columns.Length} ({string.Join(", ", columns.Select(c => c.Name))}): " +
                "Parquet columns are loaded by position, so the counts must match. Nothing was loaded.",
                "Export the file with the table's columns in the table's order, or change the table's config to match the file.", uri);

        var batch = new RowBatch(layout, batchSize);
        long row = 0;
        for (var g = 0; g < parquet.RowGroupCount; g++)
        {
            var group = await parquet.ReadRowGroupAsync(g, cancellationToken).ConfigureAwait(false);
            for (var r = 0; r < group.Rows; r++)
            {
                row++;
                batch.BeginRow();
                for (var c = 0; c < columns.Length; c++)
                {
                    try
                    {
                        group.Store(c, r, batch);
                    }
                    catch (ValueConversionException ex)
                    {
                        throw RecordErrors.At(uri, row, columns[c].Name, $"{ex.Message} (Parquet column '{parquet.Fields[c].Name}')",
                            System.Convert.ToString(group.Value(c, r), CultureInfo.InvariantCulture), ex.Fits, "row");
                    }
                }
                RecordErrors.EndRow(batch, uri, row, "row");
                if (batch.IsFull) batch = await sink(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        if (batch.Count > 0) await sink(batch, cancellationToken).ConfigureAwait(false);
    }
}
