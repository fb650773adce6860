namespace Redshifter.Engine.Config;

/// <summary>One column of a table config.</summary>
public sealed record ColumnConfig
{
    public required string Name { get; init; }
    public required ColumnType Type { get; init; }
    /// <summary>SQL default expression, as written in the config (<c>defaultval</c>).</summary>
    public string? Default { get; init; }
    public bool NotNull { get; init; }
    public bool PrimaryKey { get; init; }
    public bool DistKey { get; init; }
    /// <summary>Sort key ordinal (1 = first); null when not part of the sort key.</summary>
    public int? SortOrdinal { get; init; }
}

/// <summary>
/// The YAML description of a destination table (DESIGN.md section 4), validated: names are valid
/// identifiers, types known, the data-date column one of the columns.
/// </summary>
public sealed record TableConfig
{
    /// <summary>Where it was read from (for messages).</summary>
    public required string Source { get; init; }
    public required string Schema { get; init; }
    public required string Table { get; init; }
    public required string DataDateColumn { get; init; }
    public required IReadOnlyList<ColumnConfig> Columns { get; init; }

    public IEnumerable<ColumnConfig> PrimaryKey => Columns.Where(c => c.PrimaryKey);
    public ColumnConfig? DistKey => Columns.FirstOrDefault(c => c.DistKey);
    public bool HasSuperColumn => Columns.Any(c => c.Type.Kind == ColumnKind.Super);
    public IEnumerable<ColumnConfig> SortKey => Columns.Where(c => c.SortOrdinal != null).OrderBy(c => c.SortOrdinal);

    public ColumnConfig? Column(string name) => Columns.FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
