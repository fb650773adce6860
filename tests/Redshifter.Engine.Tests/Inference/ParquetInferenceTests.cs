using Parquet.Schema;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Inference;
using Redshifter.Engine.Sources;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Inference;

/// <summary>New-RedshiftTableConfig on Parquet (issue 10): the types come from the file's own schema.</summary>
[Collection(ServersCollection.Name)]
public sealed class ParquetInferenceTests(ServersFixture fixture) : IAsyncLifetime
{
    private readonly S3Storage _storage = fixture.CreateStorage();
    private string _bucket = "";

    public async Task InitializeAsync() => _bucket = await _storage.NewBucketAsync();

    public Task DisposeAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private async Task<string> Infer(byte[] file, string? dataDate = null, int sample = 0)
    {
        await _storage.PutAsync(_bucket, "api_orders_2024-01-01T00:00:00Z.parquet", file, CancellationToken.None);
        var source = new SourceFile { Bucket = _bucket, Key = "api_orders_2024-01-01T00:00:00Z.parquet", Schema = "api", Table = "orders", Format = DataFormat.Parquet };
        return await new ConfigInferrer(_storage, NullEngineLog.Instance).InferAsync(source, new InferenceOptions { Schema = "api", Table = "orders", DataDateColumn = dataDate }, sample, CancellationToken.None);
    }

    [Fact]
    public async Task Every_column_takes_the_type_its_schema_declares()
    {
        var yaml = await Infer(await ParquetTestData.AllTypesAsync(40, rowGroups: 3), dataDate: "at");
        foreach (var (name, type) in ParquetTestData.AllTypesColumns)
            Assert.Contains($"    - dest: {name}\n      type: {type}  #", yaml, StringComparison.Ordinal);
        // Small values do not narrow a declared bigint; 40 records in three row groups were read.
        Assert.Contains("# sample: 40 records.", yaml, StringComparison.Ordinal);
        Assert.Contains("datadatecolumn: at\n", yaml, StringComparison.Ordinal);
        // The config it writes is one the loader accepts.
        var config = Engine.Config.TableConfigReader.Parse(yaml, "inferred.yml", "api", "orders");
        Assert.Equal(ParquetTestData.AllTypesColumns.Select(c => c.Name), config.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task A_nested_column_becomes_a_super_column()
    {
        var schema = new ParquetSchema(new DataField<int>("id"), new ListField("tags", new DataField<string>("element")));
        var file = await ParquetTestData.WriteAsync(schema, async g =>
        {
            await g.WriteAsync<int>(schema.DataFields[0], new int[] { 1 });
            await g.WriteAsync(schema.DataFields[1], new[] { "a" }, new int[] { 0 });
        });
        var yaml = await Infer(file, dataDate: "id");
        Assert.Contains("    - dest: tags\n      type: super", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_Parquet_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<RedshifterException>(() => Infer("{\"id\":1}\n"u8.ToArray()));
        Assert.Contains("not a readable Parquet file", error.Message, StringComparison.Ordinal);
    }
}
