using Redshifter.Engine.Sources;

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
}
