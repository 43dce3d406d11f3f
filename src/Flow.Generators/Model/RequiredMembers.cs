using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Model;

/// <summary>The <c>required</c> members that the generated code's <c>new T()</c> of a flow or a service would leave unset.</summary>
internal static class RequiredMembers
{
    /// <summary>
    /// The required members (the type's own, then its base classes') that <c>new T()</c> leaves unset: none when it
    /// has none, or when the constructor that call binds to is marked [SetsRequiredMembers].
    /// </summary>
    public static IEnumerable<string> UnsetByNew(INamedTypeSymbol type)
    {
        // new T() binds to the parameterless constructor when there is one, else to one whose parameters are all optional.
        var creatable = type.InstanceConstructors.Where(c => c.Parameters.All(p => p.IsOptional || p.IsParams)).ToList();
        var called = creatable.Where(c => c.Parameters.IsEmpty).ToList() is { Count: > 0 } parameterless ? parameterless : creatable;
        if (called.Count == 0 || called.All(SetsRequiredMembers))
        {
            return Enumerable.Empty<string>();
        }

        var names = new List<string>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var member in t.GetMembers())
            {
                if (member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true } && !names.Contains(member.Name))
                {
                    names.Add(member.Name);
                }
            }
        }

        return names;
    }

    private static bool SetsRequiredMembers(IMethodSymbol constructor) =>
        constructor.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute");
}
