using System.Globalization;
using System.Text.Json.Serialization;

namespace Rewind.Playbook.Infra;

/// <summary>
/// The infra step's plan: the Terraform code (repository, directory, ref and commit), the saved plan and its hash as
/// shown, the state it was made against, what it changes, and the gate it was shown with.
/// </summary>
/// <param name="Repository">The git repository's root.</param>
/// <param name="Directory">The Terraform directory, relative to the root.</param>
/// <param name="Ref">The ref asked for ("HEAD~1", a release's recorded commit, <c>--ref</c>).</param>
/// <param name="RefReason">Why that ref.</param>
/// <param name="Commit">The commit the ref resolved to.</param>
/// <param name="PlanFolder">The private folder saved plans are kept in.</param>
/// <param name="PlanFile">The saved plan; empty when the plan has no changes (nothing was kept).</param>
/// <param name="PlanSha256">The saved plan's SHA-256 (hex) when shown; empty without changes.</param>
/// <param name="State">Where the state lives ("local /path/terraform.tfstate", "s3 backend").</param>
/// <param name="StateVersion">The state's lineage#serial when planned.</param>
/// <param name="HasChanges">Whether the plan changes anything.</param>
/// <param name="Adds">Resources added.</param>
/// <param name="Changes">Resources changed in place.</param>
/// <param name="Destroys">Resources destroyed.</param>
/// <param name="Resources">Every changed resource.</param>
/// <param name="MaxDestroys">infra.max_destroys when planned.</param>
/// <param name="AllowDestroy">Whether <c>--allow-destroy</c> was given when planned.</param>
public sealed record InfraPlan(
    string Repository, string Directory, string Ref, string RefReason, string Commit, string PlanFolder, string PlanFile, string PlanSha256,
    string State, string StateVersion, bool HasChanges, int Adds, int Changes, int Destroys, IReadOnlyList<ResourceChange> Resources,
    int MaxDestroys, bool AllowDestroy = false)
{
    /// <summary>What the plan does, as terraform counts it.</summary>
    public TerraformPlanSummary Summary() => new(Adds, Changes, Destroys, Resources);

    /// <summary>The plan's gate, with the operator's confirmation as it is now.</summary>
    public InfraApproval Approval(bool confirmed) => new(MaxDestroys, AllowDestroy, confirmed);

    /// <summary>The files this plan left on disk (the saved plan while it has changes): a dry-run removes them.</summary>
    public IReadOnlyList<string> FilesLeft() => HasChanges && PlanFile.Length > 0 ? [PlanFile] : [];

    /// <summary>
    /// A plan stored before typed plans (418e7ad, and main before this reader): numbers as text, the resources as
    /// "action address" lines, <c>planSha256</c> only since the plan folder became private (empty before), and no
    /// plan folder (it is the saved plan's).
    /// </summary>
    public static InfraPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var planFile = parameters["planFile"];
        return new InfraPlan(
            parameters["repository"], parameters["directory"], parameters["ref"], parameters["refReason"], parameters["commit"],
            Path.GetDirectoryName(planFile) ?? "", planFile, parameters.GetValueOrDefault(InfraStep.PlanHash, ""),
            parameters["state"], parameters["stateVersion"], parameters["hasChanges"] == "true",
            Number(parameters["adds"]), Number(parameters["changes"]), Number(parameters["destroys"]),
            TerraformPlanSummary.ParseLines(parameters["resources"]), Number(parameters["maxDestroys"]));
    }

    private static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}

/// <summary>The infra step's plan JSON (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(InfraPlan))]
public sealed partial class InfraJson : JsonSerializerContext;
