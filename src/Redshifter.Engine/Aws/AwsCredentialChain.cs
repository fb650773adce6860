using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Aws;

/// <summary>
/// The AWS identity of the module, for S3 and for the IAM credential calls alike (DESIGN.md section 2):
/// an explicit profile, else the environment's keys, else web identity (AWS_WEB_IDENTITY_TOKEN_FILE +
/// AWS_ROLE_ARN, as GitHub Actions OIDC and EKS provide), else the SDK's whole default chain (profiles with
/// role_arn/source_profile, SSO, container and instance roles). Web identity, role profiles and SSO make the
/// SDK load AWSSDK.SecurityToken / SSO / SSOOIDC by name from Dependencies/, so only those sources load them.
/// </summary>
internal static class AwsCredentialChain
{
    /// <summary>The credentials and where they came from (a name, never a value).</summary>
    internal static (AWSCredentials Credentials, string Source) Resolve(string? profileName, IEnvironment env, string purpose = "the AWS access key for S3")
    {
        if (profileName != null)
        {
            var chain = new CredentialProfileStoreChain();
            if (chain.TryGetAWSCredentials(profileName, out var profileCredentials))
                return (profileCredentials, $"AWS profile '{profileName}'");
            throw RedshifterException.InvalidArgument(
                $"The AWS profile '{profileName}' was not found in the shared credentials or config file.",
                "Check the profile name (aws configure list-profiles), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
                profileName);
        }
        var keyId = env.Optional(EnvironmentVariables.AccessKeyId);
        var secret = env.Optional(EnvironmentVariables.SecretAccessKey);
        if (keyId != null && secret != null)
        {
            var token = env.Optional(EnvironmentVariables.SessionToken);
            return token != null
                ? (new SessionAWSCredentials(keyId, secret, token), "environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN")
                : (new BasicAWSCredentials(keyId, secret), "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        // Read from this environment rather than left to the SDK's chain (which reads the process's), so that
        // a caller's environment decides; the SDK refreshes the assumed role's keys before they expire.
        var tokenFile = env.Optional(EnvironmentVariables.WebIdentityTokenFile);
        var roleArn = env.Optional(EnvironmentVariables.RoleArn);
        if (tokenFile != null && roleArn != null)
        {
            var sessionName = env.Optional(EnvironmentVariables.RoleSessionName) ?? "redshifter-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (new AssumeRoleWithWebIdentityCredentials(tokenFile, roleArn, sessionName),
                $"web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role {roleArn})");
        }
        try
        {
            var resolved = DefaultAWSCredentialsIdentityResolver.GetCredentials();
            return (resolved, "the AWS SDK's default credential chain (" + resolved.GetType().Name + ")");
        }
        catch (AmazonClientException)
        {
            throw EnvironmentVariables.Missing(EnvironmentVariables.AccessKeyId,
                purpose + " (or configure a profile, SSO, web identity or an instance role that the AWS SDK finds)");
        }
    }
}
