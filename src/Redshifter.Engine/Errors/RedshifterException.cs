using Redshifter.Engine.Loading;

namespace Redshifter.Engine.Errors;

/// <summary>The error ids of DESIGN.md section 7; a FullyQualifiedErrorId starts with one of them.</summary>
public static class ErrorIds
{
    public const string MissingEnvironmentVariable = "Redshifter.MissingEnvironmentVariable";
    public const string SourceNotFound = "Redshifter.SourceNotFound";
    public const string InvalidConfig = "Redshifter.InvalidConfig";
    public const string SchemaMismatch = "Redshifter.SchemaMismatch";
    public const string CopyFailed = "Redshifter.CopyFailed";
    public const string LoadFailed = "Redshifter.LoadFailed";
    public const string ConnectionFailed = "Redshifter.ConnectionFailed";
    public const string InvalidArgument = "Redshifter.InvalidArgument";
}

/// <summary>What kind of failure this is; the cmdlets map it to PowerShell's ErrorCategory.</summary>
public enum ErrorKind
{
    NotSpecified,
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    PermissionDenied,
    ConnectionError,
    InvalidOperation,
    OperationStopped,
    ResourceUnavailable,
}

/// <summary>
/// Every failure the engine reports to people: an id of section 7, a message that says what went
/// wrong, a recommended action, and the object it concerns (a table, a uri, a variable name).
/// Messages never contain a secret: build them from names, never from connection strings.
/// </summary>
public class RedshifterException : Exception
{
    public string ErrorId { get; }
    public ErrorKind Kind { get; }
    public string? RecommendedAction { get; }
    public object? Target { get; }

    private readonly IReadOnlyList<LoadErrorDetail>? _details;

    /// <summary>
    /// The records a load refused (file, line, column, value, reason); empty for other failures. An error
    /// that wraps another (Redshifter.LoadFailed around a CopyFailed) has the details of the one it wraps.
    /// </summary>
    public IReadOnlyList<LoadErrorDetail> Details
    {
        get => _details ?? (InnerException as RedshifterException)?.Details ?? [];
        init => _details = value;
    }

    public RedshifterException(string errorId, ErrorKind kind, string message, string? recommendedAction = null, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        RecommendedAction = recommendedAction;
        Target = target;
    }

    public RedshifterException() : this(ErrorIds.LoadFailed, ErrorKind.NotSpecified, "Redshifter failed.") { }
    public RedshifterException(string message) : this(ErrorIds.LoadFailed, ErrorKind.NotSpecified, message) { }
    public RedshifterException(string message, Exception inner) : this(ErrorIds.LoadFailed, ErrorKind.NotSpecified, message, null, null, inner) { }

    public static RedshifterException InvalidArgument(string message, string recommendedAction, object? target = null) =>
        new(ErrorIds.InvalidArgument, ErrorKind.InvalidArgument, message, recommendedAction, target);
}
