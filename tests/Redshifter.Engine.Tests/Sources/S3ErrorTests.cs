using System.Net;
using Amazon.S3;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Storage;

namespace Redshifter.Engine.Tests.Sources;

/// <summary>
/// How S3's refusals read. The test S3 server does not check signatures, so access denied is shown with
/// the SDK's own exception (a unit test of the translation, not a stand-in for S3).
/// </summary>
public sealed class S3ErrorTests
{
    [Theory]
    [InlineData("AccessDenied", HttpStatusCode.Forbidden, ErrorKind.PermissionDenied)]
    [InlineData("SignatureDoesNotMatch", HttpStatusCode.Forbidden, ErrorKind.PermissionDenied)]
    [InlineData("NoSuchBucket", HttpStatusCode.NotFound, ErrorKind.ObjectNotFound)]
    [InlineData("SlowDown", HttpStatusCode.ServiceUnavailable, ErrorKind.ResourceUnavailable)]
    public void Refusals_name_the_bucket_and_say_what_to_do(string code, HttpStatusCode status, ErrorKind kind)
    {
        var ex = S3Storage.Translate(new AmazonS3Exception("refused") { ErrorCode = code, StatusCode = status }, "analytics", "api_pages_");
        Assert.Equal(kind, ex.Kind);
        Assert.Contains("analytics", ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(ex.RecommendedAction));
    }
}
