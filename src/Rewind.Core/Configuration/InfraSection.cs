namespace Rewind.Core.Configuration;

/// <summary>The Terraform code rolled back with the release (<c>infra:</c>).</summary>
/// <param name="Repository">The git repository holding it (<c>~</c> expanded; relative to the configuration file's folder, the default <c>.</c> too; relative to the working directory only without a file).</param>
/// <param name="Directory">The Terraform directory, relative to the repository.</param>
/// <param name="MaxDestroys">How many destroys an apply may contain without <c>--allow-destroy</c>.</param>
public sealed record InfraSection(string Repository, string Directory, int MaxDestroys)
{
    /// <summary>The playbook's <c>infra/terraform</c> in the current repository, no destroys allowed.</summary>
    public static InfraSection Default { get; } =
        new(PlaybookDefaults.InfraRepository, PlaybookDefaults.InfraDirectory, PlaybookDefaults.MaxDestroys);
}
