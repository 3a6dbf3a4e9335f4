using Rewind.Aws.Errors;
using Rewind.Aws.SecretsManager;
using Rewind.Core;

namespace Rewind.Playbook.Smoke;

/// <summary>
/// The smoke tests' API key, held in memory only: <see cref="ToString"/> gives "***", and <see cref="Redact"/> masks
/// it in any text before that text is printed, logged or journaled. Only the HTTP runner reads the value.
/// </summary>
public sealed class ApiKey
{
    private readonly string _value;

    private ApiKey(string value, string source)
    {
        _value = value;
        Source = source;
    }

    /// <summary>Where the key came from, safe to show: "env:SMOKE_API_KEY", "secret:NAME", "--api-key".</summary>
    public string Source { get; }

    /// <summary>The key given on the command line (visible in the process list: the command warns).</summary>
    public static ApiKey FromFlag(string value) => new(Checked(value, "--api-key"), "--api-key");

    /// <summary>The key in an environment variable, or null when the variable is unset or empty.</summary>
    public static ApiKey? FromEnvironment(string variable, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment(variable) is { Length: > 0 } value ? new ApiKey(Checked(value.Trim(), $"${variable}"), $"env:{variable}") : null;
    }

    /// <summary>The key in a Secrets Manager secret (its AWSCURRENT SecretString); a secret that does not exist is bad input.</summary>
    public static async Task<ApiKey> FromSecretAsync(ISecretsManagerClient secrets, string secretId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        SecretVersionValue secret;
        try
        {
            secret = await secrets.GetSecretValueAsync(secretId, SecretVersionSelector.Current, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code is "ResourceNotFoundException" or "InvalidRequestException")
        {
            throw new RewindException($"the smoke API key secret {secretId} cannot be read ({e.Code})", "check smoke.api_key_secret (aws secretsmanager list-secrets)", FailureKind.BadInput);
        }
        if (secret.Value.IsBinary)
            throw new RewindException($"the smoke API key secret {secretId} is binary", "store the API key as a SecretString", FailureKind.BadInput);
        return new ApiKey(Checked(secret.Value.Reveal().Trim(), $"secret {secretId}"), $"secret:{secretId}");
    }

    /// <summary>The text with every occurrence of the key replaced by "***".</summary>
    public string Redact(string text) =>
        string.IsNullOrEmpty(text) ? text : text.Replace(_value, SecretValue.Mask, StringComparison.Ordinal);

    /// <summary>The header value with the placeholder replaced by the key: for the request only.</summary>
    internal string Fill(string headerValue) =>
        headerValue.Replace(Core.Configuration.SmokeCheck.ApiKeyPlaceholder, _value, StringComparison.Ordinal);

    public override string ToString() => SecretValue.Mask;

    // A key that could not travel in a header would fail every request with a confusing error; say so once instead.
    private static string Checked(string value, string from)
    {
        if (value.Length == 0 || value.Any(c => char.IsControl(c) || c > '~'))
            throw new RewindException($"the smoke API key from {from} is empty or has characters a header cannot carry", "store the key as plain printable ASCII", FailureKind.BadInput);
        return value;
    }
}
