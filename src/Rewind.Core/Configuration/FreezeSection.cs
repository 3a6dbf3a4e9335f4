namespace Rewind.Core.Configuration;

/// <summary>The release freeze (<c>freeze:</c>).</summary>
/// <param name="SsmParameter">The SSM parameter name, possibly containing <c>{service}</c>.</param>
public sealed record FreezeSection(string SsmParameter)
{
    /// <summary><c>/rewind/{service}/freeze</c>.</summary>
    public static FreezeSection Default { get; } = new(PlaybookDefaults.FreezeParameter);

    /// <summary>The parameter name for a service: <c>{service}</c> replaced by its name.</summary>
    public string ParameterNameFor(string serviceName) =>
        SsmParameter.Replace(PlaybookDefaults.ServicePlaceholder, serviceName, StringComparison.Ordinal);
}
