using Amazon.Runtime;
using Amazon.S3.Model;

namespace Redshifter.Engine.Storage;

public sealed partial class S3Storage
{
    /// <summary>
    /// The bucket's region as S3 reports it (GetBucketLocation), or null when it cannot be read (no
    /// s3:GetBucketLocation permission, a server without the call): the caller then cannot compare, and says so.
    /// An empty location constraint is us-east-1, and the legacy "EU" is eu-west-1
    /// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
    /// </summary>
    public async Task<string?> TryGetBucketRegionAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            var location = response.Location?.Value;
            return string.IsNullOrEmpty(location) ? "us-east-1" : location == "EU" ? "eu-west-1" : location;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            return null;
        }
    }
}
