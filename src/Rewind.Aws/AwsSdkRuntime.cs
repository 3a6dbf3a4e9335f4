using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;
using Amazon.SSO;
using Amazon.SSOOIDC;

namespace Rewind.Aws;

/// <summary>
/// Registers the STS, SSO and SSO-OIDC clients with AWSSDK.Core so that assume-role and SSO profiles work under
/// NativeAOT, where the SDK cannot find them by reflection.
/// </summary>
public static class AwsSdkRuntime
{
    private static int _registered;

    public static void EnsureRegistered()
    {
        // With a JIT the SDK finds these clients itself, with the source credentials of the profile; only the
        // AOT build needs them handed over.
        if (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported || Interlocked.Exchange(ref _registered, 1) == 1)
            return;
        var registry = GlobalRuntimeDependencyRegistry.Instance;
        registry.RegisterSecurityTokenServiceClient(context =>
            new AmazonSecurityTokenServiceClient(new AmazonSecurityTokenServiceConfig
            {
                RegionEndpoint = context.SecurityTokenServiceClientContextData.Region,
            }));
        registry.RegisterSSOClient(context =>
            new AmazonSSOClient(new Amazon.Runtime.AnonymousAWSCredentials(), new AmazonSSOConfig
            {
                RegionEndpoint = context.SSOClientContextData.Region,
            }));
        registry.RegisterSSOOIDCClient(context =>
            new AmazonSSOOIDCClient(new Amazon.Runtime.AnonymousAWSCredentials(), new AmazonSSOOIDCConfig
            {
                RegionEndpoint = context.SSOOIDCClientContextData.Region,
            }));
    }
}
