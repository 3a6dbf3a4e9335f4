namespace Rewind.Aws.Transport;

/// <summary>One AWS API call, before signing. <see cref="Path"/> is sent as given (already percent-encoded).</summary>
public sealed record AwsRequest(
    string Operation,
    HttpMethod Method,
    string Path = "/",
    IReadOnlyList<KeyValuePair<string, string>>? Query = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    ReadOnlyMemory<byte> Body = default,
    string? ContentType = null)
{
    /// <summary>True for operations that only read: they are safe to count as non-mutating.</summary>
    public bool IsReadOnly { get; init; }

    /// <summary>
    /// The class of a mutating call that is not one of Rewind's own operations (the demo's and tests' seeding);
    /// Rewind's own take theirs from <see cref="CallClasses"/>.
    /// </summary>
    public CallClass? Class { get; init; }
}

/// <summary>A successful (2xx) answer.</summary>
public sealed record AwsResponse(int Status, byte[] Body, string? RequestId, IReadOnlyDictionary<string, string> Headers);
