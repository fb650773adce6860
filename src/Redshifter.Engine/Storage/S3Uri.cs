using System.Text.RegularExpressions;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Storage;

/// <summary>Parsing and formatting of <c>s3://bucket/key</c> and of -Bucket values.</summary>
public static partial class S3Uri
{
    public static string Format(string bucket, string key) => $"s3://{bucket}/{key}";

    public static bool IsS3Uri(string value) => value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Splits <c>s3://bucket/key</c>.</summary>
    public static (string Bucket, string Key) Parse(string uri)
    {
        if (!IsS3Uri(uri))
            throw RedshifterException.InvalidArgument($"'{uri}' is not an S3 URI.", "Write it as s3://bucket/key.", uri);
        var rest = uri[5..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        ValidateBucket(bucket, uri);
        return (bucket, key);
    }

    /// <summary>A -Bucket value: <c>name</c> or <c>s3://name[/prefix/]</c>; returns the bucket and the prefix ("" or ending in '/').</summary>
    public static (string Bucket, string Prefix) ParseBucket(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw RedshifterException.InvalidArgument("-Bucket is empty.", "Give the bucket's name, or s3://name/prefix/.", value);
        var (bucket, prefix) = IsS3Uri(value) ? Parse(value.Trim()) : (value.Trim(), "");
        if (!IsS3Uri(value)) ValidateBucket(bucket, value);
        if (prefix.Length > 0 && !prefix.EndsWith('/')) prefix += "/";
        return (bucket, prefix);
    }

    private static void ValidateBucket(string bucket, string given)
    {
        if (!BucketName().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
            throw RedshifterException.InvalidArgument(
                $"'{given}' is not a valid S3 bucket name: bucket names are 3 to 63 characters of lower-case letters, digits, dots and hyphens.",
                "Give the bucket's name (for example my-data) or s3://my-data/prefix/.", given);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
