namespace Rewind.Aws.Transport;

/// <summary>What resending a call does: decides whether the transport may resend it after its answer was lost.</summary>
public enum CallClass
{
    /// <summary>Only reads: a resend changes nothing.</summary>
    Read,

    /// <summary>Sets a value to a given state; sent twice, the second finds it already there (same weights, same label).</summary>
    IdempotentByNature,

    /// <summary>Carries a token or a condition that makes the service apply it once (CallerReference, a conditional write).</summary>
    IdempotentByToken,

    /// <summary>Each delivery has its own effect (a forced deployment): never resent after a lost answer; the step decides.</summary>
    NotIdempotent,
}

/// <summary>
/// The one table of every mutating operation Rewind sends, keyed "signing-name:Operation" as the emulator counts them.
/// An operation missing here is a defect: <see cref="Of(AwsService, string)"/> refuses it rather than guess (a test keeps the table complete).
/// </summary>
public static class CallClasses
{
    public static IReadOnlyDictionary<string, CallClass> Mutating { get; } = new Dictionary<string, CallClass>(StringComparer.Ordinal)
    {
        // ECS
        ["ecs:UpdateService"] = CallClass.NotIdempotent, // forceNewDeployment starts one deployment per delivery
        ["ecs:TagResource"] = CallClass.IdempotentByNature, // the same tags again
        ["ecs:StopServiceDeployment"] = CallClass.NotIdempotent, // not sent yet; a resend may stop a newer deployment
        ["ecs:ContinueServiceDeployment"] = CallClass.NotIdempotent, // not sent yet
        // CodeDeploy: each CreateDeployment is a new deployment; StopDeployment acts on whatever runs.
        ["codedeploy:CreateDeployment"] = CallClass.NotIdempotent,
        ["codedeploy:StopDeployment"] = CallClass.NotIdempotent,
        // ELBv2: the listener's or rule's forward weights set to the same values.
        ["elasticloadbalancing:ModifyListener"] = CallClass.IdempotentByNature,
        ["elasticloadbalancing:ModifyRule"] = CallClass.IdempotentByNature,
        // Secrets Manager: AWSCURRENT moved to the same version (RemoveFromVersionId makes the resend a no-op).
        ["secretsmanager:UpdateSecretVersionStage"] = CallClass.IdempotentByNature,
        // CloudFront: CallerReference makes a second delivery return the first invalidation.
        ["cloudfront:CreateInvalidation"] = CallClass.IdempotentByToken,
        // SSM: PutParameter with Overwrite sets the same value again.
        ["ssm:PutParameter"] = CallClass.IdempotentByNature,
        // DynamoDB (the ledger): every write is conditional, so a second delivery fails its condition instead of
        // applying twice; the ledger reads back what a failed condition means.
        ["dynamodb:PutItem"] = CallClass.IdempotentByToken,
        ["dynamodb:UpdateItem"] = CallClass.IdempotentByToken,
        ["dynamodb:DeleteItem"] = CallClass.IdempotentByToken,
        ["dynamodb:TransactWriteItems"] = CallClass.IdempotentByToken,
        ["dynamodb:CreateTable"] = CallClass.IdempotentByNature, // a second one finds the table (ResourceInUseException, handled)
    };

    /// <summary>The class of a mutating <paramref name="operation"/> of <paramref name="service"/>.</summary>
    /// <exception cref="InvalidOperationException">The operation is not in the table: a defect, never a silent default.</exception>
    public static CallClass Of(AwsService service, string operation) =>
        Mutating.TryGetValue(Key(service, operation), out var callClass)
            ? callClass
            : throw new InvalidOperationException(
                $"{Key(service, operation)} is a mutating call without a declared class: add it to {nameof(CallClasses)}.{nameof(Mutating)}");

    /// <summary>The class of <paramref name="request"/>: <see cref="CallClass.Read"/>, its own, or the table's.</summary>
    public static CallClass Of(AwsService service, AwsRequest request) =>
        request.IsReadOnly ? CallClass.Read : request.Class ?? Of(service, request.Operation);

    /// <summary>Whether the transport may resend the call after its answer was lost.</summary>
    public static bool IsSafeToResend(this CallClass callClass) => callClass != CallClass.NotIdempotent;

    public static string Key(AwsService service, string operation) => $"{service.SigningName}:{operation}";
}
