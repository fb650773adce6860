using System.IO.Compression;
using System.Text;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Database;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Tests.Infrastructure;

namespace Redshifter.Engine.Tests.Connections;

/// <summary>The spine: the engine reaches the real test PostgreSQL and S3 server through the DESIGN.md variables.</summary>
[Collection(ServersCollection.Name)]
public sealed class SpineTests(ServersFixture fixture)
{
    [Fact]
    public async Task Connects_with_the_environment_and_detects_PostgreSQL()
    {
        await using var session = await DatabaseSession.OpenAsync(fixture.Database, CancellationToken.None);
        Assert.Equal(EngineKind.PostgreSQL, session.Engine);
        Assert.StartsWith("PostgreSQL 1", session.ServerVersion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redshift", EngineKind.Redshift)]
    [InlineData("postgresql", EngineKind.PostgreSQL)]
    public async Task REDSHIFT_DIALECT_overrides_detection(string value, EngineKind expected)
    {
        var settings = DatabaseSettings.FromEnvironment(fixture.Environment(new Dictionary<string, string?> { ["REDSHIFT_DIALECT"] = value }));
        await using var session = await DatabaseSession.OpenAsync(settings, CancellationToken.None);
        Assert.Equal(expected, session.Engine);
    }

    [Theory]
    [InlineData("PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467", EngineKind.Redshift)]
    [InlineData("PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu", EngineKind.PostgreSQL)]
    public void Detects_the_engine_from_version_text(string version, EngineKind expected) =>
        Assert.Equal(expected, DatabaseSession.DetectEngine(version));

    [Theory]
    [InlineData("REDSHIFT_DB")]
    [InlineData("REDSHIFT_USER")]
    [InlineData("REDSHIFT_PASSWORD")]
    public void A_missing_variable_is_named_and_no_secret_is_shown(string variable)
    {
        var env = fixture.Environment(new Dictionary<string, string?> { [variable] = null });
        var ex = Assert.Throws<RedshifterException>(() => DatabaseSettings.FromEnvironment(env));
        Assert.Equal(ErrorIds.MissingEnvironmentVariable, ex.ErrorId);
        Assert.Contains(variable, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Servers.Postgres.Password, ex.Message + ex.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_AWS_REGION_is_named()
    {
        var env = fixture.Environment(new Dictionary<string, string?> { ["AWS_REGION"] = null });
        var ex = Assert.Throws<RedshifterException>(() => Storage.S3Settings.FromEnvironment(env));
        Assert.Equal(ErrorIds.MissingEnvironmentVariable, ex.ErrorId);
        Assert.Contains("AWS_REGION", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_a_connection_error_naming_host_and_port_not_the_password()
    {
        const string wrong = "not-the-password-4711";
        var settings = fixture.Database with { Password = wrong };
        var ex = await Assert.ThrowsAsync<RedshifterException>(() => DatabaseSession.OpenAsync(settings, CancellationToken.None));
        Assert.Equal(ErrorIds.ConnectionFailed, ex.ErrorId);
        Assert.Contains($"127.0.0.1:{fixture.Servers.Postgres.Port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Servers.Postgres.Password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_and_reads_a_gzipped_object_through_AWS_ENDPOINT_URL_S3()
    {
        using var storage = fixture.CreateStorage();
        var text = string.Join('\n', Enumerable.Range(1, 500).Select(i => $"{{\"id\":{i},\"name\":\"row {i}\"}}"));
        using var compressed = new MemoryStream();
        await using (var gz = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(text));
        await storage.PutAsync(fixture.Bucket, "spine/api_pages_2015-07-01T00:00:00Z.json.gz", compressed.ToArray(), CancellationToken.None);

        var listed = new List<Storage.S3ObjectInfo>();
        await foreach (var o in storage.ListAllAsync(fixture.Bucket, "spine/", CancellationToken.None)) listed.Add(o);
        var only = Assert.Single(listed);
        Assert.Equal("spine/api_pages_2015-07-01T00:00:00Z.json.gz", only.Key);
        Assert.Equal(compressed.Length, only.Size);

        await using var stream = await storage.OpenReadAsync(fixture.Bucket, only.Key, CancellationToken.None);
        await using var unzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        Assert.Equal(text, await reader.ReadToEndAsync());
    }

    [Fact]
    public void The_redactor_masks_every_secret()
    {
        var redactor = SecretRedactor.FromEnvironment(fixture.Environment(new Dictionary<string, string?> { ["AWS_SESSION_TOKEN"] = "tok-123456" }));
        var text = $"password={fixture.Servers.Postgres.Password};token=tok-123456";
        Assert.Equal("password=***;token=***", redactor.Redact(text));
    }
}
