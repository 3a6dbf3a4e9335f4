using Rewind.Cli.Rendering;
using Rewind.Core;
using Spectre.Console;

namespace Rewind.Cli.Commands;

/// <summary><c>rewind secret --versions</c>: each secret's version ids, staging labels and creation times. Never a value.</summary>
internal static class SecretVersions
{
    public static async Task<int> ListAsync(CliContext context, IReadOnlyList<string> secretIds, CancellationToken cancellationToken)
    {
        using var aws = context.Aws();
        var secrets = new List<SecretVersionsReport>();
        foreach (var id in secretIds)
        {
            if (await aws.SecretsManager.DescribeSecretAsync(id, cancellationToken) is null)
                throw new RewindException($"secret {id} does not exist", "check secrets[].id in rewind.yaml or --secret-id (aws secretsmanager list-secrets)", FailureKind.BadInput);
            var versions = await aws.SecretsManager.ListSecretVersionIdsAsync(id, includeDeprecated: true, cancellationToken);
            secrets.Add(new SecretVersionsReport(id, [.. versions
                .OrderByDescending(v => v.VersionStages.Contains("AWSCURRENT"))
                .ThenByDescending(v => v.VersionStages.Contains("AWSPREVIOUS"))
                .ThenByDescending(v => v.CreatedDate)
                .Select(v => new SecretVersionRow(v.VersionId, v.VersionStages, v.CreatedDate))]));
        }
        if (context.Output == OutputFormat.Json)
        {
            await Json.WriteAsync(context.Out, new SecretVersionsDocument(secrets), CliJson.Default.SecretVersionsDocument, cancellationToken);
            return ExitCodes.Ok;
        }
        var console = Consoles.For(context.Out);
        foreach (var secret in secrets)
        {
            var table = new Table().Border(TableBorder.Simple).Title(Markup.Escape(secret.SecretId))
                .AddColumn("version id").AddColumn("stages").AddColumn("created");
            foreach (var v in secret.Versions)
                table.AddRow(Markup.Escape(v.VersionId), Markup.Escape(v.Stages.Count == 0 ? "-" : string.Join(", ", v.Stages)), v.Created is { } created ? $"{created:yyyy-MM-dd HH:mm:ss}Z" : "-");
            console.Write(table);
        }
        return ExitCodes.Ok;
    }
}

/// <summary>What <c>rewind secret --versions</c> lists.</summary>
public sealed record SecretVersionsDocument(IReadOnlyList<SecretVersionsReport> Secrets);

/// <summary>One secret's versions, AWSCURRENT first, then AWSPREVIOUS, then newest first.</summary>
public sealed record SecretVersionsReport(string SecretId, IReadOnlyList<SecretVersionRow> Versions);

/// <summary>One version: id, staging labels, creation time. The value is never read.</summary>
public sealed record SecretVersionRow(string VersionId, IReadOnlyList<string> Stages, DateTimeOffset? Created);
