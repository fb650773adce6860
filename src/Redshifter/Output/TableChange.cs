namespace Redshifter;

/// <summary>What Update-RedshiftTable did (or, with -WhatIf, would do).</summary>
public sealed class TableChange
{
    public string Schema { get; set; } = "";
    public string Table { get; set; } = "";
    public TableAction Action { get; set; }
    public string[] AddedColumns { get; set; } = [];
    /// <summary>varchar columns made longer to fit the config.</summary>
    public string[] WidenedColumns { get; set; } = [];
    /// <summary>The SQL that ran (or would run), secrets redacted.</summary>
    public string[] Statements { get; set; } = [];
}
