namespace Rewind.Playbook.Infra;

/// <summary>What the approval gate decided about one Terraform apply.</summary>
public enum InfraVerdict
{
    /// <summary>Within the destroy limit (or destroys allowed) and confirmed: apply.</summary>
    Approved,

    /// <summary>More destroys than <c>infra.max_destroys</c> without <c>--allow-destroy</c>: never applied.</summary>
    OverDestroyLimit,

    /// <summary>Within the limit but not confirmed (<c>CONFIRM=true</c>): wait for approval.</summary>
    AwaitingConfirmation,
}

/// <summary>
/// The one approval gate of a Terraform apply, used by <c>rewind infra apply</c> before it runs and by the infra step
/// just before it applies: the destroy limit first (a plan over it is refused even when confirmed), then the
/// operator's confirmation, <c>CONFIRM=true</c> in the environment.
/// </summary>
/// <param name="MaxDestroys">infra.max_destroys when the plan was made.</param>
/// <param name="AllowDestroy">Whether <c>--allow-destroy</c> lifted the limit.</param>
/// <param name="Confirmed">Whether the operator confirmed the apply.</param>
public sealed record InfraApproval(int MaxDestroys, bool AllowDestroy, bool Confirmed)
{
    /// <summary>The environment variable, and its value, that confirms an apply.</summary>
    public const string ConfirmVariable = "CONFIRM";

    /// <summary>Whether <c>CONFIRM=true</c> is set in <paramref name="environment"/>.</summary>
    public static bool ConfirmedIn(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment(ConfirmVariable) == "true";
    }

    /// <summary>Whether a plan with <paramref name="destroys"/> destroys is refused whatever the confirmation.</summary>
    public bool ExceedsDestroyLimit(int destroys) => destroys > MaxDestroys && !AllowDestroy;

    public InfraVerdict Decide(int destroys) =>
        ExceedsDestroyLimit(destroys) ? InfraVerdict.OverDestroyLimit : Confirmed ? InfraVerdict.Approved : InfraVerdict.AwaitingConfirmation;

    /// <summary>The refusal of a plan over the limit, in words: "the plan destroys 3 resource(s), more than infra.max_destroys 1".</summary>
    public string DestroyLimitProblem(int destroys) => $"the plan destroys {destroys} resource(s), more than infra.max_destroys {MaxDestroys}";
}
