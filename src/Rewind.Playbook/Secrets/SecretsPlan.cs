using System.Globalization;
using System.Text.Json.Serialization;

namespace Rewind.Playbook.Secrets;

/// <summary>One secret's planned AWSCURRENT: the version the step moves it onto (or keeps it on).</summary>
/// <param name="SecretId">The secret's ARN or name, as planned (never re-read from rewind.yaml).</param>
/// <param name="TargetVersion">The version id AWSCURRENT is to be on.</param>
public sealed record SecretMove(string SecretId, string TargetVersion);

/// <summary>What the secrets step was approved to do, and all its execution reads: every secret and its target version, in order.</summary>
public sealed record SecretsPlan(IReadOnlyList<SecretMove> Secrets)
{
    /// <summary>A plan stored before typed plans (418e7ad): <c>secret.N</c> and <c>target.N</c> from N = 0 up to the first gap.</summary>
    public static SecretsPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var moves = new List<SecretMove>();
        for (var index = 0; parameters.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"secret.{index}"), out var id); index++)
        {
            var target = parameters.GetValueOrDefault(string.Create(CultureInfo.InvariantCulture, $"target.{index}"))
                ?? throw new InvalidOperationException($"the stored secrets plan (version 1) has no target.{index}");
            moves.Add(new SecretMove(id, target));
        }
        return new SecretsPlan(moves);
    }
}

/// <summary>The secrets plan's JSON in the stored plan (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SecretsPlan))]
public sealed partial class SecretsPlanJson : JsonSerializerContext;
