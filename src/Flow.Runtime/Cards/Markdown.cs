using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Flow.Cards;

/// <summary>
/// Text in Markdown (CommonMark with the common extensions: tables, task lists, emphasis extras), rendered to HTML with
/// Markdig. Raw HTML in the text is shown as text, an image is kept only when its source is a <c>data:</c> URI, so
/// that a card never loads anything from elsewhere, and a link only to an http, https or mailto address (another, such
/// as <c>javascript:</c>, goes nowhere).
/// </summary>
public sealed class Markdown : CardComponent
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

    /// <summary>Creates the component from Markdown <paramref name="text"/>.</summary>
    public Markdown(string text) => Text = text ?? throw new ArgumentNullException(nameof(text));

    /// <summary>The Markdown text.</summary>
    public string Text { get; }

    internal override void Render(StringBuilder html)
    {
        var document = Markdig.Markdown.Parse(Text, Pipeline);
        foreach (var image in document.Descendants<LinkInline>().Where(l => l.IsImage).ToList())
        {
            if (image.Url is { } url && url.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // An image from elsewhere would be a request when the card is opened: its alt text stands in for it.
            var alt = string.Concat(image.Descendants<LiteralInline>().Select(l => l.Content.ToString()));
            image.ReplaceBy(new LiteralInline($"[image: {(alt.Length > 0 ? alt : image.Url)}]"));
        }

        // A link runs nothing: only http, https and mailto addresses and the card's own anchors stay links.
        foreach (var link in document.Descendants<LinkInline>().Where(l => !l.IsImage).ToList())
        {
            var url = link.Url?.Trim() ?? "";
            if (!(url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                || url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) || url.StartsWith('#')))
            {
                link.Url = "#";
            }
        }

        using var writer = new StringWriter();
        var renderer = new Markdig.Renderers.HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        html.Append("<div class=\"markdown\">").Append(writer.ToString()).Append("</div>");
    }
}
