using System.CommandLine;
using System.Text.Json.Nodes;
using Rewind.Aws.Iam;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind iam-policy [--for plan|run|record|pipeline] [--account ID]</c>: the least-privilege IAM policy of a role for
/// the configured services (every one, or those --service names), built from the one catalogue <see cref="IamActions"/>.
/// Reads only rewind.yaml: no AWS call. The document is JSON whatever --output says (it is what IAM takes).
/// </summary>
public static class IamPolicyCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var role = new Option<string>("--for") { Description = "the role: plan (read-only: plan, status, doctor), run (the rollback), record, pipeline (record, freeze check, plan)", HelpName = "ROLE", DefaultValueFactory = _ => "run" }
            .AcceptOnlyFromAmong("plan", "run", "record", "pipeline");
        var account = new Option<string?>("--account") { Description = "the AWS account id for the ARNs (default: the account of an ARN in rewind.yaml, else *)", HelpName = "ID" };
        var command = new Command("iam-policy", "Print the least-privilege IAM policy (JSON) Rewind needs for the configured services") { role, account };
        command.SetAction((parse, ct) => RunAsync(context(parse), parse.GetValue(role)!, parse.GetValue(account), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, string role, string? account, CancellationToken ct)
    {
        if (account is not null && (account.Length != 12 || !account.All(char.IsAsciiDigit)))
            throw new CliException($"--account '{Core.MessageText.Value(account)}' is not an AWS account id", "give the 12 digits, such as --account 123456789012");
        var services = cli.Fleet.Select(cli.ServiceNames);
        var policy = IamPolicy.For(services, IamPolicy.RoleNamed(role)!.Value, account, cli.RegionFlag);
        await AnnounceOutput.WriteAsync(cli.Out, Document(policy), ct);
        return ExitCodes.Ok;
    }

    /// <summary>The policy as IAM reads it: Version, then each statement's Sid, Effect, Action, Resource.</summary>
    public static JsonObject Document(IamPolicyDocument policy) => new()
    {
        ["Version"] = IamPolicyDocument.Version,
        ["Statement"] = new JsonArray([.. policy.Statements.Select(s => (JsonNode)new JsonObject
        {
            ["Sid"] = s.Sid,
            ["Effect"] = "Allow",
            ["Action"] = new JsonArray([.. s.Actions.Select(a => (JsonNode)JsonValue.Create(a))]),
            ["Resource"] = new JsonArray([.. s.Resources.Select(r => (JsonNode)JsonValue.Create(r))]),
        })]),
    };
}
