using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Redshifter.Engine.Connections;
using Redshifter.Engine.Errors;

namespace Redshifter.Engine.Aws;

/// <summary>A database user and temporary password handed out by AWS. ToString never shows the password.</summary>
public sealed record DatabaseCredentials(string User, string Password, DateTimeOffset Expiration)
{
    public override string ToString() => $"{User} (expires {Expiration.ToString("u", CultureInfo.InvariantCulture)})";
}

/// <summary>
/// The three AWS calls that hand out temporary database credentials: Redshift's
/// <c>GetClusterCredentialsWithIAM</c> and <c>GetClusterCredentials</c> (Query protocol: a form POST with
/// <c>Version=2012-12-01</c>, an XML answer) and Redshift Serverless' <c>GetCredentials</c> (JSON 1.1), each
/// signed with AWSSDK.Core's public SigV4 signer.
/// <para>
/// Why by hand: the AWSSDK.Redshift and AWSSDK.RedshiftServerless packages are not served by the registry
/// these machines reach. This folder (src/Redshifter.Engine/Aws) is the one place a later switch to those
/// packages replaces; nothing outside it knows how the calls are made.
/// </para>
/// </summary>
internal sealed class RedshiftCredentialsClient(AWSCredentials credentials, string credentialSource)
{
    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetClusterCredentialsWithIAM.html
    // https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetClusterCredentials.html
    private const string RedshiftApiVersion = "2012-12-01";
    // https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_GetCredentials.html
    private const string ServerlessTarget = "RedshiftServerless.GetCredentials";

    private const int MaxAttempts = 3;

    private static readonly HashSet<string> OwnHeaders = new(["Content-Type", "Content-Length", "Host", "X-Amz-Target"], StringComparer.OrdinalIgnoreCase);

    // One client for the process: its connections are reused across calls and renewals.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Asks AWS for credentials with the call the target needs.</summary>
    public Task<DatabaseCredentials> GetAsync(IamTarget target, CancellationToken cancellationToken) => target.Call switch
    {
        IamCall.GetCredentials => GetServerlessCredentialsAsync(target, cancellationToken),
        _ => GetClusterCredentialsAsync(target, cancellationToken),
    };

    private async Task<DatabaseCredentials> GetClusterCredentialsAsync(IamTarget target, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", target.Call.ToString()),
            new("Version", RedshiftApiVersion),
            new("ClusterIdentifier", target.Name),
            new("DbName", target.Database),
        };
        if (target.Call == IamCall.GetClusterCredentials)
        {
            form.Add(new("DbUser", target.DbUser!));
            if (target.AutoCreate) form.Add(new("AutoCreate", "true"));
            // The Query protocol spells a list by its member name: DbGroups.DbGroup.1, DbGroups.DbGroup.2, …
            for (var i = 0; i < target.DbGroups.Count; i++)
                form.Add(new($"DbGroups.DbGroup.{(i + 1).ToString(CultureInfo.InvariantCulture)}", target.DbGroups[i]));
        }
        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
        var (status, text) = await SendAsync(target, body, "application/x-www-form-urlencoded; charset=utf-8", amzTarget: null, cancellationToken).ConfigureAwait(false);
        XElement root;
        try
        {
            root = XDocument.Parse(text).Root ?? throw new XmlException("empty document");
        }
        catch (XmlException)
        {
            throw NotAws(target, status, "XML");
        }
        if (status != HttpStatusCode.OK || root.Name.LocalName == "ErrorResponse")
        {
            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            string? Part(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            throw Refused(target, Part("Code") ?? status.ToString(), Part("Message"));
        }
        string? Field(string name) => root.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        var user = Field("DbUser");
        var password = Field("DbPassword");
        var expiration = Field("Expiration");
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password)
            || !DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
        {
            throw NotAws(target, status, "XML");
        }
        return new DatabaseCredentials(user, password, expires);
    }

    private async Task<DatabaseCredentials> GetServerlessCredentialsAsync(IamTarget target, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["workgroupName"] = target.Name,
            ["dbName"] = target.Database,
        });
        var (status, text) = await SendAsync(target, body, "application/x-amz-json-1.1", ServerlessTarget, cancellationToken).ConfigureAwait(false);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw NotAws(target, status, "JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw NotAws(target, status, "JSON");
            string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (status != HttpStatusCode.OK)
            {
                // JSON 1.1 errors: {"__type": "[namespace#]Code", "message": "…"}.
                var type = Text("__type") ?? status.ToString();
                throw Refused(target, type[(type.LastIndexOf('#') + 1)..], Text("message") ?? Text("Message"));
            }
            var user = Text("dbUser");
            var password = Text("dbPassword");
            // JSON 1.1 timestamps are epoch seconds (a number, possibly fractional).
            DateTimeOffset? expires = root.TryGetProperty("expiration", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var seconds)
                ? DateTimeOffset.UnixEpoch.AddSeconds(seconds) : null;
            if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password) || expires == null) throw NotAws(target, status, "JSON");
            return new DatabaseCredentials(user, password, expires.Value);
        }
    }

    /// <summary>
    /// Signs and sends one POST; retries (signed anew) what AWS's standard retry mode retries: a connection
    /// that failed or timed out, a 5xx, a throttling answer. Returns the last answer's status and body.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Body)> SendAsync(IamTarget target, byte[] body, string contentType, string? amzTarget, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = await SignedRequestAsync(target, body, contentType, amzTarget, cancellationToken).ConfigureAwait(false);
                using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                var retryable = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests
                    || text.Contains("Throttling", StringComparison.Ordinal);
                if (!retryable || attempt == MaxAttempts) return (response.StatusCode, text);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt == MaxAttempts) throw Unreachable(target, ex);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt) + Random.Shared.Next(100)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> SignedRequestAsync(IamTarget target, byte[] body, string contentType, string? amzTarget, CancellationToken cancellationToken)
    {
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = target.Endpoint, Content = body };
        signing.Headers["Content-Type"] = contentType;
        if (amzTarget != null) signing.Headers["X-Amz-Target"] = amzTarget;
        AWSSigningResult signed;
        try
        {
            signed = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
            {
                Credentials = credentials,
                Region = RegionEndpoint.GetBySystemName(target.Region),
                Service = target.Service,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            // The credentials themselves could not be had (e.g. STS refused the web identity token).
            throw IdentityFailed(target, ex);
        }
        catch (AmazonClientException ex)
        {
            throw IdentityFailed(target, ex);
        }
        var request = new HttpRequestMessage(HttpMethod.Post, target.Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (amzTarget != null) request.Headers.TryAddWithoutValidation("X-Amz-Target", amzTarget);
        foreach (var (name, value) in signed.Headers)
        {
            // The signer answers with the headers it adds (Authorization, X-Amz-Date, the token); those of the
            // request itself are already set.
            if (OwnHeaders.Contains(name) || request.Headers.Contains(name)) continue;
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    private static string What(IamTarget target) =>
        $"{target.Permission} for {target.Subject} (region {target.Region}, {target.Endpoint.GetLeftPart(UriPartial.Authority)})";

    private SecretRedactor Redactor(IamTarget target)
    {
        var keys = credentials is BasicAWSCredentials or SessionAWSCredentials ? credentials.GetCredentials() : null;
        return SecretRedactor.FromEnvironment(target.Environment).With(keys?.SecretKey, keys?.Token);
    }

    private RedshifterException Failed(IamTarget target, string reason, string action, Exception? inner = null, ErrorKind kind = ErrorKind.ConnectionError)
    {
        var redactor = Redactor(target);
        return new RedshifterException(ErrorIds.ConnectionFailed, kind,
            redactor.Redact($"Could not get database credentials from AWS (REDSHIFT_AUTH=iam): {What(target)} failed: {reason}"),
            redactor.Redact(action), target.Name,
            inner == null ? null : new InvalidOperationException(redactor.Redact(inner.Message)));
    }

    private RedshifterException Refused(IamTarget target, string code, string? message)
    {
        var reason = $"{code}{(string.IsNullOrWhiteSpace(message) ? "" : ": " + message.Trim())}.";
        var variable = target.IsServerless ? EnvironmentVariables.Workgroup : EnvironmentVariables.ClusterId;
        return code switch
        {
            "AccessDenied" or "AccessDeniedException" or "AccessDeniedFault" or "UnauthorizedOperation" => Failed(target, reason,
                $"Allow the action {target.Permission} on {target.ResourceArn}{ExtraPermissions(target)} to the AWS identity the module uses ({credentialSource}).",
                kind: ErrorKind.PermissionDenied),
            "ClusterNotFound" or "ClusterNotFoundFault" => Failed(target, reason,
                $"Check {variable} ('{target.Name}') and the region ({target.Region}); for a Redshift Serverless workgroup set {EnvironmentVariables.Workgroup} instead.",
                kind: ErrorKind.ObjectNotFound),
            "ResourceNotFoundException" => Failed(target, reason,
                $"Check {variable} ('{target.Name}') and the region ({target.Region}); for a provisioned cluster set {EnvironmentVariables.ClusterId} instead.",
                kind: ErrorKind.ObjectNotFound),
            "ExpiredToken" or "ExpiredTokenException" or "InvalidClientTokenId" or "UnrecognizedClientException" or "SignatureDoesNotMatch" or "InvalidSignatureException" => Failed(target, reason,
                $"AWS refused the credentials from {credentialSource}: renew them (a new session token, `aws sso login`, or the CI job's role) and run the command again.",
                kind: ErrorKind.PermissionDenied),
            _ => Failed(target, reason, $"Check the AWS identity's permissions ({target.Permission}) and {variable}, then run the command again."),
        };
    }

    private static string ExtraPermissions(IamTarget target) =>
        (target.AutoCreate ? " (and redshift:CreateClusterUser for REDSHIFT_AUTO_CREATE)" : "")
        + (target.DbGroups.Count > 0 ? " (and redshift:JoinGroup on the groups of REDSHIFT_DB_GROUPS)" : "");

    private static string EndpointVariable(IamTarget target) => target.IsServerless ? EnvironmentVariables.EndpointRedshiftServerless : EnvironmentVariables.EndpointRedshift;

    private RedshifterException NotAws(IamTarget target, HttpStatusCode status, string format) => Failed(target,
        $"the answer (HTTP {(int)status}) is not the {format} response AWS documents for this call.",
        $"Check that {target.Endpoint.GetLeftPart(UriPartial.Authority)} is the AWS endpoint (see {EndpointVariable(target)} and {EnvironmentVariables.Endpoint}), and any proxy in between.",
        kind: ErrorKind.InvalidData);

    private RedshifterException Unreachable(IamTarget target, Exception ex) => Failed(target,
        $"the endpoint could not be reached after {MaxAttempts} attempts ({(ex is TaskCanceledException ? "no answer within " + Http.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : ex.Message)}).",
        $"Check that {target.Endpoint.GetLeftPart(UriPartial.Authority)} is reachable from here (network, proxy, VPC endpoint), or set {EndpointVariable(target)} to the right endpoint.",
        ex);

    private RedshifterException IdentityFailed(IamTarget target, Exception ex) => Failed(target,
        $"the AWS credentials from {credentialSource} could not be obtained: {(ex is AmazonServiceException s && s.ErrorCode != null ? s.ErrorCode + ": " : "")}{ex.Message}",
        $"Check the AWS identity: for web identity AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and the role's trust policy (sts:AssumeRoleWithWebIdentity); for a profile, its role_arn and source_profile or `aws sso login`.",
        ex, ErrorKind.PermissionDenied);
}
