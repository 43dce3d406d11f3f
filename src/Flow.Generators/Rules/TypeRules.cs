using System.Collections.Generic;
using System.Linq;
using Flow.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flow.Generators.Rules;

/// <summary>What types Flow can store (MessagePack, contract-less, no type names in the data) and parse from a command line.</summary>
internal static class TypeRules
{
    private static readonly HashSet<string> Collections = new()
    {
        "System.Collections.Generic.List<T>",
        "System.Collections.Generic.IList<T>",
        "System.Collections.Generic.ICollection<T>",
        "System.Collections.Generic.IEnumerable<T>",
        "System.Collections.Generic.IReadOnlyList<T>",
        "System.Collections.Generic.IReadOnlyCollection<T>",
        "System.Collections.Generic.HashSet<T>",
        "System.Collections.Generic.ISet<T>",
        "System.Collections.Generic.LinkedList<T>",
        "System.Collections.Generic.Queue<T>",
        "System.Collections.Generic.Stack<T>",
        "System.Collections.Generic.SortedSet<T>",
        "System.Collections.ObjectModel.Collection<T>",
        "System.Collections.ObjectModel.ReadOnlyCollection<T>",
        "System.Collections.Generic.Dictionary<TKey, TValue>",
        "System.Collections.Generic.IDictionary<TKey, TValue>",
        "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>",
        "System.Collections.Generic.SortedDictionary<TKey, TValue>",
        "System.Collections.Generic.SortedList<TKey, TValue>",
        "System.Collections.Generic.KeyValuePair<TKey, TValue>",
        "System.Nullable<T>",
        "System.Lazy<T>",
        "System.Tuple<T1>",
        "System.Tuple<T1, T2>",
        "System.Tuple<T1, T2, T3>",
        "System.Tuple<T1, T2, T3, T4>",
        "System.ValueTuple<T1>",
        "System.ValueTuple<T1, T2>",
        "System.ValueTuple<T1, T2, T3>",
        "System.ValueTuple<T1, T2, T3, T4>",
        "System.ValueTuple<T1, T2, T3, T4, T5>",
        "System.ValueTuple<T1, T2, T3, T4, T5, T6>",
        "System.ValueTuple<T1, T2, T3, T4, T5, T6, T7>",
    };

    private static readonly HashSet<string> Scalars = new()
    {
        "System.Decimal", "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.Guid", "System.Uri",
        "System.Version", "System.Numerics.BigInteger", "System.Numerics.Complex", "System.Text.StringBuilder",
        "System.Collections.BitArray", "System.Type",
    };

    public static bool IsCommandLineType(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.TypeKind == TypeKind.Enum || type.SpecialType switch
        {
            SpecialType.System_String or SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_Byte or
            SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or
            SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal or
            SpecialType.System_DateTime => true,
            _ => type.ToDisplayString() is "System.Guid" or "System.DateTimeOffset" or "System.TimeSpan",
        };
    }

    /// <summary>The element type of an enumerable (the T of the IEnumerable&lt;T&gt; it implements), or null.</summary>
    public static ITypeSymbol? ElementType(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType;
        }

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } self)
        {
            return self.TypeArguments[0];
        }

        var enumerables = type.AllInterfaces
            .Where(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
            .ToList();
        return enumerables.Count == 1 ? enumerables[0].TypeArguments[0] : null;
    }

    public static bool IsSerializable(ITypeSymbol type, FlowSymbols symbols, out string why) =>
        IsSerializable(type, symbols, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), out why);

    private static bool IsSerializable(ITypeSymbol type, FlowSymbols symbols, HashSet<ITypeSymbol> visiting, out string why)
    {
        why = "";
        if (type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_String or SpecialType.System_DateTime or SpecialType.System_Decimal)
        {
            return true;
        }

        switch (type.TypeKind)
        {
            case TypeKind.Enum:
                return true;
            case TypeKind.TypeParameter:
                why = "a generic type parameter has no fixed shape to store";
                return false;
            case TypeKind.Dynamic:
                why = "dynamic values have no fixed shape to store; use a concrete type";
                return false;
            case TypeKind.Pointer:
            case TypeKind.FunctionPointer:
                why = "pointers cannot be stored";
                return false;
            case TypeKind.Delegate:
                why = "delegates are code, not data";
                return false;
            case TypeKind.Array:
                var array = (IArrayTypeSymbol)type;
                return IsSerializable(array.ElementType, symbols, visiting, out why);
        }

        if (type.SpecialType == SpecialType.System_Object)
        {
            why = "'object' would be read back as a different type; use a concrete type";
            return false;
        }

        var display = type.OriginalDefinition.ToDisplayString();
        if (Scalars.Contains(display))
        {
            if (display == "System.Type")
            {
                why = "type names are never read from stored data";
                return false;
            }

            return true;
        }

        if (type is INamedTypeSymbol named && named.IsGenericType && Collections.Contains(display))
        {
            foreach (var argument in named.TypeArguments)
            {
                if (!IsSerializable(argument, symbols, visiting, out var inner))
                {
                    why = $"its element type {argument.ToDisplayString()} cannot be stored ({inner})";
                    return false;
                }
            }

            return true;
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            why = "an interface does not say which type to create when reading; use a concrete type";
            return false;
        }

        if (display.StartsWith("System.", System.StringComparison.Ordinal) && type.ContainingAssembly?.Name is "System.Private.CoreLib" or "System.Runtime" or "mscorlib" or "netstandard" or "System.IO" or "System.Threading.Tasks")
        {
            why = $"{display} is not data Flow can store; store its contents instead";
            return false;
        }

        if (type.IsAbstract && (symbols.Union is null || !type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.Union))))
        {
            why = "an abstract type does not say which type to create when reading; use a concrete type or MessagePack's [Union]";
            return false;
        }

        if (!visiting.Add(type.OriginalDefinition))
        {
            return true;
        }

        try
        {
            if (symbols.MessagePackObject is not null && type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.MessagePackObject)))
            {
                return true;
            }

            foreach (var member in type.GetMembers())
            {
                var memberType = member switch
                {
                    IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod: not null } p => p.Type,
                    IFieldSymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, IsImplicitlyDeclared: false } f => f.Type,
                    _ => null,
                };
                if (memberType is not null && !IsSerializable(memberType, symbols, visiting, out var inner))
                {
                    why = $"its member {member.Name} ({memberType.ToDisplayString()}) cannot be stored: {inner}";
                    return false;
                }
            }

            return true;
        }
        finally
        {
            visiting.Remove(type.OriginalDefinition);
        }
    }
}
