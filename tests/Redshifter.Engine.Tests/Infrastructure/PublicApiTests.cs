using System.Reflection;

namespace Redshifter.Engine.Tests.Infrastructure;

/// <summary>
/// The cmdlets run in PowerShell's default load context and the engine in its own: a public engine API
/// that mentions an AWSSDK or Npgsql type would make the cmdlet code resolve that assembly in the default
/// context (and fail, or bind to another version). This keeps the boundary clean.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string[] Forbidden = ["Npgsql", "Amazon", "YamlDotNet", "ZstdSharp", "ICSharpCode"];

    [Fact]
    public void No_third_party_type_crosses_the_engine_boundary()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(IEngineLog).Assembly.GetExportedTypes())
        {
            void Check(Type? t, string where)
            {
                if (t == null) return;
                if (t.HasElementType) { Check(t.GetElementType(), where); return; }
                if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Check(a, where);
                if (Forbidden.Any(f => (t.Namespace ?? "").StartsWith(f, StringComparison.Ordinal))) offenders.Add($"{where}: {t.FullName}");
            }
            Check(type.BaseType, type.FullName!);
            foreach (var i in type.GetInterfaces()) Check(i, type.FullName!);
            foreach (var m in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var where = $"{type.FullName}.{m.Name}";
                switch (m)
                {
                    case MethodBase mb:
                        if (mb is MethodInfo mi) Check(mi.ReturnType, where);
                        foreach (var p in mb.GetParameters()) Check(p.ParameterType, where);
                        break;
                    case PropertyInfo pi: Check(pi.PropertyType, where); break;
                    case FieldInfo fi: Check(fi.FieldType, where); break;
                    case EventInfo ei: Check(ei.EventHandlerType, where); break;
                }
            }
        }
        Assert.Empty(offenders);
    }
}
