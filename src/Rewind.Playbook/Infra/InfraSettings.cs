namespace Rewind.Playbook.Infra;

/// <summary>The Terraform code the infrastructure step rolls back.</summary>
/// <param name="Repository">The git repository (an absolute path, or relative to the working directory).</param>
/// <param name="Directory">The Terraform directory inside it.</param>
/// <param name="MaxDestroys">How many destroys an apply may contain without <c>--allow-destroy</c>.</param>
/// <param name="PlanFolder">Where saved plans are kept between plan and apply: private to the user (0700, theirs), else refused.</param>
/// <param name="Terraform">The terraform executable: a name looked up on PATH, or a path.</param>
public sealed record InfraSettings(string Repository, string Directory, int MaxDestroys, string PlanFolder, string Terraform = "terraform")
{
    /// <summary>The name of the plan folder inside the folder Rewind keeps its state in (the SQLite ledger's).</summary>
    public const string PlanFolderName = "terraform-plans";
}
