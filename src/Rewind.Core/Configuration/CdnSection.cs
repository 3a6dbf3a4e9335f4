namespace Rewind.Core.Configuration;

/// <summary>The CloudFront distribution invalidated after the rollback (<c>cdn:</c>).</summary>
/// <param name="DistributionId">The distribution id, such as <c>E123ABC</c>.</param>
/// <param name="Paths">Paths to invalidate, each starting with <c>/</c>; default <c>/*</c>.</param>
public sealed record CdnSection(string DistributionId, ValueList<string> Paths)
{
    /// <summary>The playbook's paths: everything.</summary>
    public static ValueList<string> DefaultPaths { get; } = ValueList.Of(PlaybookDefaults.CdnPath);
}
