using System.Globalization;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Storage;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Live;

/// <summary>
/// What every live Redshift class shares: a schema and an S3 key prefix of its own (a unique name), both
/// removed when the class's test ends, pass or fail; and reading the cluster as text rows. Only set up when
/// the cluster and bucket variables are there (the tests skip themselves otherwise).
/// </summary>
[Trait("Category", "Live")]
public abstract class LiveRedshiftTest(string schemaPrefix) : IAsyncLifetime
{
    protected string Schema { get; } = schemaPrefix + Guid.NewGuid().ToString("N")[..8];
    protected S3Storage? Storage { get; private set; }
    protected static string Bucket => Environment.GetEnvironmentVariable("REDSHIFT_TEST_S3_BUCKET")!;
    protected string Prefix => Schema + "/";

    public Task InitializeAsync()
    {
        if (RedshiftFactAttribute.SkipReason(needsBucket: true) == null)
            Storage = S3Storage.Create(S3Settings.FromEnvironment(ProcessEnvironment.Instance), ProcessEnvironment.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (Storage == null) return;
        await Sql($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        // The engine never deletes from S3; the test's own client removes what it uploaded.
        using var cleaner = new Amazon.S3.AmazonS3Client(Amazon.RegionEndpoint.GetBySystemName(Storage.Settings.Region));
        await foreach (var o in Storage.ListAllAsync(Bucket, Prefix, CancellationToken.None)) await cleaner.DeleteObjectAsync(Bucket, o.Key);
        Storage.Dispose();
    }

    protected static async Task Sql(string sql)
    {
        await using var session = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None);
        await session.ExecuteAsync(sql, null, NullEngineLog.Instance, CancellationToken.None);
    }

    /// <summary>The query's rows, each as its values joined by '|' (NULL for a null).</summary>
    protected static async Task<List<string>> Rows(string query)
    {
        await using var session = await DatabaseSession.OpenAsync(RedshiftFactAttribute.Settings(), CancellationToken.None);
        await using var command = session.Command(query, null);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        return rows;
    }
}
