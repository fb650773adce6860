namespace Redshifter;

/// <summary>One column of a destination table as the database describes it.</summary>
public sealed class ColumnInfo
{
    public string Name { get; set; } = "";
    /// <summary>The type as the database spells it, e.g. <c>character varying(256)</c>.</summary>
    public string Type { get; set; } = "";
    public bool NotNull { get; set; }
    public string? Default { get; set; }
    public bool PrimaryKey { get; set; }
    public bool DistKey { get; set; }
    public int SortKeyOrdinal { get; set; }

    public override string ToString() => $"{Name} {Type}";
}

/// <summary>The state of a destination table (Get-RedshiftTable).</summary>
public sealed class TableInfo
{
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    public bool Exists { get; set; }
    public ColumnInfo[] Columns { get; set; } = [];
    public string? DataDateColumn { get; set; }
    /// <summary>MAX(data-date column), as stored (wall-clock time in the table's zone); null when empty or unknown.</summary>
    public DateTime? LatestDataDate { get; set; }
}
