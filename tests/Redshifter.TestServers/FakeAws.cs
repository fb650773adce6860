using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Text.Json;

namespace Redshifter.TestServers;

/// <summary>How the fake answers the credential calls (or STS) instead of handing out credentials.</summary>
public enum FakeAwsFault
{
    None,
    /// <summary>403 AccessDenied (Query) / AccessDeniedException (JSON), with AWS's wording.</summary>
    AccessDenied,
    /// <summary>ClusterNotFound (Query) / ResourceNotFoundException (JSON).</summary>
    NotFound,
    /// <summary>403 ExpiredToken / ExpiredTokenException.</summary>
    ExpiredToken,
    /// <summary>200 with a body that is neither the documented XML nor JSON.</summary>
    Garbage,
    /// <summary>500 InternalFailure every time.</summary>
    ServerError,
}

/// <summary>One request the fake received, as it arrived.</summary>
public sealed record FakeAwsRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, string Query = "")
{
    /// <summary>The action: the form's Action (Query protocol), the X-Amz-Target (JSON 1.1), or SSO's GetRoleCredentials (REST).</summary>
    public string Action => Headers.TryGetValue("X-Amz-Target", out var target) ? target
        : Path == "/federation/credentials" ? "GetRoleCredentials"
        : Path == FakeAws.ContainerCredentialsPath ? "ContainerCredentials"
        : Path.StartsWith("/latest/", StringComparison.Ordinal) ? "InstanceMetadata"
        : Form.GetValueOrDefault("Action", "");

    /// <summary>The form parameters of a Query-protocol request (empty for JSON).</summary>
    public IReadOnlyDictionary<string, string> Form => Body.StartsWith('{') ? new Dictionary<string, string>() :
        Body.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    /// <summary>The JSON body's string members (empty for Query).</summary>
    public IReadOnlyDictionary<string, string> Json
    {
        get
        {
            if (!Body.StartsWith('{')) return new Dictionary<string, string>();
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
        }
    }

    public string Authorization => Header("Authorization");

    /// <summary>The temporary credentials' token the request was signed with ("" when none).</summary>
    public string SecurityToken => Header("X-Amz-Security-Token");

    /// <summary>A header's value by name, whatever its case ("" when absent).</summary>
    public string Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value ?? "";
}

/// <summary>
/// A fake of the AWS endpoints REDSHIFT_AUTH=iam talks to, on a loopback HTTP listener: Redshift's
/// GetClusterCredentials and GetClusterCredentialsWithIAM (Query protocol, XML), Redshift Serverless'
/// GetCredentials (JSON 1.1) and STS' AssumeRoleWithWebIdentity and AssumeRole (Query, XML), answered in the
/// shapes the AWS API references document. It records every request (headers and body) and can be told
/// to refuse, to answer garbage, or to hand out credentials that expire in seconds. It checks no signature:
/// tests read the recorded Authorization headers.
/// </summary>
public sealed class FakeAws : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<FakeAwsRequest> _requests = new();
    private readonly Task _loop;

    public string Endpoint { get; }

    /// <summary>The path of the container credentials endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI = Endpoint + this.</summary>
    public const string ContainerCredentialsPath = "/container-credentials";

    /// <summary>The database user GetClusterCredentialsWithIAM and GetCredentials hand out (the caller's IAM identity).</summary>
    public string IamDbUser { get; set; } = "IAM:ci-loader";
    /// <summary>The password every credential call hands out.</summary>
    public string DbPassword { get; set; } = "iam-pw-" + Guid.NewGuid().ToString("N");
    /// <summary>How long handed-out database credentials last.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How the Redshift and Serverless calls answer.</summary>
    public FakeAwsFault Fault { get; set; }
    /// <summary>How STS answers.</summary>
    public FakeAwsFault StsFault { get; set; }

    /// <summary>The keys STS (and SSO's GetRoleCredentials) hand out for an assumed role.</summary>
    public string AssumedAccessKeyId { get; set; } = S3Server.AccessKey;
    public string AssumedSecretAccessKey { get; set; } = S3Server.SecretKey;
    public string AssumedSessionToken { get; set; } = "fake-session-token-" + Guid.NewGuid().ToString("N");

    public FakeAws()
    {
        // HttpListener needs a port up front: take a free one, retrying if another process took it meanwhile.
        for (var attempt = 1; ; attempt++)
        {
            var port = TestServers.FreeLoopbackPort();
            Endpoint = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
            _listener.Prefixes.Add(Endpoint + "/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Prefixes.Clear();
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    // Arrays, so that PowerShell indexes them ([-1]) as it does its own.
    public IReadOnlyList<FakeAwsRequest> Requests => _requests.ToArray();

    /// <summary>Requests of one action (e.g. "GetClusterCredentialsWithIAM", "RedshiftServerless.GetCredentials").</summary>
    public IReadOnlyList<FakeAwsRequest> RequestsOf(string action) => _requests.Where(r => r.Action == action).ToArray();

    /// <summary>Sets the environment variables that point the module's AWS calls here (DESIGN.md section 2).</summary>
    public IReadOnlyDictionary<string, string> EndpointVariables => new Dictionary<string, string>
    {
        ["AWS_ENDPOINT_URL_REDSHIFT"] = Endpoint,
        ["AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS"] = Endpoint,
        ["AWS_ENDPOINT_URL_STS"] = Endpoint,
        ["AWS_ENDPOINT_URL_SSO"] = Endpoint,
    };

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync().ConfigureAwait(false);
            var headers = context.Request.Headers.AllKeys.Where(k => k != null)
                .ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            var request = new FakeAwsRequest(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? "/", headers, body, context.Request.Url?.Query.TrimStart('?') ?? "");
            _requests.Enqueue(request);
            var (status, contentType, text) = Answer(request);
            var bytes = Encoding.UTF8.GetBytes(text);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or SocketException)
        {
        }
    }

    private (int Status, string ContentType, string Body) Answer(FakeAwsRequest request)
    {
        const string xml = "text/xml";
        const string json = "application/x-amz-json-1.1";
        var requestId = Guid.NewGuid().ToString();
        var expires = DateTimeOffset.UtcNow.Add(Lifetime);
        switch (request.Action)
        {
            case "GetClusterCredentialsWithIAM" or "GetClusterCredentials":
            {
                var action = request.Action;
                var cluster = request.Form.GetValueOrDefault("ClusterIdentifier", "");
                if (Fault != FakeAwsFault.None) return QueryFault(Fault, "redshift", action, $"arn:aws:redshift:us-east-1:123456789012:dbname:{cluster}/{request.Form.GetValueOrDefault("DbName")}", $"Cluster {cluster} not found.", "http://redshift.amazonaws.com/doc/2012-12-01/");
                // https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetClusterCredentials.html: the user comes
                // back prefixed IAM: (or IAMA: when AutoCreate created it).
                var user = action == "GetClusterCredentials"
                    ? (request.Form.GetValueOrDefault("AutoCreate") == "true" ? "IAMA:" : "IAM:") + request.Form.GetValueOrDefault("DbUser", "")
                    : IamDbUser;
                return (200, xml,
                    $"""
                    <{action}Response xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
                      <{action}Result>
                        <DbUser>{SecurityElement.Escape(user)}</DbUser>
                        <Expiration>{expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}</Expiration>
                        <DbPassword>{SecurityElement.Escape(DbPassword)}</DbPassword>
                        <NextRefreshTime>{expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</NextRefreshTime>
                      </{action}Result>
                      <ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata>
                    </{action}Response>
                    """);
            }
            case "RedshiftServerless.GetCredentials":
            {
                var workgroup = request.Json.GetValueOrDefault("workgroupName", "");
                switch (Fault)
                {
                    case FakeAwsFault.AccessDenied:
                        return (400, json, JsonError("AccessDeniedException", $"User: arn:aws:sts::123456789012:assumed-role/ci/session is not authorized to perform: redshift-serverless:GetCredentials on resource: arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/{workgroup} because no identity-based policy allows the redshift-serverless:GetCredentials action"));
                    case FakeAwsFault.NotFound:
                        return (400, json, JsonError("ResourceNotFoundException", $"Workgroup {workgroup} not found."));
                    case FakeAwsFault.ExpiredToken:
                        return (400, json, JsonError("ExpiredTokenException", "The security token included in the request is expired"));
                    case FakeAwsFault.Garbage:
                        return (200, json, "{\"dbUser\": ");
                    case FakeAwsFault.ServerError:
                        return (500, json, JsonError("InternalServerException", "Internal failure."));
                }
                // https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_GetCredentials.html; JSON 1.1
                // timestamps are epoch seconds.
                return (200, json, JsonSerializer.Serialize(new
                {
                    dbUser = IamDbUser,
                    dbPassword = DbPassword,
                    expiration = expires.ToUnixTimeMilliseconds() / 1000.0,
                    nextRefreshTime = expires.ToUnixTimeMilliseconds() / 1000.0,
                }));
            }
            case "AssumeRoleWithWebIdentity" or "AssumeRole":
            {
                var action = request.Action;
                var role = request.Form.GetValueOrDefault("RoleArn", "");
                if (StsFault != FakeAwsFault.None) return QueryFault(StsFault, "sts", action, role, "Role not found.", "https://sts.amazonaws.com/doc/2011-06-15/");
                var session = request.Form.GetValueOrDefault("RoleSessionName", "session");
                // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
                var extra = action == "AssumeRoleWithWebIdentity"
                    ? "<SubjectFromWebIdentityToken>repo:example/redshifter:ref:refs/heads/main</SubjectFromWebIdentityToken><Provider>token.actions.githubusercontent.com</Provider><Audience>sts.amazonaws.com</Audience>"
                    : "";
                return (200, xml,
                    $"""
                    <{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <{action}Result>
                        {extra}
                        <AssumedRoleUser>
                          <Arn>{SecurityElement.Escape(role.Replace(":role/", ":assumed-role/", StringComparison.Ordinal))}/{SecurityElement.Escape(session)}</Arn>
                          <AssumedRoleId>AROAFAKEFAKEFAKE:{SecurityElement.Escape(session)}</AssumedRoleId>
                        </AssumedRoleUser>
                        <Credentials>
                          <AccessKeyId>{AssumedAccessKeyId}</AccessKeyId>
                          <SecretAccessKey>{AssumedSecretAccessKey}</SecretAccessKey>
                          <SessionToken>{AssumedSessionToken}</SessionToken>
                          <Expiration>{DateTimeOffset.UtcNow.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}</Expiration>
                        </Credentials>
                      </{action}Result>
                      <ResponseMetadata><RequestId>{requestId}</RequestId></ResponseMetadata>
                    </{action}Response>
                    """);
            }
            case "ContainerCredentials":
            {
                // The ECS/EKS Pod Identity container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI):
                // https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
                return (200, "application/json", JsonSerializer.Serialize(new
                {
                    AccessKeyId = AssumedAccessKeyId,
                    SecretAccessKey = AssumedSecretAccessKey,
                    Token = AssumedSessionToken,
                    Expiration = DateTimeOffset.UtcNow.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    RoleArn = "arn:aws:iam::123456789012:role/ci-task",
                }));
            }
            case "InstanceMetadata":
                return InstanceMetadata(request);
            case "GetRoleCredentials":
            {
                // https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html:
                // REST, the access token in x-amz-sso_bearer_token, expiration in epoch milliseconds.
                if (StsFault != FakeAwsFault.None || request.Header("x-amz-sso_bearer_token").Length == 0)
                    return (401, "application/json", JsonError("UnauthorizedException", "Session token not found or invalid"));
                return (200, "application/json", JsonSerializer.Serialize(new
                {
                    roleCredentials = new
                    {
                        accessKeyId = AssumedAccessKeyId,
                        secretAccessKey = AssumedSecretAccessKey,
                        sessionToken = AssumedSessionToken,
                        expiration = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(),
                    },
                }));
            }
            default:
                return (400, xml, QueryError("InvalidAction", $"Could not find operation {request.Action}.", "", requestId));
        }
    }

    /// <summary>The EC2 instance role's name the instance metadata service lists.</summary>
    public const string InstanceRoleName = "ci-instance-role";

    // The EC2 instance metadata service (IMDSv2) as AWS_EC2_METADATA_SERVICE_ENDPOINT reaches it: a session token
    // by PUT, then the role's name and its credentials with that token.
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
    private (int, string, string) InstanceMetadata(FakeAwsRequest request)
    {
        const string text = "text/plain";
        if (request.Method == "PUT" && request.Path == "/latest/api/token")
            return (200, text, ImdsToken);
        if (request.Header("X-aws-ec2-metadata-token") != ImdsToken) return (401, text, "");
        var path = request.Path.TrimEnd('/');
        if (path == "/latest/meta-data/iam/security-credentials") return (200, text, InstanceRoleName);
        if (path == "/latest/meta-data/iam/security-credentials/" + InstanceRoleName)
        {
            return (200, text, JsonSerializer.Serialize(new
            {
                Code = "Success",
                LastUpdated = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Type = "AWS-HMAC",
                AccessKeyId = AssumedAccessKeyId,
                SecretAccessKey = AssumedSecretAccessKey,
                Token = AssumedSessionToken,
                Expiration = DateTimeOffset.UtcNow.AddHours(6).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            }));
        }
        return (404, text, "");
    }

    private string ImdsToken { get; } = "imds-token-" + Guid.NewGuid().ToString("N");

    private static (int, string, string) QueryFault(FakeAwsFault fault, string service, string action, string resource, string notFound, string ns)
    {
        var requestId = Guid.NewGuid().ToString();
        return fault switch
        {
            FakeAwsFault.AccessDenied => (403, "text/xml", QueryError("AccessDenied",
                $"User: arn:aws:sts::123456789012:assumed-role/ci/session is not authorized to perform: {service}:{action} on resource: {resource}", ns, requestId)),
            FakeAwsFault.NotFound => (404, "text/xml", QueryError(service == "sts" ? "InvalidIdentityToken" : "ClusterNotFound", notFound, ns, requestId)),
            FakeAwsFault.ExpiredToken => (403, "text/xml", QueryError("ExpiredToken", "The security token included in the request is expired", ns, requestId)),
            FakeAwsFault.Garbage => (200, "text/xml", "<html><body>Welcome to the captive portal</body>"),
            _ => (500, "text/xml", QueryError("InternalFailure", "The request processing has failed because of an unknown error.", ns, requestId)),
        };
    }

    // The Query protocol's error shape: https://docs.aws.amazon.com/redshift/latest/APIReference/CommonErrors.html
    private static string QueryError(string code, string message, string ns, string requestId) =>
        $"""<ErrorResponse{(ns.Length > 0 ? $" xmlns=\"{ns}\"" : "")}><Error><Type>Sender</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error><RequestId>{requestId}</RequestId></ErrorResponse>""";

    private static string JsonError(string type, string message) => JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message });

    public void Dispose()
    {
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
