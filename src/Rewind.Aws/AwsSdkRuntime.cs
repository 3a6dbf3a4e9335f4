using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;
using Amazon.SSO;
using Amazon.SSOOIDC;

namespace Rewind.Aws;

/// <summary>
/// Hands AWSSDK.Core the STS, SSO and SSO-OIDC clients it finds by reflection under a JIT, so that assume-role and
/// SSO profiles also work in the NativeAOT binary.
/// </summary>
public static class AwsSdkRuntime
{
    private static int _registered;
    private static AWSCredentials? _assumeRoleSource;

    /// <summary>True in the NativeAOT binary, where the SDK cannot load clients by reflection.</summary>
    public static bool IsNativeAot => !RuntimeFeature.IsDynamicCodeCompiled;

    public static void EnsureRegistered()
    {
        if (!IsNativeAot || Interlocked.Exchange(ref _registered, 1) == 1)
            return;
        var registry = GlobalRuntimeDependencyRegistry.Instance;
        // The SDK's registry hands the factory only a region, not the profile's source credentials; the profile
        // being resolved tells us those first (UseAssumeRoleSource), else the default chain is the source.
        registry.RegisterSecurityTokenServiceClient(context =>
        {
            var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = context.SecurityTokenServiceClientContextData.Region };
            return _assumeRoleSource is { } source ? new AmazonSecurityTokenServiceClient(source, config) : new AmazonSecurityTokenServiceClient(config);
        });
        registry.RegisterSSOClient(context =>
            new AmazonSSOClient(new AnonymousAWSCredentials(), new AmazonSSOConfig { RegionEndpoint = context.SSOClientContextData.Region }));
        registry.RegisterSSOOIDCClient(context =>
            new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), new AmazonSSOOIDCConfig { RegionEndpoint = context.SSOOIDCClientContextData.Region }));
    }

    /// <summary>The credentials an assume-role profile's <c>source_profile</c> gives; one profile per process.</summary>
    internal static void UseAssumeRoleSource(AWSCredentials source) => _assumeRoleSource = source;
}
