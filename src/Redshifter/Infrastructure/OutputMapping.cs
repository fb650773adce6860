using Redshifter.Engine.Sources;
using Redshifter.Engine.Jobs;
using Redshifter.Engine.Tables;

namespace Redshifter.Infrastructure;

/// <summary>Engine results as the public output types of DESIGN.md section 6 (engine types never reach PowerShell).</summary>
internal static class OutputMapping
{
    public static SourceData ToSourceData(this SourceFile f) => new()
    {
        Bucket = f.Bucket,
        Key = f.Key,
        Uri = f.Uri,
        Schema = f.Schema,
        Table = f.Table,
        DataDate = f.DataDate,
        Format = Enum.Parse<SourceFormat>(f.Format.ToString()),
        Compression = Enum.Parse<SourceCompression>(f.Compression.ToString()),
        IsManifest = f.IsManifest,
        ConfigUri = f.ConfigUri,
        Size = f.Size,
    };

    public static TableInfo ToTableInfo(this TableState state, string? dataDateColumn) => new()
    {
        Schema = state.Schema,
        Table = state.Table,
        Exists = state.Exists,
        Columns = [.. state.Columns.Select(c => new ColumnInfo
        {
            Name = c.Name,
            Type = c.TypeText,
            NotNull = c.NotNull,
            Default = c.Default,
            PrimaryKey = c.PrimaryKey,
            DistKey = c.DistKey,
            SortKeyOrdinal = c.SortOrdinal,
        })],
        DataDateColumn = dataDateColumn,
        LatestDataDate = state.LatestDataDate,
    };

    public static TableChange ToTableChange(this TableChangePlan plan, string schema, string table) => new()
    {
        Schema = schema,
        Table = table,
        Action = Enum.Parse<Redshifter.TableAction>(plan.Action.ToString()),
        AddedColumns = [.. plan.AddedColumns],
        WidenedColumns = [.. plan.Widenings.Select(w => w.Column)],
        Statements = [.. plan.WidenStatements, .. plan.Statements],
    };

    public static LoadResult ToLoadResult(this LoadOutcome o) => new()
    {
        Schema = o.Schema,
        Table = o.Table,
        Uri = o.Source?.Uri,
        DataDate = o.Source?.DataDate,
        Status = Enum.Parse<Redshifter.LoadStatus>(o.Status.ToString()),
        TableAction = o.TableAction == null ? null : Enum.Parse<Redshifter.TableAction>(o.TableAction),
        AddedColumns = [.. o.AddedColumns],
        WidenedColumns = [.. o.WidenedColumns],
        Warnings = [.. o.Warnings],
        RowsDeleted = o.RowsDeleted,
        RowsLoaded = o.RowsLoaded,
        RowsUpdated = o.RowsUpdated,
        RowsInserted = o.RowsInserted,
        Duration = o.Duration,
        Message = o.Message,
    };

    public static LoadErrorDetail ToLoadErrorDetail(this Engine.Loading.LoadErrorDetail d) => new()
    {
        Uri = d.Uri,
        Line = d.Line,
        Column = d.Column,
        Value = d.Value,
        Reason = d.Reason,
    };

    public static LoadPlan ToLoadPlan(this Engine.Jobs.LoadPlan p)
    {
        var order = 0;
        return new LoadPlan
        {
            Schema = p.Schema,
            Table = p.Table,
            Source = p.Source.ToSourceData(),
            Reason = p.Reason,
            Freshness = (p.Skip ? "Skip: " : p.Freshness.IsStale ? "Load (-Force): " : "Load: ") + p.Freshness.Reason,
            TableAction = Enum.Parse<Redshifter.TableAction>(p.TableAction.ToString()),
            AddedColumns = [.. p.AddedColumns],
            WidenedColumns = [.. p.WidenedColumns.Select(w => w.ToString())],
            Authentication = p.Authentication,
            Steps = p.Skip ? [] : [.. p.Steps.SelectMany(step => step.Statements.Select(sql => new LoadPlanStep { Order = ++order, Purpose = step.Purpose, Statement = sql }))],
            Warnings = [.. p.Warnings],
        };
    }
}
