namespace Rewind.Aws.Elb;

/// <summary>The action types ELBv2 knows, as they appear in <see cref="ElbAction.Type"/>.</summary>
public static class ElbActionType
{
    public const string Forward = "forward";
    public const string Redirect = "redirect";
    public const string FixedResponse = "fixed-response";
    public const string AuthenticateOidc = "authenticate-oidc";
    public const string AuthenticateCognito = "authenticate-cognito";
    public const string JwtValidation = "jwt-validation";
}

/// <summary>
/// One listener default action or rule action with every member ELBv2 returns, so that a rewrite of the weights
/// sends everything else back unchanged. Member names are botocore's (elbv2 service-2.json, shape <c>Action</c>).
/// </summary>
public sealed record ElbAction
{
    /// <summary>forward, redirect, fixed-response, authenticate-oidc, authenticate-cognito or jwt-validation (see <see cref="ElbActionType"/>).</summary>
    public required string Type { get; init; }

    /// <summary>The position of the action among its list; ELBv2 runs the lowest first.</summary>
    public int? Order { get; init; }

    /// <summary>The legacy single target group of a forward action; alongside <see cref="ForwardConfig"/> only when that holds exactly this group.</summary>
    public string? TargetGroupArn { get; init; }

    public ForwardConfig? ForwardConfig { get; init; }

    public RedirectConfig? RedirectConfig { get; init; }

    public FixedResponseConfig? FixedResponseConfig { get; init; }

    public AuthenticateOidcConfig? AuthenticateOidcConfig { get; init; }

    public AuthenticateCognitoConfig? AuthenticateCognitoConfig { get; init; }

    public JwtValidationConfig? JwtValidationConfig { get; init; }

    /// <summary>
    /// Members this client does not model (added to ELBv2 after it was written), anywhere in the action, as
    /// query-protocol names relative to the action ("SomeNewConfig.Values.member.1") and values; written back verbatim.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> UnmodelledMembers { get; init; } = [];

    public bool IsForward => string.Equals(Type, ElbActionType.Forward, StringComparison.Ordinal);

    /// <summary>
    /// The same action with new weights (0–999) for some of its forward target groups; every other member, the
    /// stickiness and the other groups' weights unchanged. Throws when the action has no forward configuration or
    /// a target group is not among its groups.
    /// </summary>
    public ElbAction WithWeights(IReadOnlyDictionary<string, int> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (ForwardConfig is null)
            throw new InvalidOperationException($"a {Type} action without ForwardConfig has no target group weights to set");
        foreach (var (arn, weight) in weights)
        {
            if (!ForwardConfig.TargetGroups.Any(g => string.Equals(g.TargetGroupArn, arn, StringComparison.Ordinal)))
                throw new ArgumentException($"target group {arn} is not one of the action's forward target groups", nameof(weights));
            ArgumentOutOfRangeException.ThrowIfNegative(weight, nameof(weights));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, 999, nameof(weights));
        }
        return this with
        {
            ForwardConfig = ForwardConfig with
            {
                TargetGroups =
                [
                    .. ForwardConfig.TargetGroups.Select(g => weights.TryGetValue(g.TargetGroupArn, out var weight) ? g with { Weight = weight } : g),
                ],
            },
        };
    }
}

/// <summary>A forward action's weighted target groups and stickiness (shape <c>ForwardActionConfig</c>).</summary>
public sealed record ForwardConfig
{
    public IReadOnlyList<WeightedTargetGroup> TargetGroups { get; init; } = [];

    public TargetGroupStickiness? TargetGroupStickinessConfig { get; init; }
}

/// <summary>One target group of a forward action and its weight, 0–999 (shape <c>TargetGroupTuple</c>).</summary>
public sealed record WeightedTargetGroup(string TargetGroupArn, int? Weight);

/// <summary>Whether clients stick to one target group of a weighted forward, and for how long (shape <c>TargetGroupStickinessConfig</c>).</summary>
public sealed record TargetGroupStickiness(bool? Enabled, int? DurationSeconds);

/// <summary>A redirect action's target (shape <c>RedirectActionConfig</c>).</summary>
public sealed record RedirectConfig
{
    /// <summary>HTTP_301 or HTTP_302.</summary>
    public required string StatusCode { get; init; }

    public string? Protocol { get; init; }

    public string? Port { get; init; }

    public string? Host { get; init; }

    public string? Path { get; init; }

    public string? Query { get; init; }
}

/// <summary>A fixed-response action's answer (shape <c>FixedResponseActionConfig</c>).</summary>
public sealed record FixedResponseConfig
{
    public required string StatusCode { get; init; }

    public string? ContentType { get; init; }

    public string? MessageBody { get; init; }
}

/// <summary>
/// An authenticate-oidc action (shape <c>AuthenticateOidcActionConfig</c>). The client secret is never read or
/// held: AWS does not return it, and writes always send <c>UseExistingClientSecret=true</c> to keep the stored one.
/// </summary>
public sealed record AuthenticateOidcConfig
{
    public required string Issuer { get; init; }

    public required string AuthorizationEndpoint { get; init; }

    public required string TokenEndpoint { get; init; }

    public required string UserInfoEndpoint { get; init; }

    public required string ClientId { get; init; }

    public string? SessionCookieName { get; init; }

    public string? Scope { get; init; }

    public long? SessionTimeout { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>>? AuthenticationRequestExtraParams { get; init; }

    /// <summary>deny, allow or authenticate.</summary>
    public string? OnUnauthenticatedRequest { get; init; }
}

/// <summary>An authenticate-cognito action (shape <c>AuthenticateCognitoActionConfig</c>).</summary>
public sealed record AuthenticateCognitoConfig
{
    public required string UserPoolArn { get; init; }

    public required string UserPoolClientId { get; init; }

    public required string UserPoolDomain { get; init; }

    public string? SessionCookieName { get; init; }

    public string? Scope { get; init; }

    public long? SessionTimeout { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>>? AuthenticationRequestExtraParams { get; init; }

    /// <summary>deny, allow or authenticate.</summary>
    public string? OnUnauthenticatedRequest { get; init; }
}

/// <summary>A jwt-validation action (shape <c>JwtValidationActionConfig</c>).</summary>
public sealed record JwtValidationConfig
{
    public required string JwksEndpoint { get; init; }

    public required string Issuer { get; init; }

    public IReadOnlyList<JwtAdditionalClaim> AdditionalClaims { get; init; } = [];
}

/// <summary>A claim a jwt-validation action also checks; Format is single-string, string-array or space-separated-values.</summary>
public sealed record JwtAdditionalClaim(string Format, string Name, IReadOnlyList<string> Values);
