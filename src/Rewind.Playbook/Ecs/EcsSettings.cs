namespace Rewind.Playbook.Ecs;

/// <summary>The ECS service a rollback acts on, and how long its rollout may take.</summary>
public sealed record EcsSettings(string Cluster, string Service, string Family, TimeSpan DeployTimeout);
