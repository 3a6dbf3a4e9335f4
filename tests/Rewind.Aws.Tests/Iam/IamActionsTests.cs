using System.Text.RegularExpressions;
using Rewind.Aws.Iam;
using Rewind.Aws.Tests.Models;
using Rewind.Aws.Transport;
using Xunit;

namespace Rewind.Aws.Tests.Iam;

/// <summary>The IAM catalogue against the source (every operation sent is in it) and botocore (every action is real).</summary>
public sealed partial class IamActionsTests
{
    private static readonly Lazy<(string? Folder, string Why)> Botocore = new(ServiceModel.LocateBotocore);

    /// <summary>Signing name as the catalogue keys operations → botocore's folder.</summary>
    private static readonly Dictionary<string, string> ModelOfSigningName = new(StringComparer.Ordinal)
    {
        ["ecs"] = "ecs",
        ["elasticloadbalancing"] = "elbv2",
        ["secretsmanager"] = "secretsmanager",
        ["cloudfront"] = "cloudfront",
        ["monitoring"] = "cloudwatch",
        ["codedeploy"] = "codedeploy",
        ["ssm"] = "ssm",
        ["dynamodb"] = "dynamodb",
        ["sts"] = "sts",
    };

    /// <summary>IAM prefix → botocore's folder.</summary>
    private static readonly Dictionary<string, string> ModelOfIamPrefix = new(StringComparer.Ordinal)
    {
        ["ecs"] = "ecs",
        ["elasticloadbalancing"] = "elbv2",
        ["secretsmanager"] = "secretsmanager",
        ["cloudfront"] = "cloudfront",
        ["cloudwatch"] = "cloudwatch",
        ["codedeploy"] = "codedeploy",
        ["ssm"] = "ssm",
        ["dynamodb"] = "dynamodb",
        ["sts"] = "sts",
        ["iam"] = "iam",
    };

    /// <summary>Hand-written client file prefix → signing name.</summary>
    private static readonly Dictionary<string, string> Clients = new(StringComparer.Ordinal)
    {
        ["Ecs"] = "ecs",
        ["Elb"] = "elasticloadbalancing",
        ["SecretsManager"] = "secretsmanager",
        ["CloudFront"] = "cloudfront",
        ["CloudWatch"] = "monitoring",
        ["CodeDeploy"] = "codedeploy",
    };

    [Fact]
    public void Every_operation_the_hand_written_clients_name_is_in_the_catalogue()
    {
        var models = Models();
        var sent = new List<string>();
        foreach (var file in SourceFiles("src/Rewind.Aws").Where(f => f.EndsWith("Client.cs", StringComparison.Ordinal)))
        {
            var client = Clients.FirstOrDefault(c => Path.GetFileName(file).StartsWith(c.Key, StringComparison.Ordinal));
            if (client.Value is null)
                continue;
            var model = models[ModelOfSigningName[client.Value]];
            sent.AddRange(Literal().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Where(model.HasOperation).Select(op => $"{client.Value}:{op}"));
        }

        Assert.Contains("ecs:UpdateService", sent);
        Assert.Contains("elasticloadbalancing:DescribeRules", sent);
        Assert.Contains("cloudfront:GetInvalidation", sent);
        Assert.Contains("monitoring:GetMetricData", sent);
        Assert.All(sent.Distinct(), op => Assert.True(IamActions.For(op).Count > 0, $"{op} is sent but not in IamActions.All"));
    }

    [Fact]
    public void Every_operation_sent_through_the_official_SDK_clients_is_in_the_catalogue()
    {
        var models = Models();
        var sdk = new[] { "ssm", "dynamodb", "sts" };
        var sent = SourceFiles("src")
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Demo{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("using Amazon.", StringComparison.Ordinal))
            .SelectMany(f => SdkRequest().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .SelectMany(op => sdk.Where(s => models[s].HasOperation(op)).Select(s => $"{s}:{op}"))
            .Distinct()
            .ToList();

        Assert.Contains("ssm:PutParameter", sent);
        Assert.Contains("dynamodb:TransactWriteItems", sent);
        Assert.Contains("sts:AssumeRole", sent);
        Assert.All(sent, op => Assert.True(IamActions.For(op).Count > 0, $"{op} is sent but not in IamActions.All"));
    }

    [Fact]
    public void Every_action_is_an_operation_of_its_services_botocore_model_or_a_documented_permission_only_action()
    {
        var models = Models();
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "iam.md"));

        Assert.All(IamActions.All, entry =>
        {
            var (prefix, action) = (entry.Action[..entry.Action.IndexOf(':')], entry.Action[(entry.Action.IndexOf(':') + 1)..]);
            if (IamActions.PermissionOnly.Contains(entry.Action))
            {
                Assert.False(models[ModelOfIamPrefix[prefix]].HasOperation(action), $"{entry.Action} is an operation: not permission-only");
                Assert.Contains($"`{entry.Action}`", docs, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(models[ModelOfIamPrefix[prefix]].HasOperation(action), $"{entry.Action} is not an operation of botocore's {ModelOfIamPrefix[prefix]} model");
            }
            var sent = entry.Operation[(entry.Operation.IndexOf(':') + 1)..];
            Assert.True(models[ModelOfSigningName[entry.Operation[..entry.Operation.IndexOf(':')]]].HasOperation(sent), $"{entry.Operation} is not an operation");
        });
    }

    [Fact]
    public void Every_mutating_operation_has_a_call_class_and_is_in_the_run_policy_or_documented_as_in_none()
    {
        var mutating = IamActions.All.Where(a => CallClasses.Mutating.ContainsKey(a.Operation)).ToList();

        Assert.Contains(mutating, a => a.Action == "ecs:UpdateService" && a.Roles.HasFlag(IamRole.Run));
        Assert.All(mutating, a => Assert.False(a.Roles.HasFlag(IamRole.Plan), $"{a.Action} changes something and is in the plan role"));
        Assert.All(CallClasses.Mutating.Keys, op => Assert.True(IamActions.For(op).Count > 0, $"{op} has a call class but no IAM action"));
    }

    private static Dictionary<string, ServiceModel> Models()
    {
        var (folder, why) = Botocore.Value;
        if (folder is null)
            Assert.Skip(why);
        return ModelOfIamPrefix.Values.Distinct().ToDictionary(m => m, m => ServiceModel.Load(folder, m), StringComparer.Ordinal);
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rewind.slnx")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Rewind.slnx above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("\"([A-Z][A-Za-z]+)\"")]
    private static partial Regex Literal();

    [GeneratedRegex(@"new (\w+)Request\b")]
    private static partial Regex SdkRequest();
}
