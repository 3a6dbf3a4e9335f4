using System.CommandLine;
using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using Amazon.SecurityToken.Model;
using Rewind.Aws;
using Rewind.Aws.CloudWatch;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Cli.Rendering;
using DescribeParametersRequest = Amazon.SimpleSystemsManagement.Model.DescribeParametersRequest;

namespace Rewind.Cli.Commands;

/// <summary><c>rewind doctor</c>: resolves the AWS setup, asks STS who we are, then makes one read-only call per service.</summary>
public static class DoctorCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var command = new Command("doctor", "Check the AWS setup: profile, region, credentials, identity, and one read-only call per service");
        command.SetAction((parse, cancellationToken) => RunAsync(context(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        using var aws = context.Aws();
        var session = aws.Session;
        var credentials = await session.Credentials.GetAsync(cancellationToken);

        var probes = ServiceProbes.For(aws);
        var results = await Task.WhenAll(probes.Select(probe => RunProbeAsync(session, probe, cancellationToken)));
        var identity = results.First(r => r.Service == AwsService.Sts.DisplayName);

        var report = new DoctorReport(
            Profile: session.Profile,
            Region: session.Region,
            RegionSource: session.RegionSource.ToString(),
            CredentialSource: session.Credentials.Description,
            AccessKeyId: Mask(credentials.AccessKeyId),
            Account: identity.Account,
            Arn: identity.Detail,
            Checks: results,
            Ok: results.All(r => r.Ok));

        if (context.Output == OutputFormat.Json)
            await Json.WriteAsync(context.Out, report, CliJson.Default.DoctorReport, cancellationToken);
        else
            DoctorView.Render(context.Out, report);

        if (report.Ok)
            return ExitCodes.Ok;
        var first = results.First(r => !r.Ok);
        context.Log($"rewind: {first.Error}: {first.Fix}");
        return results.All(r => !r.Ok && r.ExitCode == ExitCodes.BadInput) ? ExitCodes.BadInput
            : results.Any(r => !r.Ok && r.ExitCode == ExitCodes.Unavailable) ? ExitCodes.Unavailable
            : ExitCodes.Failed;
    }

    private static async Task<DoctorCheck> RunProbeAsync(AwsSession session, ServiceProbe probe, CancellationToken cancellationToken)
    {
        var endpoint = session.Endpoints.Resolve(probe.Service, session.Region).ToString();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var detail = await probe.Call(cancellationToken);
            return new DoctorCheck(probe.Service.DisplayName, probe.Operation, endpoint, true, Ms(started), detail.Detail, detail.Account, null, null, null, ExitCodes.Ok);
        }
        catch (AwsException e)
        {
            var (_, code) = RewindApp.Describe(e, cancellationToken);
            return new DoctorCheck(probe.Service.DisplayName, probe.Operation, endpoint, false, Ms(started), null, null,
                (e as AwsServiceException)?.Code ?? (e is AwsUnavailableException ? "Unreachable" : "Configuration"), e.Message, e.Hint, code);
        }
    }

    private static double Ms(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);

    private static string Mask(string accessKeyId) =>
        accessKeyId.Length <= 4 ? "****" : new string('*', accessKeyId.Length - 4) + accessKeyId[^4..];
}

/// <summary>One read-only call that proves a service is reachable and the identity may use it.</summary>
public sealed record ServiceProbe(AwsService Service, string Operation, Func<CancellationToken, Task<ProbeDetail>> Call);

/// <summary>What a probe learned: a line for the report, and for STS the account.</summary>
public sealed record ProbeDetail(string? Detail = null, string? Account = null);

/// <summary>The probes <c>rewind doctor</c> runs, one per service.</summary>
public static class ServiceProbes
{
    public static IReadOnlyList<ServiceProbe> For(AwsClients aws) =>
    [
        new(AwsService.Sts, "GetCallerIdentity", async ct =>
        {
            using var sts = aws.Sts();
            var identity = await SdkErrors.CallAsync(AwsService.Sts, "GetCallerIdentity", aws.Options.OverallTimeout, t => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), t), ct);
            return new ProbeDetail(identity.Arn, identity.Account);
        }),
        new(AwsService.Ecs, "ListTaskDefinitions", async ct =>
        {
            var definitions = await aws.Ecs.ListTaskDefinitionsAsync(null, TaskDefinitionStatus.Active, SortOrder.Desc, ct);
            return new ProbeDetail($"{definitions.Count} active task definitions");
        }),
        new(AwsService.Elb, "DescribeTargetGroups", ct =>
            ReachableIfNotFound("TargetGroupNotFound", () => aws.Elb.DescribeTargetGroupsByNameAsync(["rewind-doctor-probe"], ct))),
        new(AwsService.SecretsManager, "DescribeSecret", async ct =>
        {
            await aws.SecretsManager.DescribeSecretAsync("rewind-doctor-probe", ct);
            return new ProbeDetail("reachable");
        }),
        new(AwsService.CloudFront, "GetDistribution", ct =>
            ReachableIfNotFound("NoSuchDistribution", () => aws.CloudFront.GetDistributionAsync("REWINDDOCTORPROBE", ct))),
        new(AwsService.CloudWatch, "DescribeAlarms", async ct =>
        {
            var alarms = await aws.CloudWatch.DescribeAlarmsAsync(AlarmQuery.WithPrefix("rewind"), ct);
            return new ProbeDetail($"{alarms.Count} alarms named rewind*");
        }),
        new(AwsService.Ssm, "DescribeParameters", async ct =>
        {
            using var ssm = aws.Ssm();
            await SdkErrors.CallAsync(AwsService.Ssm, "DescribeParameters", aws.Options.OverallTimeout, t => ssm.DescribeParametersAsync(new DescribeParametersRequest { MaxResults = 1 }, t), ct);
            return new ProbeDetail();
        }),
        new(AwsService.DynamoDb, "ListTables", async ct =>
        {
            using var dynamo = aws.DynamoDb();
            await SdkErrors.CallAsync(AwsService.DynamoDb, "ListTables", aws.Options.OverallTimeout, t => dynamo.ListTablesAsync(new ListTablesRequest { Limit = 1 }, t), ct);
            return new ProbeDetail();
        }),
    ];

    /// <summary>
    /// "Not found" for a name that cannot exist proves what doctor needs: the endpoint answered, the signature was
    /// accepted and the identity may make the call.
    /// </summary>
    private static async Task<ProbeDetail> ReachableIfNotFound<T>(string notFoundCode, Func<Task<T>> call)
    {
        try
        {
            await call();
        }
        catch (AwsServiceException e) when (e.Code == notFoundCode)
        {
            // Expected: see above.
        }
        return new ProbeDetail("reachable");
    }
}
