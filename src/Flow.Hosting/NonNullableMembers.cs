using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Flow.Hosting;

/// <summary>
/// Completes System.Text.Json's checks of a request body. <see cref="JsonSerializerOptions.RespectNullableAnnotations"/>
/// rejects a <c>null</c> sent for a member that cannot be null, and
/// <see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/> a constructor parameter left out; but a
/// member left out of the JSON keeps its default, which for a plain class's non-nullable reference without an
/// initializer is null. A contract modifier: each object read checks, once read (and once its own
/// <see cref="System.Text.Json.Serialization.IJsonOnDeserialized"/> ran), that no such member is null; extension data
/// (<see cref="System.Text.Json.Serialization.JsonExtensionDataAttribute"/>) is not a member a request sends.
/// </summary>
internal static class NonNullableMembers
{
    /// <summary>Adds the check to an object type's contract that has members whose setter does not take null.</summary>
    public static void Modify(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        // IsSetNullable is false only where the annotations say the member cannot be null (RespectNullableAnnotations).
        var members = type.Properties
            .Where(p => p.Get is not null && p.Set is not null && !p.IsSetNullable && !p.PropertyType.IsValueType && !p.IsExtensionData)
            .ToArray();
        if (members.Length == 0)
        {
            return;
        }

        var onDeserialized = type.OnDeserialized;
        type.OnDeserialized = value =>
        {
            // The type's own callback (IJsonOnDeserialized) first: it may give a member left out its default. One that
            // fails on a member left out (Name.Trim()) is the body's fault, said as such, not the endpoint's.
            try
            {
                onDeserialized?.Invoke(value);
            }
            catch (Exception e) when (e is not JsonException && members.FirstOrDefault(m => m.Get!(value) is null) is { } missing)
            {
                throw LeftOut(type.Type, missing, e);
            }

            foreach (var member in members)
            {
                if (member.Get!(value) is null)
                {
                    throw LeftOut(type.Type, member, null);
                }
            }
        };
    }

    private static LeftOutException LeftOut(Type type, JsonPropertyInfo member, Exception? inner) =>
        new(member.Name, $"'{member.Name}' is missing: {type.Name}.{MemberName(member)} cannot be null, so the request must send it.", inner);

    private static string MemberName(JsonPropertyInfo member) =>
        member.AttributeProvider is System.Reflection.MemberInfo info ? info.Name : member.Name;

    /// <summary>
    /// A member that the body left out. Thrown without a path, it gets the path of the object that lacks it from the
    /// serializer; <see cref="Field"/> adds the member's name to that.
    /// </summary>
    internal sealed class LeftOutException(string member, string message, Exception? inner = null) : JsonException(message, inner)
    {
        public string Member { get; } = member;

        /// <summary>The member's path in the body, as the serializer writes paths: <c>$.billing.city</c>.</summary>
        public string Field
        {
            get
            {
                var parent = Path ?? "$";
                return Member.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
                    ? $"{parent}.{Member}"
                    : $"{parent}['{Member.Replace("'", "\\'", StringComparison.Ordinal)}']";
            }
        }
    }
}
