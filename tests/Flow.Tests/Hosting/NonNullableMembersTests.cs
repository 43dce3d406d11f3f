using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Flow.Hosting;
using NUnit.Framework;

namespace Flow.Tests.Hosting;

/// <summary>The check of a request body's non-nullable members, on System.Text.Json alone: paths, names, the type's own callback.</summary>
public class NonNullableMembersTests
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(NonNullableMembers.Modify),
    };

    public sealed class Town
    {
        [JsonPropertyName("home town")]
        public string Name { get; set; } = null!;

        public string Country { get; set; } = "NO";

        public string? Note { get; set; }
    }

    public sealed class Checked : IJsonOnDeserialized
    {
        public string Name { get; set; } = null!;

        public bool Seen { get; private set; }

        public void OnDeserialized() => Seen = true;
    }

    [Test]
    public void AMemberLeftOutIsNamedByItsPathInTheBody()
    {
        var e = Assert.Throws<NonNullableMembers.LeftOutException>(() => JsonSerializer.Deserialize<List<Town>>("[{\"home town\": \"Oslo\"}, {\"country\": \"SE\"}]", Options))!;
        Assert.That(e.Field, Is.EqualTo("$[1]['home town']"));
        Assert.That(e.Message, Does.Contain("'home town' is missing").And.Contain("Town.Name"));
    }

    [Test]
    public void MembersWithADefaultOrThatMayBeNullMayBeLeftOut()
    {
        var town = JsonSerializer.Deserialize<Town>("{\"home town\": \"Oslo\"}", Options)!;
        Assert.That((town.Name, town.Country, town.Note), Is.EqualTo(("Oslo", "NO", (string?)null)));
    }

    public sealed class Defaulted : IJsonOnDeserialized
    {
        public string Plan { get; set; } = null!;

        public string Name { get; set; } = null!;

        public void OnDeserialized() => Plan ??= "basic";
    }

    public sealed class WithExtra
    {
        public string Name { get; set; } = null!;

        [JsonExtensionData]
        public Dictionary<string, JsonElement> Extra { get; set; } = null!;
    }

    [Test]
    public void TheTypesOwnCallbackStillRuns()
    {
        Assert.That(JsonSerializer.Deserialize<Checked>("{\"name\": \"a\"}", Options)!.Seen, Is.True);
        Assert.Throws<NonNullableMembers.LeftOutException>(() => JsonSerializer.Deserialize<Checked>("{}", Options));
    }

    [Test]
    public void AMemberTheTypesOwnCallbackSetsMayBeLeftOut()
    {
        var read = JsonSerializer.Deserialize<Defaulted>("{\"name\": \"a\"}", Options)!;
        Assert.That(read.Plan, Is.EqualTo("basic"));
        var e = Assert.Throws<NonNullableMembers.LeftOutException>(() => JsonSerializer.Deserialize<Defaulted>("{\"plan\": \"pro\"}", Options))!;
        Assert.That(e.Field, Is.EqualTo("$.name"));
    }

    public sealed class Trimmed : IJsonOnDeserialized
    {
        public string Name { get; set; } = null!;

        public void OnDeserialized() => Name = Name.Trim();
    }

    [Test]
    public void ACallbackThatFailsOnAMemberLeftOutIsTheBodysFault()
    {
        Assert.That(JsonSerializer.Deserialize<Trimmed>("{\"name\": \" a \"}", Options)!.Name, Is.EqualTo("a"));
        var e = Assert.Throws<NonNullableMembers.LeftOutException>(() => JsonSerializer.Deserialize<Trimmed>("{}", Options))!;
        Assert.That(e.Field, Is.EqualTo("$.name"));
        Assert.That(e.InnerException, Is.TypeOf<NullReferenceException>());
    }

    [Test]
    public void ExtensionDataIsNotAMemberTheRequestMustSend()
    {
        var read = JsonSerializer.Deserialize<WithExtra>("{\"name\": \"a\"}", Options)!;
        Assert.That(read.Name, Is.EqualTo("a"));
        Assert.That(JsonSerializer.Deserialize<WithExtra>("{\"name\": \"a\", \"more\": 1}", Options)!.Extra.Keys, Is.EqualTo(new[] { "more" }));
    }
}
