using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core;

namespace Rewind.Playbook.Infra;

/// <summary>Which version of the state a plan was made against: terraform refuses a saved plan once the state moved on.</summary>
public readonly record struct StateVersion(string Lineage, long Serial)
{
    public override string ToString() => $"{(Lineage.Length == 0 ? "empty" : Lineage)}#{Serial}";
}

/// <summary>
/// The <c>terraform</c> command in one working directory, non-interactive and without colour: init, plan to a file
/// (<c>-detailed-exitcode</c>: 0 no changes, 2 changes), show a plan as JSON, apply a saved plan, read the state's version.
/// </summary>
public sealed class TerraformCli(ExternalTool terraform, string workingDirectory, IReadOnlyDictionary<string, string?> environment, Action<string>? progress)
{
    public string WorkingDirectory => workingDirectory;

    public async Task InitAsync(bool reconfigure, CancellationToken cancellationToken)
    {
        string[] arguments = reconfigure ? ["init", "-input=false", "-no-color", "-reconfigure"] : ["init", "-input=false", "-no-color"];
        var result = await RunAsync(arguments, stream: true, cancellationToken);
        if (result.ExitCode != 0)
            throw new RewindException($"terraform init failed: {result.ErrorLine}", "run 'terraform init' in the Terraform directory to see the whole error");
    }

    /// <summary>Plans into <paramref name="planFile"/>; true when the plan has changes.</summary>
    public async Task<bool> PlanAsync(string planFile, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["plan", "-out=" + planFile, "-detailed-exitcode", "-input=false", "-no-color", "-lock-timeout=60s"], stream: true, cancellationToken);
        return result.ExitCode switch
        {
            0 => false,
            2 => true,
            _ => throw new RewindException($"terraform plan failed: {result.ErrorLine}", "run 'terraform plan' at that ref to see the whole error"),
        };
    }

    /// <summary>The saved plan as terraform's JSON (<c>terraform show -json</c>).</summary>
    public async Task<JsonNode> ShowAsync(string planFile, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["show", "-json", "-no-color", planFile], stream: false, cancellationToken);
        if (result.ExitCode != 0)
            throw new RewindException($"terraform show failed: {result.ErrorLine}", "run 'terraform show' on the plan to see the whole error");
        try
        {
            return JsonNode.Parse(result.Stdout) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new RewindException($"terraform show -json printed no readable plan ({e.Message})", "check the terraform version (1.x is needed)");
        }
    }

    /// <summary>Applies a saved plan, exactly as planned.</summary>
    public async Task ApplyAsync(string planFile, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=60s", planFile], stream: true, cancellationToken);
        if (result.ExitCode != 0)
            throw new RewindException($"terraform apply failed: {result.ErrorLine}", "read terraform's output above; 'rewind resume' plans again from the state as it is now");
    }

    /// <summary>The state's lineage and serial (<c>terraform state pull</c>); an empty state is serial 0.</summary>
    public async Task<StateVersion> StateVersionAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["state", "pull"], stream: false, cancellationToken);
        if (result.ExitCode != 0)
            throw new RewindException($"terraform state pull failed: {result.ErrorLine}", "check the backend's access with 'terraform state list'");
        if (string.IsNullOrWhiteSpace(result.Stdout))
            return new StateVersion("", 0);
        try
        {
            var state = JsonNode.Parse(result.Stdout);
            return new StateVersion(state?["lineage"]?.GetValue<string>() ?? "", state?["serial"]?.GetValue<long>() ?? 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new RewindException($"terraform state pull printed no readable state ({e.Message})", "check the state with 'terraform state pull'");
        }
    }

    private Task<ToolResult> RunAsync(IReadOnlyList<string> arguments, bool stream, CancellationToken cancellationToken) =>
        terraform.RunAsync(arguments, workingDirectory, environment, stream ? progress : null, cancellationToken);
}
