using System.Text.RegularExpressions;

namespace Flow.S3;

/// <summary>A bucket and a key prefix: <c>s3://bucket/prefix</c>.</summary>
public sealed partial record S3Root(string Bucket, string Prefix)
{
    /// <summary>Parses <c>s3://bucket</c> or <c>s3://bucket/prefix</c>.</summary>
    public static S3Root Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw new FlowException($"'{uri}' is not an S3 location; write s3://BUCKET/PREFIX.");
        }

        var rest = uri[5..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (!BucketName().IsMatch(bucket))
        {
            throw new FlowException($"'{bucket}' in '{uri}' is not an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-'.");
        }

        if (prefix.Split('/').Any(part => part is "." or ".." || (prefix.Length > 0 && part.Length == 0)))
        {
            throw new FlowException($"The prefix '{prefix}' in '{uri}' has an empty, '.' or '..' part; write s3://BUCKET/PREFIX with plain folder names.");
        }

        return new S3Root(bucket, prefix);
    }

    /// <summary>The full key of <paramref name="relative"/> under the prefix.</summary>
    public string Key(string relative) => Prefix.Length == 0 ? relative : $"{Prefix}/{relative}";

    /// <inheritdoc />
    public override string ToString() => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();
}
