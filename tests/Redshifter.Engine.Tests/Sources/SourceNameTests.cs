using Redshifter.Engine.Sources;

namespace Redshifter.Engine.Tests.Sources;

public sealed class SourceNameTests
{
    [Theory]
    [InlineData("api_pages_2015-07-01T00:00:00Z.json.gz", "json.gz", DataFormat.Json, Compression.Gzip, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.json.zst", "json.zst", DataFormat.Json, Compression.Zstd, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.json.bz2", "json.bz2", DataFormat.Json, Compression.Bzip2, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.json", "json", DataFormat.Json, Compression.None, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.csv.gz", "csv.gz", DataFormat.Csv, Compression.Gzip, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.csv", "csv", DataFormat.Csv, Compression.None, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.gz", "gz", DataFormat.Delimited, Compression.Gzip, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z", "", DataFormat.Delimited, Compression.None, false)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.manifest", "manifest", DataFormat.Delimited, Compression.None, true)]
    [InlineData("api_pages_2015-07-01T00:00:00Z.parquet", "parquet", DataFormat.Parquet, Compression.None, false)]
    [InlineData("api_pages_2015-07-01T00:00:00.250+02:00.json", "json", DataFormat.Json, Compression.None, false)]
    public void Parses_every_suffix(string name, string suffix, DataFormat format, Compression compression, bool manifest)
    {
        var parsed = SourceName.TryParse(name, "api", "pages", out _);
        Assert.NotNull(parsed);
        Assert.Equal(suffix, parsed.Suffix);
        Assert.Equal(format, parsed.Format);
        Assert.Equal(compression, parsed.Compression);
        Assert.Equal(manifest, parsed.IsManifest);
    }

    [Fact]
    public void Dates_are_RFC_3339_instants()
    {
        var parsed = SourceName.TryParse("api_pages_2015-07-01T02:00:00+02:00.json", "api", "pages", out _)!;
        Assert.Equal(new DateTimeOffset(2015, 7, 1, 0, 0, 0, TimeSpan.Zero), parsed.Date);
        Assert.Equal("2015-07-01T02:00:00+02:00", parsed.DateText);
    }

    [Theory]
    [InlineData("api_pages_v2_2015-07-01T00:00:00Z.json")] // another table
    [InlineData("api_page_2015-07-01T00:00:00Z.json")]
    [InlineData("config_api_pages_2015-07-01T00:00:00Z.yml")]
    [InlineData("api_pages_2015-07-01T00:00:00Z.yml")] // configs are never data
    [InlineData("api_pages_2015-07-01T00:00:00Z.yaml")]
    public void Is_not_data_of_the_table(string name)
    {
        Assert.Null(SourceName.TryParse(name, "api", "pages", out var why));
        Assert.Null(why);
    }

    [Theory]
    [InlineData("api_pages_2015-13-01T00:00:00Z.json")]
    [InlineData("api_pages_2015-07-01.json")]
    [InlineData("api_pages_2015-07-01T00:00:00Z.txt")]
    [InlineData("api_pages_20150701.json")]
    public void Looks_like_the_table_but_is_skipped_with_a_reason(string name)
    {
        Assert.Null(SourceName.TryParse(name, "api", "pages", out var why));
        Assert.Contains(name, why, StringComparison.Ordinal);
    }

    [Fact]
    public void Precedence_is_manifest_then_parquet_then_json_gz_then_json_then_csv()
    {
        int P(string suffix) => SourceName.TryParse("a_b_2015-07-01T00:00:00Z" + (suffix.Length > 0 ? "." + suffix : ""), "a", "b", out _)!.Precedence;
        Assert.True(P("manifest") < P("parquet"));
        Assert.True(P("parquet") < P("json.gz"));
        Assert.True(P("json.gz") < P("json"));
        Assert.True(P("json") < P("csv.gz"));
        Assert.True(P("csv") < P("gz"));
        Assert.True(P("gz") < P(""));
    }

    [Fact]
    public void The_config_sits_beside_the_data()
    {
        Assert.Equal("exports/2015/config_api_pages_2015-07-01T00:00:00Z.yml",
            SourceName.ConfigKey("exports/2015/api_pages_2015-07-01T00:00:00Z.json.gz", "api", "pages", "2015-07-01T00:00:00Z"));
        Assert.Equal("config_api_pages_2015-07-01T00:00:00Z.yml",
            SourceName.ConfigKey("api_pages_2015-07-01T00:00:00Z.json.gz", "api", "pages", "2015-07-01T00:00:00Z"));
    }
}
