namespace Redshifter.Engine.Connections;

/// <summary>
/// Removes secret values (database password, AWS secret key, session token) from any text before it
/// is shown: statements for -Verbose/-WhatIf, error messages, server messages. One place, so every
/// path that shows text goes through the same rule.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";
    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string?> secrets)
    {
        // Longest first, so that a secret containing another is masked whole.
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 3).Select(s => s!)
            .Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
    }

    public static SecretRedactor None { get; } = new([]);

    /// <summary>The values masked (to combine redactors).</summary>
    public IReadOnlyList<string> Secrets => _secrets;

    /// <summary>A redactor for every secret the environment holds, and the database passwords AWS handed out to this process.</summary>
    public static SecretRedactor FromEnvironment(IEnvironment env) => new(
    [
        env.GetVariable(EnvironmentVariables.Password),
        env.GetVariable(EnvironmentVariables.SecretAccessKey),
        env.GetVariable(EnvironmentVariables.SessionToken),
        .. Aws.IamCredentialCache.Shared.Passwords,
    ]);

    public SecretRedactor With(params string?[] more) => new(_secrets.Concat(more));

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return text;
    }
}
