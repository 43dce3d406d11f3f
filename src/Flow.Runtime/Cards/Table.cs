using System.Reflection;
using System.Text;

namespace Flow.Cards;

/// <summary>
/// A table: headers and rows of values. <see cref="From{T}"/> makes one from records of any type, a column per public
/// property. Cells are written with the invariant culture; their values are read when the card is stored.
/// </summary>
public sealed class Table : CardComponent
{
    private readonly Func<IReadOnlyList<IReadOnlyList<object?>>> _rows;

    /// <summary>Creates a table from its headers and rows (each row a list of cells, as many as the headers).</summary>
    public Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        Headers = headers.ToArray();
        var copied = rows.ToArray();
        _rows = () => copied;
    }

    private Table(IReadOnlyList<string> headers, Func<IReadOnlyList<IReadOnlyList<object?>>> rows)
    {
        Headers = headers;
        _rows = rows;
    }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>The rows (for a table made with <see cref="From{T}"/>, read from the records now).</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows();

    /// <summary>A table of <paramref name="records"/>: a column per public readable property of <typeparamref name="T"/>, a row per record.</summary>
    public static Table From<T>(IEnumerable<T> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var items = records.ToArray();
        var properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .ToArray();
        if (properties.Length == 0)
        {
            // A type without properties (a number, a string): one column of the values themselves.
            return new Table([typeof(T).Name], () => items.Select(i => (IReadOnlyList<object?>)[i]).ToArray());
        }

        return new Table(
            properties.Select(p => p.Name).ToArray(),
            () => items.Select(item => (IReadOnlyList<object?>)properties.Select(p => item is null ? null : Read(p, item)).ToArray()).ToArray());
    }

    // A property that throws fails the table with its own exception, not reflection's wrapper.
    private static object? Read(PropertyInfo property, object item)
    {
        try
        {
            return property.GetValue(item);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }

    internal override void Render(StringBuilder html)
    {
        var rows = Rows;
        var body = new StringBuilder();
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (var cell in row)
            {
                body.Append("<td>").Append(Html.Encode(Format.Cell(cell))).Append("</td>");
            }

            body.Append("</tr>");
        }

        html.Append("<table class=\"data\"><thead><tr>");
        foreach (var header in Headers)
        {
            html.Append("<th>").Append(Html.Encode(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>").Append(body).Append("</tbody></table>");
    }
}
