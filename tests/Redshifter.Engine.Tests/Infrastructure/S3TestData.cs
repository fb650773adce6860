using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Tests.Infrastructure;

/// <summary>Test data in the real S3 server: uploads through the SDK, and bulk objects written the way s3rver stores them.</summary>
internal static class S3TestData
{
    public static string NewBucketName() => "t-" + Guid.NewGuid().ToString("N")[..16];

    public static async Task<string> NewBucketAsync(this S3Storage storage)
    {
        var name = NewBucketName();
        await storage.EnsureBucketAsync(name, CancellationToken.None);
        return name;
    }

    public static Task PutTextAsync(this S3Storage storage, string bucket, string key, string text) =>
        storage.PutAsync(bucket, key, Encoding.UTF8.GetBytes(text), CancellationToken.None);

    public static Task PutGzipAsync(this S3Storage storage, string bucket, string key, string text) =>
        storage.PutAsync(bucket, key, Gzip(text), CancellationToken.None);

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest)) gz.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    public static byte[] Bzip2(string text)
    {
        using var buffer = new MemoryStream();
        using (var bz = new ICSharpCode.SharpZipLib.BZip2.BZip2OutputStream(buffer) { IsStreamOwner = false }) bz.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    public static byte[] Zstd(string text)
    {
        using var buffer = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(buffer, leaveOpen: true)) z.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    /// <summary>The text as a file of that compression (Engine.Sources.Compression).</summary>
    public static byte[] Compress(Engine.Sources.Compression compression, string text) => compression switch
    {
        Engine.Sources.Compression.Gzip => Gzip(text),
        Engine.Sources.Compression.Bzip2 => Bzip2(text),
        Engine.Sources.Compression.Zstd => Zstd(text),
        _ => Encoding.UTF8.GetBytes(text),
    };

    /// <summary>
    /// Many objects at once, written straight into s3rver's folder (object, metadata and md5 files, as one
    /// PUT writes them): 20,000 uploads over HTTP would take minutes, this takes a second or two.
    /// The bucket must exist (create it through the API first).
    /// </summary>
    public static void WriteObjectsOnDisk(ServersFixture fixture, string bucket, IEnumerable<string> keys, string body = "{}")
    {
        var root = Path.Combine(fixture.Servers.S3.Directory, bucket);
        var bytes = Encoding.UTF8.GetBytes(body);
#pragma warning disable CA5351 // s3rver keeps an MD5 (the ETag) beside each object; not used for security
        var md5 = Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351
        foreach (var key in keys)
        {
            var path = Path.Combine(root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path + "._S3rver_object", bytes);
            File.WriteAllText(path + "._S3rver_metadata.json", "{\"content-type\":\"application/octet-stream\"}");
            File.WriteAllText(path + "._S3rver_object.md5", md5);
        }
    }
}

/// <summary>An IEngineLog that keeps what it was told, for assertions.</summary>
internal sealed class ListLog : IEngineLog
{
    public List<string> Messages { get; } = [];
    public void Verbose(string message) { lock (Messages) Messages.Add("VERBOSE: " + message); }
    public void Debug(string message) { lock (Messages) Messages.Add("DEBUG: " + message); }
    public void Warning(string message) { lock (Messages) Messages.Add("WARNING: " + message); }
    public void Progress(string activity, string status, int percentComplete) { }
}
