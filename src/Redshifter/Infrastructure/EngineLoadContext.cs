using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace Redshifter.Infrastructure;

/// <summary>
/// The engine (Redshifter.Engine) and everything it depends on (AWSSDK, Npgsql, YamlDotNet, …) live in
/// Dependencies/ and load into this context, so the module works in a session that already loaded other
/// versions of those assemblies (AWS.Tools, SimplySql). PowerShell's own assemblies and the framework
/// still come from the default context: a name not found in Dependencies/ falls through to it.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    internal const string EngineAssemblyName = "Redshifter.Engine";

    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location)!, "Dependencies");

    private static readonly Lazy<EngineLoadContext> Instance = new(() => new EngineLoadContext());

    private EngineLoadContext() : base("Redshifter.Engine", isCollectible: false) { }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(DependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>Default.Resolving: answers for the engine's one name and nothing else.</summary>
    internal static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName assemblyName) =>
        assemblyName.Name == EngineAssemblyName ? Instance.Value.LoadFromAssemblyName(assemblyName) : null;
}

/// <summary>Registers the engine resolver when the module is imported, and removes it on Remove-Module.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => AssemblyLoadContext.Default.Resolving += EngineLoadContext.ResolveEngine;

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= EngineLoadContext.ResolveEngine;
}
