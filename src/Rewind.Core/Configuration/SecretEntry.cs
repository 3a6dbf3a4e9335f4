namespace Rewind.Core.Configuration;

/// <summary>One Secrets Manager secret the release may have rotated (an item of <c>secrets:</c>).</summary>
/// <param name="Id">The secret's ARN or name.</param>
public sealed record SecretEntry(string Id);
