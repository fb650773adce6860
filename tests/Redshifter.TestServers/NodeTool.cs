using System.Diagnostics;
using System.Text;

namespace Redshifter.TestServers;

/// <summary>A node script of the npm test tools under tests/tools (installed by `./build.ps1 -Task Setup`).</summary>
internal static class NodeTool
{
    /// <summary>
    /// Runs tests/tools/<paramref name="folder"/>/<paramref name="script"/> with the arguments, once the package
    /// <paramref name="package"/> is installed there; fails with the script's output if it fails or takes over 5 minutes.
    /// </summary>
    public static async Task RunAsync(string folder, string script, string package, string what, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(TestServers.FindRepositoryRoot(), "tests", "tools", folder);
        if (!File.Exists(Path.Combine(dir, "node_modules", package, "package.json")))
            throw new InvalidOperationException($"{what} is not installed: run `./build.ps1 -Task Setup` (npm ci in tests/tools/{folder}).");
        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(dir, script));
        foreach (var argument in arguments) psi.ArgumentList.Add(argument);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(new StringBuilder(what).Append(" failed (exit ").Append(process.ExitCode).Append("): ")
                .Append(await stderr.ConfigureAwait(false)).Append(await stdout.ConfigureAwait(false)).ToString());
    }
}
