using System.Text;

namespace Flow.Cards;

/// <summary>
/// A PNG or JPEG image, embedded in the card as a <c>data:</c> URI. Its bytes are checked by their magic numbers when the
/// card is stored: anything else leaves a note on the card.
/// </summary>
public sealed class Image : CardComponent
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];

    /// <summary>Creates the component from the bytes of a PNG or JPEG file, with an optional caption.</summary>
    public Image(byte[] bytes, string? caption = null)
    {
        Bytes = bytes ?? throw new ArgumentNullException(nameof(bytes));
        Caption = caption;
    }

    /// <summary>The image file's bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>The caption shown under it, if any.</summary>
    public string? Caption { get; }

    /// <summary>Reads a PNG or JPEG file.</summary>
    public static Image FromFile(string path, string? caption = null) => new(File.ReadAllBytes(path), caption);

    /// <summary>The image's media type, told from its first bytes: <c>image/png</c>, <c>image/jpeg</c>, or null for anything else.</summary>
    public static string? MediaType(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith(Png) ? "image/png" : bytes.StartsWith(Jpeg) ? "image/jpeg" : null;

    internal override void Render(StringBuilder html)
    {
        var type = MediaType(Bytes) ?? throw new FormatException(
            $"The image's {Bytes.Length} bytes are not a PNG or JPEG file (they do not start with the magic numbers of either).");
        html.Append("<figure class=\"image\"><img alt=\"").Append(Html.Encode(Caption ?? "image")).Append("\" src=\"data:").Append(type)
            .Append(";base64,").Append(Convert.ToBase64String(Bytes)).Append("\">");
        if (Caption is not null)
        {
            html.Append("<figcaption>").Append(Html.Encode(Caption)).Append("</figcaption>");
        }

        html.Append("</figure>");
    }
}
